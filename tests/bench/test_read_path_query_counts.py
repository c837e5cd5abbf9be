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
        figures = read_path_figures(project, user, seed(project, user, size), repeat=1)
        counts[size] = {name: figure["queries"] for name, figure in figures.items()}
    assert counts[60] == counts[600], counts
