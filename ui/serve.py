"""Start the dashboard warm: ``python -m ui.serve [streamlit run options]``.

``streamlit run app.py`` executes the app only when the first visitor
connects, so a warm-up started from the app starts with that visitor and
competes with their first page. This launcher starts the warm-up
(:func:`eqgnn.warmup.warm_server`: the live-run workers, the Explorer's
models) with the server process, then runs Streamlit in the same process, so
the pages find the models built by the time a visitor arrives. Options after
the module name go to ``streamlit run`` (``--server.port 8502``); the upload
size follows the server's caps (``EQGNN_PUBLIC=1``: 2 MB, :mod:`eqgnn.limits`).
SIGINT or SIGTERM, while a live run or the warm-up is in progress too, stops
the server, the background threads and the warm workers, and exits 0.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main() -> int:
    """Start the server; a cap set to nonsense (``EQGNN_MAX_SEEDS=lots``) is one line and
    exit code 2 before anything starts, not an error on every visitor's page."""
    from eqgnn.cli import exit_code

    return exit_code(_serve)


def _serve() -> int:
    from eqgnn.limits import limits
    from eqgnn.warmup import warm_server

    limits()  # every cap read once, here
    options = sys.argv[1:]
    with _exit_0_on_signals():
        warm_server()
        from streamlit.web import cli

        sys.argv = ["streamlit", "run", str(APP), *upload_option(options), *options]
        # Streamlit's own handlers stop the server on SIGINT/SIGTERM; the warm-up, live
        # runs and warm workers stop at exit (eqgnn.background)
        return cli.main()


@contextlib.contextmanager
def _exit_0_on_signals() -> Iterator[None]:
    """SIGINT/SIGTERM before Streamlit installs its handlers: a clean exit 0, not a
    traceback or a default death that leaves the warm workers orphaned. The previous
    handlers come back after (a caller in a test keeps its Ctrl-C)."""
    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = [signal.signal(number, _exit_0) for number in numbers]
    try:
        yield
    finally:
        for number, handler in zip(numbers, previous):
            signal.signal(number, handler)


def _exit_0(number: int, _frame) -> None:
    """Unwind the main thread as a normal exit: the exit hooks then stop what runs."""
    raise SystemExit(0)


def upload_option(options: list[str]) -> list[str]:
    """``--server.maxUploadSize`` at the ``upload_mb`` cap, unless ``options`` set it: the
    browser is told the limit before it sends a byte (the loader checks it again)."""
    from eqgnn.limits import limits

    if any(option.startswith("--server.maxUploadSize") for option in options):
        return []
    return ["--server.maxUploadSize", str(limits().upload_mb)]


if __name__ == "__main__":
    sys.exit(main())
