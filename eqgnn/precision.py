"""How precisely a structure's coordinates are known (SCIENCE.md, "What distinguished means").

A file stores coordinates to some precision: an .xyz or .extxyz 6-8
decimals, an SDF file 4, a PDB file 3, a float32 array about 7 significant
digits. Rounding at that level is no geometry, yet a model sees it: a 1-hop
model on torsion twins rounded at 1e-8 Å shows embedding gaps of 1e-12 to
1e-9. The protocol's blind guard therefore perturbs each structure at its
precision and calls a model blind when the pair's gap is within what those
perturbations produce (``eqgnn.protocol``).

The precision is read off the coordinate values alone, so it survives every
route a structure takes (a file, a JSON job spec, a copy in memory):

1. **Decimals.** The fewest decimals d (up to 12) with which every coordinate is
   written exactly (up to float64's own rounding of the decimal). With
   d >= 3 the coordinates are a rounded record (PDB 3, SDF 4, xyz 6-8), known
   to half a unit of the last decimal: 0.5 * 10^-d Å. With d <= 2 every
   coordinate is an integer, a half or a tenth, which no measured or optimised
   geometry is: the values were designed (the gallery's k-chains and stars,
   the Pozdnyakov environments) and are exact.
2. **float32.** Coordinates that are float32 values, or decimals finer than
   float32 resolves that all lie on float32 values (float32 printed in full),
   are known to half a float32 unit in the last place at their magnitude:
   2^-24 * max|x|.
3. Otherwise they are float64 values computed in float64 (a SMILES
   embedding, a rotation, a torsion): known to float64's resolution,
   2^-52 * max|x|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DECIMALS = 12
"""Past 12 decimals a float64 cannot tell a written decimal from a computed value
(its rounding, scaled by 10^d, reaches a unit of the last decimal)."""

EXACT_BELOW_DECIMALS = 3
"""Coordinates written with fewer decimals than this are taken as designed, exact values."""

FLOAT32_HALF_ULP = 2.0**-24
FLOAT64_HALF_ULP = 2.0**-53


@dataclass(frozen=True)
class Precision:
    """The uncertainty of a structure's coordinates, in Å, and where it comes from."""

    angstrom: float
    source: str

    def to_dict(self) -> dict:
        return {"angstrom": self.angstrom, "source": self.source}


def _float64_resolution(positions: np.ndarray) -> float:
    return 2.0 * FLOAT64_HALF_ULP * max(float(np.abs(positions).max()), 1.0)


def _written_decimals(values: np.ndarray) -> int | None:
    """The fewest decimals d that write every value exactly, or None (none up to 12)."""
    scale = np.maximum(np.abs(values), 1.0)
    for d in range(MAX_DECIMALS + 1):
        scaled = values * 10.0**d
        # the decimal's own float64 rounding, times 10^d, plus the product's rounding
        slack = 4.0 * np.finfo(np.float64).eps * scale * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) <= slack):
            return d
    return None


def _on_float32(values: np.ndarray, within: float) -> bool:
    """Does every value lie within ``within`` of a float32 value?"""
    nearest = values.astype(np.float32).astype(np.float64)
    return bool(np.all(np.abs(nearest - values) <= within))


def coordinate_precision(positions: np.ndarray) -> Precision:
    """The precision of ``positions`` (n, 3) in Å, by the module's three rules."""
    x = np.asarray(positions, dtype=np.float64).reshape(-1)
    magnitude = max(float(np.abs(x).max()), 1e-30) if x.size else 1.0
    float32_error = FLOAT32_HALF_ULP * magnitude
    decimals = _written_decimals(x)
    if decimals is not None and decimals < EXACT_BELOW_DECIMALS:
        return Precision(_float64_resolution(x), f"exact ({decimals} decimals: designed values)")
    if decimals is not None:
        rounding = 0.5 * 10.0**-decimals
        if rounding < float32_error and _on_float32(x, rounding):
            return Precision(float32_error, f"float32 written with {decimals} decimals")
        return Precision(rounding, f"{decimals} decimals")
    if _on_float32(x, 0.0):
        return Precision(float32_error, "float32")
    return Precision(_float64_resolution(x), "float64")


def pair_precision(a_positions: np.ndarray, b_positions: np.ndarray) -> Precision:
    """The coarser of the two structures' precisions: the pair is known no better."""
    pa, pb = coordinate_precision(a_positions), coordinate_precision(b_positions)
    return pa if pa.angstrom >= pb.angstrom else pb


def jitter(positions: np.ndarray, precision: float, rng: np.random.Generator) -> np.ndarray:
    """``positions`` moved by independent uniform errors in [-precision, precision] Å.

    The distribution of a rounding error at that precision: the same structure
    as another writer or another float type would have stored it.
    """
    return positions + rng.uniform(-precision, precision, size=positions.shape)
