from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.assets.models import Asset, AssetLink, AssetTag, Favourite
from apps.core.counts import COUNT_CAP

RIGHTS_EXPIRING_DAYS = 30  # "expiring soon" on the pages: the digest's first warning
VARIATION = "variation"  # the pages' derived kind: a generate job made from an asset


@dataclass
class JobQueries:
    """What the gallery and the lineage read of the job behind each asset. apps.generations sits
    above assets and fills this in from its AppConfig.ready(), so assets never imports it."""

    made_from_asset: Callable[[], Exists] | None = None  # per asset: was its job made from an asset?
    jobs_sending_entry: Callable[[object], QuerySet] | None = None  # ids of jobs that sent the entry's images
    references_sent: Callable[[set], list] | None = None  # (generation id, reference image) in the order sent


JOB_QUERIES = JobQueries()


def job_queries_register(**queries) -> None:
    for name, query in queries.items():
        setattr(JOB_QUERIES, name, query)


def asset_queryset() -> QuerySet[Asset]:
    """Everything a list or detail shows, fetched in a fixed number of queries."""
    return Asset.objects.select_related("generation__campaign_job__cell", "created_by", "check_result", "effective_rights")


def asset_list(
    *, project, review_status: str | None = None, kind: str | None = None, model: str | None = None,
    entry=None, created_from: date | None = None, created_to: date | None = None, campaign=None,
    search: str = "", tag: str = "", favourites_of=None, checks: str = "",
    rights_end_before: date | None = None, rights: str = "",
) -> QuerySet[Asset]:
    """A project's assets, filtered; `entry` keeps those whose job sent that character's or object's images.

    `kind` also takes the pages' two derived kinds: "variation" (a generate job made from an
    asset) and "upload". `search` matches words of the prompt or the title. `checks` keeps those
    whose brand checks are in that status (checking, passed, attention, failed). `rights_end_before`
    keeps those whose rights window ends before that date; `rights` "expired" those whose window
    has ended (no override covering today), "expiring" those ending within RIGHTS_EXPIRING_DAYS."""
    assets = asset_queryset().filter(project=project)
    if review_status:
        assets = assets.filter(review_status=review_status)
    if checks:
        assets = assets.filter(check_result__status=checks)
    if rights_end_before:
        assets = assets.filter(effective_rights__ends_on__lt=rights_end_before)
    if rights:
        today = timezone.localdate()
        if rights == "expired":
            assets = assets.filter(effective_rights__ends_on__lt=today).exclude(effective_rights__override_until__gte=today)
        elif rights == "expiring":
            assets = assets.filter(effective_rights__ends_on__gte=today, effective_rights__ends_on__lte=today + timedelta(days=RIGHTS_EXPIRING_DAYS))
    if kind == "upload":
        assets = assets.filter(generation__isnull=True)
    elif kind in ("generate", VARIATION):
        made_from_asset = JOB_QUERIES.made_from_asset()
        assets = assets.filter(made_from_asset if kind == VARIATION else ~made_from_asset, generation__kind="generate")
    elif kind:
        assets = assets.filter(generation__kind=kind)
    if search.split():
        assets = _search(assets, project, search.split())
    if tag:
        assets = assets.filter(tags__name=tag.strip().lower())
    if favourites_of is not None:
        assets = assets.filter(favourites__user=favourites_of)
    if model:
        assets = assets.filter(generation__model=model)
    if entry:
        assets = assets.filter(generation__in=JOB_QUERIES.jobs_sending_entry(entry))
    if campaign:
        assets = assets.filter(generation__campaign_job__cell__campaign=campaign)
    if created_from:
        assets = assets.filter(created_at__date__gte=created_from)
    if created_to:
        assets = assets.filter(created_at__date__lte=created_to)
    return assets


SEARCH_PROBE = COUNT_CAP  # a search first looks for up to this many matches through the trigram indexes
TRIGRAM_MIN = 3  # shorter words have no trigram to look up


