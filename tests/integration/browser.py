"""Debian's Chromium driven by Playwright (its own browser download does not work here)."""

import os
import shutil
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach Google, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core 4.10.3, MPL-2.0 (see vendor/)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the window)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


AXE_PATH = "/static/test-only/axe.min.js"  # answered by the test browser itself, never by the site


def load_axe(page) -> None:
    """axe-core as a same-origin script file, so the page's own Content-Security-Policy
    (script-src 'self') applies to it like to the site's scripts: nothing is bypassed. The browser
    answers that one URL from the vendored copy; the site serves no such file."""
    if page.evaluate("typeof window.axe !== 'undefined'"):
        return
    if not getattr(page.context, "axe_routed", False):
        page.context.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
        page.context.axe_routed = True
    origin = page.evaluate("location.origin")
    page.add_script_tag(url=origin + AXE_PATH)


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    load_axe(page)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    return violations


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def check_page(page, name: str) -> None:
    """What every page must be at any width: no sideways scroll, no serious accessibility
    violation; and a screenshot for a person to look at."""
    screenshot(page, name)
    assert sideways_scroll(page) <= 0, f"{name} scrolls sideways by {sideways_scroll(page)} px at {page.viewport_size['width']} px"
    problems = serious_accessibility_problems(page)
    assert not problems, f"{name} at {page.viewport_size['width']} px: " + "; ".join(problems)
