"""Reads: where each cell of a campaign stands, computed from its jobs and their assets in a fixed
number of queries. The stages and the pages both read this, so "ready", "done" and "in flight"
are decided in one place."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum

from apps.assets.models import Asset, ReviewStatus
from apps.campaigns import stages
from apps.campaigns.models import SOURCE, Campaign, CampaignJob, Cell, Stage
from apps.generations.models import UNFINISHED, Delivery, Status


def campaign_list(*, project) -> QuerySet[Campaign]:
    return Campaign.objects.filter(project=project).select_related("created_by").order_by("-created_at", "-id")


def campaign_queryset() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("project", "created_by").prefetch_related("products", "characters")


@dataclass
class Item:
    """One thing a stage makes: its newest output (if any) and whether a job for it is under way."""

    jobs: list = field(default_factory=list)  # CampaignJob rows, oldest first, generation loaded
    asset: Asset | None = None
    in_flight: bool = False

    @property
    def status(self) -> str | None:
        return self.jobs[-1].generation.status if self.jobs else None

    @property
    def settled(self) -> bool:
        """Nothing to do: a job is under way, or its output stands (not rejected)."""
        return self.in_flight or (self.asset is not None and self.asset.review_status != ReviewStatus.REJECTED)


@dataclass
class Version:
    language: str  # SOURCE or a language code
    made: Item  # for SOURCE: the chosen draft, made by no job of its own
    final: Item

    @property
    def asset(self) -> Asset | None:
        return self.made.asset


@dataclass
class CellState:
    cell: Cell
    drafts: Item
    draft_assets: list[Asset]
    chosen: Asset | None
    versions: list[Version]


def _item(jobs: list, outputs: dict) -> Item:
    item = Item(jobs=jobs)
    for job in jobs:
        if job.generation.status in UNFINISHED:
            item.in_flight = True
        for asset in outputs.get(job.generation_id, ()):
            item.asset = asset  # newest wins: jobs are oldest first, outputs by index
    return item


def campaign_state(campaign: Campaign) -> list[CellState]:
    """Every cell with its drafts, chosen draft, versions and finals. Five queries."""
    cells = list(campaign.cells.select_related("product", "chosen").order_by("position"))
    jobs = list(
        CampaignJob.objects.filter(cell__campaign=campaign).select_related("generation").order_by("generation__created_at", "id")
    )
    outputs: dict = defaultdict(list)
    outputs_made = Asset.objects.filter(generation_id__in=[job.generation_id for job in jobs]).select_related("check_result")
    for asset in outputs_made.order_by("output_index"):
        outputs[asset.generation_id].append(asset)

    by_cell: dict = defaultdict(lambda: defaultdict(list))
    for job in jobs:
        by_cell[job.cell_id][(job.stage, job.language, job.source_asset_id)].append(job)

    approved_drafts = [
        asset.pk for job in jobs if job.stage == Stage.DRAFTS for asset in outputs[job.generation_id]
        if asset.review_status == ReviewStatus.APPROVED
    ]
    first_approved = _first_approval_times(approved_drafts)

    states = []
    for cell in cells:
        cell_jobs = by_cell[cell.pk]
        draft_jobs = [job for (stage, _, _), group in cell_jobs.items() if stage == Stage.DRAFTS for job in group]
        draft_jobs.sort(key=lambda job: (job.generation.created_at, job.pk))
        draft_assets = [asset for job in draft_jobs for asset in outputs[job.generation_id]]
        drafts = _item(draft_jobs, outputs)
        # Drafts stand while any variation is not rejected.
        drafts.asset = next((a for a in reversed(draft_assets) if a.review_status != ReviewStatus.REJECTED), drafts.asset)
        chosen = _chosen(cell, draft_assets, first_approved)
        versions = []
        if chosen is not None:
            for language in [SOURCE, *campaign.languages]:
                if language == SOURCE:
                    made = Item(asset=chosen)
                else:
                    made = _item(cell_jobs.get((Stage.LOCALISE, language, chosen.pk), []), outputs)
                final = Item()
                if made.asset is not None:
                    final = _item(cell_jobs.get((Stage.FINALISE, language, made.asset.pk), []), outputs)
                versions.append(Version(language=language, made=made, final=final))
        states.append(CellState(cell=cell, drafts=drafts, draft_assets=draft_assets, chosen=chosen, versions=versions))
    return states


def _first_approval_times(asset_ids: list) -> dict:
    from apps.approvals.models import Decision, Review

    if not asset_ids:
        return {}
    rows = Review.objects.filter(asset_id__in=asset_ids, decision=Decision.APPROVE).values("asset_id").annotate(first=Min("created_at"))
    return {row["asset_id"]: row["first"] for row in rows}


def _chosen(cell: Cell, draft_assets: list[Asset], first_approved: dict) -> Asset | None:
    """The decider's pick; failing that, the draft approved first (approving makes it the chosen one)."""
    if cell.chosen_id is not None:
        return next((asset for asset in draft_assets if asset.pk == cell.chosen_id), cell.chosen)
    approved = [asset for asset in draft_assets if asset.pk in first_approved and asset.review_status == ReviewStatus.APPROVED]
    return min(approved, key=lambda asset: (first_approved[asset.pk], asset.output_index), default=None)


