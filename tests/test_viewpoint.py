"""The camera of a pair view: A and B only moved rigidly (never mirrored), their difference
across the screen, the changed dihedral found, whatever frame the files were written in."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from eqgnn.gallery import case_names, load_case
from eqgnn.graph import build_edges
from eqgnn.transforms import random_rotation
from eqgnn.viewpoint import pair_viewpoint


def proper_fit_rmsd(before: np.ndarray, after: np.ndarray) -> float:
    """The RMSD of the best rotation and shift (no reflection) of ``before`` onto
    ``after``: zero when ``after`` is ``before`` moved, not when it is a mirror image."""
    p, q = before - before.mean(axis=0), after - after.mean(axis=0)
    u, _, vt = np.linalg.svd(p.T @ q)
    rotation = u @ np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))]) @ vt
    return float(np.sqrt(((p @ rotation - q) ** 2).sum(axis=1).mean()))


@pytest.mark.parametrize("name", case_names())
def test_a_and_b_are_only_turned_and_moved_never_mirrored(name):
    case = load_case(name)
    seen = pair_viewpoint(case.a, case.b, build_edges(case.a))
    for original, shown in ((case.a, seen.a), (case.b, seen.b)):
        assert proper_fit_rmsd(original.positions, shown.positions) < 1e-9, name
        assert shown.name == original.name and np.array_equal(shown.numbers, original.numbers)


def test_a_star_is_seen_along_its_axis_so_its_turn_shows():
    case = load_case("star-5")
    seen = pair_viewpoint(case.a, case.b, build_edges(case.a))
    moved = seen.a.positions - seen.b.positions
    assert np.abs(moved[:, 2]).max() < 1e-9 < np.abs(moved[:, :2]).max()
    assert seen.dihedral is None


@pytest.mark.parametrize(("name", "path", "angles"), [
    ("butane-torsion", (0, 1, 2, 3), (180.0, -60.0)),
    ("h2o2-torsion", (2, 0, 1, 3), (121.0, 71.0)),
])
def test_the_changed_dihedral_is_found_and_b_lies_on_a_where_they_agree(name, path, angles):
    case = load_case(name)
    seen = pair_viewpoint(case.a, case.b, build_edges(case.a))
    assert seen.dihedral == path
    assert np.allclose(seen.angles, angles, atol=0.5)
    gap = np.linalg.norm(seen.a.positions - seen.b.positions, axis=1)
    assert np.sort(gap)[: len(gap) // 2].max() < 1e-6  # the unturned side coincides


def test_a_straight_chain_has_no_dihedral_to_label_but_b_still_lies_on_a():
    # kchain-4's middle atoms lie on one line: every 4-atom path there has no dihedral,
    # only rounding noise, which once got labelled as a turn of 180 degrees
    case = load_case("kchain-4")
    seen = pair_viewpoint(case.a, case.b, build_edges(case.a))
    assert seen.dihedral is None and seen.angles is None
    gap = np.linalg.norm(seen.a.positions - seen.b.positions, axis=1)
    assert np.sort(gap)[: len(gap) // 2].max() < 1e-6


def test_the_view_does_not_depend_on_the_frame_or_the_precision_of_the_files():
    case = load_case("butane-torsion")
    turn = random_rotation(np.random.default_rng(3))
    moved = [replace(s, positions=np.round(s.positions @ turn.T + [4.0, -2.0, 7.0], 6))
             for s in (case.a, case.b)]
    first = pair_viewpoint(case.a, case.b, build_edges(case.a))
    second = pair_viewpoint(*moved, build_edges(moved[0]))
    assert second.dihedral == first.dihedral
    for a, b in ((first.a, second.a), (first.b, second.b)):  # equal up to axis signs
        assert np.allclose(np.abs(a.positions), np.abs(b.positions), atol=1e-4)
