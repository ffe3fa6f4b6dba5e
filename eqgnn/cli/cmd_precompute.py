"""``precompute``: the gallery's shipped results (resumable; not part of CI)."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_backend, add_json, emit, use_backend
from eqgnn.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("precompute", help="fill data/results with every gallery case's "
                       "preset verdicts and default sweeps (resumable)")
    p.add_argument("--case", action="append", default=None, metavar="NAME",
                   help="only these cases (repeatable; default: every listed case)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="store folder (default: the shipped data/results)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes, one torch thread each (default: one per core; "
                        "1 runs in this process)")
    add_backend(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.precompute import precompute
    from eqgnn.progress import progress_bar
    from eqgnn.store import SHIPPED_RESULTS, ResultStore

    use_backend(args)
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers {args.workers}: give at least 1")
    store = ResultStore(root=args.out or SHIPPED_RESULTS, shipped=None)
    with progress_bar("precompute", "job") as progress:
        summary = precompute(args.case, store, progress=progress, workers=args.workers)
    emit(args, summary, f"{summary['items']} items, {summary['computed']} computed now, "
                        f"with {summary['workers']} workers, in {summary['root']}")
    return 0