# --- figures


StageSize = stages.StageSize


def stage_sizes(*, cells: int, variations: int, languages: int, draft_model: str, draft_size: str,
                final_model: str, final_size: str, deliveries: dict[str, str] | None = None) -> list[StageSize]:
    """What each stage makes for the whole campaign (the stage table's counts) and its estimate, at
    the batch price for a stage `deliveries` names as batch."""
    return stages.sizes(
        cells=cells, variations=variations, languages=languages,
        settings={"draft": (draft_model, draft_size), "final": (final_model, final_size)}, deliveries=deliveries,
    )


def stage_deliveries(campaign: Campaign) -> dict[str, str]:
    """Per stage already run: the delivery of its latest run's jobs, so the projection prices a
    stage sent in batch at the batch price. One query."""
    latest = {}
    rows = (
        CampaignJob.objects.filter(cell__campaign=campaign)
        .order_by("stage", "-stage_run__created_at")
        .values_list("stage", "generation__delivery")
    )
    for stage, delivery in rows:
        latest.setdefault(stage, delivery)
    return latest


def campaign_stage_sizes(campaign: Campaign, cells: int | None = None) -> list[StageSize]:
    return stage_sizes(
        cells=campaign.cells.count() if cells is None else cells, variations=campaign.variations,
        languages=len(campaign.languages), draft_model=campaign.draft_model, draft_size=campaign.draft_size,
        final_model=campaign.final_model, final_size=campaign.final_size, deliveries=stage_deliveries(campaign),
    )


def campaign_spent(campaign: Campaign) -> Decimal:
    total = CampaignJob.objects.filter(cell__campaign=campaign).aggregate(total=Sum("generation__cost_usd"))["total"]
    return total or Decimal(0)


def stage_counts(states: list[CellState]) -> dict[str, dict[str, int]]:
    """Per stage: its jobs by status, and its current outputs by review decision."""
    counts = {stage: Counter({key: 0 for key in ("queued", "running", "succeeded", "failed", "approved", "rejected")}) for stage in stages.NAMES}

    def add(stage, item: Item, assets):
        for job in item.jobs:
            if job.generation.status in counts[stage]:
                counts[stage][job.generation.status] += 1
            elif job.generation.status == Status.CANCELED:
                counts[stage]["failed"] += 1
        for asset in assets:
            if asset is not None and asset.review_status in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
                counts[stage][asset.review_status] += 1

    for state in states:
        for stage in stages.STAGES:
            for item, assets in stage.made(state):
                add(stage.name, item, assets)
    return {stage: dict(counter) for stage, counter in counts.items()}


def asset_coordinates(asset: Asset) -> dict | None:
    """Where an asset sits in a campaign, from rows the asset queryset already joined (no query)."""
    job = getattr(asset.generation, "campaign_job", None) if asset.generation_id else None
    if job is None:
        return None
    cell = job.cell
    language = job.language or (SOURCE if cell.chosen_id == asset.pk else None)
    return {
        "campaign": str(cell.campaign_id), "cell": str(cell.pk), "stage": job.stage, "language": language,
        "product": str(cell.product_id), "scene": cell.scene_index + 1, "format": cell.aspect_ratio,
    }


def campaign_asset_title(job: CampaignJob, asset: Asset) -> str:
    """A campaign image's automatic title, e.g. "Trail One · scene 1 · 9:16 · de · final"; a draft
    says which variation it is ("… · draft 2"), a translation its language."""
    cell = job.cell
    parts = [cell.product.name, f"scene {cell.scene_index + 1}", cell.aspect_ratio]
    if job.stage == Stage.DRAFTS:
        parts.append(f"draft {asset.output_index + 1}")
    elif job.stage == Stage.LOCALISE:
        parts.append(job.language)
    else:
        parts += [job.language or SOURCE, "final"]
    return " · ".join(parts)


