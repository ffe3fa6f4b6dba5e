"""Index sets of k-hop local structures: who a centre sees, in pairs and triples.

Built once per batch with numpy/scipy and kept on the batch, so every layer
and every seed reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from eqgnn.batch import GraphBatch


@dataclass(frozen=True)
class KHopIndex:
    """Rows of (centre, neighbour, ...) for every centre's k-hop neighbourhood.

    ``pairs`` (2, P): centre c and j in N_c^k, j != c.
    ``pair_pairs`` (2, Q): unordered pairs of rows of ``pairs`` with the same
    centre (j < l), so per-(c, j) quantities are computed once and gathered.
    ``triples`` (3, T): unordered triples of such rows (only when asked for).
    """

    pairs: torch.Tensor
    pair_pairs: torch.Tensor | None
    triples: torch.Tensor | None


def _neighbourhoods(batch: GraphBatch, hops: int) -> list[np.ndarray]:
    n = batch.num_nodes
    e = batch.undirected_edges
    if len(e) == 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(n)]
    adj = coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    out: list[np.ndarray] = []
    sizes = np.diff(np.append(batch.node_offsets, n))
    for start, size in zip(batch.node_offsets, sizes):
        block = adj[start : start + size, start : start + size]
        dist = dijkstra(block, directed=False, unweighted=True, limit=hops)
        for row_index, row in enumerate(dist):
            near = np.nonzero(np.isfinite(row))[0]
            out.append(start + near[near != row_index])
    return out


def _combinations(hood_sizes: np.ndarray, r: int) -> np.ndarray:
    """All r-subsets of each centre's rows of ``pairs`` (rows j < l < ...), stacked."""
    rows = []
    cache: dict[int, np.ndarray] = {}
    starts = np.concatenate([[0], np.cumsum(hood_sizes)[:-1]])
    for start, size in zip(starts, hood_sizes):
        if size < r:
            continue
        if size not in cache:
            grids = np.stack(np.meshgrid(*[np.arange(size)] * r, indexing="ij"), -1)
            combos = grids.reshape(-1, r)
            cache[size] = combos[np.all(np.diff(combos, axis=1) > 0, axis=1)]
        rows.append(start + cache[size])
    if not rows:
        return np.zeros((r, 0), dtype=np.int64)
    return np.concatenate(rows).T.astype(np.int64)


def khop_index(
    batch: GraphBatch, hops: int, with_pairs: bool, with_triples: bool
) -> KHopIndex:
    """The index sets of ``batch`` at ``hops``, cached on the batch object."""
    key = (hops, with_pairs, with_triples)
    cache = batch.__dict__.setdefault("_khop_cache", {})
    if key in cache:
        return cache[key]
    hoods = [np.sort(h) for h in _neighbourhoods(batch, hops)]
    sizes = np.array([len(h) for h in hoods])
    centres = np.repeat(np.arange(batch.num_nodes), sizes)
    flat = np.concatenate(hoods) if len(hoods) else np.zeros(0, np.int64)
    dev = batch.positions.device

    def tensor(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(a, dtype=torch.long, device=dev)

    index = KHopIndex(
        pairs=tensor(np.stack([centres, flat]).astype(np.int64)),
        pair_pairs=tensor(_combinations(sizes, 2)) if with_pairs else None,
        triples=tensor(_combinations(sizes, 3)) if with_triples else None,
    )
    cache[key] = index
    return index
