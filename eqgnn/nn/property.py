"""Regression heads on the steerable model, one per kind of target (the L sweep's models).

The same head serves every lmax, so a sweep over lmax compares feature types,
not heads (SCIENCE.md, Claim 3):

- a scalar target: the steerable model's invariant readout (its pooled scalars
  through an MLP), then a linear map to one number;
- a vector target (type 1): atomic charges from each atom's scalars, shifted to
  sum to zero over the molecule (a neutral molecule's dipole does not depend on
  the origin), times each atom's position from the centroid, summed, plus a
  linear map of the type-1 channels (``1o``) summed over atoms where the model
  carries them. The charge term alone lets lmax = 0 fit a dipole: a lesson the
  page states, not a flaw. Both output maps start at zero, so an untrained
  model predicts no dipole instead of a sum of many random charges.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from eqgnn.batch import GraphBatch
from eqgnn.nn.equivariant import SteerableGNN
from eqgnn.nn.scatter import scatter_sum

HEADS = {
    "scalar": "pooled scalars -> MLP (the invariant readout) -> linear, one number",
    "vector": "sum_i q_i (x_i - x_mean) with q_i linear in atom i's scalars, plus a linear "
              "map of the 1o channels summed over atoms (where lmax >= 1)",
}


class PropertyModel(nn.Module):
    """A steerable encoder and a head for a ``"scalar"`` or ``"vector"`` target."""

    def __init__(self, config, kind: str):
        super().__init__()
        readout = "invariant" if kind == "scalar" else "equivariant"
        self.kind = kind
        encoder = SteerableGNN.from_config(replace(config, readout=readout).validate())
        self.encoder = encoder.to(torch.float64)  # as eqgnn.models.construct builds every model
        if kind == "scalar":
            self.out = nn.Linear(self.encoder.head[-1].out_features, 1)
            return
        irreps = self.encoder.irreps_node_features
        self.scalar_slice = _slice_of(irreps, "0e")
        self.vector_slice = _slice_of(irreps, "1o")
        self.charge = nn.Linear(self.scalar_slice.stop - self.scalar_slice.start, 1)
        vectors = self.vector_slice.stop - self.vector_slice.start
        self.vector_mix = nn.Linear(vectors // 3, 1, bias=False) if vectors else None

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        if self.kind == "scalar":
            self.out.reset_parameters()
            return
        for module in (self.charge, self.vector_mix):
            if module is not None:
                nn.init.zeros_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, batch: GraphBatch) -> torch.Tensor:
        """(G,) for a scalar target, (G, 3) for a vector one."""
        output = self.encoder(batch)
        if self.kind == "scalar":
            return self.out(output.embedding).squeeze(-1)
        h = output.node_features
        counts = scatter_sum(torch.ones_like(batch.batch, dtype=h.dtype), batch.batch,
                             batch.num_graphs)
        centroid = scatter_sum(batch.positions, batch.batch, batch.num_graphs) / counts[:, None]
        relative = batch.positions - centroid.index_select(0, batch.batch)
        charges = self.charge(h[:, self.scalar_slice])
        charges = charges - (scatter_sum(charges, batch.batch, batch.num_graphs)
                             / counts[:, None]).index_select(0, batch.batch)
        dipole = scatter_sum(charges * relative, batch.batch, batch.num_graphs)
        if self.vector_mix is not None:
            channels = h[:, self.vector_slice].reshape(h.shape[0], -1, 3)  # (N, mul, 3)
            mixed = self.vector_mix(channels.transpose(1, 2)).squeeze(-1)  # (N, 3)
            dipole = dipole + scatter_sum(mixed, batch.batch, batch.num_graphs)
        return dipole


def _slice_of(irreps, irrep: str) -> slice:
    """The columns of ``irreps`` holding ``irrep`` (an empty slice when absent)."""
    from eqgnn.nn._e3nn import o3

    target = o3.Irrep(irrep)
    for (_, ir), part in zip(irreps, irreps.slices()):
        if ir == target:
            return part
    return slice(0, 0)
