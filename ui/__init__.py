"""Shared Streamlit helpers for the dashboard's pages (the only place, with ``app_pages/``
and ``app.py``, that imports streamlit, and with them the only one that draws).

- :mod:`ui.state`: selections in the URL (``st.query_params``) under documented
  keys, so a link reproduces a view;
- :mod:`ui.widgets`: cached loaders and widget helpers (two 3D views side by
  side, plotly charts with an offline PNG button, download buttons);
- :mod:`ui.render3d`: 3D pictures of a structure and its graph (3Dmol.js HTML
  served from the repository's ``static/``, a plotly fallback);
- :mod:`ui.figures`: plotly figures of what ``eqgnn.reports`` computed (training
  curves, depth heatmaps with the oracle's bound, L-sweep curves, f and lambda);
- :mod:`ui.live`: live runs on a shared machine: a server-wide queue, progress
  and a Cancel button.

Pages draw, the library computes (STYLE.md): these helpers only read widgets,
call ``eqgnn`` and render what it returns.
"""
