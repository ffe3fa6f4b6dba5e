"""Gallery: pairs of geometric graphs that some GNNs cannot tell apart, and why.

The selections live in the URL (``ui.state``): ``case`` (a gallery case),
``atom`` (an atom of A) and ``hops`` (k of its k-hop neighbourhood). The page
draws what ``eqgnn.reports`` computes, one call per panel (the same numbers as
``python -m eqgnn report gallery``): the oracle's verdicts (numpy, instant),
the model verdicts stored in ``data/results/`` (never trained here), and a
model of the visitor's choosing (``ui.model_form``), from the store or, on
request, trained live through the shared queue (``ui.live``): the numbers of
``python -m eqgnn distinguish --case NAME ... --json``.
"""

from __future__ import annotations

import streamlit as st

from eqgnn import reports
from eqgnn.errors import InputError
from eqgnn.gallery import case_names
from eqgnn.specs import distinguish_spec
from ui import glossary, live, model_form, state, widgets

MAX_HOPS = 6
DEFAULT_CASE = reports.GALLERY_CASE


@st.cache_data(max_entries=64, show_spinner="Asking the theory oracle…")
def _oracle(name: str) -> dict:
    return reports.oracle_verdicts(widgets.case(name))


@st.cache_data(max_entries=64, show_spinner=False)
def _congruence(name: str) -> dict | None:
    return reports.congruence(widgets.case(name))


@st.cache_data(max_entries=256, show_spinner=False)
def _matched(name: str, atom: int, hops: int) -> dict:
    return reports.matched_neighbourhoods(widgets.case(name), atom, hops)


def _verdict_banner(headline: dict) -> None:
    """The verdict in letters big enough for the back of a lecture hall (its reason goes
    below the pair, so that the verdict and both structures share the first screen)."""
    if headline["blind"]:
        st.markdown(f"### :red[:material/visibility_off: {headline['verdict']}]")
    else:
        st.markdown(f"### :green[:material/visibility: {headline['verdict']}]")


st.set_page_config(page_title="eqgnn gallery", layout="wide")
names = case_names()
state.param("case", DEFAULT_CASE, choices=names)
name = st.sidebar.selectbox("Case", names, key="case")
try:
    case = widgets.case(name)
    state.param("atom", 0, int, low=0, high=len(case.a) - 1)
    symbols = case.a.symbols
    atom = st.sidebar.selectbox("Atom of A", range(len(case.a)), key="atom",
                                format_func=lambda i: f"{i}: {symbols[i]}")
    state.param("hops", 1, int, low=1, high=MAX_HOPS)
    hops = st.sidebar.slider("Hops k", 1, MAX_HOPS, key="hops", help=glossary.tip("k-hop"))
    state.sync(case=name, atom=atom, hops=hops)
    oracle = _oracle(name)
    matched = _matched(name, int(atom), int(hops))
except InputError as exc:
    st.error(str(exc))
    st.stop()

st.subheader(f"Failure-case gallery: {case.title}")
headline = reports.hops_headline(oracle["rows"], int(hops))
_verdict_banner(headline)
drawn = widgets.drawn_rule(case.graph)
widgets.pair_view(case.a, case.b, widgets.edges(case.a, drawn),
                  widgets.edges(case.b, drawn), matched["hood_a"], matched["hood_b"],
                  matched["atom_a"], matched["atom_b"], key="gallery-pair",
                  height=widgets.COMPACT_VIEW_HEIGHT)
st.info(headline["reason"])
st.markdown(f"Marked: atom {atom} and its {hops}-hop neighbourhood, in A and in B. "
            f"**{matched['text']}**")
with st.expander("Which atom of B matches each atom of the neighbourhood in A"):
    st.dataframe(matched["pairs"], hide_index=True)
st.write(case.text)

proof = _congruence(name) if oracle["headline"]["congruent"] else None
if proof is not None:
    st.subheader("The oracle's witness: B is A moved")
    st.markdown(f"**{proof['sentence']}** Left: A carried onto B by that motion; right: B. "
                f"Atom {atom} of A and its image are marked.")
    partner = proof["witness"]["permutation"][int(atom)]
    widgets.pair_view(reports.moved_by(case.a, proof["witness"]), case.b,
                      widgets.edges(case.a, drawn), widgets.edges(case.b, drawn),
                      [], [], int(atom), partner, key="gallery-witness")
    with st.expander("Which atom of B each atom of A becomes"):
        st.dataframe(proof["pairs"], hide_index=True)

st.subheader("Theory: can a k-hop invariant test tell A from B?",
             help=glossary.tip("body order", "group"))
st.caption("**same**: the k-hop geometric WL test cannot tell A from B, so no k-hop "
           "invariant model of that body order can; **differ**: it can. Graph rule: "
           f"`{case.graph}`.")
st.dataframe(widgets.verdict_style(oracle["table"]), hide_index=True)
widgets.downloads(f"{name}-oracle", oracle["rows"], widgets.rows_csv(oracle["rows"]),
                  key="oracle")

st.subheader("Models: what trained networks managed", help=glossary.tip("gwl", "tfn-mace"))
verdicts = reports.model_verdicts(case, live.store())
st.caption("From the precomputed results (`python -m eqgnn precompute`); nothing trains "
           "here unless you run it live below. **gap**: the untrained embedding gap; "
           "**noise floor**: the gap the same model shows between a structure and itself "
           "jittered at the coordinates' precision, below which it is blind. "
           "**theory allows**: the oracle says a model of this kind and size could see the "
           "difference (blank: between the bounds of a DimeNet-style model).")
st.dataframe(widgets.verdict_style(verdicts), hide_index=True, height=320)
widgets.downloads(f"{name}-models", verdicts, widgets.rows_csv(verdicts), key="models")

st.subheader("Run a model on this case")
st.caption("Choose a preset or your own options, then train it on A and B here. At the "
           "default protocol a preset's result is precomputed and shows at once; anything "
           "else trains live, queued when the machine is busy (Cancel stops it).")
chosen = model_form.model_form("gallery", reports.DEFAULT_PRESET)
if chosen is None:
    st.stop()
config, protocol = chosen
spec = distinguish_spec({"case": name}, config, **protocol)
label = f"{config.summary()} on {name}"
model_form.run_and_show(spec, label, "gallery",
                        missing=f"No stored result for this model on {name} yet: run it live.")
