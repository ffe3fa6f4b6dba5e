"""Explorer: a molecule, its graph under a rule, and one atom's k-hop neighbourhood.

The selections live in the URL, so a link reproduces the view:

- ``mol``: ``g2:NAME``, ``qm9:N``, ``smiles:STRING`` or ``upload:FILENAME``
  (an upload must be given again; the URL only names it);
- ``graph``: ``bonds``, ``radius:R``, ``knn:N``, ``full`` or ``explicit``;
- ``atom``: the centre atom's 0-based index;
- ``hops``: k, 1..4.

The URL seeds the widgets once per session; after that the widgets own the
values and every run writes them back to the URL. The page only draws what
``eqgnn`` computes (``eqgnn.view``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from eqgnn import view
from eqgnn.errors import InputError
from eqgnn.graph import GraphRule, build_edges, parse_rule
from eqgnn.io import QM9_SIZE, g2_names, load_structure, load_upload, readable_extensions
from eqgnn.structure import Structure

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

SOURCES = {"g2": "G2 molecule", "qm9": "QM9 index", "smiles": "SMILES", "upload": "Upload"}
DEFAULT_MOL = "g2:trans-butane"
DEFAULT_SMILES = "CCO"
UPLOAD_TYPES = [ext.lstrip(".") for ext in readable_extensions()]
RULE_KINDS = ["bonds", "radius", "knn", "full"]
RADIUS_RANGE = (0.5, 10.0)  # Å
KNN_RANGE = (1, 16)
MAX_HOPS = 4
VIEW_HEIGHT = 520


@st.cache_data(max_entries=64, show_spinner="Loading the molecule…")
def _load(spec: str) -> Structure:
    return load_structure(spec)


@st.cache_data(max_entries=8, show_spinner="Reading the file…")
def _load_upload(filename: str, data: bytes) -> Structure:
    return load_upload(filename, data)


@st.cache_data(max_entries=64, show_spinner=False)
def _edges(structure: Structure, rule: str) -> np.ndarray:
    return build_edges(structure, rule)


@st.cache_data(max_entries=64, show_spinner=False)
def _bridges(structure: Structure) -> list[dict]:
    return view.bridge_rows(structure)


def _seed(key: str, value: object) -> None:
    """Start a widget at ``value`` (from the URL) unless it already has one this session."""
    if key not in st.session_state:
        st.session_state[key] = value


def _clamp_int(text: str | None, default: int, low: int, high: int) -> int:
    """A URL integer clamped to [low, high]; missing or junk gives ``default``."""
    try:
        return min(max(int(text), low), high)
    except (TypeError, ValueError):
        return default


def _set_params(**values: str) -> None:
    """Write selections to the URL, touching only keys whose value changed."""
    for key, value in values.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def _pick_molecule() -> tuple[str, UploadedFile | None]:
    """Sidebar widgets for the molecule; returns its ``mol`` spec and any uploaded file."""
    kind, _, value = st.query_params.get("mol", DEFAULT_MOL).partition(":")
    if kind not in SOURCES:
        st.warning(f"Unknown molecule source {kind!r} in the link; showing {DEFAULT_MOL}.")
        kind, _, value = DEFAULT_MOL.partition(":")
    _seed("source", kind)
    source = st.sidebar.radio(
        "Molecule source", list(SOURCES), format_func=SOURCES.get, key="source"
    )
    if source == "g2":
        names = g2_names()
        default = DEFAULT_MOL.partition(":")[2]
        _seed("g2", value if kind == "g2" and value in names else default)
        return f"g2:{st.sidebar.selectbox('G2 molecule', names, key='g2')}", None
    if source == "qm9":
        _seed("qm9", _clamp_int(value if kind == "qm9" else None, 1, 1, QM9_SIZE))
        index = st.sidebar.number_input(
            "QM9 index", 1, QM9_SIZE, key="qm9", help="1-based, as in the QM9 files"
        )
        return f"qm9:{index}", None
    if source == "smiles":
        _seed("smiles", value if kind == "smiles" else DEFAULT_SMILES)
        return f"smiles:{st.sidebar.text_input('SMILES', key='smiles')}", None
    upload = st.sidebar.file_uploader("Structure file", type=UPLOAD_TYPES, key="upload")
    if upload is None:
        return f"upload:{value if kind == 'upload' else ''}", None
    return f"upload:{upload.name}", upload


def _pick_rule(structure: Structure) -> str:
    """Sidebar widgets for the graph rule; returns it as a rule string."""
    kinds = RULE_KINDS + (["explicit"] if structure.edges is not None else [])
    try:
        wanted = parse_rule(st.query_params.get("graph"))
    except InputError as exc:
        st.warning(f"{exc}; using bonds.")
        wanted = GraphRule("bonds")
    if wanted is None:
        wanted = GraphRule("explicit" if structure.edges is not None else "bonds")
    _seed("graph", wanted.kind)
    if st.session_state["graph"] not in kinds:  # e.g. explicit, then a file without edges
        st.session_state["graph"] = "bonds"
    kind = st.sidebar.selectbox("Graph rule", kinds, key="graph")
    if kind == "radius":
        value = wanted.value if wanted.kind == "radius" else 5.0
        _seed("radius", min(max(value, RADIUS_RANGE[0]), RADIUS_RANGE[1]))
        radius = st.sidebar.slider("Radius R (Å)", *RADIUS_RANGE, step=0.5, key="radius")
        return str(GraphRule("radius", radius))
    if kind == "knn":
        value = int(wanted.value) if wanted.kind == "knn" else 4
        _seed("knn", min(max(value, KNN_RANGE[0]), KNN_RANGE[1]))
        return str(GraphRule("knn", st.sidebar.slider("Neighbours N", *KNN_RANGE, key="knn")))
    return kind


def _pick_centre(structure: Structure) -> tuple[int, int]:
    """Sidebar widgets for the centre atom i and the hops k of N_i^k."""
    n = len(structure)
    _seed("atom", _clamp_int(st.query_params.get("atom"), 0, 0, n - 1))
    if not 0 <= st.session_state["atom"] < n:  # the molecule changed under the selection
        st.session_state["atom"] = 0
    symbols = structure.symbols
    atom = st.sidebar.selectbox(
        "Centre atom", range(n), format_func=lambda i: f"{i}: {symbols[i]}", key="atom"
    )
    _seed("hops", _clamp_int(st.query_params.get("hops"), 1, 1, MAX_HOPS))
    hops = st.sidebar.slider("Hops k", 1, MAX_HOPS, key="hops")
    return int(atom), int(hops)


def _draw_view(structure: Structure, edges: np.ndarray, rows: list[dict], atom: int) -> None:
    """The 3D view: 3Dmol.js when installed, else the plotly fallback."""
    highlight = [row["atom"] for row in rows]
    if view.threedmol_available():
        html = view.view_html(structure, edges, highlight, atom, height=VIEW_HEIGHT)
        st.iframe(html, height=VIEW_HEIGHT + 20, alt=f"3D view of {structure.name}")
    else:
        st.caption("3Dmol.js is not installed (run `./setup.sh`); showing the plotly view.")
        st.plotly_chart(view.view_figure(structure, edges, highlight, atom))


st.set_page_config(page_title="eqgnn explorer", layout="wide")
st.title("Explorer")
spec, upload = _pick_molecule()
_set_params(mol=spec)
try:
    if upload is not None:
        structure = _load_upload(upload.name, upload.getvalue())
    elif spec.startswith("upload:"):
        st.info("Upload a structure file in the sidebar (" + ", ".join(UPLOAD_TYPES) + ").")
        st.stop()
    else:
        structure = _load(spec)
    rule = _pick_rule(structure)
    atom, hops = _pick_centre(structure)
    _set_params(graph=rule, atom=str(atom), hops=str(hops))
    edges = _edges(structure, rule)
    rows = view.neighbourhood_rows(structure, edges, atom, hops)
except InputError as exc:
    st.error(str(exc))
    st.stop()

st.caption(
    f"**{structure.name}**: {len(structure)} atoms; graph `{rule}` with {len(edges)} edges; "
    f"the {hops}-hop neighbourhood of atom {atom} ({structure.symbols[atom]}) "
    f"has {len(rows)} atoms."
)
left, right = st.columns([3, 2])
with left:
    _draw_view(structure, edges, rows, atom)
with right:
    st.subheader(f"Neighbourhood $N_{{{atom}}}^{{{hops}}}$")
    st.dataframe(rows, hide_index=True)
st.subheader("Bridges of the bond graph")
st.caption(
    "Non-ring bonds: turning one side about the bond axis keeps every 1-hop "
    "neighbourhood congruent but changes the molecule's shape (a torsion twin). "
    "Terminal bonds are left out: their lone atom sits on the axis."
)
bridge_rows = _bridges(structure)
if bridge_rows:
    st.dataframe(bridge_rows, hide_index=True)
else:
    st.write("None: every bond lies in a ring or ends in a single atom.")
