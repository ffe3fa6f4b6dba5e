"""A structure's highest-order proper rotation axis, found from the atoms alone.

The orientation test (SCIENCE.md, Claim 3, "Orientation test, precisely")
turns a structure about "the structure's highest-order proper rotation axis
through the centre". A proper rotation that maps every atom within ``tol`` of
an atom of the same species fixes the centroid, so every axis passes through
it. The candidates below contain every axis of order >= 2 (then a rotation
test decides):

- the principal axes of the centred cloud (any axis of order >= 2 is one);
- the direction of every atom (an axis through an atom);
- midpoints and normals of pairs in one shell (same species, same distance
  from the centroid: only such atoms can be swapped), which holds every
  2-fold axis through no atom;
- normals of planes through one atom of the smallest shell and two others of
  that shell: an n-fold axis (n >= 3) through no atom of a shell turns that
  shell in rings of n, and the ring's plane is normal to the axis.

A cheap test drops most candidates (every off-axis atom needs a partner of its
shell at the same height along the axis and the same distance from it); the
rest are tested by rotating by 2 pi / n and matching atoms, loosely, then with
the axis refined by an optimal (Kabsch) fit of the matched atoms, within tol.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from eqgnn.errors import InputError
from eqgnn.oracle._compare import DEFAULT_TOL
from eqgnn.structure import Structure
from eqgnn.transforms import axis_rotation

MATCH_SLACK = 5.0  # the loose match allows 5 tol (a candidate's direction is noisy)
SAME_AXIS = 1e-8  # 1 - |cos| below which two axes are one line (about 0.008 degrees)


class SymmetryAxis(NamedTuple):
    """What :func:`symmetry_axis` found.

    ``order`` is n for an n-fold axis, 1 for none (``axis`` None), and None for
    a continuous symmetry: a linear structure (every rotation about ``axis``,
    the line) or a single atom (every rotation, ``axis`` None). ``centre`` is
    the point the test's shells are measured from, ``centre_atom`` the atom
    there or None for the bare centroid, ``note`` one line saying what was taken.
    """

    axis: np.ndarray | None
    order: int | None
    centre: np.ndarray
    centre_atom: int | None
    note: str


def check_tol(tol: float) -> None:
    """Refuse a tolerance the geometry cannot use: positive, and below 0.05 Å, half the
    closest approach ``make_structure`` allows, so an atom matches at most one atom."""
    if not 0.0 < tol < 0.05:
        raise InputError(
            f"tolerance {tol!r} Å: use a positive value below 0.05 (default {DEFAULT_TOL:g})"
        )


def symmetry_axis(structure: Structure, tol: float = DEFAULT_TOL) -> SymmetryAxis:
    """The highest-order proper rotation axis of ``structure`` and the test's centre.

    Species-preserving: a rotation counts when it maps every atom within
    ``tol`` Å of an atom of the same species. Found whatever the input's
    orientation, translation and atom order. The centre is the atom on the
    axis nearest the centroid (ties: the heavier, then the lower index), else
    the centroid itself. With several highest-order axes the one with the most
    atoms on it is taken, then the one with the largest moment of the atoms
    about it (both properties of the structure, not of its frame); ``note``
    says how many there were.
    """
    check_tol(tol)
    numbers = structure.numbers
    centroid = structure.positions.mean(axis=0)
    xc = structure.positions - centroid
    if len(xc) == 1:
        return SymmetryAxis(None, None, centroid, 0, "a single atom: every rotation fixes it")
    line = _line_direction(xc, tol)
    if line is not None:
        atom, centre = _centre_on(line, xc, numbers, centroid, tol)
        return SymmetryAxis(line, None, centre, atom, "linear: every rotation about the line")
    found = [_refined_order(u, xc, numbers, int(bound), tol)
             for u, bound in zip(*_candidate_axes(xc, numbers, tol))]
    found = [(u, n) for u, n in found if n >= 2]
    if not found:
        return SymmetryAxis(None, 1, centroid, None, "no proper rotation axis")
    order = max(n for _, n in found)
    axes = [u for u, n in found if n == order]
    axes = [axes[k] for k in _distinct_indices(np.array(axes))]
    ranked = sorted(axes, key=lambda u: _rank(u, xc, tol))
    axis = _canonical_sign(ranked[0])
    atom, centre = _centre_on(axis, xc, numbers, centroid, tol)
    on_axis = int(np.sum(_axis_distances(axis, xc) <= tol))
    where = f"through atom {atom}" if atom is not None else "through the centroid"
    note = f"{order}-fold axis {where} ({on_axis} atom(s) on it)"
    if len(axes) > 1:
        note += (f"; one of {len(axes)} {order}-fold axes, taken for the most atoms on it, "
                 "then the largest moment about it")
    return SymmetryAxis(axis, order, centre, atom, note)


def _line_direction(xc: np.ndarray, tol: float) -> np.ndarray | None:
    """The line's direction when every atom lies within tol of one line through the centroid."""
    direction = np.linalg.svd(xc, full_matrices=False)[2][0]
    if _axis_distances(direction, xc).max() <= tol:
        return _canonical_sign(direction)
    return None