# --- the grid the pages draw


@dataclass
class Tile:
    """One square of the grid: what it shows (and what a decision there applies to)."""

    cell: Cell
    language: str
    label: str  # draft, chosen, version, final, or what is under way
    asset: Asset | None = None
    drafts: int = 0
    busy: bool = False
    failed: bool = False
    hidden: bool = False  # left out by the grid's checks filter (the square stays, so columns line up)
    source: Asset | None = None  # what its image was made from (the chosen draft, or the version a final re-renders)


@dataclass
class GridRow:
    product: str
    scene_number: int
    scene: str
    tiles: list[Tile]


@dataclass
class Grid:
    columns: list[tuple[str, str]]  # (format, language)
    rows: list[GridRow]


def _tile(state: CellState, language: str) -> Tile:
    tile = Tile(cell=state.cell, language=language, label="waiting for a chosen draft", drafts=len(state.draft_assets))
    version = next((v for v in state.versions if v.language == language), None)
    if version is None:
        if language == SOURCE:
            tile.busy = state.drafts.in_flight
            tile.asset = state.drafts.asset
            tile.label = "drafting" if tile.busy else ("draft" if tile.asset else "no draft yet")
            tile.failed = not tile.busy and state.drafts.status in (Status.FAILED, Status.CANCELED) and tile.asset is None
        return tile
    final, made = version.final, version.made
    if final.asset is not None:
        tile.asset, tile.label, tile.busy, tile.source = final.asset, "final", final.in_flight, version.asset
    elif final.in_flight:
        tile.asset, tile.label, tile.busy = version.asset, "final being made", True
        tile.source = state.chosen if language != SOURCE else None
    elif version.asset is not None:
        tile.asset, tile.label, tile.busy = version.asset, "chosen draft" if language == SOURCE else "version", made.in_flight
        tile.source = state.chosen if language != SOURCE else None
        tile.failed = final.status in (Status.FAILED, Status.CANCELED)
    else:
        tile.busy = made.in_flight
        tile.failed = not made.in_flight and made.status in (Status.FAILED, Status.CANCELED)
        tile.label = "translating" if tile.busy else ("translation failed" if tile.failed else "not translated yet")
    return tile


def campaign_grid(campaign: Campaign, states: list[CellState]) -> Grid:
    """Rows are product x scene, columns format x language (the source copy first)."""
    languages = [SOURCE, *campaign.languages]
    columns = [(ratio, language) for ratio in campaign.formats for language in languages]
    by_key = {(s.cell.product_id, s.cell.scene_index, s.cell.aspect_ratio): s for s in states}
    rows, seen = [], set()
    for state in states:
        key = (state.cell.product_id, state.cell.scene_index)
        if key in seen:
            continue
        seen.add(key)
        tiles = [_tile(by_key[(*key, ratio)], language) for ratio, language in columns if (*key, ratio) in by_key]
        rows.append(GridRow(state.cell.product.name, state.cell.scene_index + 1, campaign.scenes[state.cell.scene_index], tiles))
    return Grid(columns=columns, rows=rows)


def stage_assets(states: list[CellState], stage: str) -> list[Asset]:
    """The current outputs of one stage (drafts, translations or finals): what a stage-wide decision applies to."""
    assets = []
    for state in states:
        if stage == Stage.DRAFTS:
            assets += state.draft_assets
            continue
        for version in state.versions:
            item = version.made if stage == Stage.LOCALISE and version.language != SOURCE else version.final if stage == Stage.FINALISE else None
            if item is not None and item.asset is not None:
                assets.append(item.asset)
    return assets


def stage_approvable(states: list[CellState], stage: str) -> list[Asset]:
    """What "approve all that pass" for a stage applies to: its outputs, but for drafts only the
    draft the grid shows of each cell with none chosen (approving it chooses it; its siblings are
    then not chosen), so one press never approves two variations of a cell."""
    if stage != Stage.DRAFTS:
        return stage_assets(states, stage)
    return [s.drafts.asset for s in states if s.chosen is None and s.drafts.asset is not None]


def grid_filtered(grid: Grid, checks: str) -> Grid:
    """Only the squares whose image's brand checks are in `checks` (e.g. failed); rows left with none go."""
    if not checks:
        return grid
    rows = []
    for row in grid.rows:
        for tile in row.tiles:
            check = getattr(tile.asset, "check_result", None) if tile.asset is not None else None
            tile.hidden = check is None or check.status != checks
        if any(not tile.hidden for tile in row.tiles):
            rows.append(row)
    return Grid(columns=grid.columns, rows=rows)


