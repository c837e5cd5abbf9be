"""The admin built for reviewers: assets with previews, decisions with comments, the full history.

Members whose role may decide in a project get in without being staff (apps.approvals.admin_site)
and see only the projects where they may review; whether they may decide is asked of the same
rule the REST API uses (apps.approvals.policy).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.html import format_html, format_html_join

from apps.approvals import policy as review_policy
from apps.approvals import selectors as approval_selectors
from apps.approvals import services
from apps.approvals.forms import DecisionForm
from apps.approvals.models import Decision, Review
from apps.assets.models import Asset, ReviewStatus
from apps.checks.models import CheckStatus
from apps.checks.selectors import check_for, failing_checks
from apps.core.exceptions import ApplicationError
from apps.generations.templatetags.asset_pages import kind_label
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class ProjectScopedAdmin(TenantScopedAdmin):
    """Rows of the projects where the user may review; superusers see everything; a row of any
    other project is 404."""

    def tenant_projects(self, request):
        return review_policy.projects_user_may_review(request.user)

    def _is_member_somewhere(self, request) -> bool:
        return request.user.is_active and review_policy.projects_user_may_review(request.user).exists()

    def has_module_permission(self, request):
        return request.user.is_superuser or self._is_member_somewhere(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._is_member_somewhere(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def preview(url: str, size: int) -> str:
    return format_html('<img src="{}" alt="preview" style="max-width:{}px;max-height:{}px">', url, size, size)


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = ["created_at", "decided_by", "decision", "comment", "waiver", "waived_checks"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AssetDecisionForm(DecisionForm, forms.ModelForm):
    """The pages' decision form (its comment field and limit) on the admin's asset page, where
    saving without a decision changes nothing."""

    decision = forms.ChoiceField(choices=[("", "— no decision —"), *Decision.choices], required=False)

    class Meta:
        model = Asset
        fields = []

    def clean(self):
        """The comment rule of the pages, next to the comment (the service enforces it too)."""
        data = super().clean()
        decision = data.get("decision")
        if decision and review_policy.comment_required(decision) and not (data.get("comment") or "").strip():
            self.add_error("comment", f"A comment is required to {decision.replace('_', ' ')}: say what should change.")
        return data


class ReviewStatusFilter(admin.SimpleListFilter):
    """Opens on Pending: what a reviewer comes for. "All" is a choice of its own, so leaving the
    filter is still one click."""

    title = "review status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*ReviewStatus.choices, (self.ALL, "All")]

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # The default is for looking at the list; an action posted from it acts on what was ticked.
        self.default = ReviewStatus.PENDING if request.method == "GET" else self.ALL

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": self.value() == value, "query_string": changelist.get_query_string({self.parameter_name: value}), "display": label}

    def queryset(self, request, queryset):
        if self.value() in ReviewStatus.values:
            return queryset.filter(review_status=self.value())
        return queryset


class BulkCommentForm(forms.Form):
    comment = forms.CharField(label="Comment", max_length=DecisionForm.base_fields["comment"].max_length, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Sent with every decision: say what should change.",
                              error_messages={"required": "Write the comment that goes with these decisions: say what should change."})


class ChecksFilter(admin.SimpleListFilter):
    """The brand checks' status, "needs attention" included; "not checked" for assets never read."""

    title = "brand checks"
    parameter_name = "checks"

    def lookups(self, request, model_admin):
        return [*CheckStatus.choices, ("none", "Not checked")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(check_result__isnull=True)
        if self.value() in CheckStatus.values:
            return queryset.filter(check_result__status=self.value())
        return queryset


@admin.register(Asset)
class AssetAdmin(ProjectScopedAdmin):
    form = AssetDecisionForm
    list_display = ["thumbnail", "title_text", "status", "checks", "project", "kind", "size", "created_by", "created"]
    list_display_links = ["thumbnail", "title_text"]
    list_filter = [ReviewStatusFilter, ChecksFilter, PROJECT_FILTER, "generation__kind", "generation__model", "created_at"]
    list_select_related = ["project", "generation", "created_by", "check_result"]
    search_fields = ["generation__prompt", "title"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    inlines = [ReviewInline]
    change_form_template = "admin/assets/asset/review_change_form.html"  # decide buttons and the comment at the top

    class Media:
        js = ["js/pins.js"]
        css = {"all": ["css/fixloop.css"]}

    actions = ["approve_selected", "approve_passing_selected", "reject_selected", "request_changes_selected"]
    readonly_fields = [
        "image", "project", "generation_link", "prompt", "settings", "checks_detail", "parents", "children", "references", "origin", "mime_type", "width", "height",
        "size_bytes", "sha256", "model_version", "response_id", "review_status", "created_by", "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["image", "project", "generation_link", "prompt", "settings", "review_status", "checks_detail"]}),
        # decision, comment and waiver are drawn above the image (review_change_form.html): deciding is why reviewers come here
        ("Lineage", {"fields": ["parents", "children", "references"]}),
        ("File and provenance", {"fields": ["origin", "mime_type", "width", "height", "size_bytes", "sha256", "model_version", "response_id", "created_by", "created_at"]}),
    ]

    def get_queryset(self, request):
        from apps.generations.models import made_from_asset

        # Whether each row's job was made from another asset, for its kind ("Variation") without a query per row.
        return super().get_queryset(request).annotate(made_from_asset=made_from_asset())

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, **{**kwargs, "fields": ["decision", "comment", "waiver"]})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "decision_choices": Decision.choices}
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        """After a decision, on to the next pending asset (the list when none is left)."""
        decided = getattr(request, "review_decided", None)
        if decided is None and request.POST.get("decision"):  # refused: the rule's words are in the messages
            return HttpResponseRedirect(request.path)
        if decided is None:
            return super().response_change(request, obj)
        messages.success(request, f"{decided.get_decision_display()}: “{obj.display_title}” is now {obj.get_review_status_display().lower()}.")
        after = self.get_queryset(request).filter(review_status=ReviewStatus.PENDING).exclude(pk=obj.pk).order_by("created_at").first()
        target = reverse("admin:assets_asset_change", args=[after.pk]) if after else reverse("admin:assets_asset_changelist")
        return HttpResponseRedirect(target)

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if obj is None:
            return self._is_member_somewhere(request)
        # Deciding is the only change; refusing per decision (e.g. four-eyes) happens in the service.
        return review_policy.decision_refusal(request.user, obj, Decision.REJECT) is None

    @admin.display(description="Preview")
    def thumbnail(self, asset):
        return preview(reverse("asset-thumbnail", args=[asset.pk]), 72)

    @admin.display(description="Image")
    def image(self, asset):
        """The web-size image with its pinned comments' numbered markers (pins.js), and those comments
        listed; the file is one click away on the asset page."""
        comments = [c for c in approval_selectors.asset_comments(asset) if c.number]
        image = format_html(
            '<img src="{}" alt="preview" width="{}" height="{}" data-pins="{}" style="max-width:720px;max-height:720px;width:auto;height:auto">',
            reverse("asset-display", args=[asset.pk]), asset.width, asset.height, json.dumps(approval_selectors.pin_markers(comments)),
        )
        if not comments:
            return format_html("<div>{}</div>", image)
        pins = format_html_join("", '<li id="comment-{}" value="{}">{}{} <span class="quiet">— {}{}</span></li>', (
            (c.pk, c.number, c.body[:300], "…" if len(c.body) > 300 else "", c.author.username if c.author else "—",
             ", resolved" if c.is_resolved else (", on an earlier version" if c.on_earlier_version else ""))
            for c in comments
        ))
        return format_html('<div>{}</div><ol class="admin-pins">{}</ol>', image, pins)

    @admin.display(description="Title", ordering="title")
    def title_text(self, asset):
        return asset.display_title

    @admin.display(description="Review status", ordering="review_status")
    def status(self, asset):
        colour = {"approved": "#137333", "rejected": "#b3261e", "changes_requested": "#7a4f00"}.get(asset.review_status, "#444")
        return format_html('<strong style="color:{};white-space:nowrap">{}</strong>', colour, asset.get_review_status_display())

    @admin.display(description="Brand checks", ordering="check_result__status")
    def checks(self, asset):
        check = check_for(asset)
        if check is None:
            return "—"
        colour = {"passed": "#137333", "failed": "#b3261e", "attention": "#7a4f00"}.get(check.status, "#444")
        failing = failing_checks(asset)
        return format_html('<strong style="color:{};white-space:nowrap">{}</strong>{}', colour, check.get_status_display(),
                           format_html("<br><small>{}</small>", ", ".join(failing)) if failing else "")

    @admin.display(description="Brand checks")
    def checks_detail(self, asset):
        check = check_for(asset)
        if check is None:
            return "Not checked yet."
        return format_html(
            "<strong>{}</strong><ul style='margin:.3rem 0;padding-left:1.1rem'>{}</ul>", check.get_status_display(),
            format_html_join("", "<li><strong>{}</strong> {}: {}</li>", ((r["check"], r.get("outcome"), r.get("message", "")) for r in check.results)),
        )

    @admin.display(description="Kind", ordering="generation__kind")
    def kind(self, asset):
        return kind_label(asset)

    @admin.display(description="Created", ordering="created_at")
    def created(self, asset):
        return format_html('<span style="white-space:nowrap">{}</span>', date_format(localtime(asset.created_at), "j M Y H:i"))

    @admin.display(description="Size")
    def size(self, asset):
        return f"{asset.width}×{asset.height}"

    @admin.display(description="Generation")
    def generation_link(self, asset):
        if not asset.generation_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:generations_generation_change", args=[asset.generation_id]), asset.generation_id)

    @admin.display(description="Prompt")
    def prompt(self, asset):
        return asset.generation.prompt if asset.generation_id else ""

    @admin.display(description="Settings")
    def settings(self, asset):
        job = asset.generation
        if job is None:
            return "uploaded"
        return f"{job.kind} · {job.model} · {job.aspect_ratio} · {job.image_size} · thinking {job.thinking_level or '—'}"

    def _linked_thumbnails(self, links) -> str:
        cells = [
            format_html(
                '<a href="{}" title="{}">{}</a>',
                reverse("admin:assets_asset_change", args=[asset.pk]), relation, preview(reverse("asset-thumbnail", args=[asset.pk]), 96),
            )
            for asset, relation in links
        ]
        return format_html_join(" ", "{}", ((cell,) for cell in cells)) or "—"

    @admin.display(description="Made from")
    def parents(self, asset):
        return self._linked_thumbnails((link.parent, link.get_relation_display()) for link in asset.parent_links.select_related("parent"))

    @admin.display(description="Used by")
    def children(self, asset):
        return self._linked_thumbnails((link.child, link.get_relation_display()) for link in asset.child_links.select_related("child"))

    @admin.display(description="Reference images sent")
    def references(self, asset):
        if not asset.generation_id:
            return "—"
        uses = asset.generation.references.select_related("reference_image__entry")
        return format_html_join(
            " ", '<figure style="display:inline-block;margin:0 8px 0 0">{}<figcaption>{}{}</figcaption></figure>',
            (
                (
                    preview(reverse("reference-image-thumbnail", args=[use.reference_image_id]), 96),
                    use.reference_image.entry.name,
                    " (archived)" if use.reference_image.archived_at else "",
                )
                for use in uses
            ),
        ) or "—"

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision:
            try:
                request.review_decided = services.review_decide(
                    user=request.user, asset=obj, decision=decision, comment=form.cleaned_data.get("comment", ""),
                    waiver=form.cleaned_data.get("waiver", "") if decision == Decision.APPROVE else "")
                obj.review_status = request.review_decided.asset.review_status
            except ApplicationError as exc:  # the shared rule's refusal, in its own words
                messages.error(request, exc.message)

    def _decide_many(self, request, queryset, decision: str, comment: str):
        decided, refused = 0, []
        for asset in queryset.select_related("project"):
            try:
                services.review_decide(user=request.user, asset=asset, decision=decision, comment=comment)
                decided += 1
            except ApplicationError as exc:
                refused.append(f"{asset.pk}: {exc.message}")
        if decided:
            messages.success(request, f"{decided} asset(s): {decision.replace('_', ' ')}.")
        if refused:
            messages.error(request, f"Refused for {len(refused)} asset(s): " + "; ".join(refused))

    @admin.action(description="Approve selected assets")
    def approve_selected(self, request, queryset):
        self._decide_many(request, queryset, Decision.APPROVE, "")

    @admin.action(description="Approve selected assets whose brand checks passed")
    def approve_passing_selected(self, request, queryset):
        done, refused = services.approve_passing_message(services.approve_passing(user=request.user, assets=queryset.select_related("project", "check_result")))
        messages.success(request, done)
        if refused:
            messages.error(request, refused)

    def _decide_many_with_comment(self, request, queryset, decision: str, action: str):
        """Reject or request changes for a selection: first a page that lists the selection and asks
        for the comment (the same rule and limit as one decision), then the decisions."""
        form = BulkCommentForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._decide_many(request, queryset, decision, form.cleaned_data["comment"])
            return None
        return TemplateResponse(request, "admin/assets/asset/bulk_comment.html", {
            **self.admin_site.each_context(request), "title": f"{Decision(decision).label}: {queryset.count()} asset(s)",
            "opts": self.model._meta, "assets": queryset.select_related("generation")[:200], "form": form, "action": action,
            "decision_label": Decision(decision).label, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        })

    @admin.action(description="Reject selected assets…")
    def reject_selected(self, request, queryset):
        return self._decide_many_with_comment(request, queryset, Decision.REJECT, "reject_selected")

    @admin.action(description="Request changes on selected assets…")
    def request_changes_selected(self, request, queryset):
        return self._decide_many_with_comment(request, queryset, Decision.REQUEST_CHANGES, "request_changes_selected")


@admin.register(Review)
class ReviewAdmin(ProjectScopedAdmin):
    project_path = "asset__project"
    list_display = ["asset_link", "decision", "decided_by", "created_at"]
    list_filter = ["decision", "created_at"]
    list_select_related = ["asset__generation", "reviewer"]
    search_fields = ["comment"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Asset", ordering="asset__title")
    def asset_link(self, review):
        return format_html('<a href="{}">{}</a>', reverse("admin:assets_asset_change", args=[review.asset_id]), review.asset.display_title)
