"""Explorer: a molecule, its graph under a rule, one atom's k-hop neighbourhood, and a torsion.

The selections live in the URL (keys documented in ``ui.state``), so a link
reproduces the view:

- ``mol``: ``g2:NAME``, ``qm9:N``, ``smiles:STRING`` or ``upload:FILENAME``
  (an upload must be given again; the URL only names it);
- ``graph``: ``bonds``, ``radius:R``, ``knn:N``, ``full`` or ``explicit``;
- ``atom``, ``hops``: the centre atom (0-based) and k of N_i^k, also the
  hops of the oracle's test;
- ``body_order``, ``group``: the oracle's test;
- ``bond`` (``I-J``), ``angle`` (degrees): the torsion.

The page only draws what ``eqgnn.reports`` computes, one call per panel (the same
numbers as ``python -m eqgnn report twist``); torch loads only when the model gaps are
first asked for. A model of the visitor's choosing (``ui.model_form``) trains on the
molecule and its turned copy from the store or live (``ui.live``): the numbers of
``python -m eqgnn distinguish A.json B.json --graph RULE ... --json``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import streamlit as st

from eqgnn import reports
from eqgnn.errors import InputError
from eqgnn.graph import GraphRule, parse_rule
from eqgnn.io import QM9_SIZE, g2_names, load_structure, load_upload
from eqgnn.precision import PRECISION_WORDS
from eqgnn.structure import Structure
from ui import glossary, model_form, state, widgets

if TYPE_CHECKING:
    from streamlit.runtime.uploaded_file_manager import UploadedFile

SOURCES = {"g2": "G2 molecule", "qm9": "QM9 index", "smiles": "SMILES", "upload": "Upload"}
AS_THE_FILE_SAYS = "as the file says"
PRECISIONS = (AS_THE_FILE_SAYS, *PRECISION_WORDS)
DEFAULT_MOL = reports.TWIST_DEFAULTS["molecule"]
DEFAULT_SMILES = "CCO"
RULE_KINDS = ["bonds", "radius", "knn", "full"]
RADIUS_RANGE = (0.5, 10.0)  # Å
KNN_RANGE = (1, 16)
MAX_HOPS = 4
BODY_ORDERS = ["2", "3", "full"]
GROUPS = ["O3", "SO3"]
ANGLE_STEP = 5  # degrees; coarse enough that every slider stop can be cached
# The sidebar and torsion widgets a molecule that fails to load must not reset
# (a page script shows a bare string, so no docstring here).
SETTINGS = ("graph", "radius", "knn", "bonds-only", "atom", "hops", "body_order", "group",
            "bond", "angle")


@st.cache_data(max_entries=64, show_spinner="Loading the molecule…")
def _load(spec: str) -> Structure:
    return load_structure(spec)


@st.cache_data(max_entries=8, show_spinner="Reading the file…")
def _load_upload(filename: str, data: bytes, precision: str | None) -> Structure:
    return load_upload(filename, data, precision)


@st.cache_data(max_entries=64, show_spinner=False)
def _bridges(structure: Structure) -> list[dict]:
    return reports.bridge_rows(structure)


@st.cache_data(max_entries=256, show_spinner=False)
def _turn(structure: Structure, bond: str, angle: int) -> Structure:
    return reports.turn(structure, bond, angle)


@st.cache_data(max_entries=512, show_spinner=False)
def _oracle(structure: Structure, bond: str, angle: int, rule: str, hops: int,
            body_order: str, group: str) -> dict:
    return reports.twist_oracle(structure, bond, angle, rule, hops, body_order, group)


BUILDING = ("Building the models (the first visit after a restart: seconds); their gaps "
            "appear here when ready.")


@st.cache_data(max_entries=256, show_spinner=False)
def _gaps(structure: Structure, bond: str, angle: int, rule: str) -> list[dict]:
    return reports.twist_gaps(structure, bond, angle, rule,
                              reports.build_twist_models(rule))  # built once per process


def _pick_molecule() -> tuple[str, UploadedFile | None]:
    """Sidebar widgets for the molecule; returns its ``mol`` spec and any uploaded file."""
    kind, _, value = st.query_params.get("mol", DEFAULT_MOL).partition(":")
    if kind not in SOURCES:
        st.warning(f"Unknown molecule source {kind!r} in the link; showing {DEFAULT_MOL}.")
        kind, _, value = DEFAULT_MOL.partition(":")
    st.session_state.setdefault("source", kind)
    source = st.sidebar.radio(
        "Molecule source", list(SOURCES), format_func=SOURCES.get, key="source"
    )
    if source == "g2":
        names = g2_names()
        default = DEFAULT_MOL.partition(":")[2]
        st.session_state.setdefault("g2", value if kind == "g2" and value in names else default)
        return f"g2:{st.sidebar.selectbox('G2 molecule', names, key='g2')}", None
    if source == "qm9":
        index = value if kind == "qm9" and value.isdigit() else "1"
        st.session_state.setdefault("qm9", min(max(int(index), 1), QM9_SIZE))
        index = st.sidebar.number_input(
            "QM9 index", 1, QM9_SIZE, key="qm9", help="1-based, as in the QM9 files"
        )
        return f"qm9:{index}", None
    if source == "smiles":
        st.session_state.setdefault("smiles", value if kind == "smiles" else DEFAULT_SMILES)
        return f"smiles:{st.sidebar.text_input('SMILES', key='smiles')}", None
    upload = st.sidebar.file_uploader("Structure file", type=widgets.UPLOAD_TYPES, key="upload")
    st.sidebar.selectbox(
        "Coordinates known to", PRECISIONS, key="precision",
        help="How precisely the file's coordinates are known. As the file says: a JSON "
        "graph's precision field, else what the values show, never finer than float32 "
        "(float32 data moved in float64 shows no grid). Rounding below it is not geometry.")
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
    st.session_state.setdefault("graph", wanted.kind)
    if st.session_state["graph"] not in kinds:  # e.g. explicit, then a file without edges
        st.session_state["graph"] = "bonds"
    kind = st.sidebar.selectbox("Graph rule", kinds, key="graph", help=(
        "On the bond graph a 1-hop model sees only bonded neighbours; on a 5 Å radius "
        "graph atoms across a turned bond are joined directly, and 1 hop sees the dihedral."))
    if kind == "radius":
        value = wanted.value if wanted.kind == "radius" else 5.0
        st.session_state.setdefault("radius", min(max(value, RADIUS_RANGE[0]), RADIUS_RANGE[1]))
        radius = st.sidebar.slider("Radius R (Å)", *RADIUS_RANGE, step=0.5, key="radius")
        return str(GraphRule("radius", radius))
    if kind == "knn":
        value = int(wanted.value) if wanted.kind == "knn" else 4
        st.session_state.setdefault("knn", min(max(value, KNN_RANGE[0]), KNN_RANGE[1]))
        return str(GraphRule("knn", st.sidebar.slider("Neighbours N", *KNN_RANGE, key="knn")))
    return kind


def _pick_centre(structure: Structure) -> tuple[int, int]:
    """Sidebar widgets for the centre atom i and the hops k of N_i^k."""
    n = len(structure)
    state.param("atom", 0, int, choices=range(n), low=0, high=n - 1)
    symbols = structure.symbols
    atom = st.sidebar.selectbox(
        "Centre atom", range(n), format_func=lambda i: f"{i}: {symbols[i]}", key="atom"
    )
    state.param("hops", reports.TWIST_DEFAULTS["hops"], int, low=1, high=MAX_HOPS)
    hops = st.sidebar.slider("Hops k", 1, MAX_HOPS, key="hops", help=glossary.tip("k-hop"))
    return int(atom), int(hops)


def _pick_test() -> tuple[str, str]:
    """Sidebar widgets for the oracle's body order and group."""
    st.sidebar.divider()
    state.param("body_order", reports.TWIST_DEFAULTS["body_order"], str, choices=BODY_ORDERS)
    body_order = st.sidebar.radio("Body order (oracle)", BODY_ORDERS, key="body_order",
                                  horizontal=True, help=glossary.tip("body order"))
    state.param("group", reports.TWIST_DEFAULTS["group"], str, choices=GROUPS)
    group = st.sidebar.radio("Group (oracle)", GROUPS, key="group", horizontal=True,
                             help=glossary.tip("group"))
    return body_order, group