def campaign_in_flight(states: list[CellState]) -> bool:
    return any(item.in_flight for state in states for stage in stages.STAGES for item, _ in stage.made(state))


@dataclass
class Progress:
    campaign: Campaign
    cells: int
    finals_expected: int
    finals_made: int
    in_flight: int


def campaign_progress(*, project) -> list[Progress]:
    """Each campaign with its finals made against expected and its jobs under way (three queries)."""
    campaigns = list(campaign_list(project=project).annotate(cell_count=Count("cells", distinct=True)))
    final = stages.FINAL_STAGE
    jobs = (
        CampaignJob.objects.filter(cell__campaign__in=campaigns)
        .values("cell__campaign")
        .annotate(
            finals=Count("id", filter=Q(stage=final.name, generation__status=Status.SUCCEEDED)),
            busy=Count("id", filter=Q(generation__status__in=UNFINISHED)),
        )
    )
    figures = {row["cell__campaign"]: row for row in jobs}
    progress = []
    for c in campaigns:
        expected = final.jobs(cells=c.cell_count, languages=len(c.languages))
        progress.append(Progress(
            campaign=c, cells=c.cell_count, finals_expected=expected,
            finals_made=min(figures.get(c.pk, {}).get("finals", 0), expected), in_flight=figures.get(c.pk, {}).get("busy", 0),
        ))
    return progress


def jobs_waiting_in_batch(campaign) -> dict[str, int]:
    """Per stage: how many of the campaign's jobs wait queued in an upstream batch."""
    rows = (
        CampaignJob.objects.filter(cell__campaign=campaign, generation__status=Status.QUEUED, generation__delivery=Delivery.BATCH)
        .values("stage").annotate(waiting=Count("id"))
    )
    return {row["stage"]: row["waiting"] for row in rows}


# --- where the campaign stands, and whose turn it is


@dataclass
class Step:
    """One stage on the campaign page's stepper: what it made, what waits, and the next run."""

    stage: stages.CampaignStage
    made: int  # outputs standing (not rejected)
    approved: int
    rejected: int
    waiting: int  # outputs waiting for a review
    busy: int  # jobs under way
    failed: int
    in_batch: int
    jobs: int  # jobs pressing Run now would create
    estimate: Decimal
    batch_estimate: Decimal
    expected: int  # outputs the whole campaign needs from this stage (one per cell / version)
    state: str = "upcoming"  # done, current, upcoming
    waiting_images: int = 0  # what "approve all waiting" applies to (a cell's shown draft, one each)
    ready: int = 0  # finalise: versions approved (ready for or with a final)
    blocked: int = 0  # finalise: versions still waiting for review

    @property
    def name(self) -> str:
        return self.stage.name

    @property
    def label(self) -> str:
        return self.stage.label


@dataclass
class Overview:
    steps: list[Step]
    versions: int  # every version the campaign ends with: finals expected
    finals_approved: int
    next_step: str  # for the person looking, in words
    also: list[str]  # their other open steps, in pipeline order
    waiting_on: str  # "you" when it is their turn, else who it waits for
    finished: bool
    busy: int
    checking: int = 0  # images waiting for review whose brand checks are still running


def _outputs(states: list[CellState], stage: str) -> list[Asset]:
    """A stage's current outputs, one per item: drafts count one per cell (its chosen or standing draft)."""
    if stage != Stage.DRAFTS:
        return stage_assets(states, stage)
    return [asset for state in states for asset in [state.chosen or state.drafts.asset] if asset is not None]


