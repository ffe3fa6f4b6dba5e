r"""The stabiliser of a structure, its point-group name, and the free components of each type.

SCIENCE.md, Claim 3: a network that is invariant to permutations of like
atoms and equivariant under a group (O(3) or SO(3)) must give every feature
of X the symmetry of X. Its *stabiliser* is

    G_X = {g orthogonal (det +1 under SO3) : g X = X up to a permutation of like atoms},

taken about the centroid (every such g fixes it). A feature of type (l, p)
must lie in the subspace G_X fixes, whose dimension is a character average

    n_(l,p) = (1/|G|) sum_g chi_(l,p)(g),   chi_l(R_t) = sin((2l+1)t/2) / sin(t/2)
                                                      = 1 + 2 sum_(m=1..l) cos(m t),

with chi_(l,p)(g) = p chi_l(-g) for an improper g. With a trivial stabiliser
n = 2l + 1: type l carries 2l + 1 free numbers, the premise of Wang et al.
(ICLR 2024), Lemma 1.

G_X is found exactly, not sampled, with the oracle's alignment (the cloud
is aligned onto itself): a symmetry is fixed by where a basis of atoms
goes, so trying every label- and distance-compatible image of the basis,
matching all atoms, and confirming by an optimal (Kabsch) fit within ``tol``
finds them all. An element is named by its atom permutation (and, for a
planar cloud, its determinant), so duplicates and products are exact. The
set found within ``tol`` may miss a product of two borderline elements; as
in symmetry finders (pymatgen's ``PointGroupAnalyzer``), it is closed under
products so that the counts are those of a group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqgnn.config import MAX_LMAX
from eqgnn.errors import InputError
from eqgnn.oracle import (
    DEFAULT_TOL,
    basis_indices,
    best_map,
    candidate_rotations,
    check_tol,
    match_points,
    rotation_axis,
)
from eqgnn.structure import Structure
from eqgnn.transforms import axis_rotation

GROUPS = ("O3", "SO3")
PARALLEL = 1e-4  # 1 - |cos| below which two axes are one line (about 0.8 degrees)
PERPENDICULAR = 1e-2  # |cos| below which two axes are perpendicular
SLACK = 1e-2  # matrices, cosines and traces that name an element (distinct ones differ by more)
INFINITE = "infinite"
LINEAR_NAMES = {("O3", True): "D∞h", ("O3", False): "C∞v", ("SO3", True): "D∞",
                ("SO3", False): "C∞"}
ATOM_NAMES = {"O3": "K_h (O3)", "SO3": "K (SO3)"}


@dataclass(frozen=True)
class Stabiliser:
    """What :func:`stabiliser` found.

    ``kind`` is "finite", "linear" (every rotation about ``axis`` fixes the
    structure) or "atom" (a single atom: every rotation fixes it).
    ``elements`` (k, 3, 3) is the finite group, each element with its
    ``orders`` entry (the least n with g^n = 1, exact from the permutation);
    a continuous stabiliser lists only the identity and is described by
    ``kind``, ``axis`` and ``centrosymmetric`` (for a linear structure:
    whether the inversion maps it onto itself).
    """

    group: str
    kind: str
    elements: np.ndarray
    orders: np.ndarray
    schoenflies: str
    axis: np.ndarray | None = None
    centrosymmetric: bool = False

    @property
    def order(self) -> int | str:
        return len(self.elements) if self.kind == "finite" else INFINITE

    @property
    def proper(self) -> int | str:
        return int(np.sum(_dets(self.elements) > 0)) if self.kind == "finite" else INFINITE

    @property
    def improper(self) -> int | str:
        if self.kind == "finite":
            return int(np.sum(_dets(self.elements) < 0))
        return INFINITE if self.group == "O3" else 0

    def to_dict(self) -> dict:
        return {"order": self.order, "proper": self.proper, "improper": self.improper,
                "schoenflies": self.schoenflies}


def check_group(group: str) -> None:
    if group not in GROUPS:
        raise InputError(f"group {group!r}: choose O3 (reflections allowed) or SO3")


def check_lmax(lmax: int) -> None:
    if not 0 <= lmax <= MAX_LMAX:
        raise InputError(f"--lmax must lie in 0..{MAX_LMAX}, got {lmax}")


def rank(structure: Structure, tol: float = DEFAULT_TOL) -> int:
    """The dimension of the centred positions' span: the least k such that every atom lies
    within ``tol`` Å of the k-dimensional subspace of the k largest singular directions."""
    xc = structure.positions - structure.positions.mean(axis=0)
    vt = np.linalg.svd(xc, full_matrices=False)[2]
    for k in range(len(vt) + 1):
        residual = xc - xc @ vt[:k].T @ vt[:k]
        if np.linalg.norm(residual, axis=1).max() <= tol:
            return k
    return len(vt)


def stabiliser(structure: Structure, group: str = "O3", tol: float = DEFAULT_TOL) -> Stabiliser:
    """Every orthogonal g about the centroid with gX = X up to a permutation of like atoms.

    ``group`` "O3" keeps reflections and rotoreflections, "SO3" only the
    proper rotations (the SO(3) stabiliser is the proper part of the O(3)
    one). Found whatever the input's orientation, position and atom order.
    """
    check_group(group)
    check_tol(tol)
    xc = structure.positions - structure.positions.mean(axis=0)
    numbers = structure.numbers
    basis = basis_indices(xc, tol)
    identity = np.eye(3)[None], np.ones(1, np.int64)
    if not basis:
        return Stabiliser(group, "atom", *identity, ATOM_NAMES[group])
    if len(basis) == 1:
        axis = xc[basis[0]] / np.linalg.norm(xc[basis[0]])
        centro = _symmetry_permutation(-np.eye(3), xc, numbers, tol) is not None
        return Stabiliser(group, "linear", *identity, LINEAR_NAMES[group, centro], axis, centro)
    elements, orders = _finite_group(xc, numbers, basis, tol)
    centro = any(np.allclose(g, -np.eye(3), atol=SLACK) for g in elements)
    keep = _dets(elements) > 0 if group == "SO3" else np.ones(len(elements), bool)
    elements, orders = elements[keep], orders[keep]
    return Stabiliser(group, "finite", elements, orders, schoenflies(elements), None, centro)


def free_components(stab: Stabiliser, lmax: int = 4) -> dict[str, int]:
    """Per type, the dimension of the subspace the stabiliser fixes (module docstring).

    Keys: under O3 "0e", "0o", "1o", "1e", "2e", ... (both parities of each
    l, the natural one (-1)^l first); under SO3 "0", "1", .... A linear
    structure's continuous rotations about its axis are replaced by the
    rotations by 2 pi k / N, N = lmax + 1 > l, with the structure's mirrors
    containing the axis (and inversion when centrosymmetric): for |m| <= l < N
    both keep exactly the m = 0 components, so the counts are exact.
    """
    check_lmax(lmax)
    keys = _type_keys(lmax, stab.group)
    if stab.kind == "atom":
        return {key: int(l == 0 and p > 0) for key, (l, p) in keys.items()}
    if stab.kind == "linear":
        elements = _linear_surrogate(stab.axis, stab.centrosymmetric, lmax + 1)
        if stab.group == "SO3":
            elements = elements[_dets(elements) > 0]
        angles = _angles(elements)
    else:
        elements = stab.elements
        angles = _angles(elements)
        # each angle is a multiple of 2 pi / order; snapping removes the tolerance's noise
        step = 2 * np.pi / stab.orders
        angles = np.round(angles / step) * step
    improper = _dets(elements) < 0
    out = {}
    for key, (l, p) in keys.items():
        chi = 1.0 + 2.0 * np.cos(np.outer(angles, np.arange(1, l + 1))).sum(axis=1)
        value = float(np.mean(np.where(improper, p * chi, chi)))
        count = round(value)
        if abs(value - count) > 1e-6:
            raise ArithmeticError(f"type {key}: character average {value} is not an integer: "
                                  "the elements found are not a group")
        out[key] = int(count)
    return out


def schoenflies(elements: np.ndarray) -> str:
    """The Schoenflies name of a finite point group, by the standard flowchart.

    Two or more axes of order >= 3: the cubic and icosahedral groups (I, O
    or T by whether a 5- or 4-fold axis exists; 'h' with inversion, Td with
    other improper elements). Else the principal axis (highest order n;
    among equals the one carrying an S_2n): n C2 axes perpendicular to it
    make a D group (Dnh with a mirror normal to it, Dnd with n mirrors
    containing it), else a C group (Cnh, Cnv, S2n, Cn); with no axis C1, Ci
    or Cs. Given only proper elements, it names the rotation group.
    """
    dets = _dets(elements)
    axes = _rotation_axes(elements[dets > 0])
    improper = elements[dets < 0]
    inversion = any(np.allclose(g, -np.eye(3), atol=SLACK) for g in improper)
    if sum(n >= 3 for _, n in axes) > 1:
        orders = {n for _, n in axes}
        base = "I" if 5 in orders else "O" if 4 in orders else "T"
        return base if len(improper) == 0 else base + "h" if inversion else "Td"
    if not axes:
        return "C1" if len(improper) == 0 else "Ci" if inversion else "Cs"
    n = max(m for _, m in axes)
    candidates = [u for u, m in axes if m == n]
    principal = max(candidates, key=lambda u: _has_rotoreflection(improper, u, 2 * n))
    perpendicular = sum(m == 2 and abs(u @ principal) < PERPENDICULAR for u, m in axes)
    normals = [rotation_axis(-g, np.ones(3)) for g in improper if _is_mirror(g)]
    sigma_h = any(1 - abs(v @ principal) < PARALLEL for v in normals)
    sigma_v = sum(abs(v @ principal) < PERPENDICULAR for v in normals)
    if perpendicular == n:
        return f"D{n}" + ("h" if sigma_h else "d" if sigma_v else "")
    if sigma_h:
        return f"C{n}h"
    if sigma_v:
        return f"C{n}v"
    return f"S{2 * n}" if _has_rotoreflection(improper, principal, 2 * n) else f"C{n}"


def _finite_group(
    xc: np.ndarray, numbers: np.ndarray, basis: list[int], tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """(elements, orders) of the O(3) stabiliser of a planar or 3D cloud (module docstring).

    For a planar cloud the candidates are proper maps only; each found map r
    comes with r composed with the mirror through the plane (the mirror fixes
    every atom). An element's key is (permutation, sign of det).
    """
    planar = len(basis) == 2
    mirror = None
    if planar:
        normal = np.cross(xc[basis[0]], xc[basis[1]])
        normal /= np.linalg.norm(normal)
        mirror = np.eye(3) - 2.0 * np.outer(normal, normal)
    found: dict[tuple[tuple[int, ...], int], np.ndarray] = {}
    for r in candidate_rotations(xc, numbers, xc, numbers, basis, "O3", tol):
        partner = match_points(xc @ r.T, numbers, xc, numbers, tol)
        if partner is None:
            continue
        best = best_map(xc, xc[partner], "SO3" if planar else "O3")
        if np.linalg.norm(xc @ best.T - xc[partner], axis=1).max() > tol:
            continue
        found[_key(partner, best)] = best
        if planar:
            found[_key(partner, best @ mirror)] = best @ mirror
    _close(found)
    keys = list(found)
    return np.stack([found[k] for k in keys]), np.array([_element_order(k) for k in keys])


def _key(partner: np.ndarray, g: np.ndarray) -> tuple[tuple[int, ...], int]:
    return tuple(int(i) for i in partner), 1 if np.linalg.det(g) > 0 else -1


def _close(found: dict) -> None:
    """Add products until the set is closed: g_a g_b sends atom i to perm_a[perm_b[i]]."""
    changed = True
    while changed:
        changed = False
        for (pa, da), ga in list(found.items()):
            for (pb, db), gb in list(found.items()):
                key = (tuple(pa[i] for i in pb), da * db)
                if key not in found:
                    found[key] = ga @ gb
                    changed = True


def _element_order(key: tuple[tuple[int, ...], int]) -> int:
    """The least n with g^n = 1, from g's permutation and determinant."""
    perm, det = np.array(key[0]), key[1]
    power, sign, n = perm.copy(), det, 1
    while not (np.array_equal(power, np.arange(len(perm))) and sign == 1):
        power, sign, n = perm[power], sign * det, n + 1
    return n


