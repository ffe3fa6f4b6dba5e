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
    """One message-passing round over k-hop local structures.

    Each message function is a one-hidden-layer MLP whose output layer is
    applied after the sum over the neighbourhood (a linear map commutes with
    the sum), and whose input layer is split by argument, so per-atom terms are
    computed once per atom and only what truly depends on a pair or a pair of
    pairs is computed per row. Geometry comes precomputed (it is the same in
    every layer): ``rbf_cj`` per row of ``index.pairs``, ``rbf_jl`` per pair of
    rows, ``asinh_vol`` per triple of rows.
    """

    def __init__(self, width: int, num_basis: int, body_order: int, chiral: bool,
                 avg_neighbours: float):
        super().__init__()
        self.body_order = body_order
        self.chiral = chiral
        self.norm2 = inverse_sqrt(avg_neighbours)
        self.norm3 = inverse_sqrt(avg_neighbours * (avg_neighbours - 1) / 2)
        self.normv = inverse_sqrt(avg_neighbours ** 3 / 6)
        # phi2(h_j, d_cj) = out2(silu(atom2 h_j + radial2 rbf(d_cj)))
        self.atom2 = nn.Linear(width, width)
        self.radial2 = nn.Linear(num_basis, width, bias=False)
        self.out2 = nn.Linear(width, width)
        inputs = 2
        if body_order == 3:
            # u_cj = pair_atom(h_j) * pair_radial(rbf(d_cj)); symmetric in j, l:
            # phi3 = out3(silu(sum3(u_cj + u_cl) + prod3(u_cj * u_cl) + far3 rbf(d_jl)))
            self.pair_atom = nn.Linear(width, width)
            self.pair_radial = nn.Linear(num_basis, width)
            self.sum3 = nn.Linear(width, width)
            self.prod3 = nn.Linear(width, width, bias=False)
            self.far3 = nn.Linear(num_basis, width, bias=False)
            self.out3 = nn.Linear(width, width)
            inputs += 1
        if chiral:
            self.alt = nn.Linear(width, 3 * width)
            self.odd = MLP([1, width, width])
            inputs += 1
        self.update = MLP([inputs * width, width, width])

    def forward(self, h, index, geometry):
        n = h.shape[0]
        c, j = index.pairs
        parts = [h]
        hidden2 = nn.functional.silu(
            self.atom2(h).index_select(0, j) + self.radial2(geometry["rbf_cj"])
        )
        parts.append(self._sum_then_out(self.out2, hidden2, c, n, self.norm2))
        if self.body_order == 3:
            a, b = index.pair_pairs
            u = self.pair_atom(h).index_select(0, j) * self.pair_radial(geometry["rbf_cj"])
            s = self.sum3(u)
            u_a, u_b = u.index_select(0, a), u.index_select(0, b)
            hidden3 = nn.functional.silu(
                s.index_select(0, a) + s.index_select(0, b) + self.prod3(u_a * u_b)
                + self.far3(geometry["rbf_jl"])
            )
            centre = c.index_select(0, a)
            parts.append(self._sum_then_out(self.out3, hidden3, centre, n, self.norm3))
        if self.chiral:
            a, b, d = index.triples
            v = geometry["asinh_vol"]
            odd = self.odd(v) - self.odd(-v)
            f, g, k = self.alt(h).index_select(0, j).chunk(3, dim=-1)
            # det [[f_a, f_b, f_d], [g_a, g_b, g_d], [k_a, k_b, k_d]] per channel:
            # alternating in the three atoms, zero when two of them coincide.
            alt = (f[a] * (g[b] * k[d] - k[b] * g[d])
                   - f[b] * (g[a] * k[d] - k[a] * g[d])
                   + f[d] * (g[a] * k[b] - k[a] * g[b]))
            parts.append(scatter_sum(odd * alt, c[a], n) * self.normv)
        return h + self.update(torch.cat(parts, dim=-1))

    @staticmethod
    def _sum_then_out(out: nn.Linear, hidden, centre, n: int, norm: float):
        """out applied to each row, summed per centre: W (sum hidden) + count * bias."""
        total = scatter_sum(hidden, centre, n)
        count = scatter_sum(torch.ones_like(centre, dtype=hidden.dtype), centre, n)[:, None]
        return (nn.functional.linear(total, out.weight) + count * out.bias) * norm


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
        h = self.embed(batch.numbers).to(batch.positions.dtype)
        geometry = self._geometry(batch.positions, index)
        for layer in self.layers:
            h = layer(h, index, geometry)
        pooled = scatter_sum(h, batch.batch, batch.num_graphs)
        return ModelOutput(self.readout(pooled), h)

    def _geometry(self, pos: torch.Tensor, index) -> dict[str, torch.Tensor]:
        """The invariants every layer reads: distances, and signed volumes for SO3."""
        c, j = index.pairs
        rel = pos[j] - pos[c]
        geometry = {"rbf_cj": self.rbf(rel.norm(dim=-1))}
        if index.pair_pairs is not None:
            a, b = index.pair_pairs
            geometry["rbf_jl"] = self.rbf((rel[b] - rel[a]).norm(dim=-1))
        if index.triples is not None:
            a, b, d = index.triples
            vol = torch.linalg.det(torch.stack([rel[a], rel[b], rel[d]], dim=1))
            geometry["asinh_vol"] = torch.asinh(vol)[:, None]
        return geometry
