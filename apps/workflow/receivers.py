"""What other apps announce, turned into assignment progress and notifications. Each receiver is
thin: it names who is told and calls a service; rules live in services.py and notifications.py."""

from __future__ import annotations

from django.urls import reverse

from apps.workflow import selectors, services
from apps.workflow.models import Event
from apps.workflow.notifications import notify


def _person(user):
    """A project API key acts for its maker: that person hears of what their key did."""
    if user is None:
        return None
    key = getattr(user, "api_key", None)
    return key.created_by if key is not None else user


def _maker(asset):
    from apps.approvals.policy import made_by

    from django.contrib.auth import get_user_model

    maker_id = made_by(asset)
    return _person(get_user_model().objects.filter(pk=maker_id).first()) if maker_id else None


def on_review_decided(sender, review, asset, previous_status, **kwargs):
    services.assignment_items_decided(asset=asset, reviewer=review.reviewer)
    maker, reviewer = _maker(asset), _person(review.reviewer)
    if maker is not None and (reviewer is None or maker.pk != reviewer.pk):
        who = reviewer.get_username() if reviewer else (f"Guest {review.guest['name']}" if review.guest else "Someone")
        notify(user=maker, event=Event.DECISION, project=asset.project, url=reverse("asset-page", args=[asset.pk]),
               text=f"{who} decided “{review.get_decision_display()}” on {asset.display_title}; it is now {asset.get_review_status_display().lower()}.")


def on_comment_created(sender, comment, mentioned, **kwargs):
    author = _person(comment.author)
    asset = comment.asset
    for user in mentioned:
        if author is not None and user.pk == author.pk:
            continue
        notify(user=user, event=Event.MENTIONED, project=asset.project, url=reverse("asset-page", args=[asset.pk]),
               text=f"{author.get_username() if author else 'Someone'} mentioned you on {asset.display_title}: “{comment.body[:160]}”")


def on_asset_checked(sender, check, **kwargs):
    from apps.checks.models import CheckStatus

    if check.status != CheckStatus.FAILED:
        return
    asset = check.asset
    people = {user.pk: user for user in [_maker(asset)] if user is not None}
    for item in selectors.open_items().filter(asset=asset).select_related("assignee"):
        people.setdefault(item.assignee_id, item.assignee)
    for user in people.values():
        notify(user=user, event=Event.CHECKS_FAILED, project=asset.project, url=reverse("asset-page", args=[asset.pk]),
               text=f"Brand checks failed on {asset.display_title}.")


def on_stage_finished(sender, stage_run, statuses, **kwargs):
    services.assignment_stage_grew(stage_run=stage_run)
    campaign = stage_run.campaign
    counts = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    notify(user=_person(stage_run.created_by), event=Event.STAGE_FINISHED, project=campaign.project,
           url=reverse("campaign-page", args=[campaign.pk]),
           text=f"The {stage_run.get_stage_display().lower()} stage of {campaign.name} finished: {counts or 'no jobs'}.")


def on_job_finished(sender, generation, status, **kwargs):
    if status != "failed" or generation.created_by_id is None:
        return
    error = (generation.error_message or generation.error_code or "no reason given")[:200]
    notify(user=_person(generation.created_by), event=Event.JOB_FAILED, project=generation.project,
           url=reverse("generation-page", args=[generation.pk]), text=f"Your job “{generation.prompt[:80]}” failed: {error}")


def on_rights_expiring(sender, project, lines, **kwargs):
    from apps.projects.models import Membership, Role

    count = len(lines)
    shown = "; ".join(lines[:3]) + (f"; and {count - 3} more" if count > 3 else "")
    text = f"Rights of {count} asset{'s' if count != 1 else ''} in {project.name} end soon: {shown}."
    for membership in Membership.objects.filter(project=project, role=Role.OWNER).select_related("user"):
        notify(user=membership.user, event=Event.RIGHTS_EXPIRING, project=project, url=reverse("rights-page", args=[project.pk]), text=text)
