"""The monthly budget's alert: once a month, when this month's spend reaches the owner's threshold
(`Project.budget_alert_percent` of `monthly_budget_usd`), the owners get an email and the
`budget_alert_reached` signal goes out (webhooks turn it into the event `project.budget_alert`).

Checked when a job finishes (its cost is known) and when an owner saves the budget. The month is
claimed with a conditional update of the project's row, so two workers finishing jobs at once
send one alert; changing the budget or the threshold clears the claim (apps.projects.services)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from apps.core.signals import send_on_commit
from apps.generations.selectors import spend_this_month
from apps.projects.models import Membership, Project, Role

logger = logging.getLogger(__name__)

# Sent on commit: budget_alert_reached.send(sender=Project, project=..., figures={...})
budget_alert_reached = Signal()


def budget_alert_figures(project: Project, spent: Decimal) -> dict:
    budget = project.monthly_budget_usd
    percent = (spent / budget * 100) if budget else Decimal(100)
    return {
        "budget_usd": f"{budget:.2f}", "spent_usd": f"{spent:.2f}", "percent": float(round(percent, 1)),
        "threshold_percent": project.budget_alert_percent, "month": timezone.now().strftime("%Y-%m"),
    }


def budget_alert_check(*, project: Project) -> bool:
    """Send this month's alert if the threshold is reached and it was not sent yet. True if sent now."""
    project = Project.objects.filter(pk=project.pk).first()
    if project is None or project.monthly_budget_usd is None or project.budget_alert_percent is None:
        return False
    month = timezone.now().date().replace(day=1)
    if project.budget_alert_sent_for == month:
        return False
    spent = spend_this_month(project)
    if spent * 100 < project.monthly_budget_usd * project.budget_alert_percent:
        return False
    with transaction.atomic():
        claimed = Project.objects.filter(pk=project.pk).filter(
            Q(budget_alert_sent_for__isnull=True) | ~Q(budget_alert_sent_for=month)
        ).update(budget_alert_sent_for=month)
        if not claimed:
            return False  # another worker sent it
        figures = budget_alert_figures(project, spent)
        transaction.on_commit(lambda: _email_owners(project, figures))
        send_on_commit(budget_alert_reached, Project, project=project, figures=figures)
    return True


def _email_owners(project: Project, figures: dict) -> None:
    owners = list(
        Membership.objects.filter(project=project, role=Role.OWNER, user__api_key__isnull=True)
        .exclude(user__email="").values_list("user__email", flat=True)
    )
    if not owners:
        return
    try:
        send_mail(
            subject=f"{project.name}: {figures['percent']:g}% of this month's budget spent",
            message=(
                f"This month ({figures['month']}) the project {project.name!r} has spent ${figures['spent_usd']} of its "
                f"${figures['budget_usd']} monthly budget ({figures['percent']:g}%; the alert is set at {figures['threshold_percent']}%).\n\n"
                f"New jobs are refused once the budget would be passed. Change the budget or the alert on the project's "
                f"Settings page ({reverse('settings-page', args=[project.pk])}).\n\nThis alert is sent once a month."
            ),
            from_email=None, recipient_list=owners,
        )
    except Exception:  # a mail server's failure must not fail the job that finished; the log says what failed
        logger.exception("Could not send the budget alert of project %s", project.pk)


def budget_alert_on_finish(sender, generation, status, **kwargs) -> None:
    """`job_finished` receiver: a finished job's cost may pass the threshold."""
    budget_alert_check(project=generation.project)

