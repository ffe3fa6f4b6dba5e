"""Opening the dashboard's pages headless (Streamlit's AppTest), one way for every page test."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # a cold page builds e3nn models; on 2 busy cores that takes a while


def open_page(name: str, **params: str) -> AppTest:
    """``app_pages/NAME.py`` opened at ``?key=value...``, as a visitor sees it once its
    background work is done: run, and run again while a panel says its models build."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    deadline = time.monotonic() + TIMEOUT
    while building(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    return at


def building(at: AppTest) -> bool:
    """Whether a panel of the page still waits for its models (the Explorer's gaps)."""
    return any(info.value.startswith("Building the models") for info in at.info)


def open_app() -> AppTest:
    """``app.py`` (the navigation) run once: it shows Home."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()


def run_every_page() -> None:
    """``app.py`` and every page of ``app_pages/`` run once each in this process, the
    Explorer last, as a one-shot sweep does: its torsion models are then still being
    built in the background when the process exits (the exit that used to abort)."""
    pages = sorted((ROOT / "app_pages").glob("*.py"), key=lambda path: path.stem == "explorer")
    for path in [ROOT / "app.py", *pages]:
        AppTest.from_file(str(path), default_timeout=TIMEOUT).run()
