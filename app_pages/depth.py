"""Depth: how many layers a model needs, beside the number theory says suffices.

The selection lives in the URL (``ui.state``): ``case``. For each sweep
family of the case (``eqgnn.sweep.default_family``), a heatmap of stored
accuracy over hops x layers (k-hop models) or lmax x layers (equivariant
models), with the oracle's boundary drawn on it (``eqgnn.reports.depth_report``, the
same numbers as ``python -m eqgnn report depth``):
where a model falls short of theory shows at a glance. Missing cells, and the
cells of a family the case does not ship (sidebar: ``families``, session only),
can be computed live through the shared queue (``ui.live``); below the maps any
one model (``ui.model_form``) runs live too. Every table and plot can be
downloaded.
"""

from __future__ import annotations

import streamlit as st

from eqgnn import reports
from eqgnn.errors import InputError
from eqgnn.gallery import case_names
from eqgnn.reports import cell_text
from eqgnn.specs import distinguish_spec
from eqgnn.sweep import FAMILIES, SWEEP_PROTOCOL, default_family
from ui import figures, glossary, live, model_form, state, widgets

DEFAULT_CASE = reports.DEPTH_CASE
# The words each family's panel uses, explained in its heading's tooltip
# (a page script shows a bare string, so no docstring here).
TERMS = {"khop": ("k-hop", "body order"), "equivariant": ("gwl", "lmax", "tfn-mace"),
         "correlation": ("correlation", "tfn-mace"), "stars": ("lmax",)}
TITLES = {
    "khop": "k-hop invariant models: hops x layers",
    "equivariant": "Equivariant models: lmax x layers",
    "correlation": "Equivariant models at lmax 2: correlation x layers",
    "stars": "Equivariant readout, one layer: lmax",
}
READING = {
    "khop": "Below the dashed line the k-hop test is blind at that body order, so every "
            "k-hop model is, at any depth.",
    "equivariant": "Left of the dashed line (the GWL bound) no equivariant GNN can tell A "
                   "from B. A model may need more layers than the bound: ⚠ marks cells "
                   "theory allows that the model did not distinguish.",
    "correlation": "A product of ν aggregated features at a node has body order ν + 1: "
                   "read one column to see which correlation a single layer needs.",
    "stars": "Below the dashed line no type l up to lmax sees the star's orientation.",
}


@st.cache_data(max_entries=64, show_spinner="Asking the theory oracle…")
def _bounds(name: str, family: str) -> dict:
    return reports.depth_bounds(widgets.case(name), family)


st.set_page_config(page_title="eqgnn depth", layout="wide")
st.title("Depth maps: models against theory")
names = case_names()
state.param("case", DEFAULT_CASE, choices=names)
name = st.sidebar.selectbox("Case", names, key="case")
state.sync(case=name)
try:
    case = widgets.case(name)
except InputError as exc:
    st.error(str(exc))
    st.stop()
st.header(case.title)
st.caption(f"Accuracy of the pair classifier, mean over {SWEEP_PROTOCOL['seeds']} seeds after "
           f"{SWEEP_PROTOCOL['epochs']} epochs. ✓ distinguished, ~ sighted, not learned, "
           "✗ blind, · not computed.")

shown = default_family(case.kind)
more = st.sidebar.multiselect(
    "More sweep families", [f for f in FAMILIES if f not in shown], key="families",
    format_func=TITLES.get, help="Families not shipped for this case: their cells start "
                                 "not computed, and you can compute them live.")
for family in [*shown, *more]:
    st.subheader(TITLES[family], help=glossary.tip(*TERMS[family]))
    try:
        table = reports.depth_table(case, family, live.store())
        bounds = _bounds(name, family)
    except InputError as exc:
        st.error(str(exc))
        continue
    st.markdown(f"**{' · '.join(dict.fromkeys(bounds['text'].values()))}.** {READING[family]}")
    widgets.chart(figures.depth_figure(table, bounds, f"{name}: {TITLES[family]}"),
                f"{name}-{family}-depth", key=f"heatmap-{family}")
    shortfall = reports.depth_shortfall(table, bounds)
    # as text: a column mixes layer counts with words ("none in grid")
    st.dataframe([{k: cell_text(v) for k, v in row.items()} for row in shortfall],
                 hide_index=True)
    widgets.downloads(f"{name}-{family}-depth", table, reports.depth_csv(table), key=family)
    if table["missing"]:
        clicked = st.button(f"Compute the {table['missing']} missing cells live",
                            key=f"run-{family}", icon=":material/play_arrow:",
                            help="Each cell trains a small model; cells queue when the "
                                 "machine is busy and are stored as they finish.")
        ran = live.run_cells(reports.depth_specs(name, family), f"{family} cells of {name}",
                             key=f"depth-{family}", start=clicked)
        if ran:
            st.rerun()

st.subheader("Run one model on this case")
st.caption("A model of your choosing beside the maps: a preset, or your own family, depth "
           "and protocol. Stored results show at once; others train live.")
chosen = model_form.model_form("depth")
if chosen is not None:
    config, protocol = chosen
    spec = distinguish_spec({"case": name}, config, **protocol)
    label = f"{config.summary()} on {name}"
    model_form.run_and_show(spec, label, "depth")
