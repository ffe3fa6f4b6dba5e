"""Start the dashboard warm: ``python -m ui.serve [streamlit run options]``.

``streamlit run app.py`` executes the app only when the first visitor
connects, so a warm-up started from the app starts with that visitor and
competes with their first page. This launcher starts the warm-up
(:func:`eqgnn.warmup.warm_server`: the live-run workers, the Explorer's
models) with the server process, then runs Streamlit in the same process, so
the pages find the models built by the time a visitor arrives. Options after
the module name go to ``streamlit run`` (``--server.port 8502``); the upload
size follows the server's caps (``EQGNN_PUBLIC=1``: 2 MB, :mod:`eqgnn.limits`).
"""

from __future__ import annotations

import sys
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
    warm_server()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *upload_option(options), *options]
    return cli.main()


def upload_option(options: list[str]) -> list[str]:
    """``--server.maxUploadSize`` at the ``upload_mb`` cap, unless ``options`` set it: the
    browser is told the limit before it sends a byte (the loader checks it again)."""
    from eqgnn.limits import limits

    if any(option.startswith("--server.maxUploadSize") for option in options):
        return []
    return ["--server.maxUploadSize", str(limits().upload_mb)]


if __name__ == "__main__":
    sys.exit(main())
