"""What webhooks hear from other apps: signals, connected in WebhooksConfig.ready()."""

from django.db import transaction

from apps.generations.models import Status
from apps.webhooks.services import event_emit

# The job ends a webhook can announce (a canceled job was stopped by the person who asked).
ANNOUNCED = {Status.SUCCEEDED: "generation.succeeded", Status.FAILED: "generation.failed"}


def generation_finished(sender, generation, status, **kwargs) -> None:
    """`job_finished` receiver: record the project's `generation.succeeded` / `generation.failed`
    deliveries, all or none (rows first; they go out on commit, and the sweep re-sends them).
    `job_finished` may come again for the same job: the job's key makes it one delivery per endpoint.
    A project with no endpoint for the event costs one read: no transaction (on SQLite a write
    lock), no list of assets."""
    event = ANNOUNCED.get(status)
    if event is None or not any(event in events for events in generation.project.webhook_endpoints.filter(is_active=True).values_list("events", flat=True)):
        return
    with transaction.atomic():
        _generation_event(generation, status, event)


def _generation_event(generation, status: str, event: str) -> None:
    error = {"code": generation.error_code, "message": generation.error_message} if generation.error_code else None
    event_emit(
        project=generation.project,
        event=event,
        data={
            "generation": str(generation.pk),
            "kind": generation.kind,
            "status": status,
            "error": error,
            "assets": [str(pk) for pk in generation.assets.order_by("output_index").values_list("pk", flat=True)],
        },
        dedupe_key=f"{event}:{generation.pk}",
    )


def budget_alert(sender, project, figures, **kwargs) -> None:
    """`budget_alert_reached` receiver: the month's `project.budget_alert`, once per endpoint."""
    event_emit(project=project, event="project.budget_alert", data=figures, dedupe_key=f"project.budget_alert:{figures['month']}:{figures['budget_usd']}:{figures['threshold_percent']}")
