"""``bench``: the project's speed benchmarks (their figures go in closing notes).

``models``, ``oracle``, ``protocol`` and ``reach`` are :mod:`eqgnn.bench`'s.
``dashboard`` (in a browser) and ``load`` (K visitors at once over Streamlit's
websocket) drive the dashboard, so they need a checkout (the app and the dev
tools): they run the checkout's ``tools/bench_dashboard.py`` or
``tools/bench_load.py`` in a subprocess, found in the current directory or one
above it, else beside the imported ``eqgnn`` package (a checkout or an
editable install).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from eqgnn.cli._common import add_json, emit
from eqgnn.errors import InputError

DASHBOARD_SCRIPT = Path("tools") / "bench_dashboard.py"
"""The dashboard benchmark, relative to the checkout's root."""
LOAD_SCRIPT = Path("tools") / "bench_load.py"
"""The load benchmark, relative to the checkout's root."""


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmarks: models, oracle, protocol, reach, backend, "
                       "dashboard, load")
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
    a = which.add_parser("audit", help="a model's whole audit card cold, then from the store")
    a.add_argument("--model", action="append", default=None,
                   help="models to time (repeatable; default pyg:schnet)")
    a.add_argument("--seeds", type=int, default=None, help="seeds per cell (default the audit's)")
    add_json(a)
    a.set_defaults(run=run_audit)
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
    b = which.add_parser(
        "backend", help="one 48-cell sweep in-process, on the local pool and on Ray: seconds "
        "and overhead per job, identical results yes/no",
    )
    b.add_argument("--seeds", type=int, default=2)
    b.add_argument("--epochs", type=int, default=5)
    b.add_argument("--only", action="append", choices=("pool", "ray"), default=None,
                   help="compare the in-process run with just this backend (repeatable)")
    b.add_argument("--address", default=None, metavar="HOST:PORT",
                   help="the Ray cluster (default $EQGNN_RAY_ADDRESS, else one started here)")
    add_json(b)
    b.set_defaults(run=run_backend)
    load = which.add_parser(
        "load", help="K sessions at once against a public-mode server: pages served, p50/p95 "
        "time to a settled page, errors, live runs, server memory over time",
    )
    load.add_argument("--sessions", type=int, default=20, help="concurrent visitors")
    load.add_argument("--no-live", action="store_true", help="visit pages only, start no run")
    add_json(load)
    load.set_defaults(run=run_load)


def run_models(args: argparse.Namespace) -> int:
    from eqgnn.bench import bench_models, models_table

    result = bench_models(batch_size=args.batch_size, batches=args.batches, device=args.device)
    emit(args, result, models_table(result))
    return 0


def run_backend(args: argparse.Namespace) -> int:
    from eqgnn.bench import backend_table, bench_backend
    from eqgnn.progress import progress_bar

    backends = ("local", *(args.only or ("pool", "ray")))
    with progress_bar("bench backend", "backend") as progress:
        result = bench_backend(args.seeds, args.epochs, backends, args.address, progress)
    emit(args, result, backend_table(result))
    return 0


def run_oracle(args: argparse.Namespace) -> int:
    from eqgnn.bench import bench_oracle, oracle_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench oracle", "cell") as progress:
        result = bench_oracle(repeats=args.repeats, progress=progress)
    emit(args, result, oracle_table(result))
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from eqgnn.bench import audit_table, bench_audit

    result = bench_audit(tuple(args.model or ("pyg:schnet",)), args.seeds)
    emit(args, result, audit_table(result))
    return 0


def run_protocol(args: argparse.Namespace) -> int:
    from eqgnn.bench import bench_protocol, protocol_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench protocol", "pair") as progress:
        result = bench_protocol(args.seeds, args.epochs, progress)
    emit(args, result, protocol_table(result))
    return 0


def run_reach(args: argparse.Namespace) -> int:
    from eqgnn.bench import bench_reach, reach_table
    from eqgnn.progress import progress_bar

    with progress_bar("bench reach", "model") as progress:
        result = bench_reach(args.seeds, args.epochs, progress)
    emit(args, result, reach_table(result))
    return 0


def run_dashboard(args: argparse.Namespace) -> int:
    """Run the checkout's ``tools/bench_dashboard.py`` with the same options; its exit code.

    The script prints its own table or JSON, and its own one-line error (exit
    2) where Playwright or chromium is missing.
    """
    argv = ["--runs", str(args.runs), "--rounds", str(args.rounds)]
    return run_checkout_script("dashboard", DASHBOARD_SCRIPT, argv, args.json)


def run_load(args: argparse.Namespace) -> int:
    """Run the checkout's ``tools/bench_load.py`` with the same options; its exit code."""
    argv = ["--sessions", str(args.sessions)] + (["--no-live"] if args.no_live else [])
    return run_checkout_script("load", LOAD_SCRIPT, argv, args.json)


def run_checkout_script(name: str, script: Path, argv: list[str], as_json: bool) -> int:
    """Run a benchmark script of the checkout in a subprocess; its exit code."""
    root = checkout_root(script)
    if root is None:
        raise InputError(
            f"bench {name} needs a checkout of eqgnn (app.py and {script}); "
            "run it from the checkout's folder"
        )
    argv = [*argv, "--json"] if as_json else argv
    return subprocess.run([sys.executable, str(root / script), *argv],
                          cwd=root, check=False).returncode


def checkout_root(script: Path = DASHBOARD_SCRIPT) -> Path | None:
    """The checkout holding the benchmark ``script``, or None where there is none.

    Looked for in the current directory and those above it, then beside the
    imported package (``eqgnn/..``: a checkout or an editable install; an
    installed wheel has no ``tools/``).
    """
    here = Path.cwd().resolve()
    package_parent = Path(__file__).resolve().parent.parent.parent
    for root in (here, *here.parents, package_parent):
        if (root / script).is_file() and (root / "app.py").is_file():
            return root
    return None
