from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.workflow.models import MAX_ASSETS_PER_ASSIGNMENT, MAX_ASSIGNEES, Assignment, Delivery, Event, NotificationSettings


class PersonField(serializers.CharField):
    """A member by username (or user id, as the members endpoint gives it)."""


class AssignmentInputSerializer(StrictInputSerializer):
    assets = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=MAX_ASSETS_PER_ASSIGNMENT,
                                   help_text="Asset ids; or send campaign and stage instead.")
    campaign = serializers.UUIDField(required=False, help_text="With stage: assign that stage's outputs (and those it adds later).")
    stage = serializers.CharField(required=False, max_length=16)
    assignees = serializers.ListField(child=PersonField(max_length=150), min_length=1, max_length=MAX_ASSIGNEES,
                                      help_text="Members who may decide reviews: usernames or user ids.")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="ISO 8601 with a time zone.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class AssignmentUpdateSerializer(StrictInputSerializer):
    assignees = serializers.ListField(child=PersonField(max_length=150), min_length=1, max_length=MAX_ASSIGNEES, required=False)
    due_at = serializers.DateTimeField(required=False, allow_null=True, help_text="null removes the due date.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class AssignmentOutputSerializer(serializers.ModelSerializer):
    assignees = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    assets = serializers.SerializerMethodField()
    open = serializers.SerializerMethodField(help_text="Per assignee: how many assets still wait for their decision.")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "project", "campaign", "stage", "assets", "assignees", "due_at", "note", "created_by", "created_at", "completed_at", "open", "overdue"]

    def get_assignees(self, assignment) -> list[str]:
        return sorted(user.username for user in assignment.assignees.all())

    def get_assets(self, assignment) -> list[str]:
        return sorted({str(item.asset_id) for item in assignment.items.all()})

    def get_open(self, assignment) -> dict[str, int]:
        from apps.workflow.selectors import open_items

        counts: dict[str, int] = {}
        for username in open_items().filter(assignment=assignment).values_list("assignee__username", flat=True):
            counts[username] = counts.get(username, 0) + 1
        return counts

    def get_overdue(self, assignment) -> bool:
        from django.utils import timezone

        return bool(assignment.due_at and assignment.completed_at is None and assignment.due_at < timezone.now())


class NotificationSettingsSerializer(serializers.ModelSerializer):
    events = serializers.SerializerMethodField(help_text="Every event type with how it reaches you: " + ", ".join(Delivery.values))

    class Meta:
        model = NotificationSettings
        fields = ["time_zone", "digest_hour", "events"]

    def get_events(self, row) -> dict[str, str]:
        return row.deliveries()


class NotificationSettingsInputSerializer(StrictInputSerializer):
    time_zone = serializers.CharField(required=False, max_length=64)
    digest_hour = serializers.IntegerField(required=False)
    events = serializers.DictField(child=serializers.CharField(max_length=32), required=False,
                                   help_text=f"{{event: delivery}}; events: {', '.join(Event.values)}; deliveries: {', '.join(Delivery.values)}.")
