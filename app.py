"""Home page of the eqgnn dashboard: what it shows and where to start.

Run with ``streamlit run app.py``; the pages in ``pages/`` (Streamlit's
directory convention) become ``/explorer`` and so on.
"""

import streamlit as st

from eqgnn.errors import InputError

st.set_page_config(page_title="eqgnn", layout="wide")
st.title("What 3D geometric GNNs can and cannot see")
st.markdown(
    "The **Explorer** shows a molecule as a geometric graph under a graph rule "
    "(bonds, a radius, k nearest neighbours) and highlights the k-hop "
    "neighbourhood of an atom: the part of the molecule a k-hop invariant GNN "
    "sees from it. What lies outside, and how neighbourhoods are oriented "
    "relative to each other, is what such a model cannot tell apart."
)
st.page_link("pages/explorer.py", label="Open the Explorer", icon=":material/view_in_ar:")


@st.cache_resource(show_spinner="Loading torch…")
def _device() -> str:
    """The device models run on; cached because importing torch takes seconds."""
    from eqgnn.batch import resolve_device

    return str(resolve_device())


try:
    st.caption(f"Compute device: `{_device()}` (set `EQGNN_DEVICE` to change it)")
except InputError as exc:
    st.error(str(exc))
