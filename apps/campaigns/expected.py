"""What a campaign job's image should say: the campaign's copy, or its copy in the job's language.
Brand checks ask it through apps.checks.expected (registered in CampaignsConfig.ready())."""

from __future__ import annotations

from apps.campaigns.models import SOURCE, CampaignJob
from apps.checks.pixels import languages
from apps.checks.pixels.common import Expected


def campaign_expected(generation) -> Expected | None:
    try:
        job = generation.campaign_job
    except CampaignJob.DoesNotExist:
        return None
    campaign = job.cell.campaign
    language = job.language if job.language and job.language != SOURCE else None
    if language:
        text = campaign.copy_by_language.get(language)
        return Expected(copy=[text] if text else None, language=language, source=f"campaign copy ({language})" if text else "",
                        logo_required=campaign.logo_required)
    copy = [campaign.copy] if campaign.copy else None
    return Expected(copy=copy, language=languages.detect(campaign.copy)[0] if campaign.copy else None, source="campaign copy" if copy else "",
                    logo_required=campaign.logo_required)
