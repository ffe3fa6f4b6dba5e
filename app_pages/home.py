"""Home: what the explorer shows, the paper's three claims, and where each is shown.

The claims are those of SCIENCE.md (Wang et al., ICLR 2024, with Joshi et al.
2023); each card links to the page and selection that shows it. The compute
device is reported last: finding it imports torch (seconds), so the page
draws first.
"""

import streamlit as st

from eqgnn.errors import InputError
from ui import glossary

CLAIMS = [
    {
        "title": "1. k-hop invariant GNNs lose global geometry",
        "terms": ("k-hop",),
        "text": "Turn butane about its middle bond: every atom's bonded neighbourhood stays "
                "the same, so a 1-hop invariant GNN cannot tell anti from gauche. What is lost "
                "is how neighbourhoods are oriented relative to each other.",
        "links": [("app_pages/gallery.py", "The butane twins", {"case": "butane-torsion"}),
                  ("app_pages/explorer.py", "Turn any molecule's bonds",
                   {"mol": "g2:trans-butane", "bond": "1-2", "angle": "120"})],
    },
    {
        "title": "2. Equivariant GNNs keep it",
        "terms": ("gwl", "tfn-mace"),
        "text": "Steerable features (vectors and higher types) carry orientation from layer "
                "to layer. With enough layers, the GWL bound, an equivariant GNN tells apart "
                "what every k-hop invariant GNN confuses; TFN-style models need more layers "
                "than products of features at a node.",
        "links": [("app_pages/depth.py", "Depth map of the 4-chain", {"case": "kchain-4"})],
    },
    {
        "title": "3. Type does not matter at fixed dimension",
        "terms": ("lmax",),
        "text": "A feature of type l carries 2l+1 numbers; at a fixed total dimension, higher "
                "types add no essential information. Symmetry is the exception: on an n-fold "
                "star, types below n cannot record which way it points.",
        "links": [("app_pages/steerable.py", "Frames, types and the L sweep", {}),
                  ("app_pages/gallery.py", "The 5-fold star", {"case": "star-5"})],
    },
]


@st.cache_resource(show_spinner="Loading torch…")
def _backend() -> str:
    """Where jobs run and on what device; cached because importing torch (or joining a
    Ray cluster) takes seconds."""
    from eqgnn.live import backend_line, describe_backend

    return backend_line(describe_backend())


st.title("What 3D geometric GNNs can and cannot see")
st.markdown(
    "Load a real molecule, build its graph, and run both model families on it: "
    "**k-hop invariant** GNNs and **steerable equivariant** GNNs. Beside every model "
    "sits an exact **oracle**, the geometric Weisfeiler-Leman test, which says what the "
    "model could see at best. The pages make the claims of *Rethinking the Benefits of "
    "Steerable Features in 3D Equivariant Graph Neural Networks* (Wang et al., ICLR 2024) "
    "visible on real molecules."
)
for column, claim in zip(st.columns(len(CLAIMS)), CLAIMS):
    with column.container(border=True, height="stretch"):
        st.subheader(claim["title"], help=glossary.tip(*claim["terms"]))
        st.write(claim["text"])
        for page, label, params in claim["links"]:
            st.page_link(page, label=label, icon=":material/arrow_forward:",
                         query_params=params)
st.page_link("app_pages/lesson.py", label="The guided tour for a lecture",
             icon=":material/school:")
try:
    st.caption(f"Backend: {_backend()} (set `EQGNN_BACKEND` or `EQGNN_DEVICE` to change it)")
except InputError as exc:
    st.error(str(exc))