def _pick_torsion(bonds: list[str], default: str) -> tuple[str, int]:
    """The bond to turn and the angle, beside the pair view."""
    left, right = st.columns([1, 3])
    state.param("bond", default, str, choices=bonds)
    bond = left.selectbox("Bond I-J", bonds, key="bond",
                          help="Non-ring bonds with more than one atom on each side; "
                               "the side holding J turns.")
    state.param("angle", reports.TWIST_DEFAULTS["angle"], int, low=-180, high=180)
    angle = right.slider("Turn J's side by (degrees)", -180, 180, step=ANGLE_STEP, key="angle")
    return bond, int(angle)


def _draw_oracle(verdict: dict) -> None:
    """The theory verdict: blind or sees, and the oracle's sentence why."""
    k = verdict["hops"]
    head = (f"**Oracle** ({k} hop{'s' if k > 1 else ''}, body order {verdict['body_order']}, "
            f"{verdict['group']}, graph `{verdict['graph']}`): ")
    if verdict["indistinguishable"]:
        st.warning(f"{head}**blind** to the turn. {verdict['reason']}",
                   icon=":material/visibility_off:")
    else:
        st.success(f"{head}**sees** the turn. {verdict['reason']}", icon=":material/visibility:")


def _draw_gaps(rows: list[dict]) -> None:
    """One metric per model, grouped by family: its untrained gap, and whether it is noise."""
    families = list(dict.fromkeys(row["family"] for row in rows))
    for column, family in zip(st.columns(len(families), border=True), families):
        column.markdown(f"**{family}**")
        for inner, row in zip(column.columns(2), [r for r in rows if r["family"] == family]):
            inner.metric(row["model"], f"{row['gap']:.1e}",
                         "sees" if row["sees"] else "blind (noise)",
                         delta_color="green" if row["sees"] else "red", delta_arrow="off")
    floors = ", ".join(f"{row['model']} {row['noise_floor']:.0e}" for row in rows)
    st.caption("Embedding gap |e(A) − e(B)| / (|e(A)| + |e(B)|) of untrained models "
               "(float64, seed 0). At or below its noise floor (the gap between a structure "
               "and itself perturbed at the coordinates' precision) it is noise and the model "
               f"is blind. Floors: {floors}.")


