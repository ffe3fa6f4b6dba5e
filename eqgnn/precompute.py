"""Precomputed gallery results, shipped in ``data/results/`` for the hosted demo.

For every listed gallery case: a distinguish run of each preset at the
protocol's defaults, and the case's default sweeps (``eqgnn.sweep``). Each
item is a job stored as it finishes, so an interrupted run resumes where it
stopped; nothing already stored is recomputed. Regenerate with
``python -m eqgnn precompute`` (never part of CI; about 25 minutes on two cores).

The jobs are small (graphs of a few atoms), so one process cannot keep two
cores busy: torch's second thread gains little on such tensors. Precompute
therefore runs the missing items on a :class:`~eqgnn.jobs.PoolRunner`, one
worker process per core and one torch thread each, which is nearly twice the
throughput of one process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from eqgnn.config import MODEL_GROUPS, PRESETS, config_from_options
from eqgnn.jobs import InProcessRunner, PoolRunner, Runner, cached_batch, get_runner
from eqgnn.progress import Cancel, Cancelled, Progress

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
    from eqgnn.reports import lesson_specs

    yield from (spec for spec in lesson_specs() if spec["pair"]["case"] in cases)


def precompute(
    cases: list[str] | None = None,
    store=None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    workers: int | None = None,
    runner: Runner | None = None,
) -> dict:
    """Run every missing item into ``store`` (default: the shipped ``data/results``).

    ``workers`` processes (default: one per core) run the items; with one, they
    run here. ``runner`` replaces both, as do ``$EQGNN_RUNNER`` and the Ray runner
    under ``$EQGNN_BACKEND=ray`` (:func:`eqgnn.jobs.get_runner`). Each result is stored
    as soon as it comes back, so an interrupted run keeps everything finished
    before it; a cancel stops the workers at once and raises
    :class:`~eqgnn.jobs.Cancelled`, a failed item raises its error.
    """
    from eqgnn.gallery import case_names
    from eqgnn.store import SHIPPED_RESULTS, ResultStore, spec_key

    store = store if store is not None else ResultStore(root=SHIPPED_RESULTS, shipped=None)
    items = list({spec_key(spec): spec for spec in
                  precompute_items(cases or case_names())}.values())
    workers = max(1, workers or os.cpu_count() or 1)

    def local() -> Runner:
        if workers == 1:
            return InProcessRunner()
        return PoolRunner(workers, chunk=CHUNK, threads=max(1, (os.cpu_count() or 1) // workers))

    runner = runner if runner is not None else get_runner(default=local)
    try:
        outcomes = cached_batch(items, store, runner, progress=progress, cancel=cancel,
                                label=_label)
    except Cancelled:
        raise Cancelled("precompute cancelled; finished items are stored") from None
    return {"items": len(items), "computed": sum(not stored for _, stored in outcomes),
            "workers": workers, "root": str(store.root)}


def _label(spec: dict) -> str:
    model = spec["model"]
    return f"{spec['pair']['case']} {model['model']} layers {model['layers']}"
