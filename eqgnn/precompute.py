"""Precomputed gallery results, shipped in ``data/results/`` for the hosted demo.

For every listed gallery case: a distinguish run of each preset at the
protocol's defaults, and the case's default sweeps (``eqgnn.sweep``). Each
item is a job stored as it finishes, so an interrupted run resumes where it
stopped; nothing already stored is recomputed. Regenerate with
``python -m eqgnn precompute`` (never part of CI; about 25 minutes on two cores).

The jobs are small (graphs of a few atoms), so one process cannot keep two
cores busy: torch's second thread gains little on such tensors. Precompute
therefore runs the missing items in worker processes, one per core and one
torch thread each, which is nearly twice the throughput of one process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from eqgnn.config import MODEL_GROUPS, PRESETS, config_from_options

Progress = Callable[[int, int, str], None]

CHUNK = 4
"""Consecutive items one worker runs together: neighbours share a model config,
so the worker's ``protocol.cached_encoder`` builds it once for the chunk."""


def precompute_items(cases: list[str]) -> Iterator[dict]:
    """Every job spec the gallery's and the lesson's views read, each once.

    Preset verdicts, then sweep cells, then the lesson's runs on ``cases``
    that neither covers.

    Sweep cells come config by config across the cases, so each model is
    constructed once (``protocol.cached_encoder``) rather than once per case.
    """
    from eqgnn.gallery import load_case
    from eqgnn.specs import distinguish_spec
    from eqgnn.sweep import SWEEP_PROTOCOL, default_family, sweep_cells

    kinds = {name: load_case(name).kind for name in cases}
    for name in cases:
        # mirror pairs: the presets under SO3 too, the group that sees them
        groups = ("O3", "SO3") if kinds[name] == "chirality" else ("O3",)
        for preset, entry in PRESETS.items():
            for group in (g for g in groups if g in MODEL_GROUPS[entry.config.model]):
                yield distinguish_spec({"case": name}, config_from_options(preset, group=group))
    for family in ("stars", "khop", "equivariant", "correlation"):
        members = [name for name in cases if family in default_family(kinds[name])]
        for config in sweep_cells(family):
            for name in members:
                yield distinguish_spec({"case": name}, config, **SWEEP_PROTOCOL)
    from eqgnn.views.lesson import lesson_specs

    yield from (spec for spec in lesson_specs() if spec["pair"]["case"] in cases)


def precompute(
    cases: list[str] | None = None,
    store=None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    workers: int | None = None,
) -> dict:
    """Run every missing item into ``store`` (default: the shipped ``data/results``).

    ``workers`` processes (default: one per core) run the items; with one, they
    run here. Each result is stored by the process that computed it, as soon as
    it is done, so an interrupted run keeps everything finished before it.
    """
    from eqgnn.gallery import case_names
    from eqgnn.store import SHIPPED_RESULTS, ResultStore, spec_key

    store = store if store is not None else ResultStore(root=SHIPPED_RESULTS, shipped=None)
    items = list({spec_key(spec): spec for spec in
                  precompute_items(cases or case_names())}.values())
    missing = [spec for spec in items if store.get(spec) is None]
    workers = max(1, workers or os.cpu_count() or 1)
    chunks = [missing[i:i + CHUNK] for i in range(0, len(missing), CHUNK)]
    done = len(items) - len(missing)
    if progress is not None:
        progress(done, len(items), "stored already")
    if workers == 1:
        finished = (_run_chunk(store, chunk, cancel) for chunk in chunks)
    else:
        finished = _run_in_workers(store, chunks, workers, cancel)
    for label, count in finished:
        done += count
        if progress is not None:
            progress(done, len(items), label)
    return {"items": len(items), "computed": len(missing), "workers": workers,
            "root": str(store.root)}


def _label(spec: dict) -> str:
    model = spec["model"]
    return f"{spec['pair']['case']} {model['model']} layers {model['layers']}"


def _run_chunk(
    store, chunk: list[dict], cancel: Callable[[], bool] | None = None,
) -> tuple[str, int]:
    """Run and store each item of ``chunk``: (the last item's label, how many)."""
    from eqgnn.store import cached_run

    for spec in chunk:
        cached_run(spec, store, cancel=cancel)
    return _label(chunk[-1]), len(chunk)


def _run_in_workers(store, chunks: list[list[dict]], workers: int,
                    cancel: Callable[[], bool] | None) -> Iterator[tuple[str, int]]:
    """Yield each chunk's outcome as its worker finishes it.

    ``cancel`` is checked between completions. On a cancel, a failed job or
    Ctrl-C the workers are stopped at once (their chunks under way are lost,
    never half-written: the store writes atomically) and the error is raised,
    :class:`~eqgnn.jobs.Cancelled` for a cancel.
    """
    import functools
    import multiprocessing

    from eqgnn.jobs import Cancelled

    threads = max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(workers, initializer=_init_worker, initargs=(threads,))
    try:
        for outcome in pool.imap_unordered(functools.partial(_run_chunk, store), chunks):
            yield outcome
            if cancel is not None and cancel():
                raise Cancelled("precompute cancelled; finished items are stored")
        pool.close()  # all done: the workers exit on their own
    except BaseException:  # a cancel, a failed job, Ctrl-C or an abandoned generator
        pool.terminate()  # stops the workers now
        raise
    finally:
        pool.join()


def _init_worker(threads: int) -> None:
    """A worker's initialiser: its share of the cores; Ctrl-C left to the parent, which
    stops every worker at once (one interrupted on its own prints a traceback); and a
    stop that unwinds the job, so what it holds is released, not reported as leaked."""
    import signal
    import sys

    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    torch.set_num_threads(threads)
