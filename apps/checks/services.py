"""Writes: queue an asset's checks, run them, store the result, change the kit, recheck a project.

An asset's row is `checking` from the moment it is queued until a worker stores its results; a
worker killed in between leaves it `checking` for the recovery sweep, never `passed`."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image

from apps.assets.models import Asset, AssetLink, ReviewStatus
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.checks import runner
from apps.checks.expected import expected_for
from apps.checks.models import AssetCheck, BrandKit, CheckStatus, Outcome, status_for
from apps.checks.pixels.common import result
from apps.checks.selectors import kit_for
from apps.checks.signals import asset_checked
from apps.core.signals import send_on_commit
from apps.library.models import EntryKind, ReferenceImage

logger = logging.getLogger(__name__)


def check_queue(asset, *, recheck: str = "") -> AssetCheck:
    """Mark the asset `checking` and queue its reading on the `checks` queue (after commit).
    One upsert (INSERT ... ON CONFLICT DO UPDATE): a reading already there keeps its results until
    the new one is written. The returned row carries only what was written."""
    from apps.checks import tasks

    fields = {"status": CheckStatus.CHECKING, "queued_at": timezone.now(), "finished_at": None, "recheck": recheck, "attempts": 0}
    [check] = AssetCheck.objects.bulk_create(
        [AssetCheck(asset=asset, **fields)], update_conflicts=True, unique_fields=["asset"], update_fields=list(fields),
    )
    asset_id = str(asset.pk)
    transaction.on_commit(lambda: tasks.run_checks.delay(asset_id))
    return check


def _logos(project) -> list[Image.Image]:
    images = []
    for reference in ReferenceImage.objects.filter(
        entry__project=project, entry__kind=EntryKind.LOGO, entry__archived_at__isnull=True, archived_at__isnull=True
    ).order_by("created_at"):
        with default_storage.open(reference.file.name, "rb") as handle:
            image = Image.open(handle)
            image.load()
        images.append(image)
    return images


def _lineage(asset) -> set:
    """The asset's sources and versions, two steps each way: a translation is meant to look like its draft."""
    related, frontier = {asset.pk}, {asset.pk}
    for _ in range(2):
        links = AssetLink.objects.filter(child_id__in=frontier) | AssetLink.objects.filter(parent_id__in=frontier)
        found = {pk for link in links.values_list("child_id", "parent_id") for pk in link} - related
        related |= found
        frontier = found
    return related


def _duplicates(asset) -> list[tuple[str, str, str]]:
    """(asset id, review status, pHash) of the project's decided assets outside the lineage and the
    asset's campaign: a campaign's formats and languages of one product shot are meant to look alike."""
    candidates = AssetCheck.objects.filter(
        asset__project_id=asset.project_id, asset__review_status__in=[ReviewStatus.APPROVED, ReviewStatus.REJECTED]
    ).exclude(asset_id__in=_lineage(asset))
    campaign_id = Asset.objects.filter(pk=asset.pk).values_list("generation__campaign_job__cell__campaign_id", flat=True).first()
    if campaign_id:
        candidates = candidates.exclude(asset__generation__campaign_job__cell__campaign_id=campaign_id)
    candidates = candidates.values_list("asset_id", "asset__review_status", "results")
    out = []
    for asset_id, status, results in candidates:
        phash = next((r["figures"].get("phash") for r in results if r.get("check") == "near_duplicate"), None)
        if phash:
            out.append((str(asset_id), status, phash))
    return out


def _claim(asset_id) -> AssetCheck | None:
    with transaction.atomic():
        check = AssetCheck.objects.select_for_update().filter(asset_id=asset_id).first()
        if check is None:
            asset = Asset.objects.filter(pk=asset_id).first()
            if asset is None:
                return None
            check = AssetCheck.objects.create(asset=asset, queued_at=timezone.now())
        check.attempts += 1
        check.started_at = timezone.now()
        check.save(update_fields=["attempts", "started_at"])
    return check


