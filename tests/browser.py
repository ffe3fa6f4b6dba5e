"""Fixtures and page checks for the real-browser test (``tests/test_browser.py``).

The server start, the offline guard and the "3D view drawn" wait are
:mod:`tools.dashboard_harness`'s, so the test and ``bench dashboard`` drive the
dashboard the same way; this module adds what only the test needs: module-wide
fixtures (one server and one Chromium, started once for all pages, each test in
a fresh browser context) and a report per page, with a screenshot kept as an
artifact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tools.dashboard_harness import (
    VIEWPORT_WIDTH,
    VIEWS_3D,
    OfflineContext,
    Server,
    chromium,
    error_texts,
    offline_context,
    open_page,
    playwright_missing,
    served_pages,
    streamlit_server,
    wait_drawn,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
"""Where each page's screenshot goes (git-ignored), to look at after a run."""

MAX_SHOT_HEIGHT = 6000  # pixels: a long page is cut there

NO_BROWSER = playwright_missing()
"""Why the browser test cannot run here, or None (it then runs by default)."""


@dataclass
class PageReport:
    """What one page visit showed: its 3D views, errors and the requests it tried."""

    views: int
    errors: list[str]
    script_errors: list[str]
    blocked: list[str]
    screenshot: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One ``streamlit run app.py`` for the whole module, storing live results in a
    private folder (the shipped ones still answer): a live run clicked in one test
    starts from nothing, and nothing leaks into the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EQGNN_STORE", str(tmp_path_factory.mktemp("results")))
        with streamlit_server() as running:
            yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole module."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def offline(browser: Browser, server: Server) -> Iterator[OfflineContext]:
    """A fresh browser context per test, whose requests may reach only ``server``."""
    guarded = offline_context(browser, server)
    yield guarded
    guarded.context.close()


@pytest.fixture(scope="module")
def pages(browser: Browser, server: Server) -> list[str]:
    """The URL paths the running app's navigation offers."""
    guarded = offline_context(browser, server)
    try:
        return served_pages(guarded.context.new_page(), server)
    finally:
        guarded.context.close()


def visit(offline: OfflineContext, server: Server, path: str, name: str) -> PageReport:
    """Open ``path``, wait for its script run and 3D views, screenshot it as ``name``.png."""
    page = offline.context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    views = open_page(page, server.url + path)
    # Streamlit scrolls inside stMain, so a full-page screenshot is only the viewport:
    # the viewport grows to the content instead, and the resized views are awaited again.
    height = page.locator('[data-testid="stMainBlockContainer"]').evaluate("(e) => e.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT_WIDTH, "height": min(height + 100, MAX_SHOT_HEIGHT)})
    for view in page.locator(VIEWS_3D).all():
        wait_drawn(view)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=screenshot)
    return PageReport(views, error_texts(page), script_errors, list(offline.blocked), screenshot)