@st.fragment(run_every=0.5)
def _await_gaps(rule: str) -> None:
    """Stand-in for the gap panel while its models build in the background (a first
    visit after a restart): the rest of the page is usable; ready, the page reruns."""
    if reports.twist_models_ready(rule):
        st.rerun()
    st.info(BUILDING)


def _train_live(structure: Structure, turned: Structure, bond: str, angle: int,
                rule: str, follow: dict) -> None:
    """Train a chosen model on (original, turned): from the store, else live on request.

    ``follow``: the sidebar's hops, body order and group, which the model form
    takes each time they change (:func:`ui.model_form.model_form`). The pair
    travels as JSON graphs (:func:`eqgnn.reports.twist_pair_spec`), so
    ``python -m eqgnn distinguish A.json B.json`` on the two downloads below
    computes the same result under the same key.
    """
    st.subheader("Train a model on the molecule and its turned copy")
    st.caption("The untrained gaps above say what a model *could* see; training says what "
               "it learns. Runs queue when the machine is busy; Cancel stops one.")
    chosen = model_form.model_form("explorer", reports.DEFAULT_PRESET, follow=follow)
    if chosen is None:
        return
    config, protocol = chosen
    try:
        spec = reports.twist_pair_spec(structure, bond, angle, rule, config, **protocol)
    except InputError as exc:
        st.error(str(exc))
        return
    label = f"{config.summary()}, {structure.name} turned {angle}° about {bond}"
    model_form.run_and_show(spec, label, "explorer", button="Train it live")
    for column, (side, graph) in zip(st.columns(2, width=360),
                                     (("A", structure), ("B", turned))):
        column.download_button(f"{side}.json", json.dumps(graph.to_json(), indent=1),
                               f"{side}.json", mime="application/json",
                               key=f"explorer-{side}", icon=":material/download:",
                               on_click="ignore", help="for the command above")


