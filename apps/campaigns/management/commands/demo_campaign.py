"""The demo project's library and a sample campaign, so a newcomer sees a grid fill within a minute."""

import io

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

from apps.campaigns.models import Campaign
from apps.campaigns.services import CampaignInput, campaign_create
from apps.library.models import EntryKind, LibraryEntry
from apps.library.services import entry_create, reference_image_add
from apps.projects.models import Project

CHARACTER = ("Mia", "a cheerful runner with short red hair, teal jacket", (200, 60, 50))
PRODUCTS = (
    ("Trail One", "a teal trail-running shoe with a chunky white sole", (20, 150, 150)),
    ("Road Two", "a light blue road-running shoe with an orange swoosh", (70, 130, 220)),
    ("Bottle", "a white insulated water bottle with a teal cap", (235, 235, 235)),
)


def _picture(colour, *, character: bool) -> bytes:
    """A plain drawing of the entry: enough for the emulator to show which references went in."""
    image = Image.new("RGB", (384, 384), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    if character:
        draw.ellipse((142, 40, 242, 140), fill=(240, 200, 170))
        draw.pieslice((132, 30, 252, 130), 180, 360, fill=colour)
        draw.rounded_rectangle((122, 150, 262, 330), radius=30, fill=(20, 150, 150))
    else:
        draw.rounded_rectangle((60, 150, 324, 260), radius=50, fill=colour, outline=(40, 40, 40), width=4)
        draw.rectangle((60, 250, 324, 280), fill=(255, 255, 255), outline=(40, 40, 40), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _entry(project, kind, name, description, colour) -> LibraryEntry:
    entry = LibraryEntry.objects.filter(project=project, kind=kind, name=name, archived_at__isnull=True).first()
    if entry is None:
        entry = entry_create(project=project, kind=kind, name=name, description=description)
    if not entry.images.filter(archived_at__isnull=True).exists():
        reference_image_add(entry=entry, data=_picture(colour, character=kind == EntryKind.CHARACTER))
    return entry


class Command(BaseCommand):
    help = "Give the demo project (of user `demo`, made by demo_setup) a library and a sample campaign, once."

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username="demo").first()
        project = Project.objects.filter(memberships__user=user).order_by("created_at").first() if user else None
        if project is None:
            self.stderr.write("No demo project: run `manage.py demo_setup` first.")
            return
        character = _entry(project, EntryKind.CHARACTER, *CHARACTER)
        products = [_entry(project, EntryKind.OBJECT, *product) for product in PRODUCTS]
        if not Campaign.objects.filter(project=project).exists():
            campaign_create(project=project, user=user, data=CampaignInput(
                name="Spring run (sample)", products=[p.pk for p in products], characters=[character.pk],
                scenes=["morning run in a city park, golden light", "sunset on a hill trail, wide view"],
                formats=["4:5", "9:16"], languages=["de", "fr"], copy="Run brighter",
                copy_by_language={"fr": "Courez plus clair"}, variations=2,
            ))
        campaign = Campaign.objects.filter(project=project).order_by("created_at").first()
        self.stdout.write(f"  sample campaign: /campaigns/{campaign.pk}/ (press “Run drafts” to fill the grid)\n")
