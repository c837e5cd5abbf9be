"""Campaign writes: create (validate the whole matrix up front), run a stage (one transaction,
one budget check, a job per ready item), choose a cell's draft, and tell webhooks when a stage's
jobs have all finished."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.approvals import policy as review_policy
from apps.assets.models import Asset, ReviewStatus
from apps.campaigns import selectors, stages
from apps.campaigns.signals import stage_finished
from apps.campaigns.models import (
    COPY_MAX_CHARS,
    MAX_PRODUCTS,
    MAX_SCENES,
    SCENE_MAX_CHARS,
    Campaign,
    CampaignJob,
    Cell,
    Stage,
    StageRun,
)
from apps.core.exceptions import NotAllowed, ValidationFailed
from apps.core.signals import send_on_commit
from apps.core.throttling import job_allowance_check
from apps.gemini import catalogue, kinds
from apps.gemini.checks import check_image_settings
from apps.generations.models import UNFINISHED, Delivery, Generation
from apps.generations.services import (
    MAX_JOBS_PER_BATCH,
    GenerationInput,
    generations_create_many,
)
from apps.library.models import EntryKind, LibraryEntry
from apps.projects.models import Project
from apps.webhooks.services import event_emit

DRAFT_DEFAULTS = stages.DRAFT_DEFAULTS
FINAL_DEFAULTS = stages.FINAL_DEFAULTS


@dataclass
class CampaignInput:
    name: str
    products: list
    scenes: list[str]
    formats: list[str]
    characters: list = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    copy: str = ""
    copy_by_language: dict = field(default_factory=dict)
    variations: int = 1
    logo_required: bool | None = None
    draft: dict = field(default_factory=lambda: dict(DRAFT_DEFAULTS))
    final: dict = field(default_factory=lambda: dict(FINAL_DEFAULTS))


def _live_entries(project, ids: list, kind: str, field_name: str) -> list[LibraryEntry]:
    if len(set(ids)) != len(ids):
        raise ValidationFailed(f"{field_name} lists the same {kind} twice.", field=field_name)
    rows = {e.pk: e for e in LibraryEntry.objects.filter(project=project, kind=kind, archived_at__isnull=True, pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in rows]
    if missing:
        raise ValidationFailed(f"No {kind} with id {', '.join(missing)} in this project's library.", field=field_name)
    return [rows[pk] for pk in ids]


def _check_list(values: list, field_name: str, *, least: int, most: int) -> None:
    if not least <= len(values) <= most:
        raise ValidationFailed(
            f"{field_name} takes {least} to {most} entries; got {len(values)}.",
            field=field_name, details={"min": least, "max": most, "value": len(values)},
        )
    if len(set(values)) != len(values):
        raise ValidationFailed(f"{field_name} lists the same value twice.", field=field_name)


def _check_settings(data: CampaignInput, characters, products) -> None:
    """Every format at the draft and final settings, with the most references any job will send."""
    images_per_product = max((len(p.live_images) for p in products), default=0)
    character_images = sum(len(c.live_images) for c in characters)
    for name, chosen, extra in (("draft", data.draft, 0), ("final", data.final, 1)):
        for ratio in data.formats:
            try:
                check_image_settings(
                    model=chosen.get("model"), aspect_ratio=ratio, image_size=chosen.get("image_size"),
                    thinking_level=None, input_images=character_images + images_per_product + extra,
                )
            except ValidationFailed as refusal:
                where = "formats" if refusal.field == "aspect_ratio" else f"{name}.{refusal.field}"
                if refusal.field == "source_assets":
                    where = "characters"
                raise ValidationFailed(f"{name}: {refusal.message}", field=where, details=refusal.details) from None
    final_sizes = kinds.get_kind(stages.FINAL_STAGE.kind).sizes
    if data.final.get("image_size") not in final_sizes:
        raise ValidationFailed(
            f"Finals render at {' or '.join(final_sizes)}; got {data.final.get('image_size')!r}.",
            field="final.image_size", details={"allowed": list(final_sizes)},
        )


def _formats_and_placements(project, formats: list[str]) -> tuple[list[str], list[str]]:
    """A format is an aspect ratio or a placement key; the campaign generates once per distinct
    ratio (a placement's is the nearest a model makes) and renders each placement from it."""
    from apps.core.exceptions import NotFound
    from apps.placements.selectors import placement_get

    ratios, placements = [], []
    for value in formats:
        if value in catalogue.PIXELS_1K:
            ratio = value
        else:
            try:
                ratio = placement_get(project, value).ratio
            except NotFound:
                raise ValidationFailed(
                    f"formats: {value!r} is neither an aspect ratio ({', '.join(catalogue.PIXELS_1K)}) nor a placement "
                    f"(GET /api/v1/placements/?project={project.pk} lists them).", field="formats", code="invalid",
                ) from None
            placements.append(value)
        if ratio not in ratios:
            ratios.append(ratio)
    return ratios, placements


@transaction.atomic
def campaign_create(*, project: Project, user, data: CampaignInput) -> Campaign:
    """Validate everything a user can get wrong before anything is stored; then the campaign and its cells."""
    from apps.library.selectors import entry_queryset

    if not data.name.strip():
        raise ValidationFailed("A campaign needs a name.", field="name")
    _check_list(data.products, "products", least=1, most=MAX_PRODUCTS)
    _check_list(data.scenes, "scenes", least=1, most=MAX_SCENES)
    _check_list(data.formats, "formats", least=1, most=len(catalogue.PIXELS_1K))
    data.formats, placements = _formats_and_placements(project, data.formats)
    _check_list(data.languages, "languages", least=0, most=len(catalogue.LANGUAGES))
    for i, scene in enumerate(data.scenes):
        if not scene.strip() or len(scene) > SCENE_MAX_CHARS:
            raise ValidationFailed(
                f"Scene {i + 1} must have 1 to {SCENE_MAX_CHARS} characters; it has {len(scene.strip())}.",
                field=f"scenes[{i}]", details={"limit": SCENE_MAX_CHARS, "value": len(scene)},
            )
    unknown = [code for code in data.languages if code not in catalogue.LANGUAGES]
    if unknown:
        raise ValidationFailed(
            f"Unknown language {', '.join(unknown)}. Allowed: {', '.join(catalogue.LANGUAGES)}.",
            field="languages", details={"allowed": list(catalogue.LANGUAGES)},
        )
    stray = [code for code in data.copy_by_language if code not in data.languages]
    if stray:
        raise ValidationFailed(
            f"copy_by_language has {', '.join(stray)}, which is not among the campaign's languages ({', '.join(data.languages) or 'none'}).",
            field="copy_by_language",
        )
    for code, text in data.copy_by_language.items():
        if not str(text).strip() or len(str(text)) > COPY_MAX_CHARS:
            raise ValidationFailed(
                f"The {code} copy must have 1 to {COPY_MAX_CHARS} characters.", field=f"copy_by_language.{code}",
                details={"limit": COPY_MAX_CHARS, "value": len(str(text))},
            )
    if not 1 <= data.variations <= catalogue.MAX_VARIATIONS:
        raise ValidationFailed(
            f"variations takes 1 to {catalogue.MAX_VARIATIONS}; got {data.variations}.",
            field="variations", details={"min": 1, "max": catalogue.MAX_VARIATIONS, "value": data.variations},
        )

    job_allowance_check(user, 1, what="campaign (counted as one job)")  # its jobs are drawn when its stages run
    products = _live_entries(project, data.products, EntryKind.OBJECT, "products")
    characters = _live_entries(project, data.characters, EntryKind.CHARACTER, "characters")
    with_images = {e.pk: e for e in entry_queryset().filter(pk__in=[e.pk for e in [*products, *characters]])}
    _check_settings(data, [with_images[c.pk] for c in characters], [with_images[p.pk] for p in products])

    cells = len(products) * len(data.scenes) * len(data.formats)
    largest = max(selectors.stage_sizes(
        cells=cells, variations=data.variations, languages=len(data.languages),
        draft_model=data.draft.get("model") or catalogue.DEFAULT_MODEL, draft_size=data.draft["image_size"],
        final_model=data.final.get("model") or catalogue.DEFAULT_MODEL, final_size=data.final["image_size"],
    ), key=lambda size: size.jobs)
    if largest.jobs > MAX_JOBS_PER_BATCH:
        raise ValidationFailed(
            f"The {largest.stage} stage would create {largest.jobs} jobs ({len(products)} products x {len(data.scenes)} scenes x "
            f"{len(data.formats)} formats = {cells} cells, each with {largest.jobs // cells} jobs); a stage creates at most "
            f"{MAX_JOBS_PER_BATCH}. Split the campaign.",
            field="products", details={"limit": MAX_JOBS_PER_BATCH, "value": largest.jobs, "stage": largest.stage},
        )

    draft_model = catalogue.get_model(data.draft.get("model") or catalogue.DEFAULT_MODEL)
    final_model = catalogue.get_model(data.final.get("model") or catalogue.DEFAULT_MODEL)
    campaign = Campaign.objects.create(
        project=project, name=data.name.strip(), scenes=[s.strip() for s in data.scenes], formats=data.formats, placements=placements,
        languages=data.languages, copy=data.copy.strip(), copy_by_language={k: str(v).strip() for k, v in data.copy_by_language.items()},
        variations=data.variations, logo_required=data.logo_required, draft_model=draft_model.model_id, draft_size=data.draft["image_size"],
        final_model=final_model.model_id, final_size=data.final["image_size"], created_by=user,
    )
    campaign.products.set(products)
    campaign.characters.set(characters)
    coordinates = itertools.product(products, range(len(data.scenes)), data.formats)
    Cell.objects.bulk_create([
        Cell(campaign=campaign, product=product, scene_index=scene, aspect_ratio=ratio, position=i)
        for i, (product, scene, ratio) in enumerate(coordinates)
    ])
    return campaign


def cell_prompt(campaign: Campaign, cell: Cell, characters: list[LibraryEntry]) -> str:
    """Scene, product, characters and copy; the project brief goes as the system instruction."""
    product = cell.product
    about = f" ({product.description.strip()})" if product.description.strip() else ""
    parts = [f"{campaign.scenes[cell.scene_index]}.", f"Feature the product \"{product.name}\"{about}, exactly as in its reference images."]
    for character in characters:
        described = f" ({character.description.strip()})" if character.description.strip() else ""
        parts.append(f"With the character \"{character.name}\"{described}, exactly as in their reference images.")
    if campaign.copy:
        parts.append(f"Render this headline in the image, spelled exactly: \"{campaign.copy}\"")
    return " ".join(parts)


def translate_prompt(campaign: Campaign, language: str) -> str:
    """A market's approved copy is rendered verbatim instead of translated."""
    text = campaign.copy_by_language.get(language)
    return f"Use exactly this text for the headline, verbatim: \"{text}\"" if text else ""


@dataclass
class _Planned:
    cell: Cell
    language: str
    source: Asset | None
    job: GenerationInput


def _plan(campaign: Campaign, stage: str, states: list | None = None) -> list[_Planned]:
    """A job for every item the stage table calls ready (no standing output, no job under way)."""
    row = stages.get_stage(stage)
    characters = sorted(campaign.characters.all(), key=lambda c: c.name)  # the page's prefetch, once for every stage
    character_ids = [c.pk for c in characters]
    model, size = row.model_and_size(campaign)
    kind = kinds.get_kind(row.kind)
    planned = []
    for state in selectors.campaign_state(campaign) if states is None else states:
        cell = state.cell
        for language, source in row.ready(state):
            prompt = ""
            if row.prompt == "cell":
                prompt = cell_prompt(campaign, cell, characters)
            elif row.prompt == "copy":
                prompt = translate_prompt(campaign, language)
            planned.append(_Planned(cell, language, source, GenerationInput(
                kind=row.kind, prompt=prompt, model=model, aspect_ratio=cell.aspect_ratio, image_size=size,
                target_language=language if kind.takes_language else "",
                source_assets=[source.pk] if source is not None else [],
                characters=character_ids if row.sends_references else [],
                objects=[cell.product_id] if row.sends_references else [],
                count=campaign.variations if row.takes_variations else 1,
            )))
    return planned


def _estimate(planned: list[_Planned], delivery: str | None = None) -> Decimal:
    return sum(
        (catalogue.get_model(p.job.model).cost(p.job.image_size, delivery or p.job.delivery, p.job.count) for p in planned), Decimal(0)
    )


def campaign_next_runs(campaign: Campaign, states: list) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Per stage: how many jobs pressing its button now would create, and their estimate
    interactive and in batch."""
    figures = {}
    for stage in stages.NAMES:
        planned = _plan(campaign, stage, states)
        figures[stage] = (len(planned), _estimate(planned, Delivery.INTERACTIVE), _estimate(planned, Delivery.BATCH))
    return figures


@dataclass
class StageResult:
    stage: str
    jobs_created: int
    jobs_planned: int
    estimate_usd: Decimal
    dry_run: bool
    delivery: str = Delivery.INTERACTIVE


def campaign_run(*, campaign: Campaign, user, stage: str, dry_run: bool = False, delivery: str = Delivery.INTERACTIVE) -> StageResult:
    """Create, in one transaction, a job for every ready item of `stage`. Refused whole (402, with
    the figures) when the estimate passes the project's remaining budget. Running again creates
    jobs only for what failed, was rejected or is new, so no image is paid for twice. `delivery`
    'batch': the stage's jobs go in one upstream batch per model, estimated at the batch price."""
    if stage not in stages.NAMES:
        allowed = list(stages.NAMES)
        raise ValidationFailed(f"Unknown stage {stage!r}. Allowed: {', '.join(allowed)}.", field="stage", details={"allowed": allowed})
    with transaction.atomic():
        # The project row is the lock every job creation takes for its budget check; taking it
        # first also keeps two presses of the same button from planning the same items twice.
        Project.objects.select_for_update().filter(pk=campaign.project_id).first()
        planned = _plan(campaign, stage)
        for p in planned:
            p.job.delivery = delivery
        estimate = _estimate(planned)
        if dry_run or not planned:
            return StageResult(stage, 0, len(planned), estimate, dry_run, delivery)
        job_allowance_check(user, len(planned))  # the person's job allowance, by jobs: refused whole, like the budget
        generations = generations_create_many(project=campaign.project, user=user, items=[p.job for p in planned])
        run = StageRun.objects.create(campaign=campaign, stage=stage, jobs_created=len(generations), estimate_usd=estimate, created_by=user)
        CampaignJob.objects.bulk_create([
            CampaignJob(cell=p.cell, stage=stage, language=p.language if stages.get_stage(stage).per_language else "",
                        source_asset=p.source, generation=generation, stage_run=run)
            for p, generation in zip(planned, generations)
        ])
        # A chosen draft that came from an approval is pinned once versions are made from it.
        if stages.get_stage(stage).pins_chosen:
            for p in planned:
                if p.cell.chosen_id != p.source.pk:
                    Cell.objects.filter(pk=p.cell.pk).update(chosen=p.source)
    return StageResult(stage, len(generations), len(planned), estimate, dry_run, delivery)


@dataclass
class Choice:
    cell: Cell
    approved: bool  # the chosen draft stands approved (choosing approves it for a decider)
    approval_refusal: str | None  # why choosing could not also approve it (four-eyes, failing checks)
    not_chosen: int  # sibling drafts marked not chosen by this choice


def cell_choose(*, user, cell: Cell, asset_id) -> Choice:
    """A decider picks the cell's draft among its variations; versions are then made from it.
    Choosing also approves it (one action): an approval the review rules refuse leaves the choice
    made and says why. The cell's other pending drafts are marked not chosen."""
    from rest_framework.exceptions import PermissionDenied

    from apps.approvals.models import Decision
    from apps.approvals.services import review_decide
    from apps.core.exceptions import ApplicationError

    refusal = review_policy.decider_refusal(user, cell.campaign.project)
    if refusal:
        raise NotAllowed(refusal)
    drafts = _drafts_of(cell)
    try:
        asset = drafts.select_related("project", "generation").filter(pk=uuid.UUID(str(asset_id))).first()
    except ValueError:
        asset = None
    if asset is None:
        raise ValidationFailed(f"Asset {asset_id} is not a draft of this cell.", field="asset")
    if asset.review_status == ReviewStatus.REJECTED:
        raise ValidationFailed("This draft was rejected; choose another or run drafts again.", field="asset")
    cell.chosen = asset
    cell.save(update_fields=["chosen"])
    approval_refusal = None
    if asset.review_status != ReviewStatus.APPROVED:
        try:
            review_decide(user=user, asset=asset, decision=Decision.APPROVE)
        except (ApplicationError, PermissionDenied) as refused:
            approval_refusal = getattr(refused, "message", None) or str(refused.detail)
    marked = cell_drafts_settle(cell=cell)
    asset.refresh_from_db(fields=["review_status"])
    return Choice(cell=cell, approved=asset.review_status == ReviewStatus.APPROVED, approval_refusal=approval_refusal, not_chosen=marked)


def _drafts_of(cell: Cell):
    return Asset.objects.filter(generation__campaign_job__cell=cell, generation__campaign_job__stage=Stage.DRAFTS)


def cell_drafts_settle(*, cell: Cell) -> int:
    """Once a cell has a chosen draft (picked, or the first approved), its other pending drafts are
    marked not chosen: they leave the review queue and its counts. Were the choice undone (the
    approval-chosen draft rejected, nothing picked), they wait for review again. Returns how many
    drafts were marked not chosen."""
    drafts = _drafts_of(cell)
    chosen = cell.chosen_id is not None or drafts.filter(review_status=ReviewStatus.APPROVED).exists()
    if chosen:
        return drafts.filter(review_status=ReviewStatus.PENDING).exclude(pk=cell.chosen_id).update(review_status=ReviewStatus.NOT_CHOSEN)
    drafts.filter(review_status=ReviewStatus.NOT_CHOSEN).update(review_status=ReviewStatus.PENDING)
    return 0


def cell_drafts_settle_for(*, asset) -> int:
    """cell_drafts_settle for the cell of `asset`, when it is a campaign draft (else nothing)."""
    job = CampaignJob.objects.filter(generation_id=asset.generation_id, stage=Stage.DRAFTS).select_related("cell").first()
    return cell_drafts_settle(cell=job.cell) if job is not None else 0


def stage_run_settle(*, generation_id) -> bool:
    """After a campaign job ran: if its stage run has no job left queued or running, mark it
    finished and send `campaign.stage_finished` (once: a conditional write decides)."""
    job = CampaignJob.objects.filter(generation_id=generation_id).select_related("stage_run__campaign__project").first()
    if job is None:
        return False
    run = job.stage_run
    jobs = Generation.objects.filter(campaign_job__stage_run=run)
    if run.finished_at is not None or jobs.filter(status__in=UNFINISHED).exists():
        return False
    with transaction.atomic():
        if not StageRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=timezone.now()):
            return False
        statuses = list(jobs.values_list("status", flat=True))
        counts = {status: statuses.count(status) for status in sorted(set(statuses))}
        event_emit(
            project=run.campaign.project,
            event="campaign.stage_finished",
            data={"campaign": str(run.campaign_id), "stage": run.stage, "stage_run": str(run.pk), "jobs": len(statuses), "statuses": counts},
        )
        send_on_commit(stage_finished, StageRun, stage_run=run, statuses=counts)
    return True


def asset_title_set(*, asset: Asset) -> bool:
    """Give a campaign image its automatic title (products, scene, format, language, stage) unless
    someone titled it already: a conditional write, so a title a person gave is never replaced."""
    from apps.assets.models import TITLE_MAX_CHARS

    job = CampaignJob.objects.filter(generation_id=asset.generation_id).select_related("cell__product").first()
    if job is None:
        return False
    title = selectors.campaign_asset_title(job, asset)[:TITLE_MAX_CHARS]
    return bool(Asset.objects.filter(pk=asset.pk, title="").update(title=title))
