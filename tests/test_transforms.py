"""Rigid motions, permutations and torsions keep what they should."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eqgnn.cli import main
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


@pytest.mark.parametrize("bond", [["1", "2"], ["2-1"], ["0", "4"], ["4-0"], ["1-x"]],
                         ids=" ".join)
def test_twist_and_report_twist_take_and_refuse_the_same_bonds(bond, tmp_path, capsys):
    # a central C-C either way round turns; a C-H (a lone H on the axis) and a typo do not
    twist = main(["twist", "g2:trans-butane", "--bond", *bond, "--angle", "60",
                  "-o", str(tmp_path / "twin.xyz")])
    refused_by_twist = capsys.readouterr().err
    report = main(["report", "twist", "g2:trans-butane", "--bond", *bond, "--angle", "60",
                   "--json"])
    out, refused_by_report = capsys.readouterr()
    assert twist == report == (0 if bond in (["1", "2"], ["2-1"]) else 2)
    assert refused_by_twist == refused_by_report
    if report == 0:
        assert json.loads(out)["twist"]["bond"] == ("1-2" if bond == ["1", "2"] else "2-1")
