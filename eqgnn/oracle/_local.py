"""What a k-hop invariant model sees of one local structure, per body order.

For a centre i with colour c_i and neighbours j in N_i^k \\ {i} at
r_j = x_j - x_i (SCIENCE.md, Claim 1):

- body order 2: the multiset {(c_j, d_ij)};
- body order 3: plus, over unordered pairs {j, l}, (c_j, c_l, d_ij, d_il, d_jl);
  under SO(3) also, over triples {j, l, m} of three different colours, the
  signed volume det[r_j, r_l, r_m] with the triple ordered by colour (the
  k-hop model's chiral term vanishes where two colours coincide, so the test
  sees exactly what the model sees);
- full: the labelled cloud {(c_j, r_j)} up to O(3) or SO(3).

Each ``LocalView`` has an exact part (a hashable key: colours) and a geometric
part compared within the tolerance; ``equivalent`` is the tolerance-aware
equality the colour classes are built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eqgnn.oracle._clouds import cloud_alignment


@dataclass
class LocalView:
    """One node's local structure, reduced to what the test's body order sees."""

    key: tuple
    colours: np.ndarray
    distances: np.ndarray
    rel: np.ndarray
    pairs: dict = field(default_factory=dict)
    triples: dict = field(default_factory=dict)


def local_view(
    centre_colour: int,
    colours: np.ndarray,
    rel: np.ndarray,
    body_order: str,
    group: str,
) -> LocalView:
    """Reduce a local structure (neighbour colours, offsets from the centre)."""
    d = np.linalg.norm(rel, axis=1)
    order = np.lexsort((d, colours))
    colours, d, rel = colours[order], d[order], rel[order]
    view = LocalView((centre_colour, tuple(colours.tolist())), colours, d, rel)
    if body_order == "3":
        view.pairs = _pair_rows(colours, d, rel)
        if group == "SO3":
            view.triples = _triple_rows(colours, d, rel)
    return view


def _pair_rows(colours, d, rel) -> dict:
    """(c_j, c_l) -> rows (d_ij, d_il, d_jl), j before l in (colour, distance) order."""
    n = len(colours)
    if n < 2:
        return {}
    j, l = np.triu_indices(n, k=1)
    d_jl = np.linalg.norm(rel[j] - rel[l], axis=1)
    rows = np.stack([d[j], d[l], d_jl], axis=1)
    groups: dict = {}
    keys = np.stack([colours[j], colours[l]], axis=1)
    for key in np.unique(keys, axis=0):
        mask = (keys[:, 0] == key[0]) & (keys[:, 1] == key[1])
        groups[tuple(key.tolist())] = rows[mask]
    return groups


def _triple_rows(colours, d, rel) -> dict:
    """(c_a < c_b < c_c) -> rows (signed volume in colour order, its scale)."""
    n = len(colours)
    if n < 3:
        return {}
    a, b, c = (x.reshape(-1) for x in np.meshgrid(*[np.arange(n)] * 3, indexing="ij"))
    keep = (colours[a] < colours[b]) & (colours[b] < colours[c])
    a, b, c = a[keep], b[keep], c[keep]
    if len(a) == 0:
        return {}
    vol = np.einsum("ij,ij->i", rel[a], np.cross(rel[b], rel[c]))
    # |d vol| <= tol * (sum of pairwise products of lengths) when atoms move by tol
    scale = d[a] * d[b] + d[b] * d[c] + d[a] * d[c]
    keys = np.stack([colours[a], colours[b], colours[c]], axis=1)
    groups: dict = {}
    for key in np.unique(keys, axis=0):
        mask = np.all(keys == key, axis=1)
        groups[tuple(key.tolist())] = np.stack([vol[mask], scale[mask]], axis=1)
    return groups


def equivalent(u: LocalView, v: LocalView, body_order: str, group: str, tol: float) -> bool:
    """Do two local views agree within ``tol`` (their keys already equal)?"""
    if np.any(np.abs(u.distances - v.distances) > tol):
        return False
    if body_order == "full":
        return cloud_alignment(u.rel, u.colours, v.rel, v.colours, group, tol) is not None
    if body_order == "3":
        if u.pairs.keys() != v.pairs.keys():
            return False
        for key, rows in u.pairs.items():
            if not _rows_match(rows, v.pairs[key], tol):
                return False
        if u.triples.keys() != v.triples.keys():
            return False
        for key, rows in u.triples.items():
            other = v.triples[key]
            if len(rows) != len(other):
                return False
            x, y = np.sort(rows[:, 0]), np.sort(other[:, 0])
            if np.any(np.abs(x - y) > tol * np.maximum(rows[:, 1].max(), other[:, 1].max())):
                return False
    return True


def _rows_match(x: np.ndarray, y: np.ndarray, tol: float) -> bool:
    """Is there a bijection of rows with every entry within tol?

    Rows of a pair of equal colours are already ordered by distance, so no
    column swap is needed. Sorting decides the common case; a bipartite
    matching settles the rest exactly.
    """
    if len(x) != len(y):
        return False
    for col in range(x.shape[1]):
        if np.any(np.abs(np.sort(x[:, col]) - np.sort(y[:, col])) > tol):
            return False
    xs, ys = _sorted_rows(x, tol), _sorted_rows(y, tol)
    if np.all(np.abs(xs - ys) <= tol):
        return True
    return _bipartite_within(xs, ys, tol)


def _sorted_rows(x: np.ndarray, tol: float) -> np.ndarray:
    """Rows in lexicographic order of their values on a grid of step ``tol``.

    Float noise cannot reorder rows that agree to within the grid, so two
    equivalent row sets line up (unless a value sits within noise of a grid
    line, which the exact matching below then settles).
    """
    grid = np.round(x / tol)
    return x[np.lexsort(grid.T[::-1])]


def _bipartite_within(x: np.ndarray, y: np.ndarray, tol: float) -> bool:
    """Exact: a perfect matching of rows with every entry within tol.

    Candidates come from a window on the first column (both sorted by it), so
    the compatibility graph is built sparse, not as a dense |x| x |y| matrix.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    x = x[np.argsort(x[:, 0], kind="stable")]
    y = y[np.argsort(y[:, 0], kind="stable")]
    lo = np.searchsorted(y[:, 0], x[:, 0] - tol, side="left")
    hi = np.searchsorted(y[:, 0], x[:, 0] + tol, side="right")
    rows, cols = [], []
    for i, (start, stop) in enumerate(zip(lo, hi)):
        window = np.arange(start, stop)
        ok = window[np.all(np.abs(y[window] - x[i]) <= tol, axis=1)]
        if len(ok) == 0:
            return False
        rows.append(np.full(len(ok), i))
        cols.append(ok)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(x), len(y)))
    return bool(np.all(maximum_bipartite_matching(graph, perm_type="column") >= 0))
