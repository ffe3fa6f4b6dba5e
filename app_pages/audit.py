"""Audit a model: the shipped report cards, and a card built for the model you choose.

Numbers come from :func:`eqgnn.audit.audit_card`, the same call as
``eqgnn audit MODEL --json``. In public mode only the shipped implementations and
presets are offered: a model file would run a visitor's code.
"""

import streamlit as st

from eqgnn.audit import PUBLISHED, audit_card, check_public, model_source, shipped_cards
from eqgnn.config import PRESETS
from eqgnn.errors import InputError
from eqgnn.limits import public_mode
from ui.card_html import card_html, depth_map

st.title("Audit a model")
st.caption("Symmetry first, then the battery at every depth, the oracle's verdict beside "
           "each cell (red outline: the theory allows more than the model showed).")


def show(card: dict) -> None:
    s = card["summary"]
    st.write(f"**{card['model']}** {card['options'] or ''} — {card['meaning']}")
    st.write(f"body order {s['body_order_text']}; 1-hop invariant: {s['local_invariant']}; "
             f"GWL bound on k-chains: {s['reaches_gwl_bound']}; chirality: "
             f"{s['sees_chirality']}; cells below theory: {len(s['headline'])}")
    st.html(depth_map(card))
    st.download_button("Download the card (HTML)", card_html(card),
                       file_name=f"card-{card['model'].replace(':', '-')}.html",
                       key=f"download-{card['model']}-{card['options']}")


cards = shipped_cards()
shipped, build = st.tabs(["Shipped cards", "Build a card"])
with shipped:
    names = [c["model"] for c in cards]
    chosen = st.selectbox("Card", names, key="shipped_card") if names else None
    if chosen is not None:
        show(cards[names.index(chosen)])
with build:
    offered = [*PUBLISHED, *(f"preset:{name}" for name in PRESETS)]
    model = st.selectbox("Model", offered, key="audit_model")
    if public_mode():
        path = ""
        st.caption("A public server audits only the shipped implementations and presets: "
                   "a model file would run a visitor's code.")
    else:
        path = st.text_input("or a model file, PATH.py:FACTORY", key="audit_file")
    layers = st.multiselect("Depths", [1, 2, 3, 4], default=[1, 2], key="audit_layers")
    cases = st.text_input("Cases (blank: the whole battery)", "body2,body3,butane-torsion",
                          key="audit_cases")
    if st.button("Build the card", key="audit_run"):
        try:
            target = path.strip() or model
            check_public(target)
            source = model_source(target)
            bar = st.progress(0.0, text="starting")
            card = audit_card(source, layers, [c.strip() for c in cases.split(",") if
                                               c.strip()] or None,
                              progress=lambda d, t, label: bar.progress(d / max(t, 1), label))
            show(card)
        except InputError as exc:
            st.error(str(exc))
