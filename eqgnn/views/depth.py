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
page may run them live (their specs: :func:`depth_specs`).
"""

from __future__ import annotations

import math

from eqgnn.gallery import Case, theory
from eqgnn.sweep import FAMILIES, sweep_csv

GROUP = "O3"  # the sweeps' models use the default group
NOT_COMPUTED = "not computed"
SYMBOLS = {"distinguished": "✓", "blind": "✗", "sighted, not learned": "~"}
ACCURACY_COLOURS = [[0.0, "#b2182b"], [0.5, "#f4a582"], [0.8, "#fddbc7"], [0.95, "#92c5de"],
                    [1.0, "#2166ac"]]
"""Chance (0.5) reads warm, a learned difference (>= 0.95) cool: blind and sighted differ
at a glance, and the map survives red-green colour blindness."""


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


def depth_figure(table: dict, bounds: dict, title: str):
    """Heatmaps of accuracy, one panel per ``table["panel"]`` value, with the bound drawn on.

    Cell text: the accuracy and ✓ distinguished / ~ sighted, not learned /
    ✗ blind; ``⚠`` marks a cell theory allows that the model does not
    distinguish (the architecture falls short of the bound); a dot marks a
    cell not computed. The bound is a thick dashed line between rows or
    columns, labelled.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = sorted({c["panel"] for c in table["cells"]})
    rows = sorted({c["row"] for c in table["cells"]})
    cols = sorted({c["col"] for c in table["cells"]})
    figure = make_subplots(
        1, len(panels), horizontal_spacing=0.08,
        subplot_titles=[f"{table['panel'].replace('_', ' ')} {p}" for p in panels])
    for index, panel in enumerate(panels, 1):
        z = [[math.nan] * len(cols) for _ in rows]
        text = [["·"] * len(cols) for _ in rows]
        for cell in (c for c in table["cells"] if c["panel"] == panel):
            i, j = rows.index(cell["row"]), cols.index(cell["col"])
            if cell["accuracy"] is not None:
                z[i][j] = cell["accuracy"]
                short = cell["theory"]["allows"] and cell["verdict"] != "distinguished"
                text[i][j] = (f"{cell['accuracy']:.2f} {SYMBOLS.get(cell['verdict'], '')}"
                              + (" ⚠" if short else ""))
        figure.add_trace(go.Heatmap(
            z=z, x=cols, y=rows, text=text, texttemplate="%{text}",
            textfont={"size": 15}, zmin=0, zmax=1, colorscale=ACCURACY_COLOURS,
            showscale=index == len(panels), colorbar={"title": "accuracy"},
            hovertemplate=(f"{table['row']} %{{y}}, {table['col']} %{{x}}<br>"
                           "accuracy %{z:.3f}<extra></extra>"),
        ), 1, index)
        _draw_bound(figure, bounds, panel, rows, cols, index)
        # fixed ranges: a panel with no computed cell still shows its whole grid
        figure.update_xaxes(title_text=table["col"], dtick=1, showgrid=False,
                            range=[cols[0] - 0.5, cols[-1] + 0.5], row=1, col=index)
        figure.update_yaxes(title_text=table["row"], dtick=1, showgrid=False,
                            range=[rows[0] - 0.5, rows[-1] + 1.0], row=1, col=index)
    figure.update_layout(title=title, height=460, font={"size": 16}, plot_bgcolor="#eeeeee",
                         margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return figure


def _draw_bound(figure, bounds: dict, panel, rows: list, cols: list, index: int) -> None:
    """The oracle's boundary on one panel: a dashed line and its label."""
    value = bounds["panels"][panel]
    line = {"color": "#111111", "width": 5, "dash": "dash"}
    if value is None:
        label, (x0, x1, y0, y1) = "theory: never", (0, 0, 0, 0)
    elif bounds["axis"] == "row":
        at = min(max(value, rows[0]), rows[-1] + 1) - 0.5
        label, (x0, x1, y0, y1) = f"theory ≥ {value}", (cols[0] - 0.5, cols[-1] + 0.5, at, at)
    else:
        at = min(max(value, cols[0]), cols[-1] + 1) - 0.5
        label, (x0, x1, y0, y1) = f"theory ≥ {value}", (at, at, rows[0] - 0.5, rows[-1] + 0.5)
    if value is not None:
        figure.add_shape(type="line", x0=x0, x1=x1, y0=y0, y1=y1, line=line, row=1, col=index)
    figure.add_annotation(
        text=f"<b>{label}</b>", showarrow=False, font={"size": 15, "color": "#111111"},
        bgcolor="rgba(255,255,255,0.8)",
        x=x1 if value is not None else (cols[0] + cols[-1]) / 2,
        y=y1 if value is not None else rows[-1] + 0.5,
        xanchor="right" if bounds["axis"] == "row" else "left", yanchor="bottom",
        row=1, col=index)
