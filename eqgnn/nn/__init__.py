"""The models and the blocks they are built from (torch and e3nn; importing this loads both).

Models, each a ``torch.nn.Module`` whose ``forward(batch)`` takes a
:class:`~eqgnn.batch.GraphBatch` and returns a :class:`ModelOutput`
(per-graph embeddings and per-node features):

- :class:`KHopGNN`: the k-hop invariant GNN of Wang et al. (ICLR 2024), the
  model class of the paper's Theorem (``hops``, ``body_order``, ``group``);
- :class:`DimeNetStyle`: directional messages on edges, updated by angles
  (Gasteiger et al., ICLR 2020);
- :class:`SteerableGNN`: the TFN / NequIP / MACE family of steerable
  networks up to type ``lmax``, built from e3nn blocks;
- :class:`PropertyModel`: a steerable encoder with a scalar or vector
  regression head (the L sweep's models).

Blocks shared by the families: :class:`RadialBasis`, :class:`MLP`,
:class:`KHopLayer`, :class:`DirectionalBlock`, :class:`AngleBasis`, the
steerable :class:`Interaction`; :func:`scatter_sum` and :func:`scatter_mean`
(torch only, no torch_scatter). Feature types: :func:`hidden_irreps` and
:func:`describe_hidden_irreps` choose and explain a steerable model's hidden
irreps (SCIENCE.md, Claims 2 and 3).

Build a model from a :class:`~eqgnn.config.ModelConfig` with
:func:`eqgnn.models.build_model`; the commands that need no model (``python
-m eqgnn oracle``, ``cases``, ``info``) never import this package.
"""

from eqgnn.nn._e3nn import float64_default, o3
from eqgnn.nn.blocks import MLP, ModelOutput, RadialBasis
from eqgnn.nn.dimenet import AngleBasis, DimeNetStyle, DirectionalBlock
from eqgnn.nn.equivariant import Interaction, SteerableGNN
from eqgnn.nn.irreps import describe_hidden_irreps, hidden_irreps
from eqgnn.nn.khop import KHopGNN, KHopLayer
from eqgnn.nn.property import PropertyModel
from eqgnn.nn.scatter import scatter_mean, scatter_sum

__all__ = [
    "float64_default",
    "o3",
    "MLP",
    "AngleBasis",
    "DimeNetStyle",
    "DirectionalBlock",
    "Interaction",
    "KHopGNN",
    "KHopLayer",
    "ModelOutput",
    "PropertyModel",
    "RadialBasis",
    "SteerableGNN",
    "describe_hidden_irreps",
    "hidden_irreps",
    "scatter_mean",
    "scatter_sum",
]
