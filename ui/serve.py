"""Start the dashboard warm: ``python -m ui.serve [streamlit run options]``.

``streamlit run app.py`` executes the app only when the first visitor
connects, so a warm-up started from the app starts with that visitor and
competes with their first page. This launcher starts the warm-up
(:func:`eqgnn.warmup.warm_server`: the live-run workers, the Explorer's
models) with the server process, then runs Streamlit in the same process, so
the pages find the models built by the time a visitor arrives. Options after
the module name go to ``streamlit run`` (``--server.port 8502``).
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main() -> int:
    from eqgnn.warmup import warm_server

    warm_server()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
