"""A team for assignment and notification tests: an owner, an editor who makes the assets, three
reviewers with email addresses."""

from django.core.mail.backends.base import BaseEmailBackend

from tests.factories import member, stored_asset


class FailingMailServer(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down (test)")


def team(project):
    people = {
        "owner": member(project, "owner", "olga"),
        "editor": member(project, "editor", "eddie"),
        **{name: member(project, "reviewer", name) for name in ("rita", "raj", "rosa")},
    }
    for user in people.values():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    return people


def assets(project, maker, count=1):
    return [stored_asset(project, user=maker, width=64, height=48) for _ in range(count)]


def campaign_with_drafts(project, maker, drafts=2):
    """A campaign whose drafts stage has finished: `drafts` cells, one stored draft each (as the
    worker leaves them), without running jobs."""
    from decimal import Decimal

    from apps.assets.models import Origin
    from apps.campaigns.models import CampaignJob, StageRun
    from apps.campaigns.services import CampaignInput, campaign_create
    from apps.generations.models import Generation
    from tests.factories import LibraryEntryFactory

    product = LibraryEntryFactory(project=project, kind="object", name="Trail shoe")
    campaign = campaign_create(project=project, user=maker, data=CampaignInput(
        name="Spring run", products=[product.pk], scenes=[f"scene {n}" for n in range(drafts)], formats=["1:1"]))
    run = StageRun.objects.create(campaign=campaign, stage="drafts", jobs_created=drafts, estimate_usd=Decimal("0"), created_by=maker)
    for cell in campaign.cells.all():
        job = Generation.objects.create(project=project, prompt=f"draft of cell {cell.position}", model="gemini-3.1-flash-image-preview",
                                        aspect_ratio="1:1", image_size="1K", created_by=maker, status="succeeded")
        stored_asset(project, user=maker, width=64, height=64, origin=Origin.GENERATED, generation=job)
        CampaignJob.objects.create(cell=cell, stage="drafts", generation=job, stage_run=run)
    return campaign
