"""The dashboard in a real browser: every page loads in headless Chromium, without
an error box or a script error, draws its 3D views (non-blank WebGL canvases),
and never asks anything but its own server (no CDN, fonts or telemetry).

Runs by default; skipped, with the reason, where Playwright or Debian's
``chromium`` is missing (``./setup.sh --dev``; ``apt-get install chromium``).
Screenshots of every page land in ``artifacts/screenshots/``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import browser as helpers
from tests.browser import NO_BROWSER, ROOT, SCREENSHOTS, visit
from tools.dashboard_harness import (
    ERROR_BOXES,
    GALLERY_CASE_PATH,
    GALLERY_VIEWS,
    SCRIPT_DONE,
    TABLES,
    VIEWS_3D,
    error_texts,
    open_page,
)

# the shared fixtures, under their own names: pytest finds fixtures among a module's names
server, browser, pages, offline = helpers.server, helpers.browser, helpers.pages, helpers.offline
needs_browser = pytest.mark.skipif(NO_BROWSER is not None, reason=str(NO_BROWSER))

PAGES = {"/": "home", "/gallery": "gallery", "/explorer": "explorer", "/depth": "depth",
         "/steerable": "steerable", "/lesson": "lesson", "/audit": "audit"}
"""Every page of the dashboard, URL path -> screenshot name."""
WITH_3D_VIEW = {"/gallery", "/explorer", "/lesson"}
"""Pages whose default view draws molecules in 3D."""


@needs_browser
def test_the_app_offers_no_page_this_test_leaves_out(pages):
    assert set(pages) <= set(PAGES), f"add the new pages to PAGES: {set(pages) - set(PAGES)}"


@needs_browser
@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_draws_and_stays_offline(path, pages, offline, server):
    if path not in pages:
        pytest.skip(f"app.py does not offer {path} yet (it offers {pages})")
    report = visit(offline, server, path, PAGES[path])
    assert report.errors == [], f"error boxes on {path}; see {report.screenshot}"
    assert report.script_errors == []
    assert report.blocked == [], "requests that tried to leave the server"
    if path in WITH_3D_VIEW:
        assert report.views >= 1


@needs_browser
def test_gallery_case_shows_its_table_and_both_structures(pages, offline, server):
    if "/gallery" not in pages:
        pytest.skip(f"app.py does not offer /gallery yet (it offers {pages})")
    report = visit(offline, server, GALLERY_CASE_PATH, "gallery-case")
    assert report.errors == [], f"error boxes; see {report.screenshot}"
    assert report.script_errors == []
    assert report.blocked == [], "requests that tried to leave the server"
    assert report.views == GALLERY_VIEWS
    page = offline.context.pages[-1]
    assert page.locator(TABLES).filter(visible=True).count() >= 1


LIVE_RUN_MS = 60_000  # a worker starts (imports torch) and trains 2 seeds for 3 epochs


@needs_browser
def test_a_live_run_clicked_on_the_gallery_reaches_a_verdict(pages, offline, server):
    if "/gallery" not in pages:
        pytest.skip(f"app.py does not offer /gallery yet (it offers {pages})")
    page = offline.context.new_page()
    open_page(page, server.url + GALLERY_CASE_PATH)
    page.get_by_text("my own options").click()
    page.get_by_text("Family", exact=True).wait_for()
    for label, value in (("Seeds", "2"), ("Epochs", "3")):
        field = page.get_by_role("spinbutton", name=label)
        field.fill(value)
        field.press("Enter")
        page.wait_for_function(
            "([label, value]) => [...document.querySelectorAll('input')].some("
            "(e) => e.getAttribute('aria-label') === label && e.value === value)",
            arg=[label, value])
    page.get_by_role("button", name="Run it live").click()
    verdict = page.locator("h3", has_text="accuracy")
    verdict.wait_for(timeout=LIVE_RUN_MS)
    assert any(word in verdict.inner_text() for word in ("blind", "distinguished", "sighted"))
    assert page.get_by_text("python -m eqgnn distinguish --case butane-torsion").count() == 1
    assert error_texts(page) == [] and offline.blocked == []


PROJECTOR = {"width": 1024, "height": 768}
"""A lecture hall's projector: everything that matters on the first screen."""