def check_run(asset_id) -> AssetCheck | None:
    """Read the asset's pixels against its project's kit and store the results (the task's body)."""
    check = _claim(asset_id)
    if check is None:
        return None
    if settings.CHECK_TEST_ONLY_DELAY_SECONDS:  # tests only: a window to kill the worker mid-check
        time.sleep(settings.CHECK_TEST_ONLY_DELAY_SECONDS)
    asset = Asset.objects.select_related("project", "generation").get(pk=asset_id)
    kit = kit_for(asset.project)
    with default_storage.open(asset.file.name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    results, _ = runner.run_all(image, expected=expected_for(asset), kit=kit, logos=_logos(asset.project), duplicates=_duplicates(asset))
    return _store(check, results, kit.version)


def _store(check: AssetCheck, results: list[dict], kit_version: int | None) -> AssetCheck:
    from apps.webhooks.services import event_emit

    check.results = results
    check.status = status_for(results)
    check.kit_version = kit_version
    check.finished_at = timezone.now()
    with transaction.atomic():
        check.save(update_fields=["results", "status", "kit_version", "finished_at"])
        event_emit(project=check.asset.project, event="asset.checked", data={
            "asset": str(check.asset_id), "status": check.status, "kit_version": kit_version,
            "failed": [r["check"] for r in results if r["outcome"] == Outcome.FAIL],
            "attention": [r["check"] for r in results if r["outcome"] in (Outcome.WARN, Outcome.UNAVAILABLE)],
        })
        send_on_commit(asset_checked, AssetCheck, check=check)
    return check


def checks_recover() -> int:
    """The beat sweep: re-queue readings left `checking` by a worker that died; after
    CHECK_MAX_ATTEMPTS the row says the checks could not run (needs attention, never passed)."""
    stale = timezone.now() - timedelta(seconds=settings.CHECK_STALE_AFTER_SECONDS)
    requeued = 0
    # Only readings a worker took (started after they were queued) and never finished: a long queue
    # after a recheck of thousands of assets is still waiting in the broker, not lost.
    taken = AssetCheck.objects.filter(status=CheckStatus.CHECKING, started_at__lt=stale, started_at__gte=F("queued_at"))
    for check in taken.select_related("asset__project"):
        if check.attempts >= settings.CHECK_MAX_ATTEMPTS:
            _store(check, [result("checks", Outcome.UNAVAILABLE, f"The checks stopped {check.attempts} times without an answer; recheck to try again.")], check.kit_version)
            continue
        AssetCheck.objects.filter(pk=check.pk).update(queued_at=timezone.now())
        from apps.checks import tasks

        tasks.run_checks.delay(str(check.asset_id))
        requeued += 1
    return requeued


KIT_FIELDS = ("palette", "tolerance", "min_brand_share", "forbidden_colours", "logo_required", "terms", "min_contrast", "min_contrast_large")


def kit_snapshot(kit: BrandKit) -> dict:
    return {field: getattr(kit, field) for field in KIT_FIELDS} | {"version": kit.version}


@transaction.atomic
def kit_update(*, project, actor, **fields) -> BrandKit:
    """Change the kit (validated by the caller), bump its version, record the change in the audit log."""
    kit = BrandKit.objects.select_for_update().get(pk=kit_for(project).pk)
    before = kit_snapshot(kit)
    changed = {field: value for field, value in fields.items() if getattr(kit, field) != value}
    if not changed:
        return kit
    for field, value in changed.items():
        setattr(kit, field, value)
    kit.version += 1
    kit.save()
    audit_record(project=project, actor=actor, action=AuditAction.BRAND_KIT_CHANGED, target=f"brand kit v{kit.version}", before=before, after=kit_snapshot(kit))
    return kit


@transaction.atomic
def recheck_start(*, project) -> dict:
    """Re-run the checks of every asset of the project; the id counts its progress (selectors.recheck_progress)."""
    recheck = uuid.uuid4().hex
    assets = list(Asset.objects.filter(project=project))
    for asset in assets:
        check_queue(asset, recheck=recheck)
    return {"id": recheck, "total": len(assets), "done": 0}
