"""3D pictures of a structure, its graph's edges and one k-hop neighbourhood (dashboard side).

The k-hop neighbourhood N_i^k (SCIENCE.md, "Objects") is the part of the
molecule a k-hop invariant GNN sees from atom i, so the views emphasise it:
its atoms in element colours and larger, the rest faded, the centre i marked.
Two renderers share one colour table (Jmol's, from ASE): 3Dmol.js HTML (WebGL,
served from ``static/`` so no internet is needed) and a plotly figure, the
fallback when 3Dmol.js was not installed. No streamlit here: :mod:`ui.widgets` puts
these pictures on a page; the numbers (which atoms form N_i^k) come from ``eqgnn``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from eqgnn.structure import Structure

if TYPE_CHECKING:
    import plotly.graph_objects as go

STATIC = Path(__file__).resolve().parent.parent / "static"  # the repository's static/
THREEDMOL_FILE = STATIC / "3Dmol-min.js"
THREEDMOL_URL = "/app/static/3Dmol-min.js"  # where Streamlit's static serving puts it
FADE = 0.7  # how far an atom outside the neighbourhood is blended towards white
CENTRE_COLOUR = "#ff9f1c"
FIT = 0.8  # of 3Dmol's zoomTo: a margin round the molecule, so turning it keeps it in view
DENSE_EDGES_PER_ATOM = 2  # above this (radius, full graphs) sticks get thin to keep atoms visible

# The page of a row of 3D views, one 3Dmol viewer each in one WebGL canvas (a viewer
# grid): one context compiles the shaders once for every view. 3Dmol.js is loaded
# from the app server, never a CDN.
_VIEW_PAGE = """<div id="views" data-views="{count}"
     style="position: relative; width: {width}; height: {height};"></div>
