"""Index sets of k-hop local structures: who a centre sees, in pairs and triples.

Built once per batch from :func:`eqgnn.graph.khop_neighbourhoods` (the one
k-hop rule, so the model sees exactly the neighbourhoods the oracle tests) and
kept on the batch, so every layer and every seed reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from eqgnn.batch import GraphBatch
from eqgnn.graph import khop_neighbourhoods


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
    n = batch.num_nodes
    # the graphs of a batch are disjoint blocks, so one call covers them all
    hoods = khop_neighbourhoods(n, batch.undirected_edges, hops)
    sizes_with_centre = np.array([len(h) for h in hoods], dtype=np.int64)
    centres = np.repeat(np.arange(n), sizes_with_centre)
    flat = np.concatenate(hoods) if n else np.zeros(0, np.int64)
    others = flat != centres  # N_c^k holds c; the index sets pair c with the others
    centres, flat = centres[others], flat[others]
    sizes = sizes_with_centre - 1
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
