r"""A steerable (E(3)- or SE(3)-equivariant) message-passing network.

The TFN / NequIP family (Thomas et al., *Tensor Field Networks*, 2018;
Batzner et al., *E(3)-equivariant graph neural networks for data-efficient
and accurate interatomic potentials*, Nat. Commun. 2022), built from e3nn
(Geiger & Smidt, 2022) blocks as in e3nn's ``gate_points_2101``, with an
optional MACE-style product at each node (Batatia et al., *MACE*, NeurIPS
2022). It is the "equivariant GNN" of SCIENCE.md, Claim 2, and the model of
Claim 3 (Wang et al., ICLR 2024) when sized with a fixed dimension.

Node features h_i are steerable: a direct sum of irreps (``irreps_hidden``).
With h_i^0 = Embed(z_i) (scalars) and one layer = one message-passing round,

.. math::

    A_i^t = \frac{1}{\sqrt{\bar n}} \sum_{j \in N(i)}
            h_j^t \otimes_{w(d_{ij})} Y(\hat x_{ij}),
            \qquad x_{ij} = x_j - x_i,

    u_i^t = W_A A_i^t + W_h h_i^t + \sum_{\nu=2}^{\text{correlation}} B_\nu(V A_i^t),

    B_\nu(a) = (\cdots((a \otimes_{W_2} a) \otimes_{W_3} a) \cdots) \otimes_{W_\nu} a,

    h_i^{t+1} = \mathrm{Gate}(u_i^t),

where :math:`\otimes_{w}` is a 'uvu' tensor product (each channel of h_j with
each spherical harmonic Y_l up to ``lmax``) whose path weights w come from a
radial MLP (e3nn's variance-preserving ``FullyConnectedNet``, so the weights
are O(1) and a signal survives several rounds) of a :class:`RadialBasis` of
d_ij, :math:`\bar n` is a fixed typical neighbour count, W_A, W_h, V are
equivariant linear maps, B_nu is the product of nu copies of the aggregated
features (e3nn fully connected tensor products, each intermediate kept in the
hidden types and scaled by its RMS so it stays O(1)), u is scaled by
1/sqrt(1 + correlation), and the
gate multiplies each l > 0 channel by a sigmoid of its own scalar (scalars
pass through SiLU if even, tanh if odd: an odd scalar needs an odd function
to stay odd). Messages are linear in h_j, so orientations from two
neighbours meet only along a walk of edges; ``correlation`` nu >= 2 adds the
products of up to nu aggregated features, which combine orientations
arriving from different neighbours at one node: body order nu + 1 in one
layer (MACE's symmetric contraction computes the same products with
per-channel weights; here every channel pair has its own, a superset).

Readout: ``invariant`` (default) sums the final layer's scalars over each
graph's nodes, 0e under O(3) and 0e + 0o under SO(3), and maps them through an
MLP; ``equivariant`` sums all node features and applies an e3nn Linear, so the
embedding transforms with D(R).

Under O(3) the hidden types have natural parities and the embedding is
invariant under rotations, reflections, translations and permutations; under
SO(3) both parities exist, a pseudoscalar appears after three rounds (a triple
product needs a 1e, itself the cross product made in round two), and mirror
images get different embeddings.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from eqgnn.batch import GraphBatch
from eqgnn.nn._e3nn import FullyConnectedNet, Gate, e3nn, float64_default, o3
from eqgnn.nn.blocks import (
    MLP,
    NUM_SPECIES,
    ModelOutput,
    RadialBasis,
    inverse_sqrt,
    typical_neighbours,
)
from eqgnn.nn.irreps import hidden_irreps
from eqgnn.nn.scatter import scatter_sum


def _reachable(irreps_in: o3.Irreps, irreps_sh: o3.Irreps, target: o3.Irreps) -> o3.Irreps:
    """The part of ``target`` that one round can produce from ``irreps_in``.

    A type is reachable through the self-interaction (already present) or
    through some path h_j (l1) x Y (l2) -> l. Unreachable types would be zero.
    """
    made = {ir for _, ir in irreps_in}
    made |= {ir for _, a in irreps_in for _, b in irreps_sh for ir in a * b}
    return o3.Irreps([(mul, ir) for mul, ir in target if ir in made])


def _reachable_after(target: o3.Irreps, irreps_sh: o3.Irreps, rounds: int) -> o3.Irreps:
    """The part of ``target`` that ``rounds`` rounds from scalars can carry."""
    irreps = o3.Irreps([(1, "0e")])
    for _ in range(rounds):
        irreps = _reachable(irreps, irreps_sh, target)
    return irreps


class Interaction(nn.Module):
    """One message-passing round: tensor-product messages, self-interaction, gate."""

    def __init__(
        self,
        irreps_in: o3.Irreps,
        irreps_target: o3.Irreps,
        irreps_sh: o3.Irreps,
        num_basis: int,
        radial_neurons: int,
        avg_neighbours: float,
        correlation: int,
        irreps_product: o3.Irreps | None = None,
    ):
        """``irreps_target``: the types this round outputs. ``irreps_product``
        (correlation >= 2): the types the node products work in, by default
        the target; the last round of an invariant model outputs scalars only
        but still multiplies the full messages."""
        super().__init__()
        self.irreps_in = o3.Irreps(irreps_in)
        target = _reachable(self.irreps_in, irreps_sh, irreps_target)
        scalars = o3.Irreps([(m, ir) for m, ir in target if ir.l == 0])
        gated = o3.Irreps([(m, ir) for m, ir in target if ir.l > 0])
        self.gate = Gate(
            scalars, [torch.tanh if ir.p == -1 else nn.functional.silu for _, ir in scalars],
            o3.Irreps([(m, "0e") for m, _ in gated]), [torch.sigmoid] * len(gated),
            gated,
        )
        self.irreps_out: o3.Irreps = self.gate.irreps_out
        wanted = {ir for _, ir in self.gate.irreps_in}
        if correlation >= 2:
            product = _reachable(self.irreps_in, irreps_sh, irreps_product or irreps_target)
            wanted |= {ir for _, ir in product}

        mid, instructions = [], []
        for i, (mul, ir_in) in enumerate(self.irreps_in):
            for k, (_, ir_sh) in enumerate(irreps_sh):
                for ir_out in ir_in * ir_sh:
                    if ir_out in wanted:
                        instructions.append((i, k, len(mid), "uvu", True))
                        mid.append((mul, ir_out))
        irreps_mid, perm, _ = o3.Irreps(mid).sort()
        self.message = o3.TensorProduct(
            self.irreps_in, irreps_sh, irreps_mid,
            [(i, k, perm[o], mode, train) for i, k, o, mode, train in instructions],
            internal_weights=False, shared_weights=False,
        )
        self.radial = FullyConnectedNet(
            [num_basis, radial_neurons, self.message.weight_numel], nn.functional.silu
        )
        self.norm = inverse_sqrt(avg_neighbours)
        self.linear_message = o3.Linear(irreps_mid, self.gate.irreps_in)
        self.linear_self = o3.Linear(self.irreps_in, self.gate.irreps_in)
        self.correlation = correlation
        self.mix = inverse_sqrt(1 + correlation)  # a sum of 1 + correlation unit-variance terms
        if correlation >= 2:
            self.product_in = o3.Linear(irreps_mid, product)
            self.product = o3.FullyConnectedTensorProduct(product, product, self.gate.irreps_in)
            # order nu >= 3: (order nu-1, kept in the product types) x a -> the gate's input
            higher = range(3, correlation + 1)
            self.lift = nn.ModuleList(
                o3.FullyConnectedTensorProduct(product, product, product) for _ in higher)
            self.product_out = nn.ModuleList(
                o3.FullyConnectedTensorProduct(product, product, self.gate.irreps_in)
                for _ in higher)

    def forward(
        self,
        h: torch.Tensor,
        sh: torch.Tensor,
        radial: torch.Tensor,
        edge_index: torch.Tensor,
    ) -> torch.Tensor:
        src, dst = edge_index
        messages = self.message(h.index_select(0, src), sh, self.radial(radial))
        aggregated = scatter_sum(messages, dst, h.shape[0]) * self.norm
        u = self.linear_message(aggregated) + self.linear_self(h)
        if self.correlation >= 2:
            a = _rms_scaled(self.product_in(aggregated))
            u = u + self.product(a, a)
            power = a
            for lift, out in zip(self.lift, self.product_out):
                power = _rms_scaled(lift(power, a))  # the product of nu - 1 copies
                u = u + out(power, a)
        return self.gate(u * self.mix)


def _rms_scaled(x: torch.Tensor) -> torch.Tensor:
    """x divided by sqrt(1 + its mean square): an invariant scale, so equivariance is kept,
    and a product of such factors stays O(1) instead of raising its input to a power."""
    return x * torch.rsqrt(1.0 + x.pow(2).mean(dim=-1, keepdim=True))


def _built_in_float64(init):
    """Run a constructor with float64 as torch's default dtype.

    e3nn computes its Clebsch-Gordan coefficients in float64 and stores them
    in the default dtype; stored in float32, a float64 model is equivariant
    only to ~1e-8, which would hide the faint signals of SCIENCE.md (a
    correlation-2 model at its GWL bound, ~1e-8). Built in float64, the
    constants are exact, and ``.to(torch.float32)`` rounds them once.

    e3nn's tensor products are then left as torch.fx modules, not TorchScript:
    scripted ones built in float64 and run in float32 recompile for every new
    batch shape (seconds each); unscripted ones run as fast once warm.
    """

    @functools.wraps(init)
    def wrapper(*args, **kwargs):
        with float64_default():
            options = e3nn.get_optimization_defaults()
            e3nn.set_optimization_defaults(jit_script_fx=False)
            try:
                init(*args, **kwargs)
            finally:
                e3nn.set_optimization_defaults(**options)  # all of them: jit_mode too

    return wrapper


class SteerableGNN(nn.Module):
    """Equivariant GNN with steerable features up to type ``lmax`` (module docstring).

    ``irreps_hidden`` (the constructor argument) is the requested type
    content; each round keeps the types it can reach, and the attribute
    ``irreps_hidden`` is what the rounds carry. ``irreps_node_features`` is
    what the last round returns: all hidden types for the equivariant
    readout, only the scalars the invariant readout reads otherwise (as in
    MACE, so the last round computes nothing that is thrown away).
    A new model is float64 (see :func:`_built_in_float64`); ``.to(dtype)`` it.
    """

    @_built_in_float64
    def __init__(
        self,
        irreps_hidden: o3.Irreps | str,
        lmax: int | None = None,
        layers: int = 3,
        correlation: int = 1,
        group: str = "O3",
        readout: str = "invariant",
        avg_neighbours: float = 3.0,
        num_basis: int = 32,
        r_max: float = 10.0,
        radial_neurons: int = 64,
        embedding_dim: int = 32,
    ):
        super().__init__()
        requested = o3.Irreps(irreps_hidden)
        self.lmax = requested.lmax if lmax is None else lmax
        self.group = group
        self.readout = readout
        self.irreps_sh = o3.Irreps.spherical_harmonics(self.lmax)
        # built once, unscripted: o3.spherical_harmonics() would build and script one per call
        self.spherical_harmonics = o3.SphericalHarmonics(self.irreps_sh, normalize=True,
                                                         normalization="component")
        self.species = nn.Embedding(NUM_SPECIES, requested.count("0e"))
        self.radial_basis = RadialBasis(num_basis, r_max)
        self.basis_scale = num_basis**0.5
        scalars_read = ("0e",) if group == "O3" else ("0e", "0o")
        irreps = o3.Irreps(f"{requested.count('0e')}x0e")
        self.interactions = nn.ModuleList()
        for index in range(layers):
            target = requested
            if readout == "invariant" and index == layers - 1:
                # As in MACE, the last round makes only what the readout reads.
                target = o3.Irreps([(m, ir) for m, ir in requested if str(ir) in scalars_read])
            block = Interaction(
                irreps, target, self.irreps_sh, num_basis, radial_neurons,
                avg_neighbours, correlation, irreps_product=requested,
            )
            self.interactions.append(block)
            irreps = block.irreps_out
        self.irreps_hidden: o3.Irreps = _reachable_after(requested, self.irreps_sh, layers)
        self.irreps_node_features: o3.Irreps = irreps
        if readout == "invariant":
            self.head = MLP([irreps.dim, embedding_dim, embedding_dim])
        else:
            self.head = o3.Linear(irreps, irreps)
        self.reset_parameters()

    @classmethod
    def from_config(cls, config) -> SteerableGNN:
        """The model of an ``eqgnn.config.ModelConfig`` with ``model="equivariant"``."""
        irreps = hidden_irreps(
            config.lmax, config.group, config.channels, config.dim, config.irreps_hidden
        )
        return cls(
            irreps,
            layers=config.layers,
            correlation=config.correlation,
            group=config.group,
            readout=config.readout,
            avg_neighbours=typical_neighbours(config.graph),
        )

    def reset_parameters(self) -> None:
        """Redraw every weight: torch layers by their own rule, e3nn weights N(0, 1).

        e3nn modules normalise by their fan-in in the forward pass, initialise
        weights with unit Gaussians and biases with zeros, and have no
        ``reset_parameters``.
        """
        for m in self.modules():
            if m is self:
                continue
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
            elif type(m).__module__.startswith("e3nn."):
                for name, p in m.named_parameters(recurse=False):
                    if name == "bias":
                        nn.init.zeros_(p)
                    else:
                        nn.init.normal_(p)

    def forward(self, batch: GraphBatch) -> ModelOutput:
        src, dst = batch.edge_index
        vec = batch.positions.index_select(0, src) - batch.positions.index_select(0, dst)
        sh = self.spherical_harmonics(vec)
        radial = self.radial_basis(vec.norm(dim=-1)) * self.basis_scale
        h = self.species(batch.numbers).to(batch.positions.dtype)
        for block in self.interactions:
            h = block(h, sh, radial, batch.edge_index)
        pooled = scatter_sum(h, batch.batch, batch.num_graphs)
        return ModelOutput(self.head(pooled), h)