def _search(assets: QuerySet[Asset], project, words: list[str]) -> QuerySet[Asset]:
    """Assets whose prompt or title holds every word (each in either). Two probes through the
    trigram indexes (apps/core/search_indexes.py) decide the plan, whatever the project's size:

    - the jobs whose prompt holds every word of three characters or more, and the assets whose
      title holds any of them, up to SEARCH_PROBE each: when both are within it, every match is
      among those ids, so the page sorts at most 2 x SEARCH_PROBE rows (a rare word);
    - else the matches are many (more than SEARCH_PROBE prompts hold every word): the page walks
      the newest-first index and stops after a page of them (a common word), and the capped count
      is known without counting (`known_over_cap`).

    Words under three characters cannot use the index: they only filter. A search of short words
    alone walks the newest-first index, like a common word."""
    matches = Q()
    for word in words:
        matches &= Q(generation__prompt__icontains=word) | Q(title__icontains=word)
    long_words = [word for word in words if len(word) >= TRIGRAM_MIN]
    if not long_words:
        return assets.filter(matches)
    jobs = Asset._meta.get_field("generation").related_model.objects.filter(project=project)
    for word in long_words:
        jobs = jobs.filter(prompt__icontains=word)
    job_ids = list(jobs.values_list("pk", flat=True)[: SEARCH_PROBE + 1])
    titled = Q()
    for word in long_words:
        titled |= Q(title__icontains=word)
    titled_ids = list(Asset.objects.filter(titled, project=project).values_list("pk", flat=True)[: SEARCH_PROBE + 1])
    if len(job_ids) > SEARCH_PROBE:
        assets = assets.filter(matches)
        # Every word was probed: that many prompts hold them all, so the count is known. (A short
        # word was not, and may leave fewer: then it is counted.)
        assets.known_over_cap = len(long_words) == len(words)  # read by apps.core.counts.capped_count
        return assets
    if len(titled_ids) > SEARCH_PROBE:
        return assets.filter(matches)
    return assets.filter(Q(generation_id__in=job_ids) | Q(pk__in=titled_ids)).filter(matches)


def with_page_details(assets: QuerySet[Asset], *, user) -> QuerySet[Asset]:
    """What the pages add to each asset: its tags, whether it was made from another asset
    (a variation), and whether this person starred it. A fixed number of extra queries."""
    return assets.prefetch_related("tags").annotate(
        made_from_asset=JOB_QUERIES.made_from_asset(),
        is_favourite=Exists(Favourite.objects.filter(asset=OuterRef("pk"), user=user)),
    )


def asset_source(asset: Asset) -> Asset | None:
    """The asset this one was made from (an edit's, translation's or upscale's original), for
    comparing the two; None for an upload or a fresh generation."""
    link = (
        AssetLink.objects.filter(child=asset).exclude(relation="variation_of")
        .select_related("parent__generation").order_by("id").first()
    )
    return link.parent if link else None


def asset_neighbours(asset: Asset) -> tuple[Asset | None, Asset | None]:
    """The assets just newer and just older than this one in its project's gallery order
    (newest first, ties by id), for stepping through without going back to the gallery."""
    same_project = Asset.objects.filter(project_id=asset.project_id).only("id", "created_at", "title")
    # ">= created_at, minus the ties on the wrong side" rather than an OR, as asset_page does: the
    # index range-scans from the asset instead of walking the project from its far end.
    at = asset.created_at
    newer = same_project.filter(created_at__gte=at).exclude(created_at=at, id__lte=asset.pk).order_by("created_at", "id").first()
    older = same_project.filter(created_at__lte=at).exclude(created_at=at, id__gte=asset.pk).order_by("-created_at", "-id").first()
    return newer, older


# The project's distinct tag names by hopping along the (project, name) index from one name to the
# next (a loose index scan): as many steps as there are names, not as many as there are tagged assets.
_TAG_NAMES_SQL = """
WITH RECURSIVE names(name) AS (
  SELECT MIN(name) FROM {tags} WHERE project_id = %(project)s
  UNION ALL
  SELECT (SELECT MIN(t.name) FROM {tags} t WHERE t.project_id = %(project)s AND t.name > names.name)
  FROM names WHERE names.name IS NOT NULL
)
SELECT name FROM names WHERE name IS NOT NULL
"""


