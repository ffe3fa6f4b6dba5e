"""Audit any model: its expressivity report card against the exact theory.

``eqgnn audit MODEL`` measures a model's symmetry (translation, rotation,
reflection, permutation), then runs the battery of the gallery's cases and
generated families at every depth through the protocol, puts the oracle's
verdict for the model's class beside each cell, and reads the model's reach
off the cells (SCIENCE.md, "Auditing someone else's model").

The contract a user's model meets: ``FACTORY(**options)`` returns a
``torch.nn.Module`` whose ``forward(z, pos, edge_index, batch)`` takes atomic
numbers (long, [n]), positions ([n, 3]), directed edges j -> i from the
case's graph rule (long, [2, E]; row 0 the neighbour, row 1 the centre) and
graph indices (long, [n]), and returns a per-graph embedding [G, d] (a
per-node [n, d] output is summed per graph). It runs in float64. A factory
that takes ``layers`` is audited at every depth of ``--layers``.
"""

from eqgnn.audit._card import (
    AUDIT_SEEDS,
    BATTERY,
    audit_card,
    battery,
    protocol_of,
    shipped_cards,
)
from eqgnn.audit._sources import (
    DEFAULT_LAYERS,
    NEQUIP_NOTE,
    PUBLISHED,
    ModelSource,
    check_bounds,
    model_source,
    parse_option,
)

__all__ = [
    "AUDIT_SEEDS", "BATTERY", "DEFAULT_LAYERS", "NEQUIP_NOTE", "PUBLISHED", "ModelSource",
    "audit_card", "battery", "check_bounds", "check_public", "model_source", "parse_option",
    "protocol_of", "shipped_cards",
]


def check_public(model: str) -> None:
    """On a public server (``EQGNN_PUBLIC=1``) a model file is refused: running a
    visitor's file is running their code. The shipped adapters and presets remain."""
    from eqgnn.errors import InputError
    from eqgnn.limits import public_mode

    if public_mode() and not model.startswith("preset:") and model not in PUBLISHED:
        raise InputError("a public server audits only the shipped implementations and "
                         "presets: a model file would run a visitor's code")
