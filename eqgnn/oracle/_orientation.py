"""The orientation test: which feature types can record which way a structure points.

SCIENCE.md, Claim 3, "Orientation test, precisely". Turn the structure about
its highest-order proper rotation axis (:func:`symmetry_axis`) through the
centre. Type l *sees the orientation* when, for some shell of neighbours
(same species, same distance from the centre within tol: what a radial basis
separates), the signature S_l = sum_j Y_l(x_j - x_c) changes under a generic
rotation about the axis.

A rotation by alpha about the axis multiplies the component m of S_l (in a
frame whose z is the axis) by e^{i m alpha}, so S_l changes under a generic
alpha exactly when some component with m != 0 is non-zero. That is what is
computed, instead of trying angles that could, for some m, fall near a
multiple of 2 pi. With no axis (order 1) a generic rotation is any rotation,
and a type-l vector with l >= 1 that no rotation moves is zero: type l sees
the orientation when some S_l is non-zero. Type 0 never does (it is
invariant); a linear structure's signatures have m = 0 only, so no type sees
how it is turned about its line.

"Changes" is judged against the tolerance, as every geometric comparison in
the oracle is: a signature change counts when it exceeds what moving each
atom of the shell by tol could cause. Y_l is Lipschitz on the unit sphere
with constant g_l = sqrt(l(l+1)(2l+1)/(8 pi)) (addition theorem), and moving
an atom at distance r by tol turns its direction by at most ~tol/r, so the
threshold for a shell of k atoms at distance r is k g_l tol / r. Exact
symmetric structures give ~1e-15 below it, real signals are O(k) above it.
"""

from __future__ import annotations

import numpy as np

from eqgnn.errors import InputError
from eqgnn.oracle._compare import DEFAULT_TOL
from eqgnn.oracle._harmonics import column, real_spherical_harmonics
from eqgnn.oracle._symmetry_axis import SymmetryAxis, shells, symmetry_axis
from eqgnn.structure import Structure

DEFAULT_LMAX = 8
MAX_LMAX = 40  # the harmonics are checked against scipy to ~3e-14 up to here


def orientation(
    structure: Structure,
    centre: int | None = None,
    lmax: int = DEFAULT_LMAX,
    tol: float = DEFAULT_TOL,
) -> dict:
    """Which types l = 0..lmax see the orientation of ``structure`` about its axis.

    ``centre`` (an atom index) overrides the centre the shells are measured
    from; the axis stays the structure's own. JSON-able:
    ``{"axis": [x, y, z] | None, "order": n | None, "center": i | None,
    "types": {"0": bool, ..., str(lmax): bool}, "note": str}``; ``order`` is
    None for a continuous symmetry (linear, or a single atom), 1 for no axis.
    """
    _check_lmax(lmax)
    sym = symmetry_axis(structure, tol)
    atom, point = _resolve_centre(structure, sym, centre)
    to_axis = _axis_frame(sym.axis)
    seen = np.zeros(lmax + 1, dtype=bool)
    for _, rel, thresholds in _shell_signature_inputs(structure, point, tol, lmax):
        s = real_spherical_harmonics(rel @ to_axis.T, lmax).sum(axis=0)
        if sym.axis is not None:
            s[[column(l, 0) for l in range(lmax + 1)]] = 0.0  # what no turn about the axis moves
        else:
            s[0] = 0.0  # type 0 is invariant under every rotation
        seen |= _block_norms(s, lmax) > thresholds
    return _report(sym, atom, seen, _centre_note(sym, atom, centre))


