"""Cached loaders and widget helpers shared by the pages.

The cached functions wrap library calls (STYLE.md: cache library functions,
not page code) with bounded sizes, so a hosted server's memory stays flat
however many cases its visitors open. Drawing helpers take what ``eqgnn``
computed and render it (pictures from :mod:`ui.render3d` and :mod:`ui.figures`);
they hold no numerics.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import streamlit as st

from eqgnn.gallery import Case, load_case
from eqgnn.graph import build_edges
from eqgnn.io import readable_extensions
from eqgnn.reports import cell_text
from eqgnn.structure import Structure
from eqgnn.viewpoint import pair_viewpoint
from ui import render3d

VIEW_HEIGHT = 460
COMPACT_VIEW_HEIGHT = 380
"""Pixels of a pair view that shares the first screen of a 1024x768 projector with its
page's title and verdict (Gallery, Lesson)."""
"""Height in pixels of one 3D view; two fit side by side on a projector."""
UPLOAD_TYPES = [ext.lstrip(".") for ext in readable_extensions()]
"""The file types the pages' uploaders accept: the readers' own table, without the dots."""


@st.cache_resource(max_entries=64, show_spinner=False)
def case(name: str) -> Case:
    """The gallery case ``name`` (:func:`eqgnn.gallery.load_case`), loaded once per server.

    A resource, not data: cases are immutable, so every session shares one
    copy instead of unpickling its own.
    """
    return load_case(name)


@st.cache_data(max_entries=128, show_spinner=False)
def edges(structure: Structure, rule: str | None) -> np.ndarray:
    """The edges of ``structure`` under ``rule`` (:func:`eqgnn.graph.build_edges`)."""
    return build_edges(structure, rule)


def drawn_rule(rule: str | None) -> str | None:
    """The graph rule the 3D views draw: ``rule``, or the bonds where a visitor chose them
    over a dense graph (a radius, k-nearest or full graph draws as a hairball; the
    verdicts always use ``rule``)."""
    if rule is None or rule.split(":")[0] not in ("radius", "knn", "full"):
        return rule
    bonds_only = st.sidebar.toggle(
        "Draw bonds only", key="bonds-only",
        help=f"The 3D views draw the covalent bonds instead of every edge of `{rule}`; "
             "the oracle and the models still use that graph.")
    return "bonds" if bonds_only else rule


def structure_view(
    structure: Structure,
    structure_edges: np.ndarray,
    highlight: Sequence[int] = (),
    centre: int | None = None,
    key: str = "view",
    height: int = VIEW_HEIGHT,
) -> None:
    """One 3D view: 3Dmol.js (offline copy in ``static/``) when installed, else plotly.

    ``highlight`` (e.g. a k-hop neighbourhood) is drawn opaque, the rest faded;
    ``centre`` gets a halo and its label.
    """
    if render3d.threedmol_available():
        html = render3d.view_html(structure, structure_edges, list(highlight), centre,
                                  height=height)
        st.iframe(html, height=height + 20, alt=f"3D view of {structure.name}")
    else:
        figure = render3d.view_figure(structure, structure_edges, list(highlight), centre)
        figure.update_layout(height=height)
        st.plotly_chart(figure, key=key, config=plot_config(structure.name))


