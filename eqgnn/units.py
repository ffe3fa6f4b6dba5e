"""How the oracle and models read a pair in abstract units (SCIENCE.md, "Units and scale").

Molecules are in Å and are read as they are: the oracle compares lengths to
1e-3 Å, the models' radial basis (Gaussians 0.32 Å apart on [0, 10] Å) sees
bonds of 1-2 Å. A geometric graph in abstract units (a published
counterexample drawn 0.05 across, or 500 across) has no Å to read, and every
theory verdict is invariant under scaling the pair. So the pair is read at
one scale, the same for A and B (two triangles of sides 1 and 2 must stay
different): multiplied by

    scale = REFERENCE_EDGE / (median edge length over A's and B's edges)

so that its median edge reads as a typical covalent bond, 1.5 Å. Its edges
are its explicit ones; a graph without edges uses each point's distance to
its nearest neighbour. The oracle's 1e-3 Å tolerance then means 1/1500 of the
median edge, whatever the units, and scaling the pair by any factor changes
neither the reading (up to float64 rounding) nor any verdict. The result
says which reading was used: ``units`` and ``scale`` (Å per unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqgnn.errors import InputError
from eqgnn.structure import ABSTRACT, ANGSTROM, Structure

REFERENCE_EDGE = 1.5
"""Å: the length an abstract graph's median edge is read as (a typical covalent bond)."""


@dataclass(frozen=True)
class Reading:
    """The units a pair came in and the factor (Å per unit) it is read at."""

    units: str
    scale: float

    def to_dict(self) -> dict:
        return {"units": self.units, "scale": self.scale}


def edge_lengths(structure: Structure) -> np.ndarray:
    """The lengths of the structure's explicit edges, else of each point's nearest link."""
    x = structure.positions
    if structure.edges is not None and len(structure.edges):
        i, j = structure.edges.T
        return np.linalg.norm(x[i] - x[j], axis=1)
    if len(x) < 2:
        return np.ones(1)
    d = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=-1)
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


def pair_reading(a: Structure, b: Structure) -> Reading:
    """One reading for both structures: Å as given, or abstract units scaled to the median edge."""
    if a.units != b.units:
        raise InputError(f"{a.name} is in {a.units} and {b.name} in {b.units}: "
                         "give both structures in the same units")
    if a.units == ANGSTROM:
        return Reading(ANGSTROM, 1.0)
    median = float(np.median(np.concatenate([edge_lengths(a), edge_lengths(b)])))
    return Reading(ABSTRACT, REFERENCE_EDGE / median)


MOLECULAR_RULES = ("bonds", "radius")
"""Graph rules with a length in Å: meaningless for a graph in abstract units."""


def read_pair(a: Structure, b: Structure, graph=None) -> tuple[Structure, Structure, Reading]:
    """A and B as the oracle and the models read them (in Å), and the reading used.

    ``graph`` (a rule, or None for the structures' own) is checked against the
    units first: a bond or radius rule measures Å, so a graph in abstract
    units takes its own edges, ``full`` or ``knn:N``. Reading a pair already
    read is a no-op (it is in Å by then), so every layer may call it.
    """
    from eqgnn.graph import resolve_rule

    reading = pair_reading(a, b)
    for s in (a, b):
        rule = resolve_rule(s, graph)
        if s.units == ABSTRACT and rule.kind in MOLECULAR_RULES:
            raise InputError(f"{s.name}: graph rule {rule} measures Å, but the graph is in "
                             "abstract units: use its own edges (explicit), full or knn:N")
    if reading.units == ANGSTROM:
        return a, b, reading
    return a.scaled(reading.scale, ANGSTROM), b.scaled(reading.scale, ANGSTROM), reading


def read_one(structure: Structure, graph=None) -> tuple[Structure, Reading]:
    """One structure as the models read it (a pair of it with itself)."""
    read, _, reading = read_pair(structure, structure, graph)
    return read, reading
