"""The dashboard's server warm-up, started once per server process.

:func:`eqgnn.warmup.warm_server` starts the warm workers of live runs and
builds the default models in a background thread; the pages stay usable
meanwhile and find the models built when they ask. Page tests (Streamlit's
``AppTest``, which runs scripts without a server) do not start it.
"""

from __future__ import annotations

import threading

import streamlit as st
from streamlit import runtime
from streamlit.runtime import Runtime


@st.cache_resource(show_spinner=False)
def _started() -> threading.Thread | None:
    from eqgnn.warmup import warm_server

    return warm_server()


def start() -> None:
    """Start the warm-up on a real server (once; later calls return at once)."""
    if runtime.exists() and type(runtime.get_instance()) is Runtime:  # AppTest: a mock
        _started()
