"""Small blocks shared by both model families: radial basis, MLP, output type."""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

NUM_SPECIES = 119  # atomic numbers 0..118


class ModelOutput(NamedTuple):
    """One forward pass: per-graph embeddings (G, D) and per-node features (N, F)."""

    embedding: torch.Tensor
    node_features: torch.Tensor


class RadialBasis(nn.Module):
    """Gaussians on [0, r_max] Å with a smooth long-range tail.

    No cutoff envelope: k-hop neighbourhoods reach beyond any fixed cutoff, and
    a model must keep seeing a distance however large, else it would be blind
    where the oracle is not. The last channel exp(-d / r_max) keeps distances
    beyond r_max apart. The Gaussians' exponent is capped at 80: e^-80 is
    still a normal float32, whereas the denormal floats of far tails slow CPU
    matrix products by an order of magnitude.
    """

    def __init__(self, num_basis: int = 32, r_max: float = 10.0):
        super().__init__()
        self.num_basis = num_basis
        self.r_max = r_max
        self.register_buffer("centres", torch.linspace(0.0, r_max, num_basis - 1))
        self.width = r_max / (num_basis - 1)

    def forward(self, d: torch.Tensor) -> torch.Tensor:
        gauss = torch.exp(-(((d[..., None] - self.centres) / self.width) ** 2).clamp(max=80.0))
        tail = torch.exp(-d / self.r_max)[..., None]
        return torch.cat([gauss, tail], dim=-1)


class MLP(nn.Sequential):
    """Linear layers with SiLU between them (none after the last)."""

    def __init__(self, sizes: list[int]):
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(nn.SiLU())
        super().__init__(*layers)


def reset_all(module: nn.Module) -> None:
    """Re-initialise every submodule that knows how (``reset_parameters``)."""
    for m in module.modules():
        if m is not module and hasattr(m, "reset_parameters"):
            m.reset_parameters()


def inverse_sqrt(n: float) -> float:
    return 1.0 / math.sqrt(max(n, 1.0))


TYPICAL_NEIGHBOURS = {"bonds": 3.0, "explicit": 3.0, "radius": 12.0, "full": 12.0}
"""The fixed n-bar of the message normalisation per graph rule (``knn:N`` uses N):
about the mean degree of organic molecules on that rule (QM9 at 5 Å: ~12)."""


def typical_neighbours(graph: str | None) -> float:
    """The neighbour count that normalises messages on ``graph`` (SCIENCE.md, Objects)."""
    from eqgnn.graph import parse_rule

    rule = parse_rule(graph)
    if rule is None:
        return TYPICAL_NEIGHBOURS["bonds"]
    if rule.kind == "knn":
        return rule.value
    return TYPICAL_NEIGHBOURS[rule.kind]