def pair_view(
    a: Structure,
    b: Structure,
    edges_a: np.ndarray,
    edges_b: np.ndarray,
    highlight_a: Sequence[int] = (),
    highlight_b: Sequence[int] = (),
    centre_a: int | None = None,
    centre_b: int | None = None,
    key: str = "pair",
    height: int = VIEW_HEIGHT,
) -> None:
    """Graphs A and B side by side, each with its highlighted atoms and centre, ``height``
    pixels tall.

    Both are seen from the camera :func:`eqgnn.viewpoint.pair_viewpoint` picks
    (B laid onto A where they share a part, their difference across the
    screen), and the dihedral that changed most is labelled with its angle in
    each. The two views are independent (each rotates on its own); the captions
    name the structures so a screenshot still says which is which. With
    3Dmol.js both are one frame (one WebGL context, see ``ui.render3d``).
    """
    seen = pair_viewpoint(a, b, build_edges(a))
    a, b = seen.a, seen.b
    sides = (("A", a, edges_a, highlight_a, centre_a), ("B", b, edges_b, highlight_b, centre_b))
    for column, (side, structure, *_) in zip(st.columns(2), sides):
        column.markdown(f"**{side}**: {structure.name} ({len(structure)} atoms)")
    notes = None
    if seen.dihedral is not None:
        j, k = seen.dihedral[1], seen.dihedral[2]
        notes = [[(f"{angle:.0f}°", (structure.positions[j] + structure.positions[k]) / 2)]
                 for structure, angle in zip((a, b), seen.angles)]
    if render3d.threedmol_available():
        html = render3d.views_html([scene for _, *scene in sides], height=height, notes=notes)
        st.iframe(html, height=height + 20, alt=f"3D views of {a.name} and {b.name}")
    else:
        st.caption("3Dmol.js is not installed (run `./setup.sh`); showing plotly views.")
        for column, (side, structure, side_edges, highlight, centre) in zip(st.columns(2),
                                                                             sides):
            with column:
                structure_view(structure, side_edges, highlight, centre, key=f"{key}-{side}",
                               height=height)
    if seen.dihedral is not None:
        before, after = seen.angles
        st.caption(f"Dihedral {'-'.join(map(str, seen.dihedral))}, the one that changed most: "
                   f"{before:.0f}° in A, {after:.0f}° in B (labelled at its bond). Both are "
                   "seen with B laid onto A where they agree.")


def plot_config(filename: str) -> dict:
    """Plotly chart config: a PNG download named ``filename``, nothing fetched online.

    The PNG is drawn in the browser by plotly.js (bundled with Streamlit); the
    logo link to plotly.com and the cloud button are removed, so the modebar
    works on a machine with no internet.
    """
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["sendDataToCloud"],
        "toImageButtonOptions": {"format": "png", "filename": _file_stem(filename), "scale": 2},
    }


def chart(figure, name: str, key: str) -> None:
    """Draw a plotly ``figure`` with :func:`plot_config`'s PNG button named ``name``."""
    st.plotly_chart(figure, key=key, config=plot_config(name))


def downloads(name: str, json_value: object, csv_text: str | None = None, key: str = "") -> None:
    """Download buttons for a table or plot's data: JSON always, CSV when given.

    ``name`` is the file stem; the buttons sit side by side under what they save.
    """
    stem = _file_stem(name)
    columns = st.columns(2 if csv_text is not None else 1, width=360)
    columns[0].download_button(
        "JSON", json.dumps(json_value, indent=1, default=str), f"{stem}.json",
        mime="application/json", key=f"json-{key or stem}", icon=":material/download:",
        on_click="ignore",
    )
    if csv_text is not None:
        columns[1].download_button(
            "CSV", csv_text, f"{stem}.csv", mime="text/csv", key=f"csv-{key or stem}",
            icon=":material/download:", on_click="ignore",
        )


def rows_csv(rows: list[dict]) -> str:
    """A list of flat dicts (a table a page shows) as CSV text, columns in first-row order."""
    import csv
    import io

    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _file_stem(name: str) -> str:
    """A file name from free text: letters, digits, '-' and '_' only."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-") or "eqgnn"


VERDICT_COLOURS = {
    "same": "#f4c7c3", "differ": "#c8e6c9", "blind": "#f4c7c3", "distinguished": "#c8e6c9",
    "sighted, not learned": "#fff3c4", "not computed": "#eeeeee",
}
"""Cell backgrounds for verdict words: red-ish blind, green-ish sees, yellow in between."""


def verdict_style(rows: list[dict]):
    """``rows`` as a pandas Styler whose verdict words are coloured (``VERDICT_COLOURS``).

    Only the background changes; the word stays, so the table reads in grey
    scale and for colour-blind readers too. Cells are shown as text: a blank
    (a setting the model does not use) is a dash, a number has two decimals,
    a yes/no is a word (a checkbox reads as "editable" from the back row).
    """
    import pandas as pd

    def colour(value: object) -> str:
        background = VERDICT_COLOURS.get(value) if isinstance(value, str) else None
        return f"background-color: {background}; color: black" if background else ""

    table = pd.DataFrame([{k: cell_text(v, ".2f", "–") for k, v in row.items()} for row in rows])
    return table.style.map(colour)
