"""The theory side of every verdict: exact, numpy/scipy only (no torch).

- :func:`compare`: the k-hop invariant geometric WL test on a pair, with
  congruence, ``min_hops``, the GWL bound and a witness matching, at any of
  :data:`BODY_ORDERS` and tolerance :data:`DEFAULT_TOL` (Å);
  :class:`PairGraphs` holds a pair's graphs and hop distances, computed once;
- :func:`min_hops`, :func:`congruent`, and :func:`congruence_witness`, the
  permutation and rigid motion that prove a pair congruent, put in a
  sentence by :func:`describe_witness`;
- the orientation test of SCIENCE.md, Claim 3: :func:`orientation` of one
  structure, :func:`orientation_pair` of two, and the highest-order rotation
  axis it centres on, :func:`symmetry_axis` (a :class:`SymmetryAxis`).
"""

from eqgnn.oracle._compare import (
    BODY_ORDERS,
    DEFAULT_TOL,
    PairGraphs,
    compare,
    congruence_witness,
    congruent,
    describe_witness,
    min_hops,
)
from eqgnn.oracle._orientation import orientation, orientation_pair
from eqgnn.oracle._symmetry_axis import SymmetryAxis, symmetry_axis

__all__ = [
    "BODY_ORDERS",
    "DEFAULT_TOL",
    "PairGraphs",
    "SymmetryAxis",
    "compare",
    "congruence_witness",
    "congruent",
    "describe_witness",
    "min_hops",
    "orientation",
    "orientation_pair",
    "symmetry_axis",
]
