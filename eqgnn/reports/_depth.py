"""The depth page's numbers: accuracy maps over depth, and where theory puts the boundary.

For a gallery case and a sweep family (``eqgnn.sweep.FAMILIES``): the stored
accuracy of every default cell (hops x layers per body order for k-hop
models, lmax x layers per correlation for equivariant ones, lmax with one
layer for the stars), and the oracle's bound drawn on it:

- k-hop: ``min_hops`` at the panel's body order, a line between rows: below
  it the k-hop test is blind, so every model is (SCIENCE.md, Claim 1);
- equivariant: the GWL bound ``gwl_min_layers``, a line between columns: no
  equivariant GNN with fewer layers sees the difference (Claim 2). A model
  may need more: TFN-style messages (correlation 1) take K+1 layers on a
  k-chain where the bound is floor(K/2)+1;
- stars: the smallest type l that sees the orientation (Claim 3).

Cells are read from the store only; missing ones are ``not computed`` and a
page may run them live (their specs: :func:`depth_specs`). :func:`depth_report`
gathers one family's panel (``python -m eqgnn report depth``).
"""

from __future__ import annotations

from eqgnn.gallery import Case, theory
from eqgnn.sweep import FAMILIES, sweep_csv

GROUP = "O3"  # the sweeps' models use the default group
NOT_COMPUTED = "not computed"
DEPTH_CASE = "kchain-4"


def depth_specs(case_name: str, family: str) -> list[dict]:
    """The job specs of the family's default cells on a case, as the precompute stores them."""
    from eqgnn.specs import distinguish_spec
    from eqgnn.sweep import SWEEP_PROTOCOL, sweep_cells

    return [distinguish_spec({"case": case_name}, config, **SWEEP_PROTOCOL)
            for config in sweep_cells(family)]


def depth_table(case: Case, family: str, store) -> dict:
    """The family's sweep table on ``case`` from ``store``, never trained.

    The shape of :func:`eqgnn.sweep.run_sweep`'s table (``panel``, ``row``,
    ``col`` name the axes; ``cells`` hold panel, row, col, verdict, accuracy,
    theory), with missing cells as verdict ``not computed`` and accuracy None.
    ``missing`` counts them.
    """
    layout = FAMILIES[family]
    cells = []
    for spec in depth_specs(case.name, family):
        model, result = spec["model"], store.get(spec)
        cells.append({
            "panel": model[layout["panel"]], "row": model[layout["row"]],
            "col": model[layout["col"]], "model": model,
            "verdict": NOT_COMPUTED if result is None else result["verdict"],
            "accuracy": None if result is None else result["accuracy"],
            "embedding_gap": None if result is None else result["embedding_gap"],
            "noise_floor": None if result is None else result["noise_floor"],
            "theory": None if result is None else result["theory"],
        })
    return {"pair": {"case": case.name}, "family": family, "panel": layout["panel"],
            "row": layout["row"], "col": layout["col"], "cells": cells,
            "missing": sum(c["accuracy"] is None for c in cells)}


def depth_csv(table: dict) -> str:
    """The computed cells of a depth table as CSV (:func:`eqgnn.sweep.sweep_csv`)."""
    done = [c for c in table["cells"] if c["accuracy"] is not None]
    return sweep_csv({**table, "cells": done})


def depth_bounds(case: Case, family: str) -> dict:
    """Where the oracle puts each panel's boundary: ``{"axis", "panels": {panel: value}, "text"}``.

    ``axis`` is ``row`` (k-hop: the fewest hops at the panel's body order;
    stars: the smallest type l that sees the orientation) or ``col``
    (equivariant: the GWL bound on layers). A value of None means no cell of
    any size can see the difference (a congruent pair; hops beyond the
    diameter); ``text`` says so per panel.
    """
    verdicts = theory(case)
    layout = FAMILIES[family]
    panels = layout["grid"][layout["panel"]]
    if family == "khop":
        values = {p: verdicts["min_hops"][str(p)][GROUP] for p in panels}
        text = {p: f"fewest hops at body order {p}: {_or_never(v)}" for p, v in values.items()}
        return {"axis": "row", "panels": values, "text": text}
    if family == "stars":
        seen = [int(l) for l, sees in verdicts.get("orientation", {}).items() if sees]
        value = min(seen) if seen else None
        values = {p: value for p in panels}
        text = {p: f"smallest type that sees the orientation: l = {_or_never(value)}"
                for p in panels}
        return {"axis": "row", "panels": values, "text": text}
    value = verdicts["gwl_min_layers"][GROUP]
    values = {p: value for p in panels}
    bound = ("no layers suffice (congruent)" if value is None
             else f"{value} layer{'s' if value != 1 else ''}")
    text = {p: f"GWL bound: {bound}" for p in panels}
    return {"axis": "col", "panels": values, "text": text}


def _or_never(value: int | None) -> str:
    return "never" if value is None else str(value)


def depth_shortfall(table: dict, bounds: dict) -> list[dict]:
    """Per panel and row: the fewest columns (layers) that distinguish, beside the bound.

    This is the gap a user should see: theory's bound is what *some* model of
    the family reaches; a row whose first distinguishing layer count lies past
    it is an architecture falling short (or ``none in grid``).
    """
    rows: dict[tuple, dict] = {}
    for cell in table["cells"]:
        key = (cell["panel"], cell["row"])
        line = rows.setdefault(key, {table["panel"]: cell["panel"], table["row"]: cell["row"],
                                     f"fewest {table['col']} that distinguish": None,
                                     "computed": 0, "theory": bounds["text"][cell["panel"]]})
        column = f"fewest {table['col']} that distinguish"
        if cell["accuracy"] is not None:
            line["computed"] += 1
            if cell["verdict"] == "distinguished" and (
                    line[column] is None or cell["col"] < line[column]):
                line[column] = cell["col"]
    for line in rows.values():
        column = f"fewest {table['col']} that distinguish"
        if line[column] is None:
            line[column] = "none computed" if line["computed"] == 0 else "none in grid"
    return list(rows.values())


def depth_report(case: Case, family: str, store) -> dict:
    """One family's panel of the depth page, JSON-able: ``table`` (:func:`depth_table`),
    ``bounds`` (:func:`depth_bounds`) and ``shortfall`` (:func:`depth_shortfall`)."""
    from eqgnn.errors import InputError

    if family not in FAMILIES:
        raise InputError(f"family {family!r}: choose one of {', '.join(FAMILIES)}")
    table = depth_table(case, family, store)
    bounds = depth_bounds(case, family)
    return {"case": case.name, "family": family, "table": table, "bounds": bounds,
            "shortfall": depth_shortfall(table, bounds)}
