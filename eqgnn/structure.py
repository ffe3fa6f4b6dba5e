"""The one structure type every loader returns and every tool takes.

Units (SCIENCE.md, "Units and scale"): molecules are in Å and the molecular
rules apply to them (the bond rule, no two atoms closer than 0.1 Å). A
geometric graph in abstract units (a JSON graph with explicit edges, unless
it says ``"units": "Å"``) is geometry, not a molecule: any scale is valid and
only coincident points are refused; :mod:`eqgnn.units` says how the oracle
and the models read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from eqgnn.errors import InputError
from eqgnn.limits import cap_message, limits
from eqgnn.precision import Precision, coordinate_precision

MIN_DISTANCE = 0.1  # Å: closer atoms are a broken file, not a molecule
MAX_COORDINATE = 1e4  # beyond this (Å, or any units) the coordinates are garbage
COINCIDENT = 1e-12
"""Points closer than this fraction of the structure's extent are one point, in any units."""
ANGSTROM = "Å"
ABSTRACT = "abstract"
UNITS = (ANGSTROM, ABSTRACT)


@dataclass(frozen=True)
class Structure:
    """A geometric graph's nodes, and its edges when the source gave them.

    ``numbers`` are atomic numbers (n,), ``positions`` (n, 3) float64 in
    ``units`` (Å, or abstract), ``edges`` an optional (m, 2) array of
    undirected 0-based pairs i < j. ``precision`` is how well the coordinates
    are known (:mod:`eqgnn.precision`); transforms keep it, since moving a
    structure does not make it better known.
    """

    numbers: np.ndarray
    positions: np.ndarray
    edges: np.ndarray | None = None
    name: str = ""
    source: str = ""
    info: dict = field(default_factory=dict, compare=False)
    units: str = ANGSTROM
    precision: Precision | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def symbols(self) -> list[str]:
        from ase.data import chemical_symbols

        return [chemical_symbols[z] for z in self.numbers]

    @property
    def known_to(self) -> Precision:
        """The coordinates' precision: as carried, else as their values say."""
        return self.precision if self.precision is not None else coordinate_precision(
            self.positions)

    def with_positions(self, positions: np.ndarray) -> Structure:
        """The same graph with new coordinates (a transform's result), known as well as before."""
        return replace(self, positions=np.asarray(positions, dtype=np.float64),
                       precision=self.known_to)

    def with_precision(self, precision: Precision) -> Structure:
        """The same structure, known to ``precision`` (a user's or a file's statement)."""
        return replace(self, precision=precision)

    def scaled(self, factor: float, units: str) -> Structure:
        """Coordinates and precision multiplied by ``factor``, now read in ``units``."""
        return replace(self, positions=self.positions * factor,
                       precision=self.known_to.scaled(factor), units=units)

    def to_json(self) -> dict:
        """The JSON geometric-graph form that ``load_structure`` reads back, precision included."""
        out = {
            "name": self.name,
            "numbers": [int(z) for z in self.numbers],
            "positions": self.positions.tolist(),
            "units": self.units,
            "precision": self.known_to.to_dict(),
        }
        if self.edges is not None:
            out["edges"] = self.edges.tolist()
        return out


def make_structure(
    numbers,
    positions,
    edges=None,
    name: str = "",
    source: str = "",
    info: dict | None = None,
    units: str = ANGSTROM,
    precision: Precision | None = None,
) -> Structure:
    """Build a validated :class:`Structure`; every loader ends here.

    Raises :class:`InputError` naming ``source`` for no atoms, non-finite or
    absurd coordinates, atoms closer than 0.1 Å (in Å; coincident points in
    abstract units), too many atoms, unknown elements, or edges out of range.
    ``precision`` None: as the values say (:func:`eqgnn.precision.coordinate_precision`).
    """
    label = source or name or "structure"
    try:
        numbers = np.asarray(numbers, dtype=np.int64).reshape(-1)
        positions = np.asarray(positions, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label}: numbers/positions are not numeric ({exc})") from None
    n = len(numbers)
    if n == 0:
        raise InputError(f"{label}: no atoms")
    if n > limits().atoms:
        raise InputError(f"{label}: {cap_message('atoms', n)}")
    if positions.shape != (n, 3):
        raise InputError(
            f"{label}: positions have shape {positions.shape}, expected ({n}, 3)"
        )
    if not np.all(np.isfinite(positions)):
        raise InputError(f"{label}: coordinates contain NaN or inf")
    if np.abs(positions).max() > MAX_COORDINATE:
        raise InputError(
            f"{label}: absurd coordinates (|x| > {MAX_COORDINATE:g} Å)"
        )
    if numbers.min() < 1 or numbers.max() > 118:
        raise InputError(f"{label}: atomic numbers must lie in 1..118")
    if units not in UNITS:
        raise InputError(f"{label}: units {units!r}: choose {' or '.join(UNITS)}")
    if n > 1:
        _check_spacing(positions, units, label)
    if edges is not None:
        edges = normalise_edges(edges, n, label)
    if precision is None:
        precision = coordinate_precision(positions)
    return Structure(numbers, positions, edges, name or label, source or name, dict(info or {}),
                     units, precision)


def _check_spacing(positions: np.ndarray, units: str, label: str) -> None:
    """Molecules keep the clash rule; any geometry refuses only coincident points."""
    closest = min_pair_distance(positions)
    if units == ANGSTROM and closest < MIN_DISTANCE:
        raise InputError(
            f"{label}: two atoms are {closest:.3g} Å apart (closer than {MIN_DISTANCE} Å, "
            "a molecule's clash rule; a JSON graph with explicit edges is read in its own units)"
        )
    extent = float(np.ptp(positions, axis=0).max())
    if closest <= COINCIDENT * extent or closest == 0.0:
        raise InputError(f"{label}: two points coincide (distance {closest:.3g})")


def min_pair_distance(positions: np.ndarray) -> float:
    """The smallest interatomic distance (numpy only: no scipy on the CLI path)."""
    diff = positions[:, None, :] - positions[None, :, :]
    d2 = np.einsum("ijk,ijk->ij", diff, diff)
    np.fill_diagonal(d2, np.inf)
    return float(np.sqrt(d2.min()))


def normalise_edges(edges, n: int, label: str) -> np.ndarray:
    """Undirected, deduplicated, sorted (m, 2) edges with i < j, checked."""
    try:
        e = np.asarray(edges, dtype=np.int64)
    except (TypeError, ValueError):
        raise InputError(f"{label}: edges must be pairs of integers") from None
    if e.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if e.ndim != 2 or e.shape[1] != 2:
        raise InputError(f"{label}: edges must be a list of [i, j] pairs")
    if e.min() < 0 or e.max() >= n:
        raise InputError(
            f"{label}: edge index out of range (atoms are 0..{n - 1})"
        )
    if np.any(e[:, 0] == e[:, 1]):
        raise InputError(f"{label}: an edge joins an atom to itself")
    e = np.sort(e, axis=1)
    return np.unique(e, axis=0)
