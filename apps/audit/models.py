"""The audit log: who changed what in a project's governance (review policy, members and roles,
budget, API keys, webhooks), when, with the values before and after.

Append-only at three levels: the model refuses to save an existing row or delete one, its
queryset refuses bulk updates and deletes, and the database refuses UPDATE (and on PostgreSQL
DELETE) with a trigger (migration 0001). Rows point at their project and actor without foreign
key constraints, so deleting a project or a user never rewrites or removes their history.
"""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    REVIEW_POLICY_CHANGED = "review_policy.changed", "Review policy changed"
    MEMBER_INVITED = "member.invited", "Member invited"
    MEMBER_INVITATION_WITHDRAWN = "member.invitation_withdrawn", "Invitation withdrawn"
    MEMBER_ADDED = "member.added", "Member added"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Member's role changed"
    MEMBER_REMOVED = "member.removed", "Member removed"
    BUDGET_CHANGED = "budget.changed", "Budget changed"
    PROJECT_CHANGED = "project.changed", "Project settings changed"
    API_KEY_CREATED = "api_key.created", "API key created"
    API_KEY_REVOKED = "api_key.revoked", "API key revoked"
    WEBHOOK_CREATED = "webhook.created", "Webhook created"
    WEBHOOK_DELETED = "webhook.deleted", "Webhook deleted"
    WEBHOOK_CHANGED = "webhook.changed", "Webhook changed"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", "Webhook secret rotated"
    BRAND_KIT_CHANGED = "brand_kit.changed", "Brand kit changed"
    CHECKS_WAIVED = "review.checks_waived", "Failing brand checks waived"
    ASSIGNMENT_CREATED = "assignment.created", "Reviewers assigned"
    ASSIGNMENT_CHANGED = "assignment.changed", "Assignment changed"
    ASSIGNMENT_DELETED = "assignment.deleted", "Assignment removed"
    ASSIGNMENT_COMPLETED = "assignment.completed", "Assignment completed"
    SSO_SIGNED_IN = "sso.signed_in", "Signed in with single sign-on"
    SSO_REFUSED = "sso.refused", "Single sign-on refused"
    REVIEW_LINK_CREATED = "review_link.created", "Review link created"
    REVIEW_LINK_REVOKED = "review_link.revoked", "Review link revoked"
    GUEST_DECIDED = "review.guest_decided", "Guest decided a review"
    REVIEW_UNDONE = "review.undone", "Review decision undone"
    RIGHTS_CREATED = "rights.created", "Right recorded"
    RIGHTS_CHANGED = "rights.changed", "Right changed"
    RIGHTS_DELETED = "rights.deleted", "Right deleted"
    RIGHTS_OVERRIDE_SET = "rights.override_set", "Rights override recorded"
    RIGHTS_OVERRIDE_CLEARED = "rights.override_cleared", "Rights override withdrawn"
    RIGHTS_POLICY_CHANGED = "rights.policy_changed", "Rights policy changed"


class AppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events are append-only.")

    def delete(self):
        raise AppendOnly("Audit events are append-only.")


class AuditEvent(models.Model):
    # None for events of no project: single sign-on sign-ins and their refusals (superusers see them).
    project = models.ForeignKey("projects.Project", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+")
    actor_name = models.CharField(max_length=150, help_text="The actor's username when it happened.")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target = models.CharField(max_length=500, blank=True, help_text="What was changed: a username, an email, a webhook URL, a key name.")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at", "-id"], name="audit_project_newest")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events are append-only.")

    def __str__(self):
        return f"{self.actor_name} {self.action} {self.target} at {self.created_at}"
