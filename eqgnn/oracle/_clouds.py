"""Congruence of labelled point clouds up to O(3) or SO(3), exactly, within a tolerance.

Two clouds P, Q (rows are points, each with a label) are congruent when some
label-preserving bijection and some orthogonal map R (det +1 for SO(3)) take
every p to its partner within ``tol``. The test is exact, not sampled: R is
fixed by where a basis of P goes, so it suffices to try every image of one
basis in Q whose labels and distances agree (at most |Q|^3 candidates, pruned
by norms and pairwise distances), match all points under each candidate, and
confirm the match by an optimal (Kabsch) alignment.

The origin is a fixed point (a local structure's centre); whole structures are
first centred on their centroids, which any congruence maps onto each other.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MATCH_SLACK = 4.0  # candidate matching is loose; the Kabsch check decides at tol


def basis_indices(p: np.ndarray, tol: float) -> list[int]:
    """Up to three indices of points spanning P's span, as well-conditioned as possible."""
    norms = np.linalg.norm(p, axis=1)
    if len(p) == 0 or norms.max() <= tol:
        return []
    i1 = int(np.argmax(norms))
    off_line = np.linalg.norm(np.cross(p[i1], p), axis=1) / norms[i1]
    i2 = int(np.argmax(off_line))
    if off_line[i2] <= tol:
        return [i1]
    normal = np.cross(p[i1], p[i2])
    normal /= np.linalg.norm(normal)
    height = np.abs(p @ normal)
    i3 = int(np.argmax(height))
    if height[i3] <= tol:
        return [i1, i2]
    return [i1, i2, i3]


def _frame(u: np.ndarray, v: np.ndarray | None) -> np.ndarray:
    """An orthonormal frame (columns) whose first axis is u and whose plane holds v."""
    e1 = u / np.linalg.norm(u)
    if v is None:  # any perpendicular will do: a line is symmetric about itself
        helper = np.eye(3)[int(np.argmin(np.abs(e1)))]
        v = helper
    w = v - (v @ e1) * e1
    e2 = w / np.linalg.norm(w)
    return np.stack([e1, e2, np.cross(e1, e2)], axis=1)


def candidate_rotations(p, lp, q, lq, basis, group, tol):
    """Orthogonal maps sending P's basis onto label- and distance-compatible points of Q."""
    norms_p = np.linalg.norm(p, axis=1)
    norms_q = np.linalg.norm(q, axis=1)
    slack = 2.0 * tol
    options = [
        np.nonzero((lq == lp[i]) & (np.abs(norms_q - norms_p[i]) <= slack))[0] for i in basis
    ]
    if any(len(o) == 0 for o in options):
        return
    if len(basis) == 1:
        for j in options[0]:
            yield _frame(q[j], None) @ _frame(p[basis[0]], None).T
        return
    i1, i2 = basis[0], basis[1]
    d12 = np.linalg.norm(p[i1] - p[i2])
    frame_p = _frame(p[i1], p[i2])
    flip = np.diag([1.0, 1.0, -1.0])
    for j1 in options[0]:
        for j2 in options[1]:
            if j2 == j1 or abs(np.linalg.norm(q[j1] - q[j2]) - d12) > slack:
                continue
            frame_q = _frame(q[j1], q[j2])
            proper = frame_q @ frame_p.T
            if len(basis) == 2:  # planar: a reflection through the plane is free
                yield proper
                continue
            i3 = basis[2]
            for r in (proper, frame_q @ flip @ frame_p.T):
                if group == "SO3" and np.linalg.det(r) < 0:
                    continue
                near = np.linalg.norm(q - r @ p[i3], axis=1) <= MATCH_SLACK * tol
                if np.any(near & (lq == lp[i3])):
                    yield r


def match_points(moved, lp, q, lq, tol) -> np.ndarray | None:
    """A label-preserving bijection P -> Q with every pair within tolerance, or None."""
    dist = np.linalg.norm(moved[:, None, :] - q[None, :, :], axis=-1)
    allowed = (dist <= MATCH_SLACK * tol) & (lp[:, None] == lq[None, :])
    counts = allowed.sum(axis=1)
    if np.any(counts == 0):
        return None
    if np.all(counts == 1):
        partner = np.argmax(allowed, axis=1)
        return partner if len(np.unique(partner)) == len(partner) else None
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    partner = maximum_bipartite_matching(csr_matrix(allowed), perm_type="column")
    return None if np.any(partner < 0) else partner


def best_map(p: np.ndarray, q: np.ndarray, group: str) -> np.ndarray:
    """Kabsch: the orthogonal R (det +1 for SO3) that best maps p onto q (p @ R.T ~ q)."""
    u, _, vt = np.linalg.svd(p.T @ q)
    r = (u @ vt).T
    if group == "SO3" and np.linalg.det(r) < 0:
        # planar or collinear p: the reflection is equivalent to a rotation;
        # otherwise the best proper map flips the weakest axis
        u[:, -1] = -u[:, -1]
        r = (u @ vt).T
    return r


def cloud_alignment(
    p: np.ndarray,
    labels_p: np.ndarray,
    q: np.ndarray,
    labels_q: np.ndarray,
    group: str = "O3",
    tol: float = 1e-3,
    accept: Callable[[np.ndarray], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """(partner, R) with p_i @ R.T within tol of q_partner[i], or None: not congruent.

    Two labelled clouds, the same up to a label-preserving permutation and
    O3/SO3 about the origin. ``group`` "O3" allows reflections, "SO3" does
    not. ``accept(partner)`` may veto a matching (p_i -> q_partner[i]), e.g.
    one that does not carry edges onto edges.
    """
    lp, lq = np.asarray(labels_p), np.asarray(labels_q)
    if len(p) != len(q) or sorted(lp.tolist()) != sorted(lq.tolist()):
        return None
    if len(p) == 0:
        return np.zeros(0, dtype=np.int64), np.eye(3)
    basis = basis_indices(p, tol)
    if not basis:
        partner = match_points(p, lp, q, lq, tol)
        return None if partner is None else (partner, np.eye(3))
    for r in candidate_rotations(p, lp, q, lq, basis, group, tol):
        partner = match_points(p @ r.T, lp, q, lq, tol)
        if partner is None:
            continue
        best = best_map(p, q[partner], group)
        if np.max(np.linalg.norm(p @ best.T - q[partner], axis=1)) <= tol:
            if accept is None or accept(partner):
                return partner, best
    return None


def structures_alignment(
    positions_a: np.ndarray,
    labels_a: np.ndarray,
    positions_b: np.ndarray,
    labels_b: np.ndarray,
    group: str = "O3",
    tol: float = 1e-3,
    edges_a: np.ndarray | None = None,
    edges_b: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Whole structures up to permutation, rotation (reflection for O3) and translation.

    (partner, R): atom i of A goes to atom partner[i] of B, and
    (x_i - centroid_A) @ R.T + centroid_B lies within tol of it; None when B
    is no such image of A. With explicit edges on both, the permutation must
    also carry edges onto edges.
    """
    a = positions_a - positions_a.mean(axis=0)
    b = positions_b - positions_b.mean(axis=0)
    accept = None
    if edges_a is not None and edges_b is not None:
        if len(edges_a) != len(edges_b):
            return None
        target = {tuple(sorted(e)) for e in edges_b.tolist()}

        def accept(partner: np.ndarray) -> bool:
            return {tuple(sorted(e)) for e in partner[edges_a].tolist()} == target

    return cloud_alignment(a, labels_a, b, labels_b, group, tol, accept)