def orientation_pair(
    a: Structure,
    b: Structure,
    centre_a: int | None = None,
    centre_b: int | None = None,
    lmax: int = DEFAULT_LMAX,
    tol: float = DEFAULT_TOL,
) -> dict:
    """For two orientations of one structure, which types l tell them apart.

    A and B hold the same atoms in the same order, B turned about the centre
    (SCIENCE.md, "Orientation test, precisely": "for a given pair of
    orientations the verdict is whether the two signatures differ"). Type l
    tells them apart when some shell's S_l differs by more than the tolerance
    threshold. A turn by exactly pi/n of an n-fold star multiplies component m
    by (-1)^(m/n), so it hides the components with m a multiple of 2n.

    ``centre_a`` defaults to A's centre (:func:`symmetry_axis`), ``centre_b``
    to the same atom of B (or B's centroid when A's centre is its centroid).
    Returns the dict of :func:`orientation`, with axis and order those of A.
    """
    _check_lmax(lmax)
    if len(a) != len(b) or not np.array_equal(a.numbers, b.numbers):
        raise InputError(
            f"{a.name} / {b.name}: not two orientations of one structure "
            "(the atoms must be the same, in the same order)"
        )
    sym = symmetry_axis(a, tol)
    atom_a, point_a = _resolve_centre(a, sym, centre_a)
    atom_b = atom_a if centre_b is None else _atom_index(b, centre_b)
    point_b = b.positions.mean(axis=0) if atom_b is None else b.positions[atom_b]
    da = np.linalg.norm(a.positions - point_a, axis=1)
    db = np.linalg.norm(b.positions - point_b, axis=1)
    if np.abs(da - db).max() > tol:
        raise InputError(
            f"{a.name} / {b.name}: the atoms' distances from the centre differ by more than "
            f"{tol:g} Å, so B is not A turned about it"
        )
    seen = np.zeros(lmax + 1, dtype=bool)
    for idx, rel, thresholds in _shell_signature_inputs(a, point_a, tol, lmax):
        sa = real_spherical_harmonics(rel, lmax).sum(axis=0)
        sb = real_spherical_harmonics(b.positions[idx] - point_b, lmax).sum(axis=0)
        seen |= _block_norms(sa - sb, lmax) > thresholds
    note = _centre_note(sym, atom_a, centre_a)
    if atom_b != atom_a:
        note += f"; B's centre: {'atom ' + str(atom_b) if atom_b is not None else 'its centroid'}"
    return _report(sym, atom_a, seen, note)


def _shell_signature_inputs(structure: Structure, point: np.ndarray, tol: float, lmax: int):
    """Per shell about ``point``: (indices, x_j - x_c, per-l thresholds k g_l tol / r).

    Atoms at the centre itself (within tol) have no direction and are skipped.
    """
    rel = structure.positions - point
    r = np.linalg.norm(rel, axis=1)
    off = np.nonzero(r > tol)[0]
    l = np.arange(lmax + 1)
    lipschitz = np.sqrt(l * (l + 1) * (2 * l + 1) / (8 * np.pi))
    for group in shells(structure.numbers[off], r[off], tol):
        idx = off[group]
        radius = r[idx].min()
        yield idx, rel[idx], len(idx) * lipschitz * tol / radius


def _block_norms(s: np.ndarray, lmax: int) -> np.ndarray:
    """|S_l| for each l = 0..lmax of a flat (lmax+1)^2 signature."""
    return np.array([np.linalg.norm(s[l * l:(l + 1) ** 2]) for l in range(lmax + 1)])


def _axis_frame(axis: np.ndarray | None) -> np.ndarray:
    """A rotation whose rows are (e1, e2, axis): applied to x, it puts the axis along z."""
    if axis is None:
        return np.eye(3)
    helper = np.eye(3)[int(np.argmin(np.abs(axis)))]
    e1 = np.cross(axis, helper)
    e1 /= np.linalg.norm(e1)
    return np.stack([e1, np.cross(axis, e1), axis])


def _atom_index(structure: Structure, i: int) -> int:
    if not 0 <= i < len(structure):
        last = len(structure) - 1
        raise InputError(f"{structure.name}: centre atom {i} out of range (0..{last})")
    return int(i)


def _resolve_centre(
    structure: Structure, sym: SymmetryAxis, centre: int | None
) -> tuple[int | None, np.ndarray]:
    """(atom, point) of the centre: the given atom, else the one :func:`symmetry_axis` chose."""
    if centre is None:
        return sym.centre_atom, sym.centre
    i = _atom_index(structure, centre)
    return i, structure.positions[i]


def _centre_note(sym: SymmetryAxis, atom: int | None, override: int | None) -> str:
    if override is None:
        return sym.note
    return f"{sym.note}; centre set to atom {atom}"


def _check_lmax(lmax: int) -> None:
    if isinstance(lmax, bool) or not isinstance(lmax, (int, np.integer)) or not (
        0 <= lmax <= MAX_LMAX
    ):
        raise InputError(f"lmax {lmax!r}: use an integer from 0 to {MAX_LMAX}")


def _report(sym: SymmetryAxis, atom: int | None, seen: np.ndarray, note: str) -> dict:
    axis = None if sym.axis is None else [round(float(c), 12) + 0.0 for c in sym.axis]
    return {
        "axis": axis,
        "order": sym.order,
        "center": atom,
        "types": {str(l): bool(v) for l, v in enumerate(seen)},
        "note": note,
    }