def _usd(amount: Decimal) -> str:
    """Dollars as the templates' floatformat shows them (half up), so banner and button agree."""
    from decimal import ROUND_HALF_UP

    return f"${Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def campaign_overview(campaign: Campaign, states: list[CellState], next_runs: dict, *, may_run: bool, may_decide: bool,
                      in_batch: dict | None = None) -> Overview:
    """The stepper's figures and the one next step for this person (by what they may do): run a
    stage, review what waits, or wait for someone else. `next_runs`: services.campaign_next_runs."""
    in_batch = in_batch or {}
    languages = len(campaign.languages)
    cells = len(states)
    counts = stage_counts(states)
    steps = []
    for row in stages.STAGES:
        outputs = _outputs(states, row.name)
        if row.name == Stage.DRAFTS:  # a cell whose drafts wait for a choice counts once
            pending = [s for s in states if s.chosen is None and any(a.review_status == ReviewStatus.PENDING for a in s.draft_assets)]
        else:
            pending = [a for a in outputs if a.review_status == ReviewStatus.PENDING]
        jobs, estimate, batch_estimate = next_runs.get(row.name, (0, Decimal(0), Decimal(0)))
        expected = cells if row.name == Stage.DRAFTS else row.jobs(cells=cells, languages=languages)
        steps.append(Step(
            stage=row, made=sum(1 for a in outputs if a.review_status != ReviewStatus.REJECTED),
            approved=sum(1 for a in outputs if a.review_status == ReviewStatus.APPROVED),
            rejected=sum(1 for a in outputs if a.review_status == ReviewStatus.REJECTED),
            waiting=len(pending), busy=counts[row.name]["queued"] + counts[row.name]["running"],
            failed=counts[row.name]["failed"], in_batch=in_batch.get(row.name, 0), jobs=jobs, estimate=estimate,
            batch_estimate=batch_estimate, expected=expected,
            waiting_images=sum(1 for a in stage_approvable(states, row.name) if a.review_status == ReviewStatus.PENDING),
        ))
    waiting_assets = [a for row in stages.STAGES for a in stage_assets(states, row.name) if a.review_status == ReviewStatus.PENDING]
    checking = sum(1 for a in waiting_assets if getattr(getattr(a, "check_result", None), "status", None) == "checking")
    final = steps[-1]
    versions = final.expected
    made_versions = [v.asset for s in states for v in s.versions if v.asset is not None]
    final.ready = sum(1 for a in made_versions if a.review_status == ReviewStatus.APPROVED)
    final.blocked = sum(1 for a in made_versions if a.review_status == ReviewStatus.PENDING)
    finished = versions > 0 and final.approved >= versions
    busy = sum(step.busy for step in steps)

    # The first stage not yet done is the current one; those before it are done.
    current = next((s for s in steps if s.approved < s.expected or s.busy or s.jobs), None)
    for step in steps:
        step.state = "done" if current is None or steps.index(step) < steps.index(current) else "upcoming"
    if current is not None:
        current.state = "current"

    # What each person can do next, in pipeline order: a run (editors) or a review (deciders).
    todo = []
    for step in steps:
        noun = {"drafts": "draft", "localise": "translation", "finalise": "final"}[step.name]
        if step.waiting:
            later = " before finalise" if step.name == Stage.LOCALISE else ""
            todo.append(("review", f"{step.waiting} {noun}{'s' if step.waiting != 1 else ''} wait{'s' if step.waiting == 1 else ''} "
                                   f"for {{who}}{later}"))
        if step.jobs:
            verb = "are" if step.label.endswith("s") else "is"
            todo.append(("run", f"{step.label} {verb} ready to run ({step.jobs} job{'s' if step.jobs != 1 else ''}, {_usd(step.estimate)})"))
    mine = [text for kind, text in todo if (kind == "run" and may_run) or (kind == "review" and may_decide)]
    also = []
    if finished:
        next_step, waiting_on = f"Campaign finished: all {versions} finals approved. Download the zip.", "you"
    elif mine:
        next_step, waiting_on = mine[0].replace("{who}", "your review"), "you"
        if checking and "{who}" in mine[0]:
            next_step += f" ({checking} still being checked; this page updates itself)"
        also = [text.replace("{who}", "your review") for text in mine[1:]]
    elif busy:
        next_step, waiting_on = f"{busy} job{'s' if busy != 1 else ''} under way; this page updates itself.", "the jobs"
    elif todo:
        kind, text = todo[0]
        who = "a reviewer" if kind == "review" else "an editor"
        next_step = text.replace("{who}", who) if kind == "review" else f"{text}: waiting for {who}"
        waiting_on = who
    else:
        next_step, waiting_on = "Nothing to do until an earlier stage has approved images.", "nobody"
    return Overview(steps=steps, versions=versions, finals_approved=final.approved, next_step=next_step, also=also,
                    waiting_on=waiting_on, finished=finished, busy=busy, checking=checking)


def stage_run_latest(campaign: Campaign):
    """The campaign's latest stage run with how many of its jobs are still under way (two queries)."""
    from apps.campaigns.models import StageRun

    run = StageRun.objects.filter(campaign=campaign).order_by("-created_at").first()
    if run is not None:
        counts = CampaignJob.objects.filter(stage_run=run).aggregate(
            busy=Count("pk", filter=Q(generation__status__in=UNFINISHED)),
            failed=Count("pk", filter=Q(generation__status__in=(Status.FAILED, Status.CANCELED))),
        )
        run.busy, run.failed = counts["busy"], counts["failed"]
        run.label = stages.get_stage(run.stage).label
    return run