def shells(numbers: np.ndarray, distances: np.ndarray, tol: float) -> list[np.ndarray]:
    """Indices grouped by species and distance (a new shell wherever sorted distances jump > tol).

    A shell is what a symmetry permutes, and what a radial basis cannot split
    (SCIENCE.md, "Orientation test, precisely").
    """
    groups = []
    for z in np.unique(numbers):
        idx = np.nonzero(numbers == z)[0]
        idx = idx[np.argsort(distances[idx], kind="stable")]
        cuts = np.nonzero(np.diff(distances[idx]) > tol)[0] + 1
        groups += np.split(idx, cuts)
    return groups


def _candidate_axes(
    xc: np.ndarray, numbers: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Unit directions holding every axis of order >= 2 (module docstring), each with a bound
    on its order; directions that cannot be an axis are dropped."""
    r = np.linalg.norm(xc, axis=1)
    off = np.nonzero(r > tol)[0]
    groups = [off[g] for g in shells(numbers[off], r[off], 2 * tol)]
    vectors = [np.linalg.eigh(xc.T @ xc)[1].T, xc[off]]
    for g in groups:
        i, j = np.triu_indices(len(g), 1)
        a, b = xc[g[i]], xc[g[j]]
        vectors += [a + b, _normals(a, b, tol)]
    smallest = min(groups, key=len)
    if len(smallest) >= 3:
        rest = xc[smallest[1:]] - xc[smallest[0]]
        i, j = np.triu_indices(len(rest), 1)
        vectors.append(_normals(rest[i], rest[j], tol))
    v = np.concatenate(vectors)
    v = v[np.linalg.norm(v, axis=1) > tol]
    u = v / np.linalg.norm(v, axis=1)[:, None]
    u *= np.sign(u[np.arange(len(u)), np.argmax(np.abs(u), axis=1)])[:, None]
    u = u[np.sort(np.unique(np.round(u, 8), axis=0, return_index=True)[1])]
    bounds = _order_bounds(u, xc, numbers, r, tol)
    keep = _distinct_indices(u[bounds >= 2])
    return u[bounds >= 2][keep], bounds[bounds >= 2][keep]


def _normals(a: np.ndarray, b: np.ndarray, tol: float) -> np.ndarray:
    """Normals a x b scaled to Å, kept where a and b are not parallel within tol."""
    c = np.cross(a, b)
    scale = np.maximum(np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1))[:, None]
    return (c / scale)[np.linalg.norm(c, axis=1) > tol * scale[:, 0]]


def _order_bounds(u: np.ndarray, xc: np.ndarray, numbers: np.ndarray, r: np.ndarray,
                  tol: float) -> np.ndarray:
    """Per candidate, a bound on its order: an n-fold turn puts every off-axis atom in a ring
    of n atoms of its shell at one height along u and one distance from it, so n is at most
    1 + the fewest such partners of any off-axis atom (loosely matched)."""
    i, j = np.nonzero((numbers[:, None] == numbers[None, :]) & (np.abs(r[:, None] - r) <= 2 * tol))
    keep = i != j
    i, j = i[keep], j[keep]
    h = xc @ u.T  # (atoms, candidates)
    rho = np.sqrt(np.maximum(r[:, None] ** 2 - h**2, 0.0))
    slack = MATCH_SLACK * tol
    partner = (np.abs(h[i] - h[j]) <= slack) & (np.abs(rho[i] - rho[j]) <= slack)
    ring = np.ones(h.shape, dtype=np.int64)
    np.add.at(ring, i, partner)
    ring[rho <= tol] = len(xc)  # atoms on the axis bound nothing
    return ring.min(axis=0)


def _refined_order(
    u: np.ndarray, xc: np.ndarray, numbers: np.ndarray, bound: int, tol: float
) -> tuple[np.ndarray, int]:
    """(axis, n) for the largest n <= ``bound`` whose 2 pi / n turn about u is a symmetry.

    The candidate u is only as exact as the atoms it came from, so each n is
    matched loosely first, the axis refitted to the matched atoms (Kabsch),
    and the turn about the refitted axis must then match within tol. n = 1:
    no turn about u is a symmetry.
    """
    for n in range(bound, 1, -1):
        perm = _match(axis_rotation(u, 2 * np.pi / n), xc, numbers, MATCH_SLACK * tol)
        if perm is None:
            continue
        refined = rotation_axis(_best_rotation(xc, xc[perm]), u)
        if _match(axis_rotation(refined, 2 * np.pi / n), xc, numbers, tol) is not None:
            return refined, n
    return u, 1


def _match(rotation: np.ndarray, xc: np.ndarray, numbers: np.ndarray,
           tol: float) -> np.ndarray | None:
    """perm with rotation @ xc[i] within tol of xc[perm[i]], same species; None if none."""
    moved = xc @ rotation.T
    d2 = ((moved[:, None, :] - xc[None, :, :]) ** 2).sum(axis=2)
    d2[numbers[:, None] != numbers[None, :]] = np.inf
    perm = np.argmin(d2, axis=1)
    if d2[np.arange(len(xc)), perm].max() > tol * tol or len(set(perm.tolist())) < len(perm):
        return None
    return perm


def _best_rotation(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The proper rotation R minimising sum |R p_i - q_i|^2 (Kabsch)."""
    u, _, vt = np.linalg.svd(p.T @ q)
    d = np.sign(np.linalg.det(vt.T @ u.T))
    return vt.T @ np.diag([1.0, 1.0, d]) @ u.T


def rotation_axis(rotation: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """The unit axis of a rotation matrix, signed to agree with ``hint``."""
    w, v = np.linalg.eig(rotation)
    axis = np.real(v[:, np.argmin(np.abs(w - 1.0))])
    axis /= np.linalg.norm(axis)
    return axis if axis @ hint >= 0 else -axis


def _distinct_indices(axes: np.ndarray) -> list[int]:
    """Indices of the axes left when near-duplicates (one line within SAME_AXIS) are dropped."""
    kept: list[int] = []
    for k, u in enumerate(axes):
        if all(1.0 - abs(u @ axes[q]) > SAME_AXIS for q in kept):
            kept.append(k)
    return kept


def _rank(u: np.ndarray, xc: np.ndarray, tol: float) -> tuple[int, float]:
    """Sort key among equal-order axes: most atoms on it first, then the largest moment."""
    rho = _axis_distances(u, xc)
    return -int(np.sum(rho <= tol)), -float(np.sum(rho**2))


def _centre_on(axis: np.ndarray, xc: np.ndarray, numbers: np.ndarray, centroid: np.ndarray,
               tol: float) -> tuple[int | None, np.ndarray]:
    """(atom, point): the atom on the axis nearest the centroid, else (None, the centroid).

    Atoms as near as the nearest within tol tie; the heavier, then the lower
    index, wins.
    """
    on = np.nonzero(_axis_distances(axis, xc) <= tol)[0]
    if len(on) == 0:
        return None, centroid
    r = np.linalg.norm(xc[on], axis=1)
    near = on[r <= r.min() + tol]
    atom = int(min(near, key=lambda i: (-numbers[i], i)))
    return atom, centroid + xc[atom]


def _axis_distances(u: np.ndarray, xc: np.ndarray) -> np.ndarray:
    """Each atom's distance from the line through the centroid along unit u."""
    return np.linalg.norm(xc - np.outer(xc @ u, u), axis=1)


def _canonical_sign(u: np.ndarray) -> np.ndarray:
    """u or -u, whichever has its largest component positive (an axis has no sign)."""
    return u if u[np.argmax(np.abs(u))] > 0 else -u
