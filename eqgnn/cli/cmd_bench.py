"""``bench``: the project's speed benchmarks (their figures go in closing notes)."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmarks: models, oracle, protocol, reach, dashboard")
    which = p.add_subparsers(dest="bench", required=True, parser_class=type(p))
    m = which.add_parser(
        "models", help="molecules/s, forward + backward, QM9 batches on radius:5 graphs",
    )
    m.add_argument("--batch-size", type=int, default=64)
    m.add_argument("--batches", type=int, default=4, help="timed batches per model")
    m.add_argument("--device", default=None)
    add_json(m)
    m.set_defaults(run=run_models)
    o = which.add_parser(
        "oracle", help="seconds per oracle call (CLI start included) at 10/30/100 atoms, hops 1-3",
    )
    o.add_argument("--repeats", type=int, default=3, help="runs per cell; the median is shown")
    add_json(o)
    o.set_defaults(run=run_oracle)
    t = which.add_parser("protocol", help="S seeds batched vs one seed vs a loop over seeds")
    t.add_argument("--seeds", type=int, default=10)
    t.add_argument("--epochs", type=int, default=100)
    add_json(t)
    t.set_defaults(run=run_protocol)
    r = which.add_parser(
        "reach", help="seconds per epoch by correlation order and lmax on kchain-4; the guard's "
        "cost per distinguish",
    )
    r.add_argument("--seeds", type=int, default=10)
    r.add_argument("--epochs", type=int, default=20, help="timed epochs per model")
    add_json(r)
    r.set_defaults(run=run_reach)
    d = which.add_parser(
        "dashboard", help="in headless Chromium: warm gallery load time, server RSS over visits",
    )
    d.add_argument("--runs", type=int, default=7, help="timed gallery loads; the median is shown")
    d.add_argument("--rounds", type=int, default=20, help="visits of every page, RSS after each")
    add_json(d)
    d.set_defaults(run=run_dashboard)


def run_models(args: argparse.Namespace) -> int:
    from eqgnn.bench_models import bench_models, format_table

    result = bench_models(batch_size=args.batch_size, batches=args.batches, device=args.device)
    emit(args, result, format_table(result))
    return 0


def run_oracle(args: argparse.Namespace) -> int:
    from eqgnn.bench_oracle import bench_oracle, format_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench oracle", "cell") as progress:
        result = bench_oracle(repeats=args.repeats, progress=progress)
    emit(args, result, format_table(result))
    return 0


def run_protocol(args: argparse.Namespace) -> int:
    from eqgnn.bench_protocol import bench_protocol, format_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench protocol", "pair") as progress:
        result = bench_protocol(args.seeds, args.epochs, progress)
    emit(args, result, format_table(result))
    return 0


def run_reach(args: argparse.Namespace) -> int:
    from eqgnn.bench_reach import bench_reach, format_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench reach", "model") as progress:
        result = bench_reach(args.seeds, args.epochs, progress)
    emit(args, result, format_table(result))
    return 0


def run_dashboard(args: argparse.Namespace) -> int:
    from eqgnn.bench_dashboard import bench_dashboard, format_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench dashboard", "step") as progress:
        result = bench_dashboard(args.runs, args.rounds, progress)
    emit(args, result, format_table(result))
    return 0
