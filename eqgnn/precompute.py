"""Precomputed gallery results, shipped in ``data/results/`` for the hosted demo.

For every listed gallery case: a distinguish run of each preset at the
protocol's defaults, and the case's default sweeps (``eqgnn.sweep``). Each
item is a job stored as it finishes, so an interrupted run resumes where it
stopped; nothing already stored is recomputed. Regenerate with
``python -m eqgnn precompute`` (never part of CI: about half an hour on two cores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from eqgnn.config import PRESETS, config_from_options

Progress = Callable[[int, int, str], None]


def precompute_items(cases: list[str]) -> Iterator[dict]:
    """Every job spec the gallery's views read: preset verdicts, then sweep cells.

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
        for preset in PRESETS:
            for group in groups:
                yield distinguish_spec({"case": name}, config_from_options(preset, group=group))
    for family in ("stars", "khop", "equivariant"):
        members = [name for name in cases if family in default_family(kinds[name])]
        for config in sweep_cells(family):
            for name in members:
                yield distinguish_spec({"case": name}, config, **SWEEP_PROTOCOL)


def precompute(
    cases: list[str] | None = None,
    store=None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict:
    """Run every missing item into ``store`` (default: the shipped ``data/results``)."""
    from eqgnn.gallery import case_names
    from eqgnn.store import SHIPPED_RESULTS, ResultStore, cached_run

    store = store if store is not None else ResultStore(root=SHIPPED_RESULTS, shipped=None)
    items = list(precompute_items(cases or case_names()))
    computed = 0
    for done, spec in enumerate(items, 1):
        _, stored = cached_run(spec, store, cancel=cancel)
        computed += not stored
        if progress is not None:
            model = spec["model"]
            progress(done, len(items), f"{spec['pair']['case']} {model['model']} "
                                       f"layers {model['layers']}")
    return {"items": len(items), "computed": computed, "root": str(store.root)}
