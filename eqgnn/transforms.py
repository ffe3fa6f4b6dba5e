"""Rigid motions, permutations and torsions of a structure (numpy only)."""

from __future__ import annotations

import numpy as np

from eqgnn.errors import InputError
from eqgnn.graph import build_edges, side_of_bond
from eqgnn.structure import Structure, make_structure


def random_rotation(rng: np.random.Generator | int | None = None) -> np.ndarray:
    """A uniformly random proper rotation matrix (det +1), via a random quaternion."""
    rng = np.random.default_rng(rng)
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def axis_rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rotation by ``angle`` radians about ``axis`` (Rodrigues' formula)."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def rotate(s: Structure, rotation: np.ndarray, centre: np.ndarray | None = None) -> Structure:
    """Apply an orthogonal matrix about ``centre`` (default: the origin)."""
    c = np.zeros(3) if centre is None else np.asarray(centre, dtype=np.float64)
    return s.with_positions((s.positions - c) @ np.asarray(rotation).T + c)


def reflect(s: Structure, normal: np.ndarray = (0.0, 0.0, 1.0)) -> Structure:
    """Mirror through the plane through the origin with the given normal."""
    nrm = np.asarray(normal, dtype=np.float64)
    nrm = nrm / np.linalg.norm(nrm)
    return s.with_positions(s.positions - 2.0 * np.outer(s.positions @ nrm, nrm))


def translate(s: Structure, shift: np.ndarray) -> Structure:
    return s.with_positions(s.positions + np.asarray(shift, dtype=np.float64))


def permute(s: Structure, order: np.ndarray) -> Structure:
    """Reorder atoms: new atom k is old atom ``order[k]``; edges follow."""
    order = np.asarray(order, dtype=np.int64)
    if sorted(order.tolist()) != list(range(len(s))):
        raise InputError(f"{s.name}: a permutation must use every atom index once")
    edges = None
    if s.edges is not None:
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        edges = inverse[s.edges]
    return make_structure(s.numbers[order], s.positions[order], edges, s.name, s.source, s.info,
                          s.units, s.known_to)


def torsion(
    s: Structure, i: int, j: int, angle_deg: float, graph: str | None = None
) -> Structure:
    """Turn the side of bridge bond (i, j) that holds j about the bond axis.

    ``angle_deg`` is relative. The bond must be a bridge of the graph (``graph``
    rule, default bonds or the structure's explicit edges) with more than one
    atom on each side: a ring bond is refused, since turning one side would
    tear the ring, and so is a terminal bond, whose lone atom sits on the axis
    (turning it changes no shape). The ``twist`` command, ``report twist`` and
    the Explorer all turn bonds here, so they accept the same ones. The twin is
    named after what was done ("trans-butane twisted 120° about 1-2").
    """
    try:  # checks the atoms, the bond and that it is a bridge
        side = side_of_bond(len(s), build_edges(s, graph), i, j)
    except InputError as exc:
        raise InputError(f"{s.name}: {exc}") from None
    if min(len(side), len(s) - len(side)) < 2:
        raise InputError(f"{s.name}: bond {i}-{j} ends in a single atom on its axis, so turning "
                         "it changes nothing; choose a non-ring bond with more than one atom "
                         "on each side")
    axis = s.positions[j] - s.positions[i]
    rot = axis_rotation(axis, np.deg2rad(angle_deg))
    pos = s.positions.copy()
    pos[side] = (pos[side] - s.positions[j]) @ rot.T + s.positions[j]
    name = f"{s.name} twisted {angle_deg:g}° about {i}-{j}"
    return make_structure(s.numbers, pos, s.edges, name, s.source, s.info, s.units, s.known_to)


def parse_bond(text: str) -> tuple[int, int]:
    """A bond written ``"I-J"`` or ``"I J"`` (0-based atoms) as two indices; else one line."""
    parts = text.replace("-", " ").split()
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise InputError(f"bond {text!r}: write two 0-based atom indices, I-J or I J (e.g. 1-2)")
    return int(parts[0]), int(parts[1])


def dihedral(positions: np.ndarray, a: int, b: int, c: int, d: int) -> float:
    """The dihedral angle a-b-c-d in degrees, in (-180, 180]."""
    p = positions
    b0, b1, b2 = p[a] - p[b], p[c] - p[b], p[d] - p[c]
    b1n = b1 / np.linalg.norm(b1)
    v = b0 - (b0 @ b1n) * b1n
    w = b2 - (b2 @ b1n) * b1n
    x = v @ w
    y = np.cross(b1n, v) @ w
    return float(np.degrees(np.arctan2(y, x)))


def set_dihedral(
    s: Structure, a: int, b: int, c: int, d: int, angle_deg: float, graph: str | None = None
) -> Structure:
    """Set the dihedral a-b-c-d by turning c's side of the bridge b-c."""
    current = dihedral(s.positions, a, b, c, d)
    return torsion(s, b, c, angle_deg - current, graph)