def tags_in_use(*, project) -> list[str]:
    sql = _TAG_NAMES_SQL.format(tags=connection.ops.quote_name(AssetTag._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"project": AssetTag._meta.get_field("project").get_db_prep_value(project.pk, connection)})
        return [row[0] for row in cursor.fetchall()]


def asset_page(assets: QuerySet[Asset], *, after: str = "", size: int) -> tuple[list[Asset], str]:
    """Newest first, by keyset, so page 200 costs what page 1 does. Returns the rows and the
    cursor of the next page ("" at the end); a malformed cursor starts from the top."""
    assets = assets.order_by("-created_at", "-id")
    created_at, _, last_id = after.partition("|")
    try:
        since = datetime.fromisoformat(created_at)
        # "<= since, minus the ties already shown" rather than an OR: the index range-scans from `since`.
        assets = assets.filter(created_at__lte=since).exclude(created_at=since, id__gte=uuid.UUID(last_id))
    except ValueError:
        pass
    rows = list(assets[: size + 1])
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    return rows[:size], f"{last.created_at.isoformat()}|{last.pk}"


_LINEAGE_SQL = """
WITH RECURSIVE
  ancestors(id) AS (
    SELECT parent_id FROM {links} WHERE child_id = %(start)s
    UNION
    SELECT l.parent_id FROM {links} l JOIN ancestors a ON l.child_id = a.id
  ),
  descendants(id) AS (
    SELECT child_id FROM {links} WHERE parent_id = %(start)s
    UNION
    SELECT l.child_id FROM {links} l JOIN descendants d ON l.parent_id = d.id
  )
SELECT id FROM ancestors UNION SELECT id FROM descendants
"""


def lineage_asset_ids(asset: Asset) -> set:
    """Every ancestor and descendant of `asset`, at any depth, in one recursive query."""
    sql = _LINEAGE_SQL.format(links=connection.ops.quote_name(AssetLink._meta.db_table))
    start = Asset._meta.pk.get_db_prep_value(asset.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start})
        return {Asset._meta.pk.to_python(row[0]) for row in cursor.fetchall()}


_ANCESTORS_SQL = """
WITH RECURSIVE ancestors(id) AS (
  SELECT parent_id FROM {links} WHERE child_id = %(start)s AND relation IN ({relations})
  UNION
  SELECT l.parent_id FROM {links} l JOIN ancestors a ON l.child_id = a.id WHERE l.relation IN ({relations})
)
SELECT id FROM ancestors
"""

# Relations whose child shows the same picture as its parent, so a place on one is a place on the other.
SAME_PICTURE_RELATIONS = ("edited_from", "translated_from", "upscaled_from", "region_edit_of")


