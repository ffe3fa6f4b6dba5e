"""One 48-cell sweep in this process, on the local pool and on a Ray cluster.

What a backend costs per job, and whether it changes a single number: the
same sweep (``kchain-4``, the equivariant family's default grid: correlation
1-2 x lmax 0-3 x layers 1-6) runs on each backend into a fresh store, from
scratch. Per backend: the wall time per job; the jobs' own compute time per
job (what each result reports as ``seconds``); the overhead per job, the wall
time its workers spent on anything but computing, ``(wall x workers -
compute) / jobs``; and ``identical``, true when every result equals the
in-process one in every field but its ``seconds``. Worker start-up (spawning,
importing torch) counts as overhead, as a user pays it; a Ray cluster the
benchmark starts or joins is timed apart (``start_seconds``).
"""

from __future__ import annotations

import os
import tempfile
import time

from eqgnn.progress import Progress

CASE, FAMILY = "kchain-4", "equivariant"
BACKENDS = ("local", "pool", "ray")
"""``local``: in this process, one job after another; ``pool``: one spawned worker per
core; ``ray``: a task per job on a Ray cluster (``address``, else one started here)."""


def bench_backend(
    seeds: int = 2, epochs: int = 5, backends: tuple[str, ...] = BACKENDS,
    address: str | None = None, progress: Progress | None = None,
) -> dict:
    """Run the sweep on each of ``backends`` (``local`` always first: the reference)."""
    from eqgnn.jobs import InProcessRunner, PoolRunner, RayRunner
    from eqgnn.store import ResultStore, spec_key

    protocol = {"seeds": seeds, "epochs": epochs}
    order = ["local", *(name for name in backends if name != "local")]
    records, reference = [], None
    for step, name in enumerate(order):
        start_seconds = None
        if name == "local":
            runner, workers = InProcessRunner(), 1
        elif name == "pool":
            workers = os.cpu_count() or 1
            runner = PoolRunner(workers, threads=1)
        else:
            runner = RayRunner(address)
            start_seconds = runner.connect()
            workers = runner.describe()["cpus"]
        with tempfile.TemporaryDirectory(prefix=f"eqgnn-bench-{name}-") as folder:
            store = ResultStore(folder, shipped=None)
            begun = time.perf_counter()
            table = _sweep(store, protocol, runner)
            wall = time.perf_counter() - begun
            results = {spec_key(spec): result for spec, result in store.records("distinguish")}
        jobs = len(table["cells"])
        compute = sum(result["seconds"] for result in results.values())
        if reference is None:
            reference = results
        same = sum(_without_time(result) == _without_time(reference.get(key, {}))
                   for key, result in results.items())
        records.append({
            "backend": name, "workers": workers, "jobs": jobs, "wall_seconds": wall,
            "seconds_per_job": wall / jobs, "compute_seconds_per_job": compute / jobs,
            "overhead_per_job": max(0.0, wall * workers - compute) / jobs,
            "identical": same == jobs == len(reference), "identical_results": same,
            "start_seconds": start_seconds,
        })
        if progress is not None:
            progress(step + 1, len(order), f"{name}: {wall:.1f} s")
    return {"case": CASE, "family": FAMILY, "protocol": protocol, "cells": records[0]["jobs"],
            "backends": records}


def backend_table(result: dict) -> str:
    """The records as plain text, one line per backend."""
    lines = [f"{result['cells']}-cell {result['family']} sweep on {result['case']}, "
             f"{result['protocol']['seeds']} seeds x {result['protocol']['epochs']} epochs",
             f"{'backend':8s} {'workers':>7s} {'wall s':>8s} {'s/job':>7s} {'compute':>8s} "
             f"{'overhead':>8s}  identical"]
    for r in result["backends"]:
        start = f" (cluster start {r['start_seconds']:.1f} s)" if r["start_seconds"] else ""
        lines.append(f"{r['backend']:8s} {r['workers']:7d} {r['wall_seconds']:8.1f} "
                     f"{r['seconds_per_job']:7.2f} {r['compute_seconds_per_job']:8.2f} "
                     f"{r['overhead_per_job']:8.2f}  "
                     f"{'yes' if r['identical'] else 'NO'} ({r['identical_results']}/{r['jobs']})"
                     f"{start}")
    return "\n".join(lines)


def _sweep(store, protocol: dict, runner) -> dict:
    from eqgnn.sweep import run_sweep

    return run_sweep({"case": CASE}, FAMILY, protocol=protocol, store=store, force=True,
                     runner=runner)


def _without_time(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "seconds"}
