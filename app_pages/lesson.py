"""Lesson: a guided tour of the claims for a lecture, one step per view (``/lesson?step=N``).

Steps, cases and settings come from ``data/lesson.json`` through
``eqgnn.reports``, which also computes each step's evidence (the same numbers as
``python -m eqgnn report lesson --step N``): the
oracle's verdicts live (numpy, fast) and the models' verdicts read from the
result store (shipped ``data/results``; this page never trains). Made to be
read from the back of a hall: large type, few words, high contrast, the
sidebar folded away, and on a 1024x768 projector the step's words, both
structures and the first verdict on one screen.
"""

from __future__ import annotations

import streamlit as st

from eqgnn import reports
from eqgnn.errors import InputError
from ui import glossary, state, widgets

LESSON_VIEW_HEIGHT = 400  # px: beside the step's words and verdict, on one 1024x768 screen
BIG_TYPE = """
<style>
[data-testid="stMain"] h1 { font-size: 2.4rem !important; padding-top: 0.5rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.8rem !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p {
  font-size: 1.35rem; line-height: 1.4; color: #111; }
.st-key-say [data-testid="stMarkdownContainer"] p { font-size: 1.5rem; font-weight: 600; }
[data-testid="stMain"] .stButton [data-testid="stMarkdownContainer"] p { font-size: 1.15rem; }
</style>
"""


@st.cache_data(max_entries=32, show_spinner=False)
def _oracle(number: int) -> list[dict]:
    return reports.oracle_evidence(reports.lesson()[number - 1])


@st.cache_data(max_entries=32, show_spinner=False)
def _orientation(number: int) -> list[dict] | None:
    return reports.orientation_evidence(reports.lesson()[number - 1])


@st.cache_data(max_entries=32, show_spinner=False, ttl=600)
def _models(number: int) -> list[dict]:
    """Stored verdicts; refreshed every 10 minutes, as runs may land in the store meanwhile."""
    return reports.model_evidence(reports.lesson()[number - 1])


def _go(number: int) -> None:
    """Button callback: move to step ``number`` (the URL follows in :func:`state.sync`)."""
    st.session_state["step"] = number


def _draw_nav(number: int, total: int, where: str) -> None:
    """Previous and next buttons; the step's own link between them."""
    back, middle, forward = st.columns([1.4, 3, 1.4], vertical_alignment="center")
    back.button("Previous", key=f"previous-{where}", icon=":material/arrow_back:",
                disabled=number <= 1, on_click=_go, args=(number - 1,), width="stretch")
    middle.caption(f"Step {number} of {total} · link: `?step={number}`")
    forward.button("Next", key=f"next-{where}", icon=":material/arrow_forward:",
                   disabled=number >= total, on_click=_go, args=(number + 1,), width="stretch")


def _verdict_box(line: str, blind: bool) -> None:
    """One verdict, coloured so the back row reads it: amber for blind, green for sees."""
    if blind:
        st.warning(line, icon=":material/visibility_off:")
    else:
        st.success(line, icon=":material/visibility:")


def _draw_oracle(rows: list[dict]) -> None:
    for row in rows:
        k = row["hops"]
        _verdict_box(f"**{k} hop{'s' if k > 1 else ''}, body order {row['body_order']}, "
                     f"{row['group']}: {row['verdict']}**", row["verdict"] == "blind")
        st.caption(row["reason"])


def _draw_orientation(rows: list[dict]) -> None:
    seen = [str(row["type l"]) for row in rows if row["sees the orientation"]]
    blind = [str(row["type l"]) for row in rows if not row["sees the orientation"]]
    _verdict_box(f"**Types that see which way it points: l = {', '.join(seen) or 'none'}**",
                 False)
    _verdict_box(f"**Blind: l = {', '.join(blind) or 'none'}**", True)


def _draw_models(rows: list[dict]) -> None:
    for row in rows:
        if row["verdict"] is None:
            st.info(f"**{row['model']}**: not in the shipped results. Compute it with")
            st.code(row["command"], language="bash", wrap_lines=True)
            continue
        _verdict_box(f"**{row['model']}: {row['verdict']}** (accuracy {row['accuracy']:.0%}, "
                     f"untrained gap {row['embedding_gap']:.0e}, noise floor "
                     f"{row['noise_floor']:.0e})", row["verdict"] == "blind")


st.set_page_config(page_title="eqgnn lesson", layout="wide", initial_sidebar_state="collapsed")
try:
    steps = reports.lesson()
except InputError as exc:
    st.error(str(exc))
    st.stop()
st.markdown(BIG_TYPE, unsafe_allow_html=True)
number = state.param("step", 1, int, low=1, high=len(steps))
state.sync(step=number)
step = steps[number - 1]

_draw_nav(number, len(steps), "top")
st.title(step.title)
# A slide: the words and the oracle's verdict on the left, the pair on the right, so that
# a 1024x768 projector shows all three at once; the trained models below.
words, pair = st.columns([2, 3])
with words:
    with st.container(border=True, key="say"):
        st.markdown(step.say)
    st.markdown("**The oracle says** (computed now)",
                help=glossary.tip("k-hop", "body order", "group"))
    _draw_oracle(_oracle(number))
    orientation = _orientation(number)
    if orientation is not None:
        _draw_orientation(orientation)
    if step.more is not None:  # a plain link: the page exists in the app's navigation
        st.markdown(f":material/arrow_forward: [{step.more[1]}](/{step.more[0]})")
with pair:
    case = widgets.case(step.case)
    widgets.pair_view(case.a, case.b, widgets.edges(case.a, case.graph),
                      widgets.edges(case.b, case.graph), key=f"step-{number}",
                      height=LESSON_VIEW_HEIGHT)
st.markdown("**Trained models** (stored runs)", help=glossary.tip("gwl", "tfn-mace"))
with st.spinner("Reading the stored runs…"):
    _draw_models(_models(number))
_draw_nav(number, len(steps), "bottom")