def asset_ancestor_ids(asset: Asset, relations: tuple[str, ...] = SAME_PICTURE_RELATIONS) -> set:
    """The assets `asset` was made from through `relations`, at any depth, in one recursive query."""
    placeholders = ", ".join(f"%(r{i})s" for i in range(len(relations)))
    sql = _ANCESTORS_SQL.format(links=connection.ops.quote_name(AssetLink._meta.db_table), relations=placeholders)
    params = {"start": Asset._meta.pk.get_db_prep_value(asset.pk, connection)} | {f"r{i}": r for i, r in enumerate(relations)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {Asset._meta.pk.to_python(row[0]) for row in cursor.fetchall()}


@dataclass(frozen=True)
class LineageFile:
    """A file made from an asset that is not an asset itself (a channel's placement file): a node
    of the lineage with one edge, `relation`, to the asset it was cut from."""

    id: uuid.UUID  # stable for (asset, what the file is), so clients can follow it across remakes
    type: str  # e.g. "placement"
    relation: str  # the edge's relation, e.g. "placement_of"
    asset_id: uuid.UUID
    key: str
    label: str
    channel: str
    width: int
    height: int
    mime_type: str
    size_bytes: int
    created_at: datetime
    file_path: str  # where its bytes are served (members only)


# Files made from assets, by the app that makes them (placements registers in its ready()): a
# function of asset ids answering LineageFile rows in a fixed number of queries, and the
# relations its edges use with their labels. The lower app never names the higher one.
LINEAGE_FILE_FINDERS: dict[str, Callable[[set], list[LineageFile]]] = {}
LINEAGE_FILE_RELATIONS: dict[str, str] = {}


def lineage_files_register(name: str, find: Callable[[set], list[LineageFile]], relations: dict[str, str]) -> None:
    LINEAGE_FILE_FINDERS[name] = find
    LINEAGE_FILE_RELATIONS.update(relations)


@dataclass
class Lineage:
    assets: list[Asset]
    reference_images: list
    edges: list[dict]
    files: list[LineageFile] = field(default_factory=list)


def _descendant_ids(start, edges: list[dict]) -> set:
    children = {}
    for edge in edges:
        children.setdefault(edge["to"], []).append(edge["from"])
    found, frontier = {str(start)}, [str(start)]
    while frontier:
        frontier = [child for node in frontier for child in children.get(node, []) if child not in found]
        found.update(frontier)
    return found


def asset_lineage(asset: Asset, *, for_pages: bool = False) -> Lineage:
    """The graph around an asset: it, its ancestors and descendants at any depth, the exact
    reference images their jobs sent (archived or not), the files cut from it and its descendants
    (placement files), and the edges among them. A fixed number of queries whatever the depth.
    `for_pages`: each node also knows whether it was made from an asset (`made_from_asset`), so
    the pages name a variation without a query per node."""
    ids = lineage_asset_ids(asset) | {asset.pk}
    nodes = asset_queryset().annotate(made_from_asset=JOB_QUERIES.made_from_asset()) if for_pages else asset_queryset()
    assets = list(nodes.filter(pk__in=ids).order_by("created_at"))
    links = AssetLink.objects.filter(child_id__in=ids, parent_id__in=ids).order_by("id").values_list("child_id", "parent_id", "relation")
    edges = [{"from": str(child), "to": str(parent), "relation": relation} for child, parent, relation in links]

    made_by = {}
    for node in assets:
        if node.generation_id:
            made_by.setdefault(node.generation_id, []).append(node)
    references = {}
    for generation_id, reference_image in JOB_QUERIES.references_sent(set(made_by)):
        references[reference_image.pk] = reference_image
        edges += [{"from": str(node.pk), "to": str(reference_image.pk), "relation": "references"} for node in made_by[generation_id]]
    # Files cut from the asset and from what was made from it (an ancestor's files are not its history).
    descendants = _descendant_ids(asset.pk, edges)
    made_from_it = {node.pk for node in assets if str(node.pk) in descendants}
    files = [found for find in LINEAGE_FILE_FINDERS.values() for found in find(made_from_it)]
    edges += [{"from": str(found.id), "to": str(found.asset_id), "relation": found.relation} for found in files]
    return Lineage(assets=assets, reference_images=list(references.values()), edges=edges, files=files)


@dataclass
class LineageLevel:
    depth: int  # < 0 ancestors, 0 the asset itself, > 0 descendants
    nodes: list[tuple[Asset, str]]  # (asset, how it relates to the level nearer the asset)


def lineage_levels(lineage: Lineage, asset: Asset) -> list[LineageLevel]:
    """The lineage graph laid out by generations away from `asset`, for drawing as rows."""
    by_id = {str(node.pk): node for node in lineage.assets}
    parents, children = {}, {}
    for edge in lineage.edges:
        if edge["relation"] != "references" and edge["from"] in by_id and edge["to"] in by_id:
            parents.setdefault(edge["from"], []).append((edge["to"], edge["relation"]))
            children.setdefault(edge["to"], []).append((edge["from"], edge["relation"]))
    depth_of = {str(asset.pk): 0}
    levels: dict[int, list] = {0: [(asset, "")]}
    for step, links in ((-1, parents), (1, children)):
        frontier = [str(asset.pk)]
        while frontier:
            next_frontier = []
            for node_id in frontier:
                for other, relation in links.get(node_id, []):
                    if other not in depth_of:
                        depth_of[other] = depth_of[node_id] + step
                        levels.setdefault(depth_of[other], []).append((by_id[other], relation))
                        next_frontier.append(other)
            frontier = next_frontier
    return [LineageLevel(depth, levels[depth]) for depth in sorted(levels)]
