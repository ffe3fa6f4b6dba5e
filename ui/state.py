"""Selections live in the URL: a link reproduces the view (STYLE.md, "State in one place").

Documented query-parameter keys, shared by every page that uses them:

- ``case``: a gallery case name (``python -m eqgnn cases``), e.g. ``kchain-4``;
- ``mol``: a molecule spec, ``g2:NAME``, ``qm9:N``, ``smiles:STRING`` or ``upload:FILE``;
- ``graph``: a graph rule, ``bonds``, ``radius:R``, ``knn:N``, ``full`` or ``explicit``;
- ``hops``: k of a k-hop neighbourhood or model, an integer >= 1;
- ``body_order``: ``2``, ``3`` or ``full``;
- ``group``: ``O3`` or ``SO3``;
- ``lmax``: the highest type L of an equivariant model, 0..8;
- ``layers``: message-passing rounds, an integer >= 1;
- ``correlation``: an equivariant model's correlation order, 1 to 4;
- ``atom``: a 0-based atom index (of graph A on pair pages);
- ``bond``: a bond ``I-J`` (0-based indices);
- ``angle``: a torsion angle in degrees;
- ``step``: a lesson's step, an integer >= 1.

How it works: the URL *seeds* a widget once per session (:func:`param`
writes the value into ``st.session_state[key]`` before the widget with that
key is drawn, and only if the widget has no value yet); after that the widget
owns the value, and :func:`sync` writes the current values back to the URL on
every run. A value in the URL that is junk or out of range is replaced by the
default, never an error: a stale link must still open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

KEYS = ("case", "mol", "graph", "hops", "body_order", "group", "lmax", "layers",
        "correlation", "atom", "bond", "angle", "step")
"""Every query-parameter key the dashboard reads (see the module docstring)."""

T = TypeVar("T")


def param(
    key: str,
    default: T,
    cast: Callable[[str], T] = str,
    choices: Sequence[T] | None = None,
    low: T | None = None,
    high: T | None = None,
) -> T:
    """Seed the widget ``key`` from the URL once per session; return its value now.

    Call it just before drawing the widget with ``key=key`` (and no ``value=``
    or ``index=``: the session state holds it). The URL's text is ``cast``;
    junk gives ``default``, a number is clamped to ``[low, high]``, and a value
    outside ``choices`` gives ``default``. When the widget already has a value
    that is no longer valid (the choices changed: another molecule with fewer
    atoms, say), it is reset to ``default`` so the widget never errors.
    """
    if key not in KEYS:
        raise KeyError(f"query key {key!r} is not documented in ui.state.KEYS")
    if key not in st.session_state:
        st.session_state[key] = _from_url(key, default, cast, choices, low, high)
    elif not _valid(st.session_state[key], choices, low, high):
        st.session_state[key] = default
    return st.session_state[key]


def sync(**values: object) -> None:
    """Write the current selections to the URL, touching only keys whose text changed.

    Writing an unchanged key would still be a round trip to the browser, so
    equal values are skipped. ``None`` removes a key (a selection that does not
    apply to the current view).
    """
    for key, value in values.items():
        if key not in KEYS:
            raise KeyError(f"query key {key!r} is not documented in ui.state.KEYS")
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


def keep(*keys: str) -> None:
    """Keep the values of the widgets ``keys`` through a run that does not draw them.

    Streamlit forgets a widget's value when a run ends without drawing it: a
    page that stops early on bad input (an invalid SMILES, a broken upload)
    would bring the next molecule up with every other setting reset. Written
    back at the top of the page, before any widget, the values become the
    session's own and survive (Streamlit's documented way to keep widget state).
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _from_url(key: str, default: T, cast: Callable[[str], T], choices, low, high) -> T:
    """The URL's value for ``key`` cast and checked, else ``default``."""
    text = st.query_params.get(key)
    if text is None:
        return default
    try:
        value = cast(text)
    except (TypeError, ValueError):
        return default
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value if _valid(value, choices, None, None) else default


def _valid(value: object, choices, low, high) -> bool:
    """Is ``value`` among ``choices`` (when given) and within ``[low, high]``?"""
    if choices is not None and value not in choices:
        return False
    if low is not None and value < low:
        return False
    return not (high is not None and value > high)
