"""``python -m eqgnn``: the CLI, the contract every page is held to."""

from eqgnn.cli import main

raise SystemExit(main())
