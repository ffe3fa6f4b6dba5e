"""The orientation test (SCIENCE.md, Claim 3): which types see which way a structure points."""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pytest
from scipy.special import sph_harm_y

from eqgnn.cli import cmd_orientation
from eqgnn.errors import InputError
from eqgnn.gallery._stars import pyramid_pair, star_pair
from eqgnn.io import load_structure
from eqgnn.oracle._harmonics import column, real_spherical_harmonics
from eqgnn.oracle._orientation import orientation, orientation_pair
from eqgnn.oracle._symmetry_axis import symmetry_axis
from eqgnn.structure import make_structure
from eqgnn.transforms import permute, random_rotation, rotate, translate

FOLDS = range(2, 9)
LMAX = 10


def seen(verdict: dict) -> list[int]:
    return [int(l) for l, v in verdict["types"].items() if v]


def planar_rule(n: int, l: int, odd_multiples_only: bool = False) -> bool:
    """Type l sees an n-fold planar star iff some m = k n (k >= 1) has m <= l and l + m even.

    With ``odd_multiples_only``, k must be odd: a turn by pi/n multiplies the
    component m = k n by (-1)^k, so it hides the multiples of 2n.
    """
    ks = range(1, l // n + 1)
    return any((l + k * n) % 2 == 0 and (k % 2 == 1 or not odd_multiples_only) for k in ks)


def moved(structure, seed: int):
    """The structure turned, shifted and its atoms shuffled: nothing a verdict may depend on."""
    rng = np.random.default_rng(seed)
    s = translate(rotate(structure, random_rotation(rng)), rng.normal(size=3) * 5)
    return permute(s, rng.permutation(len(s))), rng


# -- real spherical harmonics ----------------------------------------------------------------


def test_real_harmonics_are_scipys_up_to_the_condon_shortley_sign():
    v = np.random.default_rng(0).normal(size=(40, 3))
    v[0] = [0.0, 0.0, 1.0]  # the poles, where phi means nothing
    v[1] = [0.0, 0.0, -2.0]
    y = real_spherical_harmonics(v, 12)
    r = np.linalg.norm(v, axis=1)
    theta, phi = np.arccos(v[:, 2] / r), np.arctan2(v[:, 1], v[:, 0])
    for l in range(13):
        for m in range(-l, l + 1):
            c = sph_harm_y(l, abs(m), theta, phi)
            part = c.real if m >= 0 else c.imag
            expected = part if m == 0 else np.sqrt(2.0) * (-1) ** m * part
            np.testing.assert_allclose(y[:, column(l, m)], expected, atol=1e-12)


def test_each_type_turns_by_an_orthogonal_matrix():
    # Y_l(R v) = D_l(R) Y_l(v) with D_l orthogonal: inner products within a block are invariant
    rng = np.random.default_rng(1)
    v = rng.normal(size=(30, 3))
    rotation = random_rotation(rng)
    y, y_turned = real_spherical_harmonics(v, 10), real_spherical_harmonics(v @ rotation.T, 10)
    for l in range(11):
        block = slice(l * l, (l + 1) ** 2)
        np.testing.assert_allclose(
            y_turned[:, block] @ y_turned[:, block].T, y[:, block] @ y[:, block].T, atol=1e-12
        )


# -- the stars -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", FOLDS)
def test_stars_are_exactly_n_fold_about_z_with_the_centre_atom_on_the_axis(n):
    a, b = star_pair(n)
    sym = symmetry_axis(a)
    assert sym.order == n and sym.centre_atom == 0
    assert abs(sym.axis @ [0.0, 0.0, 1.0]) == pytest.approx(1.0)
    assert symmetry_axis(pyramid_pair(n)[0]).order == n
    assert a.edges.tolist() == [[0, j] for j in range(1, 2 * n + 1)]


@pytest.mark.parametrize("n", FOLDS)
def test_types_below_the_fold_never_see_a_star_and_type_n_does(n):
    verdict = orientation(star_pair(n)[0], lmax=LMAX)
    assert min(seen(verdict)) == n  # single-layer test: lmax >= n suffices


@pytest.mark.parametrize("n", FOLDS)
def test_a_planar_star_is_seen_by_type_l_exactly_when_some_allowed_m_has_l_plus_m_even(n):
    a, b = star_pair(n)
    expected = [l for l in range(LMAX + 1) if planar_rule(n, l)]
    assert seen(orientation(a, lmax=LMAX)) == expected
    assert seen(orientation_pair(a, b, lmax=LMAX)) == expected  # a generic turn shows it all


def test_the_planar_two_and_five_fold_stars_have_the_parity_gaps_of_science_md():
    assert seen(orientation(star_pair(2)[0])) == [2, 4, 6, 8]
    assert seen(orientation(star_pair(5)[0])) == [5, 7]


@pytest.mark.parametrize("n", FOLDS)
def test_a_pyramid_has_no_parity_gap(n):
    assert seen(orientation(pyramid_pair(n)[0], lmax=LMAX)) == list(range(n, LMAX + 1))


@pytest.mark.parametrize("n", FOLDS)
def test_a_turn_by_pi_over_n_hides_the_components_with_m_a_multiple_of_2n(n):
    a, b = star_pair(n, angle=np.pi / n)
    expected = [l for l in range(LMAX + 1) if planar_rule(n, l, odd_multiples_only=True)]
    assert seen(orientation_pair(a, b, lmax=LMAX)) == expected


def test_a_full_turn_is_no_turn_at_all():
    a, b = star_pair(5, angle=2 * np.pi)
    assert seen(orientation_pair(a, b)) == []


# -- real molecules --------------------------------------------------------------------------


def test_a_linear_molecule_has_no_orientation_about_its_line():
    co2 = load_structure("g2:CO2")
    verdict = orientation(co2, lmax=LMAX)
    assert verdict["order"] is None and seen(verdict) == []
    assert co2.numbers[verdict["center"]] == 6  # the carbon, on the line at the centroid


@pytest.mark.parametrize(
    ("name", "order", "centre_species"),
    [("CH4", 3, 6), ("NH3", 3, 7), ("C6H6", 6, None), ("H2O", 2, 8), ("CH3CH2OH", 1, None)],
)
def test_the_axis_is_the_highest_order_proper_rotation_whatever_the_input_frame(
    name, order, centre_species
):
    # CH4: T_d has C3 and C2 axes; its S4 is improper, so the highest proper order is 3
    s = load_structure(f"g2:{name}")
    for structure in (s, moved(s, seed=11)[0]):
        sym = symmetry_axis(structure)
        assert sym.order == order
        species = None if sym.centre_atom is None else structure.numbers[sym.centre_atom]
        assert species == centre_species


def test_methane_hides_types_one_two_and_five():
    # T_d has no invariant harmonic of degree 1, 2 or 5: the H shell's signature is zero there
    assert seen(orientation(load_structure("g2:CH4"))) == [3, 4, 6, 7, 8]


def test_benzene_is_seen_by_types_six_and_eight_only():
    assert seen(orientation(load_structure("g2:C6H6"))) == [6, 8]


def test_with_no_axis_every_type_but_zero_sees_the_orientation():
    verdict = orientation(load_structure("g2:CH3CH2OH"))
    assert verdict["order"] == 1 and verdict["axis"] is None
    assert seen(verdict) == list(range(1, 9))


@pytest.mark.parametrize("name", ["g2:CH4", "g2:NH3", "g2:C6H6", "g2:CO2", "g2:CH3CH2OH"])
def test_verdicts_survive_rotation_translation_and_atom_permutation(name):
    s = load_structure(name)
    before = orientation(s)
    for seed in range(3):
        after = orientation(moved(s, seed)[0])
        assert after["types"] == before["types"] and after["order"] == before["order"]


def test_a_stars_verdict_and_axis_follow_it_when_turned_and_shuffled():
    a = star_pair(6)[0]
    before = orientation(a, lmax=LMAX)
    rng = np.random.default_rng(5)
    rotation, order = random_rotation(rng), rng.permutation(len(a))
    after = orientation(permute(translate(rotate(a, rotation), [1.0, -2.0, 3.0]), order), lmax=LMAX)
    assert after["types"] == before["types"]
    assert abs(np.dot(after["axis"], rotation @ before["axis"])) == pytest.approx(1.0)
    assert order[after["center"]] == before["center"]


def test_a_slightly_noisy_structure_keeps_its_symmetry_within_the_tolerance():
    a = star_pair(4)[0]
    noisy = a.with_positions(a.positions + np.random.default_rng(2).normal(size=(9, 3)) * 1e-5)
    assert seen(orientation(noisy, lmax=LMAX)) == seen(orientation(a, lmax=LMAX))


def test_the_orientation_test_answers_fast_on_thirty_atoms():
    rng = np.random.default_rng(3)
    generic = make_structure(np.full(30, 6), rng.normal(size=(30, 3)) * 3)
    for s in (generic, star_pair(12)[0], load_structure("g2:C6H6")):
        start = time.perf_counter()
        orientation(s)
        assert time.perf_counter() - start < 0.2


# -- input errors and the CLI ----------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda: star_pair(1),
    lambda: pyramid_pair(99),
    lambda: orientation(star_pair(3)[0], lmax=-1),
    lambda: orientation(star_pair(3)[0], centre=42),
    lambda: orientation(star_pair(3)[0], tol=0.0),
    lambda: orientation_pair(star_pair(3)[0], star_pair(4)[0]),
    lambda: orientation_pair(*pyramid_pair(3)[:1], star_pair(3)[0]),
])
def test_bad_input_is_an_input_error(call):
    with pytest.raises(InputError):
        call()


def run_cli(capsys, *argv) -> dict:
    parser = argparse.ArgumentParser()
    cmd_orientation.register(parser.add_subparsers())
    args = parser.parse_args(["orientation", *argv, "--json"])
    assert args.run(args) == 0
    return json.loads(capsys.readouterr().out)


def test_the_cli_prints_the_verdict_as_json(capsys):
    out = run_cli(capsys, "--case", "star-5")
    assert set(out) == {"axis", "order", "center", "types", "note"}
    assert out["order"] == 5 and out["center"] == 0
    assert [l for l, v in out["types"].items() if v] == ["5", "7"]
    out = run_cli(capsys, "g2:C6H6", "--lmax", "6", "--center", "0")
    assert out["center"] == 0 and list(out["types"]) == [str(l) for l in range(7)]


def test_the_cli_verdict_reads_as_a_sentence():
    line = cmd_orientation.verdict_line(orientation(star_pair(6)[0]))
    assert line == "6-fold axis, centre atom 0; types 6, 8 see the orientation about it, " \
        "0-5, 7 cannot"