<script src="{js_url}"></script>
<script>
const element = document.getElementById("views");
if (typeof $3Dmol === "undefined") {{
  element.textContent = "3Dmol.js did not load from {js_url}.";
  element.dataset.drawn = 0;
}} else {{
  const scenes = {scenes};
  const FIT = {fit};
  const grid = $3Dmol.createViewerGrid(element, {{rows: 1, cols: scenes.length}},
                                       {{backgroundColor: "white", antialias: false}});
  scenes.forEach(([atoms, styles, notes], column) => {{
    const viewer = grid[0][column];
    viewer.addModel().addAtoms(atoms);
    for (const [selection, style] of styles) viewer.setStyle(selection, style);
    for (const [text, x, y, z] of notes) {{
      viewer.addLabel(text, {{position: {{x, y, z}}, backgroundColor: "#7b2cbf",
                             backgroundOpacity: 0.85, fontColor: "white", fontSize: 13}});
    }}
    viewer.setHoverable({{}}, true, {hover}, {unhover});
    viewer.zoomTo();
    viewer.zoom(FIT);  // zoomTo's fit is tight: a long molecule would touch the edges
    viewer.render();
  }});
  element.dataset.drawn = scenes.length;  // for tests and benchmarks: the views are drawn
}}
</script>"""
# 3Dmol hover labels.
_HOVER_JS = """function(atom, viewer) {
  if (!atom.label) {
    atom.label = viewer.addLabel(atom.serial + ": " + atom.elem,
      {position: atom, backgroundColor: "black", backgroundOpacity: 0.7,
       fontColor: "white", fontSize: 12});
  }
}"""
_UNHOVER_JS = """function(atom, viewer) {
  if (atom.label) { viewer.removeLabel(atom.label); delete atom.label; }
}"""


def threedmol_available() -> bool:
    """Whether ``setup.sh`` installed 3Dmol.js; without it pages use :func:`view_figure`."""
    return THREEDMOL_FILE.is_file()


def element_colours(numbers: np.ndarray) -> np.ndarray:
    """Jmol (CPK-like) RGB colours in [0, 1], (n, 3), from ``ase.data.colors``."""
    from ase.data.colors import jmol_colors

    return jmol_colors[np.asarray(numbers)]


def _hex(rgb: np.ndarray) -> str:
    r, g, b = (int(round(255 * c)) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def _atom_colours(structure: Structure, highlight: set[int]) -> list[str]:
    """Element colours for the neighbourhood, faded ones (towards white) for the rest."""
    rgb = element_colours(structure.numbers)
    faded = rgb + FADE * (1.0 - rgb)
    return [_hex(rgb[i] if i in highlight else faded[i]) for i in range(len(structure))]


def _highlight_set(structure: Structure, highlight: Sequence[int], centre: int | None) -> set[int]:
    """The emphasised atoms; nothing highlighted means the whole molecule is."""
    chosen = {int(i) for i in highlight}
    if centre is not None:
        chosen.add(int(centre))
    return chosen or set(range(len(structure)))


def view_html(
    structure: Structure,
    edges: np.ndarray,
    highlight: Sequence[int] = (),
    centre: int | None = None,
    js_url: str = THREEDMOL_URL,
    width: int | str = "100%",
    height: int | str = 520,
) -> str:
    """Self-contained 3Dmol.js HTML of ``structure`` (see :func:`views_html`)."""
    return views_html([(structure, edges, highlight, centre)], js_url, width, height)


def views_html(
    scenes: Sequence[tuple[Structure, np.ndarray, Sequence[int], int | None]],
    js_url: str = THREEDMOL_URL,
    width: int | str = "100%",
    height: int | str = 520,
    notes: Sequence[Sequence[tuple[str, Sequence[float]]]] | None = None,
) -> str:
    """Self-contained 3Dmol.js HTML: a row of views, one per (structure, edges, highlight,
    centre), each turning on its own; ``notes`` gives each view labels that stay, as
    (text, position) pairs (a changed dihedral's angle at its bond).

    A view draws exactly ``edges`` as sticks (the graph rule's, not 3Dmol's
    own bond guess, so a radius graph shows its long edges). ``highlight``
    (e.g. N_i^k) is drawn in element colours and thick, the rest faded towards
    white and thin, and ``centre`` large and orange; hovering an atom shows
    "index: element". Dense graphs get thin sticks.

    Everything is opaque, the canvas is not multisampled and all views share
    one WebGL context: where WebGL is emulated in software (a laptop without
    GPU drivers, a locked-down classroom PC) transparency, antialiasing and
    a second context each cost the gallery tenths of a second.
    """
    def size(value: int | str) -> str:
        return f"{value}px" if isinstance(value, int) else value

    return _VIEW_PAGE.format(
        width=size(width), height=size(height), js_url=js_url, hover=_HOVER_JS,
        unhover=_UNHOVER_JS,
        scenes=json.dumps([[*_scene(*scene), [[text, *map(float, at)] for text, at in labels]]
                           for scene, labels in zip(scenes, notes or [()] * len(scenes))]),
        count=len(scenes), fit=FIT,
    )


def _scene(structure: Structure, edges: np.ndarray, highlight: Sequence[int],
           centre: int | None) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """One view's 3Dmol atoms (with our edges as their bonds) and (selection, style) pairs."""
    keep = _highlight_set(structure, highlight, centre)
    neighbours: list[list[int]] = [[] for _ in range(len(structure))]
    for i, j in np.asarray(edges, dtype=np.int64).reshape(-1, 2):
        neighbours[i].append(int(j))
        neighbours[j].append(int(i))
    colours = _atom_colours(structure, keep)
    if centre is not None:
        colours[centre] = CENTRE_COLOUR
    atoms = [
        # `serial` is our index, kept for the hover labels and the styles' selections
        {"elem": symbol, "x": float(x), "y": float(y), "z": float(z),
         "color": int(colours[i][1:], 16), "serial": i, "bonds": neighbours[i]}
        for i, (symbol, (x, y, z)) in enumerate(zip(structure.symbols, structure.positions))
    ]
    stick = 0.15 if len(edges) <= DENSE_EDGES_PER_ATOM * len(structure) else 0.06
    styles = [({}, {"stick": {"radius": stick}, "sphere": {"scale": 0.3}})]
    outside = sorted(set(range(len(structure))) - keep)
    if outside:
        styles.append(({"serial": outside},
                       {"stick": {"radius": stick / 2}, "sphere": {"scale": 0.15}}))
    if centre is not None:
        styles.append(({"serial": int(centre)},
                       {"stick": {"radius": stick}, "sphere": {"scale": 0.4}}))
    return atoms, styles


def view_figure(
    structure: Structure,
    edges: np.ndarray,
    highlight: Sequence[int] = (),
    centre: int | None = None,
) -> go.Figure:
    """The same picture as :func:`view_html` with plotly, for installs without 3Dmol.js.

    Scatter3d opacity is per trace, so the neighbourhood and the rest are
    separate traces (atoms and edges each); the scene keeps equal aspect.
    """
    import plotly.graph_objects as go
    from ase.data import covalent_radii

    keep = _highlight_set(structure, highlight, centre)
    pos = structure.positions
    colours = _atom_colours(structure, keep)
    labels = [f"{i}: {s}" for i, s in enumerate(structure.symbols)]
    size = 14 + 24 * covalent_radii[structure.numbers]
    traces = []
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    inside = np.array([i in keep and j in keep for i, j in edges], dtype=bool)
    for mask, colour, width in ((~inside, "#d0d0d0", 2), (inside, "#555555", 5)):
        if mask.any():
            ends = pos[edges[mask]]  # (m, 2, 3)
            xyz = np.concatenate([ends, np.full((len(ends), 1, 3), np.nan)], axis=1).reshape(-1, 3)
            traces.append(go.Scatter3d(
                x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], mode="lines",
                line={"color": colour, "width": width}, hoverinfo="skip",
            ))
    for chosen, scale, opacity in ((False, 0.6, 0.5), (True, 1.0, 1.0)):
        idx = [i for i in range(len(structure)) if (i in keep) == chosen]
        if idx:
            traces.append(go.Scatter3d(
                x=pos[idx, 0], y=pos[idx, 1], z=pos[idx, 2], mode="markers",
                marker={"size": size[idx] * scale, "color": [colours[i] for i in idx],
                        "opacity": opacity, "line": {"color": "#333333", "width": 1}},
                text=[labels[i] for i in idx], hoverinfo="text",
            ))
    if centre is not None:
        traces.append(go.Scatter3d(
            x=[pos[centre, 0]], y=[pos[centre, 1]], z=[pos[centre, 2]],
            mode="markers+text", text=[labels[centre]], textposition="top center",
            marker={"size": size[centre] * 1.6, "color": CENTRE_COLOUR, "opacity": 0.4},
            hoverinfo="text",
        ))
    hidden = {"visible": False}
    fig = go.Figure(traces)
    fig.update_layout(
        showlegend=False, height=520, margin={"l": 0, "r": 0, "t": 0, "b": 0},
        scene={"aspectmode": "data", "xaxis": hidden, "yaxis": hidden, "zaxis": hidden},
    )
    return fig
