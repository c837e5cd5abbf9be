"""The quick mode of bench/read_path.py: query counts (never timings) must not grow with the data."""

import pytest

from bench.read_path import read_path_figures, seed
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


def test_read_path_query_counts_are_constant_as_a_project_grows():
    counts = {}
    for size in (60, 600):
        project = ProjectFactory()
        user = member(project, "viewer")
        figures = read_path_figures(project, user, seed(project, member(project, "editor"), size, reviewer=user), repeat=1)
        counts[size] = {name: figure["queries"] for name, figure in figures.items()}
    assert counts[60] == counts[600], counts


# The most queries each request may run (measured: issue 33). The asset page ran 76 with a 50-deep
# chain when each lineage node's kind was read with a query of its own; the lineage's placement
# files (issue 30) add one query to the lineage and the asset page. A search probes the trigram
# indexes first (two queries: apps.assets.selectors._search); "waiting on me" ran a query per
# waiting asset for its title until it loaded their jobs with them (48 with 36 waiting). The campaign
# grid read its stages' assignments, the viewer's time zone, the deciders and the characters once per
# stage (34); the review queue read the reviewer's keys twice (26).
QUERY_LIMITS = {
    "asset list (50)": 4, "job list (50)": 8, "asset detail": 3, "lineage (50 deep)": 8, "gallery page 1": 13,
    "gallery mid-way": 13, "search, common word": 15, "search, rare word": 15, "gallery tag": 13, "needs attention": 13,
    "review queue": 24, "waiting on me": 12, "campaign grid (36)": 22, "asset page": 27,
}


def test_read_path_query_counts_stay_within_their_limits():
    project = ProjectFactory()
    user = member(project, "owner")
    figures = read_path_figures(project, user, seed(project, member(project, "editor"), 60, reviewer=user), repeat=1)
    counts = {name: figure["queries"] for name, figure in figures.items()}
    assert counts.keys() == QUERY_LIMITS.keys()
    assert {name: count for name, count in counts.items() if count > QUERY_LIMITS[name]} == {}, counts
