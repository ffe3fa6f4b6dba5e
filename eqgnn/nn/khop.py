"""The k-hop invariant GNN: the model class of the paper's Theorem.

Wang et al., *Rethinking the Benefits of Steerable Features in 3D Equivariant
Graph Neural Networks* (ICLR 2024); SCIENCE.md, "Claim 1". A node sees its
k-hop local structure {(h_j, x_j - x_i) : j in N_i^k} only through quantities
invariant under the group acting on that structure *alone*:

- body order 2:  m2_i = sum_{j in N_i^k, j != i} phi2(h_j, d_ij)
- body order 3:  m3_i = sum_{j < l} phi3(h_j, d_ij, h_l, d_il, d_jl)   (symmetric in j, l)
- SO(3), body order 3 adds signed volumes of neighbour triples:
  mv_i = sum_{j < l < m} odd(V_ijlm) * alt(h_j, h_l, h_m),
  V_ijlm = det[x_j - x_i, x_l - x_i, x_m - x_i].  ``alt`` is alternating in
  its three arguments and ``odd`` is an odd function, so the product does not
  depend on how the triple is ordered: it is the volume "ordered by colour",
  and it vanishes when two colours coincide (where no order exists).

  h_i <- h_i + U(h_i, m2_i, m3_i, mv_i),   embedding = MLP(sum_i h_i).

The model with body order b sees exactly what the k-hop geometric WL test
with body order b sees (``eqgnn.oracle``), so that test is its true ceiling.
"""

from __future__ import annotations

import torch
from torch import nn

from eqgnn.batch import GraphBatch
from eqgnn.config import ModelConfig
from eqgnn.nn.blocks import MLP, NUM_SPECIES, ModelOutput, RadialBasis, inverse_sqrt, reset_all
from eqgnn.nn.khop_index import khop_index
from eqgnn.nn.scatter import scatter_sum


class KHopLayer(nn.Module):
    """One message-passing round over k-hop local structures."""

    def __init__(self, width: int, num_basis: int, body_order: int, chiral: bool,
                 avg_neighbours: float):
        super().__init__()
        self.body_order = body_order
        self.chiral = chiral
        self.norm2 = inverse_sqrt(avg_neighbours)
        self.norm3 = inverse_sqrt(avg_neighbours * (avg_neighbours - 1) / 2)
        self.normv = inverse_sqrt(avg_neighbours ** 3 / 6)
        self.phi2 = MLP([width + num_basis, width, width])
        inputs = 2
        if body_order == 3:
            self.pair_atom = nn.Linear(width, width)
            self.pair_radial = nn.Linear(num_basis, width)
            self.phi3 = MLP([3 * width, width, width])
            self.pair_far = nn.Linear(num_basis, width)
            inputs += 1
        if chiral:
            self.alt = nn.Linear(width, 3 * width)
            self.odd = MLP([1, width, width])
            inputs += 1
        self.update = MLP([inputs * width, width, width])

    def forward(self, h, pos, rbf_of, index, n):
        parts = [h]
        c, j = index.pairs
        d_cj = (pos[j] - pos[c]).norm(dim=-1)
        m2 = self.phi2(torch.cat([h[j], rbf_of(d_cj)], dim=-1))
        parts.append(scatter_sum(m2, c, n) * self.norm2)
        if self.body_order == 3:
            c, j, l = index.pair_pairs
            u_j = self._pair_atom(h, pos, c, j, rbf_of)
            u_l = self._pair_atom(h, pos, c, l, rbf_of)
            d_jl = (pos[l] - pos[j]).norm(dim=-1)
            m3 = self.phi3(torch.cat([u_j + u_l, u_j * u_l, self.pair_far(rbf_of(d_jl))], -1))
            parts.append(scatter_sum(m3, c, n) * self.norm3)
        if self.chiral:
            parts.append(scatter_sum(self._chiral(h, pos, index.triples), index.triples[0], n)
                         * self.normv)
        return h + self.update(torch.cat(parts, dim=-1))

    def _pair_atom(self, h, pos, c, j, rbf_of):
        d = (pos[j] - pos[c]).norm(dim=-1)
        return self.pair_atom(h[j]) * self.pair_radial(rbf_of(d))

    def _chiral(self, h, pos, triples):
        c, j, l, m = triples
        vol = torch.linalg.det(torch.stack([pos[j] - pos[c], pos[l] - pos[c], pos[m] - pos[c]], 1))
        s = torch.asinh(vol)[:, None]
        odd = self.odd(s) - self.odd(-s)
        f, g, k = self.alt(h).chunk(3, dim=-1)
        # det [[f_j, f_l, f_m], [g_j, g_l, g_m], [k_j, k_l, k_m]] per channel: alternating
        alt = (f[j] * (g[l] * k[m] - k[l] * g[m])
               - f[l] * (g[j] * k[m] - k[j] * g[m])
               + f[m] * (g[j] * k[l] - k[j] * g[l]))
        return odd * alt


class KHopGNN(nn.Module):
    """k-hop invariant GNN: ``hops`` k, ``body_order`` 2 or 3, group O3 or SO3.

    Under SO3 with body order 3 the signed volumes of neighbour triples are
    added (SCIENCE.md); at body order 2 the two groups coincide.
    """

    def __init__(self, hops: int = 1, body_order: int = 3, width: int = 32, layers: int = 3,
                 group: str = "O3", num_basis: int = 32, r_max: float = 10.0,
                 avg_neighbours: float = 6.0):
        super().__init__()
        self.hops = hops
        self.body_order = body_order
        self.group = group
        self.chiral = group == "SO3" and body_order == 3
        self.rbf = RadialBasis(num_basis, r_max)
        self.embed = nn.Embedding(NUM_SPECIES, width)
        self.layers = nn.ModuleList(
            KHopLayer(width, num_basis, body_order, self.chiral, avg_neighbours)
            for _ in range(layers)
        )
        self.readout = MLP([width, width, width])

    @classmethod
    def from_config(cls, config: ModelConfig) -> KHopGNN:
        return cls(hops=config.hops, body_order=config.body_order, width=config.width,
                   layers=config.layers, group=config.group)

    def reset_parameters(self) -> None:
        reset_all(self)

    def forward(self, batch: GraphBatch) -> ModelOutput:
        index = khop_index(batch, self.hops, self.body_order == 3, self.chiral)
        n = batch.num_nodes
        pos = batch.positions
        h = self.embed(batch.numbers).to(pos.dtype)
        for layer in self.layers:
            h = layer(h, pos, self.rbf, index, n)
        pooled = scatter_sum(h, batch.batch, batch.num_graphs)
        return ModelOutput(self.readout(pooled), h)
