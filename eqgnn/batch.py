"""Many geometric graphs as one tensor batch, the input of every model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from eqgnn.device import resolve_device
from eqgnn.errors import InputError
from eqgnn.graph import build_edges
from eqgnn.structure import Structure

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_dtype(dtype: str | torch.dtype = "float32") -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        return dtype
    if dtype not in DTYPES:
        raise InputError(f"unknown dtype {dtype!r}: use float32 or float64")
    return DTYPES[dtype]


@dataclass
class GraphBatch:
    """Graphs concatenated node-wise.

    ``edge_index`` (2, E) is directed both ways; a message flows from
    ``edge_index[0]`` (the neighbour j) to ``edge_index[1]`` (the centre i).
    ``undirected_edges`` (m, 2) numpy, global node indices, is kept for the
    k-hop index sets that the khop model builds from it.
    """

    numbers: torch.Tensor
    positions: torch.Tensor
    edge_index: torch.Tensor
    batch: torch.Tensor
    num_graphs: int
    undirected_edges: np.ndarray
    node_offsets: np.ndarray

    @property
    def num_nodes(self) -> int:
        return int(self.numbers.shape[0])

    def to(self, device: torch.device | str) -> GraphBatch:
        return GraphBatch(
            self.numbers.to(device),
            self.positions.to(device),
            self.edge_index.to(device),
            self.batch.to(device),
            self.num_graphs,
            self.undirected_edges,
            self.node_offsets,
        )

    def with_positions(self, positions: torch.Tensor) -> GraphBatch:
        """The same graphs with new coordinates (for invariance tests)."""
        return GraphBatch(
            self.numbers, positions, self.edge_index, self.batch,
            self.num_graphs, self.undirected_edges, self.node_offsets,
        )


def collate(
    structures: Sequence[Structure],
    graph: str | None = None,
    dtype: str | torch.dtype = "float32",
    device: str | torch.device | None = None,
    edges: Sequence[np.ndarray] | None = None,
) -> GraphBatch:
    """Batch ``structures`` with edges from the ``graph`` rule (or given ``edges``)."""
    if not structures:
        raise InputError("no structures to batch")
    dev = device if isinstance(device, torch.device) else resolve_device(device)
    if edges is None:
        edges = [build_edges(s, graph) for s in structures]
    sizes = np.array([len(s) for s in structures])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    und = np.concatenate(
        [e + off for e, off in zip(edges, offsets)] or [np.zeros((0, 2), np.int64)]
    ).astype(np.int64).reshape(-1, 2)
    directed = np.concatenate([und, und[:, ::-1]]).T.copy()
    numbers = np.concatenate([s.numbers for s in structures])
    positions = np.concatenate([s.positions for s in structures])
    batch = np.repeat(np.arange(len(structures)), sizes)
    return GraphBatch(
        numbers=torch.as_tensor(numbers, dtype=torch.long, device=dev),
        positions=torch.as_tensor(positions, dtype=resolve_dtype(dtype), device=dev),
        edge_index=torch.as_tensor(directed, dtype=torch.long, device=dev),
        batch=torch.as_tensor(batch, dtype=torch.long, device=dev),
        num_graphs=len(structures),
        undirected_edges=und,
        node_offsets=offsets,
    )
