"""How precisely a structure's coordinates are known (SCIENCE.md, "What distinguished means").

A file stores coordinates to some precision: an .xyz or .extxyz 6-8
decimals, an SDF file 4, a PDB file 3, a float32 array about 7 significant
digits. Rounding at that level is no geometry, yet a model sees it: a 1-hop
model on torsion twins rounded at 1e-8 Å shows embedding gaps of 1e-12 to
1e-9. The protocol's blind guard therefore perturbs each structure at its
precision and calls a model blind when the pair's gap is within what those
perturbations produce (``eqgnn.noise``).

Where the precision comes from, in order:

1. **Said.** The user (``--precision``, the pages' choice beside an upload) or
   the file itself (a JSON graph's ``precision`` field) states it:
   ``float32``, ``float64``, ``exact`` or a number in the structure's units.
2. **Read off the values** (:func:`coordinate_precision`), per value:
   - *Decimals.* Each value is written with d_i decimals, the fewest that
     write it exactly (up to float64's own rounding). With every d_i <= 2 the
     coordinates are integers, halves and tenths, which no measured or
     optimised geometry is: they were designed (the gallery's k-chains and
     stars) and are exact. Otherwise the record is known to half a unit of
     its longest decimal, 0.5 * 10^-max(d_i), while that is at most 12
     decimals; past 12 a float64 cannot tell a written decimal from a
     computed value.
   - *float32.* Every value lies within its own printing's rounding,
     0.5 * 10^-d_i, of a float32 value: float32 data, whichever writer printed
     it and with however many decimals (ASE's xyz prints 15, ``numpy.savetxt``
     18 significant digits, ``repr`` of a float32 the fewest that round-trip,
     ``tensor.tolist()`` the float32 value itself). It is known to half a
     float32 unit in the last place at its magnitude: 2^-24 * max|x|.
   - Otherwise the values are float64 values computed in float64 (a SMILES
     embedding, a rotation, a torsion): known to float64's resolution.
3. **A file's floor** (:func:`file_precision`). Float32 data that was centred
   or rotated in float64 before it was written lies on no grid the values can
   show, and reads as float64. Such data is common (a data set's float32
   tensors moved by a preprocessing script), and taking it as float64 lets a
   classifier win on float32 noise: "distinguished" beside a theory that says
   it cannot. So a file's coordinates are never taken finer than float32's
   resolution unless the file or the user says so. Designed values (rule 2's
   exact case) stay exact, and structures made in memory (named molecules,
   SMILES embeddings, the gallery) keep what their values say.

A structure carries its precision (:attr:`eqgnn.Structure.precision`) through
every transform: a twisted or rotated float32 structure is still known only
to float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from eqgnn.errors import InputError

MAX_DECIMALS = 12
"""Past 12 decimals a float64 cannot tell a written decimal from a computed value
(its rounding, scaled by 10^d, reaches a unit of the last decimal)."""

MAX_PRINTED_DECIMALS = 18
"""The longest decimal a value's printing is looked for at (``savetxt``'s %.18e)."""

EXACT_BELOW_DECIMALS = 3
"""Coordinates written with fewer decimals than this are taken as designed, exact values."""

FLOAT32_HALF_ULP = 2.0**-24
FLOAT64_HALF_ULP = 2.0**-53
PRECISION_WORDS = ("float32", "float64", "exact")
"""What a user or a file may say instead of a number (Å, or the structure's own units)."""


@dataclass(frozen=True)
class Precision:
    """The uncertainty of a structure's coordinates, in its units (Å), and where it comes from."""

    angstrom: float
    source: str

    def to_dict(self) -> dict:
        return {"angstrom": self.angstrom, "source": self.source}

    def scaled(self, factor: float) -> Precision:
        """The same uncertainty once the coordinates are multiplied by ``factor``."""
        return Precision(self.angstrom * factor, self.source)

    @property
    def exact(self) -> bool:
        return self.source.startswith("exact")


def _magnitude(x: np.ndarray) -> float:
    return max(float(np.abs(x).max()), 1e-30) if x.size else 1.0


def _float64_resolution(x: np.ndarray) -> float:
    return 2.0 * FLOAT64_HALF_ULP * max(_magnitude(x), 1.0)


def _float32_resolution(x: np.ndarray) -> float:
    return FLOAT32_HALF_ULP * _magnitude(x)


def _printed_decimals(values: np.ndarray) -> np.ndarray:
    """Per value, the fewest decimals d (up to 18) that write it exactly.

    A float64 reading of a decimal with d places is off by up to eps * |x|, and
    scaling it by 10^d adds as much again; past the point where 10^d |x|
    outgrows float64's integers, every value looks written, which is where a
    computed float64 value's decimals end too.
    """
    found = np.full(values.shape, MAX_PRINTED_DECIMALS, dtype=np.int64)
    open_ = np.ones(values.shape, dtype=bool)
    scale = np.maximum(np.abs(values), 1e-300)
    for d in range(MAX_PRINTED_DECIMALS + 1):
        scaled = values * 10.0**d
        slack = 4.0 * np.finfo(np.float64).eps * scale * 10.0**d
        hit = open_ & (np.abs(scaled - np.round(scaled)) <= slack)
        found[hit] = d
        open_ &= ~hit
        if not open_.any():
            break
    return found


def _float32_as_printed(values: np.ndarray, decimals: np.ndarray) -> bool:
    """Is every value a float32 value up to the rounding of the decimals it is printed with?"""
    nearest = values.astype(np.float32).astype(np.float64)
    rounding = 0.5 * 10.0 ** (-decimals.astype(np.float64))
    slack = rounding + 4.0 * np.finfo(np.float64).eps * np.abs(values)
    return bool(np.all(np.abs(nearest - values) <= slack))


def coordinate_precision(positions: np.ndarray) -> Precision:
    """The precision of ``positions`` (n, 3) read off the values (the module's rule 2)."""
    x = np.asarray(positions, dtype=np.float64).reshape(-1)
    if not x.size:
        return Precision(_float64_resolution(x), "exact (no coordinates)")
    per_value = _printed_decimals(x)
    decimals = int(per_value.max())
    if decimals < EXACT_BELOW_DECIMALS:
        return Precision(_float64_resolution(x), f"exact ({decimals} decimals: designed values)")
    rounding = 0.5 * 10.0**-decimals if decimals <= MAX_DECIMALS else 0.0
    if _float32_as_printed(x, per_value) and _float32_resolution(x) > rounding:
        if decimals <= MAX_DECIMALS:
            return Precision(_float32_resolution(x), f"float32 written with {decimals} decimals")
        return Precision(_float32_resolution(x), "float32")
    if decimals <= MAX_DECIMALS:
        return Precision(rounding, f"{decimals} decimals")
    return Precision(_float64_resolution(x), "float64")


def file_precision(positions: np.ndarray) -> Precision:
    """A file's precision when neither it nor the user says: rule 2, floored at float32 (rule 3)."""
    read = coordinate_precision(positions)
    floor = _float32_resolution(np.asarray(positions, dtype=np.float64))
    if read.exact or read.angstrom >= floor:
        return read
    return Precision(floor, f"no finer than float32 (a file; its values read as {read.source})")


def declared_precision(value, positions: np.ndarray, origin: str) -> Precision:
    """The precision a user or a file states (rule 1): a word or a number, checked.

    ``value`` is ``float32``, ``float64``, ``exact``, a number (a string from
    the command line, or a JSON number), or the ``{"angstrom", "source"}``
    object :meth:`Precision.to_dict` writes (a job spec's own record).
    ``origin`` says who said it, for the result and for errors.
    """
    x = np.asarray(positions, dtype=np.float64)
    if isinstance(value, dict):
        amount, source = value.get("angstrom"), value.get("source")
        if not isinstance(source, str) or not source:
            raise InputError(f"{origin}: a precision object needs a \"source\" text")
        return Precision(_amount(amount, origin), source)
    if isinstance(value, str) and value.strip().lower() in PRECISION_WORDS:
        word = value.strip().lower()
        amount = {"float32": _float32_resolution, "float64": _float64_resolution,
                  "exact": _float64_resolution}[word](x)
        return Precision(amount, f"{word} ({origin})")
    amount = _amount(value, origin)
    return Precision(amount, f"{amount:g} ({origin})")


def _amount(value, origin: str) -> float:
    """A precision given as a number: finite and > 0."""
    if isinstance(value, bool):
        value = None
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{origin}: precision {value!r}: give a length > 0, "
                         f"or one of {', '.join(PRECISION_WORDS)}") from None
    if not math.isfinite(amount) or amount <= 0:
        raise InputError(f"{origin}: precision {value!r}: give a finite length > 0, "
                         f"or one of {', '.join(PRECISION_WORDS)}")
    return amount


def coarser(a: Precision, b: Precision) -> Precision:
    """The coarser of two precisions: a pair is known no better than its coarser structure."""
    return a if a.angstrom >= b.angstrom else b


def jitter(positions: np.ndarray, precision: float, rng: np.random.Generator) -> np.ndarray:
    """``positions`` moved by independent uniform errors in [-precision, precision] Å.

    The distribution of a rounding error at that precision: the same structure
    as another writer or another float type would have stored it.
    """
    return positions + rng.uniform(-precision, precision, size=positions.shape)
