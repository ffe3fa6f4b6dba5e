r"""The moving frame g_X: a canonical orientation of a structure, where one exists.

Wang et al. (ICLR 2024), Lemma 1 (SCIENCE.md, Claim 3): an equivariant f
factors as f(X) = rho(g_X) lambda(X) with lambda invariant, once every X is
given a frame g_X with g_{RX} = R g_X. Such a frame must not depend on the
atom order either, and it exists exactly where the stabiliser is trivial (a
symmetry g of X would force g_X = g g_X). The rule here:

1. centre at the centroid: x_i <- x_i - mean(x);
2. M = sum_i Z_i x_i x_i^T, Z_i the atomic number;
3. axes e_1, e_2, e_3: eigenvectors of M by decreasing eigenvalue;
4. each e_k signed so that its skewness s_k = sum_i Z_i (e_k . x_i)^3 > 0;
5. under SO3, e_3 = e_1 x e_2 instead, so g_X is a proper rotation (mirror
   images get different frames); under O3, e_3 is signed by its own skewness,
   so g_X may be improper and g_{RX} = R g_X for every R in O(3).

The frame is the matrix whose columns are the axes; canonical coordinates are
(x - centroid) @ g_X. M and the s_k are sums over atoms (no order), and
rotate with X, hence both invariances. Where two principal moments tie, or a
needed skewness vanishes, within what the positions' tolerance can move,
the axes are not determined and no frame is returned, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqgnn.frames._stabiliser import check_group
from eqgnn.oracle import DEFAULT_TOL, check_tol
from eqgnn.structure import Structure

FRAME_RULE = (
    "centre at the centroid; M = sum_i Z_i x_i x_i^T; axes = eigenvectors of M by decreasing "
    "eigenvalue, each signed so that sum_i Z_i (e_k . x_i)^3 > 0; under SO3 e_3 = e_1 x e_2; "
    "canonical coordinates = (x - centroid) @ g_X (axes as columns)"
)
RELATIVE_TIE = 1e-6  # principal moments closer than this fraction of the largest tie


@dataclass(frozen=True)
class MovingFrame:
    """The frame g_X (axes as columns) or, when it is not unique, None and the reason."""

    matrix: np.ndarray | None
    reason: str
    centroid: np.ndarray

    @property
    def unique(self) -> bool:
        return self.matrix is not None

    def to_dict(self) -> dict:
        matrix = None if self.matrix is None else self.matrix.tolist()
        return {"unique": self.unique, "matrix": matrix, "reason": self.reason,
                "rule": FRAME_RULE}


def moving_frame(structure: Structure, group: str = "O3", tol: float = DEFAULT_TOL) -> MovingFrame:
    """The canonical frame of ``structure`` by the module's rule, or why there is none.

    Tolerances: moving each atom by at most ``tol`` Å moves a principal moment
    by at most 2 tol sum_i Z_i |x_i| and a skewness s_k by at most
    3 tol lambda_k (first order); moments closer than twice the former (plus
    1e-6 of the largest), or a skewness below the latter, are not told apart.
    """
    check_group(group)
    check_tol(tol)
    centroid = structure.positions.mean(axis=0)
    xc = structure.positions - centroid
    w = structure.numbers.astype(np.float64)
    if len(xc) == 1:
        return MovingFrame(None, "the frame is not unique: a single atom (every rotation fixes "
                           "it)", centroid)
    moments, vectors = np.linalg.eigh((w[:, None] * xc).T @ xc)
    moments, vectors = moments[::-1], vectors[:, ::-1]
    tie = RELATIVE_TIE * moments[0] + 4.0 * tol * float(w @ np.linalg.norm(xc, axis=1))
    reason = _tie_reason(moments, tie)
    if reason:
        return MovingFrame(None, f"the frame is not unique: {reason}", centroid)
    needed = 2 if group == "SO3" else 3
    float_noise = 1e-12 * float(w @ np.linalg.norm(xc, axis=1) ** 3)
    axes = []
    for k in range(needed):
        e = vectors[:, k]
        skew = float(w @ (xc @ e) ** 3)
        if abs(skew) <= 3.0 * tol * moments[k] + float_noise:
            return MovingFrame(None, f"the frame is not unique: axis {k + 1} has skewness "
                               "sum Z (e.x)^3 = 0 within tolerance (a symmetry reverses it), "
                               "so its sign is not fixed", centroid)
        axes.append(e if skew > 0 else -e)
    if group == "SO3":
        axes.append(np.cross(axes[0], axes[1]))
    return MovingFrame(np.stack(axes, axis=1), "unique: distinct principal moments, each "
                       "needed axis skewed", centroid)


def _tie_reason(moments: np.ndarray, tie: float) -> str:
    """Which principal moments tie (within ``tie``), in words; '' when all are distinct."""
    first, second = moments[0] - moments[1] <= tie, moments[1] - moments[2] <= tie
    if first and second:
        return "principal moments 1, 2 and 3 tie (spherical top)"
    if second and moments[1] <= tie:
        return "principal moments 2 and 3 tie (linear: every turn about the line fixes it)"
    if first:
        return "principal moments 1 and 2 tie (symmetric top)"
    if second:
        return "principal moments 2 and 3 tie (symmetric top)"
    return ""
