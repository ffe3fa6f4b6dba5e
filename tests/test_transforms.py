"""Rigid motions, permutations and torsions keep what they should."""

from __future__ import annotations

import numpy as np
import pytest

from eqgnn.errors import InputError
from eqgnn.graph import build_edges
from eqgnn.structure import make_structure
from eqgnn.transforms import (
    dihedral,
    permute,
    random_rotation,
    reflect,
    rotate,
    set_dihedral,
    torsion,
)
from tests.conftest import g2


def pair_distances(s):
    return np.linalg.norm(s.positions[:, None] - s.positions[None], axis=-1)


def test_random_rotation_is_proper_and_orthogonal():
    r = random_rotation(3)
    assert np.allclose(r @ r.T, np.eye(3)) and np.isclose(np.linalg.det(r), 1.0)


def test_rigid_motions_keep_distances(butane):
    for moved in (rotate(butane, random_rotation(1)), reflect(butane, [1, 2, 3])):
        assert np.allclose(pair_distances(moved), pair_distances(butane))


def test_permutation_carries_explicit_edges():
    s = make_structure([6, 8, 1], [[0, 0, 0], [1.2, 0, 0], [-1, 0, 0]], edges=[[0, 1], [0, 2]])
    p = permute(s, [2, 0, 1])
    assert p.numbers.tolist() == [1, 6, 8]
    assert {tuple(e) for e in p.edges.tolist()} == {(1, 2), (0, 1)}


def test_torsion_turns_one_side_and_keeps_every_bond(butane):
    twin = torsion(butane, 1, 2, 120.0)
    expected = (dihedral(butane.positions, 0, 1, 2, 3) + 120.0 + 180.0) % 360.0 - 180.0
    assert np.isclose(dihedral(twin.positions, 0, 1, 2, 3), expected)
    assert np.array_equal(build_edges(twin), build_edges(butane))
    assert not np.allclose(pair_distances(twin), pair_distances(butane))


def test_set_dihedral_reaches_the_asked_angle(butane):
    gauche = set_dihedral(butane, 0, 1, 2, 3, 60.0)
    assert np.isclose(dihedral(gauche.positions, 0, 1, 2, 3), 60.0)


def test_torsion_refuses_a_ring_bond():
    benzene = g2("C6H6")
    i, j = next((i, j) for i, j in build_edges(benzene).tolist()
                if benzene.numbers[i] == 6 and benzene.numbers[j] == 6)
    with pytest.raises(InputError, match="ring"):
        torsion(benzene, i, j, 30.0)


def test_torsion_refuses_atoms_that_are_not_bonded(butane):
    with pytest.raises(InputError, match="not bonded"):
        torsion(butane, 0, 3, 30.0)
