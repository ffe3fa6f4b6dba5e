"""Plotly figures of what the library computed: training curves, depth heatmaps with the
oracle's bound, L-sweep validation curves, f against lambda.

Each takes rows or dicts from :mod:`eqgnn.reports` (or a stored result) and
only draws them; colours and symbols used for drawing live here. Plotly is
imported inside each function: a page's first view need not wait for it.
"""

from __future__ import annotations

import math

SYMBOLS = {"distinguished": "✓", "blind": "✗", "sighted, not learned": "~"}
ACCURACY_COLOURS = [[0.0, "#b2182b"], [0.5, "#f4a582"], [0.8, "#fddbc7"], [0.95, "#92c5de"],
                    [1.0, "#2166ac"]]
"""Chance (0.5) reads warm, a learned difference (>= 0.95) cool: blind and sighted differ
at a glance, and the map survives red-green colour blindness."""


def curves_figure(result: dict, title: str):
    """Training curves of a distinguish result: mean loss and accuracy per epoch (plotly).

    Loss on the left axis, accuracy (0..1) on the right; a flat accuracy at
    0.5 is a blind model guessing, one reaching 1 learned the difference.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    curves = result["curves"]
    epochs = list(range(1, len(curves["loss"]) + 1))
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Scatter(x=epochs, y=curves["loss"], name="loss",
                                line={"width": 3, "color": "#d62728"}), secondary_y=False)
    figure.add_trace(go.Scatter(x=epochs, y=curves["accuracy"], name="accuracy",
                                line={"width": 3, "color": "#1f77b4"}), secondary_y=True)
    figure.update_yaxes(title_text="cross-entropy loss", secondary_y=False, rangemode="tozero")
    figure.update_yaxes(title_text="accuracy", secondary_y=True, range=[0, 1.05], dtick=0.25)
    figure.update_layout(title=title, xaxis_title="epoch", height=380, font={"size": 16},
                         legend={"orientation": "h", "y": -0.25},
                         margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure


def depth_figure(table: dict, bounds: dict, title: str):
    """Heatmaps of accuracy, one panel per ``table["panel"]`` value, with the bound drawn on.

    Cell text, on two lines so that a narrow cell (a projector's 1024 pixels,
    six layers a panel) still reads: the accuracy, then ✓ distinguished / ~
    sighted, not learned / ✗ blind; ``⚠`` marks a cell theory allows that the
    model does not distinguish (the architecture falls short of the bound); a
    dot marks a cell not computed. The bound is a thick dashed line between
    rows or columns, labelled. Only the first panel names the row axis (the
    others would print it over their neighbour's cells).
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
                text[i][j] = (f"{cell['accuracy']:.2f}<br>{SYMBOLS.get(cell['verdict'], '')}"
                              + (" ⚠" if short else ""))
        figure.add_trace(go.Heatmap(
            z=z, x=cols, y=rows, text=text, texttemplate="%{text}",
            textfont={"size": 15 if len(panels) * len(cols) <= 8 else 13}, zmin=0, zmax=1,
            colorscale=ACCURACY_COLOURS,
            showscale=index == len(panels), colorbar={"title": "accuracy"},
            hovertemplate=(f"{table['row']} %{{y}}, {table['col']} %{{x}}<br>"
                           "accuracy %{z:.3f}<extra></extra>"),
        ), 1, index)
        _draw_bound(figure, bounds, panel, rows, cols, index)
        # fixed ranges: a panel with no computed cell still shows its whole grid
        figure.update_xaxes(title_text=table["col"], dtick=1, showgrid=False,
                            range=[cols[0] - 0.5, cols[-1] + 0.5], row=1, col=index)
        figure.update_yaxes(title_text=table["row"] if index == 1 else None, dtick=1,
                            showgrid=False,
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


def lsweep_curves_figure(records: list[dict], title: str):
    """Validation MAE per epoch, one line per lmax (mean over seeds; plotly)."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for r in sorted(records, key=lambda r: r["lmax"]):
        values = r["curves"]["val_mae"]
        figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values,
                                    name=f"lmax {r['lmax']} ({r['hidden_irreps']})",
                                    line={"width": 3}))
    units = records[0]["units"] if records else ""
    figure.update_layout(title=title, xaxis_title="epoch",
                         yaxis_title=f"validation MAE ({units})", height=380,
                         font={"size": 16}, legend={"orientation": "h", "y": -0.3},
                         margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return figure


def lambda_figure(lab: dict):
    """f(X) against f(RX), and lambda(X) against lambda(RX), as bars (plotly)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                           subplot_titles=("f: turns with the molecule",
                                           "λ = ρ(g_X)⁻¹ f: stays put"))
    index = list(range(len(lab["f"])))
    for row, (before, after) in enumerate((("f", "f_turned"), ("lambda", "lambda_turned")), 1):
        figure.add_trace(go.Bar(x=index, y=lab[before], name="as given",
                                marker_color="#1f77b4", showlegend=row == 1), row=row, col=1)
        figure.add_trace(go.Bar(x=index, y=lab[after], name="turned",
                                marker_color="#ff7f0e", showlegend=row == 1), row=row, col=1)
    figure.update_layout(barmode="group", height=480, font={"size": 15},
                         legend={"orientation": "h", "y": -0.15},
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    figure.update_xaxes(title_text=f"component of {lab['irreps']}", row=2, col=1)
    return figure
