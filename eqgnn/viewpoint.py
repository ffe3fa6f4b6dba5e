"""Where to look at a pair: one camera for A and B that puts their difference in view.

A and B of a failure case differ in how parts are turned against each other (a
dihedral, a chain's end, a star's orientation). Seen along a file's own z axis,
that difference often points at the viewer, and A and B look the same.
:func:`pair_viewpoint` chooses the camera from the geometry alone, for any pair:

1. When the atoms correspond (same elements in the same order) and B is not A
   moved rigidly, B is laid onto A by the rigid motion that best fits what they
   share: the Kabsch fit that brings the most atoms together, so the unchanged
   side of a turned bond coincides and the turned side shows the change. A
   pair that is one rigid motion of the other (a star turned about its axis)
   is left where it is: there the difference *is* the orientation.
2. The view direction d minimises d^T (C_x / tr C_x + C_d / tr C_d) d, with C_x
   the spread of A's atoms and C_d the scatter of the displacements between
   corresponding atoms: the molecule is seen broadside and its displacements
   lie across the screen (a planar star is seen along its axis).
3. Across the screen, A's larger spread runs vertically: a pair is drawn as two
   panes side by side, each taller than wide.
4. The changed dihedral: over the paths i-j-k-l of A's edges, the dihedral that
   differs most between A and B, when it differs by more than a degree.

Numbers only: the dashboard's views (``ui.widgets.pair_view``) draw the result.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from eqgnn.graph import adjacency_lists
from eqgnn.structure import Structure
from eqgnn.transforms import dihedral

RIGID_TOL = 1e-3
"""Å: an aligned RMSD below this means B is A moved rigidly (nothing to lay on)."""
CHANGED_DEGREES = 1.0
"""A dihedral that moved by less than this has not changed."""
STRAIGHT = 1e-6
"""Below this sine of a bond angle the path is straight and has no dihedral."""
AGREE = 0.1
"""Å: atoms of A and B this close after a fit belong to the part the two share."""
TRIPLES = 500
"""Triples of atoms a consensus fit tries at most (a fixed sample of a large molecule's)."""
MAX_PATHS = 20_000
"""Paths i-j-k-l looked at for the changed dihedral (a dense radius graph has far more)."""


@dataclass(frozen=True)
class Viewpoint:
    """A and B in the camera's frame (x right, y up, the viewer on +z), and what changed."""

    a: Structure
    b: Structure
    dihedral: tuple[int, int, int, int] | None = None
    """The path i-j-k-l whose dihedral changed most, or None."""
    angles: tuple[float, float] | None = None
    """That dihedral in A and in B, in degrees."""


def pair_viewpoint(a: Structure, b: Structure, edges: np.ndarray | None = None) -> Viewpoint:
    """A and B turned (and B laid onto A) so that their difference faces the viewer.

    ``edges`` give the paths searched for the changed dihedral: A's own bonds
    or explicit edges (``build_edges(a)``), not a dense radius graph.
    """
    corresponds = len(a) == len(b) and np.array_equal(a.numbers, b.numbers)
    xa, xb = a.positions, b.positions
    if corresponds and len(a) >= 3:
        laid = _lay_onto(xb, xa)
        if np.sqrt(np.mean(np.sum((laid - xa) ** 2, axis=1))) > RIGID_TOL:
            xb = laid
    centre = xa.mean(axis=0)
    displacement = xa - xb if corresponds else np.zeros_like(xa)
    rotation = _camera(xa - centre, displacement)
    a_view = replace(a, positions=(xa - centre) @ rotation.T)
    b_view = replace(b, positions=(xb - centre) @ rotation.T)
    path, angles = (_changed_dihedral(xa, xb, a.numbers, edges) if corresponds
                    else (None, None))
    return Viewpoint(a_view, b_view, path, angles)


def _lay_onto(moving: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """``moving`` by the rigid motion that fits it to ``fixed`` on their shared part.

    A consensus fit: the rigid motion fitted on each of up to :data:`TRIPLES`
    triples of atoms (all at once, one batched SVD), kept for the one that
    brings the most atoms within :data:`AGREE` of their partners (then the
    smallest spread), and refitted on those atoms. The unturned side of a
    turned bond agrees exactly, so it wins over any fit that splits the
    difference between the two sides.
    """
    n = len(fixed)
    if math.comb(n, 3) <= TRIPLES:
        triples = np.array(list(itertools.combinations(range(n), 3)))
    else:  # distinct atoms per triple, the same sample every time
        triples = np.random.default_rng(0).random((TRIPLES, n)).argsort(axis=1)[:, :3]
    p, q = moving[triples], fixed[triples]  # (t, 3, 3): each triple's atoms
    pc, qc = p.mean(axis=1, keepdims=True), q.mean(axis=1, keepdims=True)
    u, spread, vt = np.linalg.svd(np.swapaxes(p - pc, 1, 2) @ (q - qc))
    sign = np.where(np.linalg.det(u @ vt) < 0, -1.0, 1.0)
    u[:, :, 2] *= sign[:, None]
    laid = (moving[None] - pc) @ (u @ vt) + qc  # (t, n, 3)
    residual = np.linalg.norm(laid - fixed[None], axis=2)
    agree = residual < AGREE
    # three atoms (nearly) on a line leave a turn about it free: such a triple fits nothing
    determined = spread[:, 1] > 1e-6 * max(spread[:, 0].max(), 1e-12)
    counts = np.where(determined, agree.sum(axis=1), -1)
    cost = np.where(agree, residual, 0.0).sum(axis=1)
    best = np.lexsort((cost, -counts))[0]
    chosen = agree[best] if counts[best] >= 3 else np.ones(n, dtype=bool)
    return _kabsch(moving, fixed, chosen)


def _kabsch(moving: np.ndarray, fixed: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """All of ``moving`` under the proper rotation and shift that best fit its ``mask``
    rows to ``fixed``'s (a reflection would mirror a chiral molecule)."""
    p, q = moving[mask], fixed[mask]
    pc, qc = p.mean(axis=0), q.mean(axis=0)
    u, _, vt = np.linalg.svd((p - pc).T @ (q - qc))
    sign = np.sign(np.linalg.det(u @ vt)) or 1.0
    rotation = u @ np.diag([1.0, 1.0, sign]) @ vt
    return (moving - pc) @ rotation + qc


def _camera(centred: np.ndarray, displacement: np.ndarray) -> np.ndarray:
    """The proper rotation whose rows are the screen's x, y and the view direction."""
    cost = _normalised(centred.T @ centred) + _normalised(displacement.T @ displacement)
    _, vectors = np.linalg.eigh(cost)
    view = vectors[:, 0]
    across = centred - np.outer(centred @ view, view)
    _, plane = np.linalg.eigh(across.T @ across)
    up = plane[:, 2]
    right = np.cross(up, view)
    return np.stack([right, up, view])  # det +1: right = up x view


def _normalised(matrix: np.ndarray) -> np.ndarray:
    trace = np.trace(matrix)
    return matrix / trace if trace > 0 else matrix


def _changed_dihedral(xa: np.ndarray, xb: np.ndarray, numbers: np.ndarray,
                      edges: np.ndarray | None
                      ) -> tuple[tuple[int, int, int, int] | None, tuple[float, float] | None]:
    """The path i-j-k-l of ``edges`` whose dihedral differs most between A and B; of
    paths that changed as much (within a degree), the one with the most heavy atoms
    (butane's C-C-C-C, not an H-C-C-C beside it)."""
    paths = [path for path in _paths(edges, len(xa))
             if _defined(xa, path) and _defined(xb, path)]
    if not paths:
        return None, None
    before = np.array([dihedral(xa, *path) for path in paths])
    after = np.array([dihedral(xb, *path) for path in paths])
    change = np.abs((before - after + 180.0) % 360.0 - 180.0)
    if change.max() < CHANGED_DEGREES:
        return None, None
    near = np.flatnonzero(change >= change.max() - CHANGED_DEGREES)
    best = max(near, key=lambda p: (int(np.sum(numbers[list(paths[p])] > 1)), change[p]))
    return paths[best], (float(before[best]) + 0.0, float(after[best]) + 0.0)  # no -0.0


def _defined(x: np.ndarray, path: tuple[int, int, int, int]) -> bool:
    """Has ``path`` a dihedral: neither end on the line of its middle bond? On a straight
    chain (a k-chain's middle) the angle is rounding noise, not geometry."""
    i, j, k, m = path
    axis = x[k] - x[j]
    axis = axis / np.linalg.norm(axis)
    return all(np.linalg.norm(np.cross(axis, end)) > STRAIGHT * np.linalg.norm(end)
               for end in (x[i] - x[j], x[m] - x[k]))


def _paths(edges: np.ndarray | None, n: int) -> list[tuple[int, int, int, int]]:
    """Every path i-j-k-l (i, l distinct, the middle edge j < k) of a sparse graph."""
    if edges is None or len(edges) == 0:
        return []
    neighbours = adjacency_lists(n, np.asarray(edges, dtype=np.int64).reshape(-1, 2))
    count = sum((len(neighbours[j]) - 1) * (len(neighbours[k]) - 1) for j, k in edges)
    if count > MAX_PATHS:
        return []
    return [(i, int(j), int(k), m) for j, k in np.asarray(edges, dtype=np.int64).reshape(-1, 2)
            for i in neighbours[j] if i != k for m in neighbours[k] if m not in (j, i)]