def _symmetry_permutation(g: np.ndarray, xc: np.ndarray, numbers: np.ndarray,
                          tol: float) -> np.ndarray | None:
    """The permutation of like atoms g realises within tol, or None when g is no symmetry."""
    moved = xc @ g.T
    partner = match_points(moved, numbers, xc, numbers, tol)
    if partner is None or np.linalg.norm(moved - xc[partner], axis=1).max() > tol:
        return None
    return partner


def _linear_surrogate(axis: np.ndarray, centrosymmetric: bool, n: int) -> np.ndarray:
    """The O(3) group C_nv (D_nh when centrosymmetric) about ``axis``: the turns by 2 pi k / n,
    each also composed with a mirror containing the axis (and with the inversion)."""
    helper = np.eye(3)[int(np.argmin(np.abs(axis)))]
    v = np.cross(axis, helper)
    v /= np.linalg.norm(v)
    mirror = np.eye(3) - 2.0 * np.outer(v, v)
    turns = [axis_rotation(axis, 2 * np.pi * k / n) for k in range(n)]
    elements = turns + [t @ mirror for t in turns]
    if centrosymmetric:
        elements += [-g for g in elements]
    return np.stack(elements)


def _type_keys(lmax: int, group: str) -> dict[str, tuple[int, int]]:
    """Irrep names -> (l, p): under O3 both parities, natural first; under SO3 l alone (p = 1)."""
    if group == "SO3":
        return {str(l): (l, 1) for l in range(lmax + 1)}
    keys = {}
    for l in range(lmax + 1):
        natural = (-1) ** l
        for p in (natural, -natural):
            keys[f"{l}{'e' if p > 0 else 'o'}"] = (l, p)
    return keys


