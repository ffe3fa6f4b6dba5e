"""Steerable features: Claim 3 of SCIENCE.md, made visible.

Three panels, numbers from the library: the Lemma lab (a molecule's stabiliser,
the free components of each type, f(X) against lambda(X) under rotations:
``eqgnn.frames``), what a type can see on the symmetric stars
(``eqgnn.reports.type_grid``), and the fixed-dimension L sweep on QM9
(``eqgnn.reports.lsweep_report`` over ``eqgnn.lsweep``: shipped tables, validation
curves, a small live run). ``python -m eqgnn report steerable`` prints the same
numbers. The molecule lives in the URL (``ui.state``): ``mol``.
"""

from __future__ import annotations

import streamlit as st

from eqgnn import reports
from eqgnn.errors import InputError
from eqgnn.reports import LAB_LMAX
from ui import figures, glossary, live, state, widgets

DEFAULT_MOLECULE = reports.LAB_MOLECULE
NAMED_SOURCES = ("g2:", "qm9:", "smiles:")  # never a path on the server: files come by upload


@st.cache_resource(show_spinner="Building the steerable model (first time: seconds)…")
def _model(group: str):
    from eqgnn.frames import steerable_model

    return steerable_model(LAB_LMAX, group)


@st.cache_data(max_entries=32, show_spinner=False)
def _structure(spec: str):
    from eqgnn.io import load_structure

    if not spec.startswith(NAMED_SOURCES):
        raise InputError(f"{spec!r}: type g2:NAME, qm9:N or smiles:…; upload a file below")
    return load_structure(spec)


st.set_page_config(page_title="eqgnn steerable features", layout="wide")
st.title("Steerable features: type does not matter at fixed dimension")
st.markdown(
    "Lemma 1 of Wang et al. (ICLR 2024): an equivariant feature factors as "
    "f(X) = ρ(g_X) λ(X), with g_X a frame that turns with the molecule and λ invariant. "
    "When nothing but the identity maps the molecule onto itself, a feature of type l "
    "carries exactly 2l + 1 invariant numbers, so features of equal total dimension carry "
    "the same information whatever their types. Symmetry is the exception: it forces some "
    "components to zero."
)

st.header("The Lemma lab")
state.param("mol", DEFAULT_MOLECULE)
left, right = st.columns([2, 3])
with left:
    spec = st.text_input("Molecule (g2:NAME, qm9:N or smiles:…)", key="mol")
    upload = st.file_uploader("…or a structure file", type=widgets.UPLOAD_TYPES,
                              key="lab-upload")
    group = st.radio("Group", ["O3", "SO3"], horizontal=True, key="lab-group",
                     help=glossary.tip("group"))
    angles = tuple(st.slider(f"Turn about {axis} (°)", -180, 180, 0, 5, key=f"turn-{axis}")
                   for axis in "xyz")
try:
    if upload is not None:
        from eqgnn.io import load_upload

        structure = load_upload(upload.name, upload.getvalue())
    else:
        structure = _structure(spec)
        state.sync(mol=spec)
    lab = reports.lemma_lab(structure, angles, LAB_LMAX, group, model=_model(group))
except InputError as exc:
    st.error(str(exc))
    lab = None
if lab is not None:
    report = lab["report"]
    stab = report["stabiliser"]
    with left:
        st.markdown(f"**{report['structure']}**: rank {report['rank']}, stabiliser "
                    f"**{stab['schoenflies']}** (order {stab['order']}).")
        st.dataframe(lab["types"], hide_index=True)
    with right:
        if "lambda" in lab:
            widgets.chart(figures.lambda_figure(lab), "lemma-lab", key="lemma-lab")
            st.caption(f"Largest change of λ under this turn: {lab['lambda_change']:.1e} "
                       "(float64 rounding). Also: `python -m eqgnn frame`.")
            if st.toggle("Check λ under 20 random turns and convert f to scalars and back",
                         key="lab-checks"):
                from eqgnn.frames import lambda_report

                checks = lambda_report(structure, LAB_LMAX, group, model=_model(group))
                converter = checks["converter"]
                st.markdown(
                    f"- ρ(g_X) λ rebuilds f to {checks['reconstruction_error']:.1e}\n"
                    f"- λ changes by at most {checks['lambda_max_change']:.1e} over "
                    f"{checks['samples']} random turns"
                    + (" and reflections" if group == "O3" else "") + "\n"
                    f"- {converter['irreps_a']} → {converter['irreps_b']} → back: round trip "
                    f"{converter['round_trip_error']:.1e}; the scalars turn into an "
                    f"equivariant feature again to {converter['equivariance_error']:.1e}")
        else:
            st.info(f"No unique frame: {report['frame']['reason']}. Symmetry fixes the "
                    "molecule, so some components are forced to zero (the table) and λ is "
                    "not defined by a single frame.")

st.header("What a type can see on a symmetric star", help=glossary.tip("lmax"))
st.caption("Each cell: theory (does some type up to lmax see the star's orientation?) / the "
           "trained one-layer model with an equivariant readout (stored cells of the stars "
           "sweep). ✓ sees or distinguished, ✗ blind, · not computed. An n-fold star needs "
           "lmax ≥ n. Also: `python -m eqgnn types --json`.")
grid = reports.type_grid(live.store())
st.dataframe(reports.type_table(grid), hide_index=True)

st.header("The L sweep on QM9: does a higher type help at the same width?")
records = None
try:
    from eqgnn.lsweep import shipped_records

    records = shipped_records()
except InputError as exc:
    st.error(str(exc))
if records:
    lsweep = reports.lsweep_report(records)
    for sentence in lsweep["reading"]:
        st.markdown(f"- {sentence}")
    for name, rows in lsweep["tables"].items():
        st.subheader(name)
        st.dataframe(rows, hide_index=True)
        runs = reports.runs_of(records, name)
        if st.toggle(f"Validation curves ({name})", key=f"curves-{name}"):
            widgets.chart(figures.lsweep_curves_figure(runs, name), f"lsweep-{name}",
                        key=f"chart-{name}")
    st.caption("Also: `python -m eqgnn lsweep --shipped --json`. At a fixed dimension a higher "
               "lmax has fewer parameters: the counts stand beside every MAE.")
else:
    st.info("No shipped L-sweep results yet: run `python -m eqgnn lsweep --task twist --dim 72`.")

st.subheader("A small live run: the twist task, lmax 0 against lmax 1")
st.caption("QM9 molecules turned about a bond, each on the bond graph of the untwisted "
           "molecule: every twin is 1-hop identical to its molecule, so lmax 0 predicts one "
           "value per family and cannot go below the within-family floor; lmax 1 can.")
clicked = st.button("Run it live (about a minute)", icon=":material/play_arrow:",
                    key="lsweep-live")
live.run_cells(reports.live_specs(), "the live L sweep", key="lsweep-live", start=clicked)
live_tables = reports.live_tables(live.store())
for rows in (live_tables or {}).values():
    st.dataframe(rows, hide_index=True)
