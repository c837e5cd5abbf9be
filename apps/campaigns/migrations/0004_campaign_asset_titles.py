"""Campaign images made before automatic titles get theirs ("Trail One · scene 1 · 9:16 · de ·
final"), as apps.campaigns.selectors.campaign_asset_title writes them; a title someone gave stays."""

from django.db import migrations


def titles_set(apps, schema_editor):
    CampaignJob = apps.get_model("campaigns", "CampaignJob")
    Asset = apps.get_model("assets", "Asset")
    jobs = CampaignJob.objects.select_related("cell__product").iterator(chunk_size=500)
    for job in jobs:
        cell = job.cell
        for asset in Asset.objects.filter(generation_id=job.generation_id, title=""):
            parts = [cell.product.name, f"scene {cell.scene_index + 1}", cell.aspect_ratio]
            if job.stage == "drafts":
                parts.append(f"draft {asset.output_index + 1}")
            elif job.stage == "localise":
                parts.append(job.language)
            else:
                parts += [job.language or "source", "final"]
            Asset.objects.filter(pk=asset.pk, title="").update(title=" · ".join(parts)[:200])


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0003_placements_campaign_placements"),
        ("assets", "0008_campaign_not_chosen"),
    ]

    operations = [migrations.RunPython(titles_set, migrations.RunPython.noop)]