st.title("Explorer")
state.keep(*SETTINGS)
spec, upload = _pick_molecule()
state.sync(mol=spec)
try:
    if upload is not None:
        said = st.session_state.get("precision", AS_THE_FILE_SAYS)
        structure = _load_upload(upload.name, upload.getvalue(),
                                 None if said == AS_THE_FILE_SAYS else said)
        known = structure.known_to
        unit = "Å" if structure.units == "Å" else "(in the graph's units)"
        st.sidebar.caption(f"Coordinates known to {known.angstrom:.0e} {unit}: {known.source}.")
    elif spec.startswith("upload:"):
        st.info("Upload a structure file in the sidebar (" + ", ".join(widgets.UPLOAD_TYPES) + ").")
        st.stop()
    else:
        structure = _load(spec)
    rule = _pick_rule(structure)
    drawn = widgets.drawn_rule(rule)
    atom, hops = _pick_centre(structure)
    body_order, group = _pick_test()
    state.sync(graph=rule, atom=atom, hops=hops, body_order=body_order, group=group)
    edges = widgets.edges(structure, rule)
    rows = reports.neighbourhood_rows(structure, edges, atom, hops)
except InputError as exc:
    st.error(str(exc))
    st.stop()

st.caption(
    f"**{structure.name}**: {len(structure)} atoms; graph `{rule}` with {len(edges)} edges; "
    f"the {hops}-hop neighbourhood of atom {atom} ({structure.symbols[atom]}) "
    f"has {len(rows)} atoms."
)
highlight = [row["atom"] for row in rows]
bridge_rows = _bridges(structure)
if not bridge_rows:
    state.sync(bond=None, angle=None)
    widgets.structure_view(structure, widgets.edges(structure, drawn), highlight, atom,
                           key="molecule")
else:
    st.header("Turn a bond: who notices?")
    st.caption(
        "Turning one side of a non-ring bond about its axis keeps every bonded (1-hop) "
        "neighbourhood congruent but changes the molecule's shape: a torsion twin "
        "(the paper's Claim 1: local invariants lose how neighbourhoods are turned against "
        "each other). Switch the graph rule to a 5 Å radius and 1 hop sees it."
    )
    bond, angle = _pick_torsion([row["bond"] for row in bridge_rows],
                                reports.default_bond(structure))
    state.sync(bond=bond, angle=angle)
    _draw_oracle(_oracle(structure, bond, angle, rule, hops, body_order, group))
    if reports.twist_models_ready(rule):
        _draw_gaps(_gaps(structure, bond, angle, rule))
    else:
        _await_gaps(rule)
    turned = _turn(structure, bond, angle)
    widgets.pair_view(structure, turned, widgets.edges(structure, drawn),
                      widgets.edges(turned, drawn), highlight, highlight, atom, atom,
                      key="twist")
    follow = {"hops": hops, "group": group}
    if body_order != "full":  # the models' body orders are 2 and 3
        follow["body_order"] = int(body_order)
    _train_live(structure, turned, bond, angle, rule, follow)
left, right = st.columns(2)
with left:
    st.subheader(f"Neighbourhood $N_{{{atom}}}^{{{hops}}}$")
    st.dataframe(rows, hide_index=True)
with right:
    st.subheader("Bonds that can turn")
    if bridge_rows:
        st.dataframe(bridge_rows, hide_index=True)
    else:
        st.write("None: every bond lies in a ring or ends in a single atom.")
