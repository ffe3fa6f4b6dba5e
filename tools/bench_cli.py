"""The command-line end of the checkout's benchmarks (``bench dashboard``, ``bench load``).

Each runs with a progress bar on stderr and prints its table (or its JSON with
``--json``); a reason it cannot run is a :class:`BenchError`, which ends like
any bad input of ``python -m eqgnn``: one line on stderr, exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from eqgnn.cli import exit_code
from eqgnn.errors import InputError
from eqgnn.progress import Progress


class BenchError(InputError):
    """A reason a benchmark cannot run here, said in one line."""


def run_bench(name: str, unit: str, compute: Callable[[Progress], dict],
              table: Callable[[dict], str], as_json: bool) -> int:
    """Run ``compute(progress)`` and print its result; the process's exit code."""
    from eqgnn.progress import progress_bar

    def run() -> int:
        with progress_bar(f"bench {name}", unit) as progress:
            result = compute(progress)
        print(json.dumps(result) if as_json else table(result))
        return 0

    return exit_code(run)
