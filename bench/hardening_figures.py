"""The figures for issue 6's closing note, from one run of the tests themselves.

    .venv/bin/python -m bench.hardening_figures            # the whole suite
    .venv/bin/python -m bench.hardening_figures tests/projects   # or any pytest arguments

Counted while the tests run (nothing is estimated): upstream faults the emulator injected,
INSERTs the database-fault tests made the database refuse, worker processes SIGKILLed, requests
schemathesis sent, requests made in cross-tenant tests, bad-input cases. Assets lost,
duplicated or leaked are asserted by those tests, so they are 0 exactly when the run passes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Tests whose subject is a user reaching into a project that is not theirs.
CROSS_TENANT = re.compile(
    r"test_tenancy_matrix\.py::test_(rest_matrix|admin_matrix|admin_review_actions|admin_decision_form)\[.*(outsider|owner_elsewhere)"
    r"|test_tenancy_matrix\.py::test_the_project_list_shows_only_ones_own_projects\[(outsider|owner_elsewhere)"
    r"|test_tenancy\.py::test_(outsider_gets_404_on_every_url|ids_from_another_project_are_unknown_here)"
    r"|test_library_api\.py::test_outsider_sees_nothing"
)
# Tests that send one bad input each (per parametrized case, unless the test loops).
BAD_INPUT = re.compile(
    r"test_upload\.py::test_(bad_uploads|pixel_bomb|byte_limit|image_over_our_pixel_limit)"
    r"|test_polyglot_uploads\.py::test_(payload_is_not_stored|a_reference_image_is_cleaned|an_upload_without_any_metadata|animated|a_multi_picture)"
    r"|test_create_and_run\.py::test_(bad_requests_name_the_field|aspect_ratio_the_model_lacks)"
    r"|test_library_api\.py::test_(bad_reference_uploads|the_fifth_character_image|names_are_unique)"
    r"|test_emulator\.py::test_(invalid_settings|fifteen_input_images|bytes_that_are_not_an_image)"
    r"|test_kinds\.py::test_requests_the_catalogue_refuses"
    r"|test_catalogue\.py::test_settings_a_model_lacks"
    r"|test_webhooks\.py::test_private_addresses_are_refused"
    r"|test_tenancy\.py::test_ids_from_another_project"
)


class Figures:
    """A pytest plugin: counts while the tests run, without touching the code under test."""

    def __init__(self):
        self.outcomes = Counter()
        self.requests_by_test = Counter()
        self.upstream_faults = Counter()
        self.kills = 0
        self.fuzz_requests = 0
        self.bad_input_cases = 0
        self.cross_tenant_cases = 0
        self.current = None

    def pytest_configure(self, config):
        import schemathesis
        from django.test.client import ClientHandler

        figures = self

        def counted(original, on_call):
            def wrapper(*args, **kwargs):
                on_call()
                return original(*args, **kwargs)
            return wrapper

        def request_seen():
            figures.requests_by_test[figures.current] += 1

        def fuzz_seen():
            figures.fuzz_requests += 1

        def kill_seen():  # only the crash tests' SIGKILLs, not a clean-up kill of a slow shutdown
            figures.kills += "crash_recovery" in (figures.current or "")

        ClientHandler.__call__ = counted(ClientHandler.__call__, request_seen)
        schemathesis.Case.call = counted(schemathesis.Case.call, fuzz_seen)
        subprocess.Popen.kill = counted(subprocess.Popen.kill, kill_seen)

    def pytest_runtest_setup(self, item):
        self.current = item.nodeid

    def pytest_runtest_teardown(self, item):
        upstream = getattr(item, "funcargs", {}).get("upstream")
        if upstream is not None:
            for entry in list(upstream.state.log):
                if entry.get("fault"):
                    self.upstream_faults[entry["fault"]] += 1

    def pytest_runtest_logreport(self, report):
        if type(report).__name__ != "TestReport":
            return  # schemathesis's per-operation subtests: counted as fuzz requests instead
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.outcomes[report.outcome] += 1
            if report.when == "call":
                self.bad_input_cases += bool(BAD_INPUT.search(report.nodeid))
                self.cross_tenant_cases += bool(CROSS_TENANT.search(report.nodeid))


def main(args: list[str]) -> int:
    os.chdir(ROOT)
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "test"))
    sys.path.insert(0, str(ROOT))
    import pytest

    figures = Figures()
    started = time.monotonic()
    exit_code = pytest.main(["-q", "-p", "no:cacheprovider", *(args or ["tests"])], plugins=[figures])
    seconds = time.monotonic() - started

    db_module = sys.modules.get("tests.generations.test_database_faults")
    db_faults = len(getattr(db_module, "REFUSED", []))
    cross_tenant_requests = sum(n for nodeid, n in figures.requests_by_test.items() if nodeid and CROSS_TENANT.search(nodeid))
    failed = figures.outcomes["failed"] + figures.outcomes["error"]
    zero = "0" if exit_code == 0 and not failed else "NOT PROVEN (the run failed)"
    print(
        f"""
hardening figures ({figures.outcomes['passed']} passed, {failed} failed, {figures.outcomes['skipped']} skipped, {seconds:.0f} s)
  upstream faults injected by the emulator:  {sum(figures.upstream_faults.values())}  ({', '.join(f'{k} {v}' for k, v in sorted(figures.upstream_faults.items()))})
  database writes refused (fault injected):  {db_faults}
  faults injected, all survived:             {sum(figures.upstream_faults.values()) + db_faults}{'' if not failed else ' (run failed)'}
  workers SIGKILLed / jobs recovered:        {figures.kills} / {figures.kills if not failed else '?'}
  bad-input cases tried:                     {figures.bad_input_cases}
  fuzz requests sent (schemathesis):         {figures.fuzz_requests}
  cross-tenant cases / requests tried:       {figures.cross_tenant_cases} / {cross_tenant_requests}
  assets lost / duplicated / leaked:         {zero} / {zero} / {zero}"""
    )
    return int(exit_code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
