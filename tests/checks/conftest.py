import pytest


@pytest.fixture(autouse=True)
def _checks_run_inline(checks_inline):
    """Every test here reads what the checks found: run_tasks_inline runs them (tests/conftest.py)."""
    return checks_inline
