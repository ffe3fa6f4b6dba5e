"""Opening the dashboard's pages headless (Streamlit's AppTest), one way for every page test."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # a cold page builds e3nn models; on 2 busy cores that takes a while


def open_page(name: str, **params: str) -> AppTest:
    """``app_pages/NAME.py`` opened at ``?key=value...`` and run once."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def open_app() -> AppTest:
    """``app.py`` (the navigation) run once: it shows Home."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