def first_screen_misses(page, selectors: dict[str, str]) -> list[str]:
    """The names of ``selectors`` whose first visible match is not wholly within the
    first screen (or is missing)."""
    missing = []
    for name, selector in selectors.items():
        box = page.locator(selector).filter(visible=True).first.bounding_box()
        if box is None or box["y"] < 0 or box["y"] + box["height"] > PROJECTOR["height"]:
            missing.append(f"{name} at {box}")
    return missing


@needs_browser
@pytest.mark.parametrize(("path", "name", "verdict"), [
    (GALLERY_CASE_PATH, "gallery-1024", "h3:has-text('Invariant models with 1 hop are blind')"),
    ("/lesson", "lesson-1024", '[data-testid="stAlert"]'),
])
def test_a_projector_shows_the_verdict_and_both_structures_on_its_first_screen(
        path, name, verdict, pages, offline, server):
    page = offline.context.new_page()
    page.set_viewport_size(PROJECTOR)
    assert open_page(page, server.url + path) == GALLERY_VIEWS
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    assert first_screen_misses(page, {"verdict": verdict, "both structures": VIEWS_3D}) == []
    cut = page.locator("button p").evaluate_all(
        "(labels) => labels.filter((p) => p.scrollWidth > p.clientWidth + 1)"
        ".map((p) => p.innerText)")
    assert cut == [], "button labels cut short"
    assert error_texts(page) == [] and offline.blocked == []


UPLOADS = ["binary junk as xyz", "pickle as xyz", "html in the name", "prose as cif",
           "100000 atoms", "json bad edges"]
"""Hostile files (``tests.hostile``) uploaded in the Explorer: each gives one error line."""


@needs_browser
def test_a_hostile_upload_is_one_error_line_and_the_sidebar_keeps_its_settings(offline,
                                                                               server):
    from tests.hostile import HOSTILE_FILES

    page = offline.context.new_page()
    open_page(page, server.url + "/explorer?hops=3&body_order=2")
    page.get_by_text("Upload", exact=True).click()
    for case in UPLOADS:
        name, data = HOSTILE_FILES[case]
        page.locator("input[type=file]").set_input_files(
            {"name": name, "mimeType": "application/octet-stream", "buffer": data})
        page.locator(ERROR_BOXES).filter(has_text=name).wait_for()
        page.wait_for_selector(SCRIPT_DONE, state="attached")
        errors = error_texts(page)
        assert len(errors) == 1 and "\n" not in errors[0] and "Traceback" not in errors[0], case
    assert "hops=3" in page.url and "body_order=2" in page.url
    assert offline.blocked == []


@needs_browser
def test_requests_off_the_server_are_blocked_and_recorded(offline, server):
    page = offline.context.new_page()
    page.goto(server.url + "/_stcore/health")
    outcome = page.evaluate("""async () => {
      const fetched = await fetch("https://example.com/font.woff2")
        .then(() => "loaded", () => "blocked");
      const socket = await new Promise((done) => {
        const ws = new WebSocket("wss://example.com/stream");
        ws.onopen = () => done("open");
        ws.onclose = () => done("closed");
      });
      return [fetched, socket];
    }""")
    assert outcome == ["blocked", "closed"]
    assert offline.blocked == ["https://example.com/font.woff2", "wss://example.com/stream"]


def test_bench_without_a_browser_says_how_to_install_one(tmp_path):
    env = {"EQGNN_CHROMIUM": str(tmp_path / "no-chromium"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "eqgnn", "bench", "dashboard"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "./setup.sh --dev" in done.stderr
    assert "apt-get install chromium" in done.stderr
