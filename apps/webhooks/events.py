"""The events a project's webhooks can subscribe to, each with the `data` it carries. One table:
the allowed values, the schema's payload documentation and the emitters all read it."""

from drf_spectacular.utils import PolymorphicProxySerializer, inline_serializer
from rest_framework import serializers

from apps.assets.models import Decision

_ERROR = inline_serializer(
    "WebhookGenerationError", {"code": serializers.CharField(), "message": serializers.CharField()},
    allow_null=True, help_text="Null unless the job failed.",
)
_GENERATION = {
    "generation": serializers.UUIDField(),
    "kind": serializers.CharField(help_text="generate, edit, translate, upscale ..."),
    "status": serializers.CharField(),
    "error": _ERROR,
    "assets": serializers.ListField(child=serializers.UUIDField(), help_text="The assets made, in output order."),
}

EVENT_DATA = {
    "generation.succeeded": inline_serializer("GenerationSucceededData", _GENERATION),
    "generation.failed": inline_serializer("GenerationFailedData", _GENERATION),
    "asset.review_changed": inline_serializer(
        "AssetReviewChangedData",
        {
            "asset": serializers.UUIDField(),
            "decision": serializers.ChoiceField(choices=Decision.choices),
            "comment": serializers.CharField(allow_blank=True),
            "reviewer": serializers.CharField(help_text="The deciding user's username."),
            "review_status": serializers.CharField(help_text="The asset's status after the decision: pending, approved, rejected, changes_requested."),
            "undone": serializers.BooleanField(required=False, help_text="Present and true when the reviewer took this decision back within "
                                               "the undo window: the decision no longer counts and review_status is the status without it."),
        },
    ),
    "comment.created": inline_serializer(
        "CommentCreatedData",
        {
            "comment": serializers.CharField(),
            "asset": serializers.UUIDField(),
            "parent": serializers.IntegerField(allow_null=True, help_text="The comment this one replies to; null for a new thread."),
            "author": serializers.CharField(allow_null=True, help_text="The author's username."),
            "body": serializers.CharField(),
            "pin": serializers.DictField(allow_null=True, help_text='{"x", "y"} or {"x", "y", "w", "h"} in 0–1 of the image; null when not pinned.'),
            "mentions": serializers.ListField(child=serializers.CharField(), help_text="Usernames of the project members @mentioned."),
        },
    ),
    "comment.resolved": inline_serializer(
        "CommentResolvedData",
        {
            "comment": serializers.CharField(),
            "asset": serializers.UUIDField(),
            "resolved_by": serializers.CharField(allow_null=True, help_text="Who resolved it (or approved the asset that addressed it)."),
            "addressed_in": serializers.UUIDField(allow_null=True, help_text="The asset made to fix it, when it was applied as an edit."),
        },
    ),
    "asset.checked": inline_serializer(
        "AssetCheckedData",
        {
            "asset": serializers.UUIDField(),
            "status": serializers.CharField(help_text="passed, attention (a warning or a check that could not run) or failed."),
            "kit_version": serializers.IntegerField(allow_null=True, help_text="The brand kit version the image was read against."),
            "failed": serializers.ListField(child=serializers.CharField(), help_text="Checks that failed: copy, spelling, language, terms, palette, logo, contrast, size."),
            "attention": serializers.ListField(child=serializers.CharField(), help_text="Checks that warned or could not run."),
        },
    ),
    "campaign.stage_finished": inline_serializer(
        "CampaignStageFinishedData",
        {
            "campaign": serializers.UUIDField(),
            "stage": serializers.CharField(help_text="The stage's name, as the campaign's `stages` list them."),
            "stage_run": serializers.UUIDField(help_text="The run of the stage that finished (a stage can be run again)."),
            "jobs": serializers.IntegerField(help_text="How many jobs the run created."),
            "statuses": serializers.DictField(child=serializers.IntegerField(), help_text="Jobs per final status, e.g. {\"succeeded\": 11, \"failed\": 1}."),
        },
    ),
    "project.budget_alert": inline_serializer(
        "ProjectBudgetAlertData",
        {
            "budget_usd": serializers.CharField(help_text="The monthly budget, e.g. \"100.00\"."),
            "spent_usd": serializers.CharField(help_text="This month's spend when the alert went out."),
            "percent": serializers.FloatField(help_text="Spend as a percentage of the budget."),
            "threshold_percent": serializers.IntegerField(help_text="The owners' alert threshold (budget_alert_percent)."),
            "month": serializers.CharField(help_text="YYYY-MM; sent at most once a month."),
        },
    ),
    "asset.rights_changed": inline_serializer(
        "AssetRightsChangedData",
        {
            "asset": serializers.UUIDField(),
            "reason": serializers.ChoiceField(choices=["changed", "expired", "override"],
                                              help_text="changed: a right it inherits was edited; expired: its window ended; override: an owner recorded or withdrew one."),
            "starts_on": serializers.DateField(allow_null=True),
            "ends_on": serializers.DateField(allow_null=True, help_text="The earliest end of every right it inherits; null: none ends."),
            "territories": serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="ISO 3166 codes; null: worldwide."),
            "channels": serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="Placement channels; null: all."),
            "expired": serializers.BooleanField(),
            "override_until": serializers.DateField(allow_null=True),
            "limiting": serializers.DictField(allow_null=True, help_text="The right whose end ends the window: holder, kind, source (the reference image or upload), ends_on."),
        },
    ),
}
EVENTS = tuple(EVENT_DATA)


def _payload(event: str, data_serializer) -> serializers.Serializer:
    name = "".join(part.capitalize() for part in event.replace(".", "_").split("_"))
    return inline_serializer(
        f"{name}Event",
        {
            "type": serializers.ChoiceField(choices=[event]),
            "timestamp": serializers.DateTimeField(),
            "project": serializers.UUIDField(),
            "data": data_serializer,
        },
    )


EVENT_PAYLOAD = PolymorphicProxySerializer(
    component_name="WebhookEvent",
    serializers={event: _payload(event, data) for event, data in EVENT_DATA.items()},
    resource_type_field_name="type",
)
