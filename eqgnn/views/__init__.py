"""What each dashboard page shows, computed: JSON-able rows, tables and figures.

A page calls one function per panel and draws its result (STYLE.md, "Pages
draw, the library computes"); the CLI could print the same values.

- :mod:`eqgnn.views.gallery`: the gallery page: the oracle's verdicts on a
  case, the stored model verdicts, a k-hop neighbourhood with its witness
  partner in B, training curves;
- :mod:`eqgnn.views.depth`: the depth page: accuracy over hops x layers and
  lmax x layers from the store, with the oracle's bounds drawn on.
"""
