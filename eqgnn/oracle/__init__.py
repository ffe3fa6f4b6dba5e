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
  axis it centres on, :func:`symmetry_axis` (a :class:`SymmetryAxis`);
- the point-cloud matching the stabilisers of :mod:`eqgnn.frames` build on:
  :func:`cloud_alignment`, :func:`basis_indices`, :func:`candidate_rotations`,
  :func:`match_points`, :func:`best_map`, :func:`rotation_axis`, and
  :func:`check_tol` (a tolerance is positive and finite).
"""

from eqgnn.oracle._clouds import (
    basis_indices,
    best_map,
    candidate_rotations,
    cloud_alignment,
    match_points,
)
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
from eqgnn.oracle._symmetry_axis import SymmetryAxis, check_tol, rotation_axis, symmetry_axis

__all__ = [
    "BODY_ORDERS",
    "DEFAULT_TOL",
    "PairGraphs",
    "SymmetryAxis",
    "basis_indices",
    "best_map",
    "candidate_rotations",
    "check_tol",
    "cloud_alignment",
    "compare",
    "congruence_witness",
    "congruent",
    "describe_witness",
    "match_points",
    "min_hops",
    "orientation",
    "orientation_pair",
    "rotation_axis",
    "symmetry_axis",
]
