"""The gallery's search: the same matches whichever plan the trigram probes choose, and on
PostgreSQL the trigram indexes it relies on (tests run on SQLite by default; the scale stage
runs them on PostgreSQL)."""

import pytest
from django.db import connection

from apps.assets import selectors
from apps.core.counts import capped_count
from apps.generations.models import Generation
from tests.factories import ProjectFactory, member, stored_asset

pytestmark = pytest.mark.django_db


def made(project, user, prompt, title=""):
    job = Generation.objects.create(project=project, prompt=prompt, model="gemini-3.1-flash-image-preview",
                                    aspect_ratio="1:1", image_size="1K", status="succeeded", created_by=user)
    asset = stored_asset(project, user=user, generation=job)
    if title:
        asset.title = title
        asset.save(update_fields=["title"])
    return asset


@pytest.fixture
def gallery():
    project = ProjectFactory()
    user = member(project, "editor")
    return project, {
        "beach": made(project, user, "A red mug on a beach at dawn"),
        "beach2": made(project, user, "A blue mug on the Beach, 4K"),
        "titled": made(project, user, "A shoe on a rooftop", title="Beach hero"),
        "mixed": made(project, user, "A rooftop at dawn", title="Red hero"),
        "other": made(project, user, "A lamp on a desk"),
    }


@pytest.mark.parametrize("probe", [1000, 1], ids=["few matches: sorted from the probe", "many: newest-first walk"])
@pytest.mark.parametrize("search, expected", [
    ("beach", {"beach", "beach2", "titled"}),
    ("BEACH mug", {"beach", "beach2"}),
    ("red dawn", {"beach", "mixed"}),  # one word in the title, the other in the prompt
    ("4K", {"beach2"}),  # shorter than a trigram: a filter only
    ("lighthouse", set()),
])
def test_search_finds_the_same_whichever_plan(gallery, monkeypatch, probe, search, expected):
    project, assets = gallery
    monkeypatch.setattr(selectors, "SEARCH_PROBE", probe)
    found = selectors.asset_list(project=project, search=search)
    names = {name for name, asset in assets.items() if asset.pk in {a.pk for a in found}}
    assert names == expected
    total, over = capped_count(found)
    assert (total, over) == (len(expected), "") or getattr(found, "known_over_cap", False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_the_searched_columns_have_trigram_indexes_the_planner_uses():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('generation_prompt_trgm', 'asset_title_trgm')")
        defs = dict(cursor.fetchall())
        assert "gin (upper(prompt) gin_trgm_ops)" in defs["generation_prompt_trgm"]
        assert "gin (upper((title)::text) gin_trgm_ops)" in defs["asset_title_trgm"]
        # The exact SQL icontains emits, with sequential scans off: the index serves it.
        sql, params = Generation.objects.filter(prompt__icontains="lighthouse").values("pk").query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        assert "generation_prompt_trgm" in "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_on_sqlite_the_migrations_add_no_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm%'")
        assert cursor.fetchall() == []
