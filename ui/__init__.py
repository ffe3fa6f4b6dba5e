"""Shared Streamlit helpers for the dashboard's pages (the only place, with ``app_pages/``
and ``app.py``, that imports streamlit).

- :mod:`ui.state`: selections in the URL (``st.query_params``) under documented
  keys, so a link reproduces a view;
- :mod:`ui.views`: cached loaders and drawing helpers (two 3D views side by
  side, plotly charts with an offline PNG button, download buttons);
- :mod:`ui.live`: live runs on a shared machine: a server-wide queue, progress
  and a Cancel button.

Pages draw, the library computes (STYLE.md): these helpers only read widgets,
call ``eqgnn`` and render what it returns.
"""
