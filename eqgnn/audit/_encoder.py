"""A model under audit behind the product's encoder interface.

The protocol trains ``encoder(batch).embedding`` and redraws weights with
``encoder.reset_parameters()`` under a seed (:func:`eqgnn.models.seed_parameters`).
A user's module or a package's model has neither, so :class:`AuditedModel`
gives it both: the forward maps a :class:`~eqgnn.batch.GraphBatch` to the
audit's call ``model(z, pos, edge_index, batch)`` (a per-node output summed per
graph), and a seed's weights are drawn once, by the model's own
``reset_parameters`` where it has one, else by building it afresh, then kept.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from eqgnn.errors import InputError
from eqgnn.nn.blocks import ModelOutput
from eqgnn.nn.scatter import scatter_sum

KEPT_DRAWS = 64
"""Seeds' weights an audited model keeps: a card's cells reuse the same seeds."""


class _Draws(dict):
    """Seed -> drawn weights; shared, not copied, when the module is copied per seed."""

    def __deepcopy__(self, memo):
        return self


class AuditedModel(nn.Module):
    """``build()`` -> a module with ``forward(z, pos, edge_index, batch)``, run in float64."""

    def __init__(self, build: Callable[[], nn.Module], name: str):
        super().__init__()
        self.build, self.name = build, name
        self.model = build().to(torch.float64)
        self._drawn = _Draws()

    def reset_parameters(self) -> None:
        """The weights of the seed torch was last seeded with, drawn once and kept.

        Drawn under its own forked generator, so the caller's random stream
        moves on the same whether the draw was kept or made now.
        """
        seed = torch.initial_seed()
        if seed not in self._drawn:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                self._drawn[seed] = self._draw()
            while len(self._drawn) > KEPT_DRAWS:
                self._drawn.pop(next(iter(self._drawn)))
        self.model.load_state_dict(self._drawn[seed])

    def _draw(self) -> dict[str, torch.Tensor]:
        reset = getattr(self.model, "reset_parameters", None)
        if callable(reset):
            reset()
            drawn = self.model
        else:
            drawn = self.build().to(torch.float64)
        return {k: v.detach().clone() for k, v in drawn.state_dict().items()}

    def forward(self, batch) -> ModelOutput:
        out = self.model(batch.numbers, batch.positions, batch.edge_index, batch.batch)
        if not isinstance(out, torch.Tensor):
            raise InputError(f"{self.name}: forward returned {type(out).__name__}, "
                             "expected a tensor [graphs, d] or [atoms, d]")
        if out.dim() == 1:
            out = out.unsqueeze(-1)
        if out.dim() != 2:
            raise InputError(f"{self.name}: forward returned shape {tuple(out.shape)}, "
                             "expected [graphs, d] or [atoms, d]")
        rows = out.shape[0]
        if rows == batch.num_graphs:
            return ModelOutput(out, out.new_zeros(batch.num_nodes, 0))
        if rows == batch.num_nodes:
            return ModelOutput(scatter_sum(out, batch.batch, batch.num_graphs), out)
        raise InputError(f"{self.name}: forward returned {rows} rows for {batch.num_graphs} "
                         f"graphs of {batch.num_nodes} atoms")