def _dets(elements: np.ndarray) -> np.ndarray:
    return np.linalg.det(elements)


def _angles(elements: np.ndarray) -> np.ndarray:
    """The rotation angle t of each proper element, and of -g for each improper g."""
    proper = elements * np.sign(_dets(elements))[:, None, None]
    return np.arccos(np.clip((np.trace(proper, axis1=1, axis2=2) - 1.0) / 2.0, -1.0, 1.0))


def _rotation_axes(proper: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """(unit axis, n) for every n-fold axis (n >= 2): n - 1 nontrivial turns share it."""
    axes: list[list] = []
    for g, t in zip(proper, _angles(proper)):
        if t < SLACK:
            continue
        u = rotation_axis(g, np.ones(3))
        for entry in axes:
            if 1 - abs(u @ entry[0]) < PARALLEL:
                entry[1] += 1
                break
        else:
            axes.append([u, 2])
    return [(u, n) for u, n in axes]


def _is_mirror(g: np.ndarray) -> bool:
    """An improper g is a mirror when -g is a half turn (about the mirror's normal)."""
    return abs(np.trace(-g) + 1.0) < SLACK


def _has_rotoreflection(improper: np.ndarray, axis: np.ndarray, n: int) -> bool:
    """Whether an S_n about ``axis`` (mirror times a turn by 2 pi / n) is among ``improper``.

    S_n = -R(2 pi / n + pi): -g turns about the axis by pi + 2 pi / n.
    """
    target = np.cos(np.pi + 2 * np.pi / n)
    for g in improper:
        (t,) = _angles(g[None])
        if t > SLACK and abs(np.cos(t) - target) < SLACK:
            if 1 - abs(rotation_axis(-g, axis) @ axis) < PARALLEL:
                return True
    return False
