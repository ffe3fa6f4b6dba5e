"""The oracle: exact congruence, and a k-hop WL test that ignores atom order and pose."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import numpy as np
import pytest

from eqgnn.cli import main
from eqgnn.errors import InputError
from eqgnn.gallery import load_case
from eqgnn.oracle import compare, congruent, min_hops
from eqgnn.oracle._clouds import cloud_alignment
from eqgnn.transforms import permute, random_rotation, reflect, rotate, torsion, translate

TOL = 1e-3


def brute_force_congruent(p, lp, q, lq, group, tol) -> bool:
    """Every label-preserving permutation, each aligned by orthogonal Procrustes."""
    if len(p) != len(q) or sorted(lp.tolist()) != sorted(lq.tolist()):
        return False
    for perm in itertools.permutations(range(len(q))):
        perm = list(perm)
        if any(lp[i] != lq[perm[i]] for i in range(len(p))):
            continue
        target = q[perm]
        u, _, vt = np.linalg.svd(p.T @ target)
        flipped = u.copy()
        flipped[:, -1] *= -1
        for r in ((u @ vt).T, (flipped @ vt).T):
            if group == "SO3" and np.linalg.det(r) < 0:
                continue
            if np.max(np.linalg.norm(p @ r.T - target, axis=1)) <= tol:
                return True
    return False


def random_cloud(rng, kind: int) -> np.ndarray:
    m = int(rng.integers(1, 6))
    if kind == 0:  # generic
        return rng.normal(size=(m, 3)) * 2
    if kind == 1:  # a regular polygon, maybe with a point on its axis: large symmetry
        k = max(m, 2)
        angles = 2 * np.pi * np.arange(k) / k
        ring = 1.5 * np.stack([np.cos(angles), np.sin(angles), np.zeros(k)], axis=1)
        return np.vstack([ring, [0, 0, 1.0]]) if m % 2 else ring
    if kind == 2:  # integer points: many equal distances
        p = np.round(rng.normal(size=(m + 1, 3)) * 1.5)
        p = np.unique(p[np.linalg.norm(p, axis=1) > 0.5], axis=0)
        return p if len(p) else np.array([[1.0, 0, 0]])
    p = rng.normal(size=(m, 3))  # planar
    p[:, 2] = 0
    return p


def test_full_canonical_form_agrees_with_brute_force_on_random_clouds():
    rng = np.random.default_rng(7)
    checked, positives = 0, 0
    for trial in range(240):
        p = random_cloud(rng, trial % 4)
        lp = rng.integers(0, 2, size=len(p))
        rot = random_rotation(rng)
        if trial % 3 == 0:
            rot = rot @ np.diag([1.0, 1.0, -1.0])  # an improper motion: O3 only
        q = p @ rot.T
        if trial % 2:  # a nearby but different cloud
            q = q.copy()
            q[rng.integers(len(q))] += rng.normal(size=3) * 0.3
        order = rng.permutation(len(q))
        q, lq = q[order], lp[order]
        for group in ("O3", "SO3"):
            expected = brute_force_congruent(p, lp, q, lq, group, TOL)
            found = cloud_alignment(p, lp, q, lq, group, TOL)
            assert (found is not None) == expected, (trial, group)
            checked += 1
            positives += expected
    assert checked >= 400 and 100 < positives < checked - 100  # both verdicts well sampled


@pytest.fixture(scope="module")
def twins(butane):
    return butane, torsion(butane, 1, 2, 120.0)


def shuffled_and_moved(s, seed: int):
    rng = np.random.default_rng(seed)
    moved = translate(rotate(s, random_rotation(rng)), rng.normal(size=3) * 3)
    return permute(moved, rng.permutation(len(s)))


@pytest.mark.parametrize("body_order", ["2", "3", "full"])
@pytest.mark.parametrize("hops", [1, 2, 3])
def test_verdict_ignores_atom_order_and_pose(twins, hops, body_order):
    a, b = twins
    reference = compare(a, b, hops, body_order, graph="bonds")
    for seed in range(2):
        got = compare(shuffled_and_moved(a, seed), reflect(shuffled_and_moved(b, seed + 9)),
                      hops, body_order, graph="bonds")
        for key in ("indistinguishable", "congruent", "min_hops", "gwl_min_layers"):
            assert got[key] == reference[key], key


def test_witness_pairs_atoms_of_the_same_species_one_to_one(twins):
    a, b = twins
    b = shuffled_and_moved(b, 3)
    verdict = compare(a, b, hops=1, graph="bonds")
    assert verdict["indistinguishable"] and verdict["first_difference"] is None
    pairs = verdict["witness"]
    assert sorted(i for i, _ in pairs) == list(range(len(a)))
    assert sorted(j for _, j in pairs) == list(range(len(b)))
    assert all(a.numbers[i] == b.numbers[j] for i, j in pairs)


def test_a_distinguished_pair_says_where_it_first_differs(twins):
    verdict = compare(*twins, hops=2, body_order="3", graph="bonds")
    assert not verdict["indistinguishable"] and verdict["witness"] is None
    difference = verdict["first_difference"]
    assert difference["iteration"] >= 1 and difference["nodes_a"] and difference["nodes_b"]


def test_torsion_twins_reason_names_the_turned_bond(twins):
    assert "bond 1-2" in compare(*twins, hops=1, graph="bonds")["reason"]


def test_congruence_needs_a_reflection_for_mirror_images(alanine):
    mirror = reflect(alanine)
    assert congruent(alanine, mirror, "O3")
    assert not congruent(alanine, mirror, "SO3")
    assert congruent(alanine, shuffled_and_moved(alanine, 1), "SO3")


def test_gwl_bound_is_null_for_congruent_pairs(alanine):
    verdict = compare(alanine, shuffled_and_moved(alanine, 2))
    assert verdict["congruent"] and verdict["gwl_min_layers"] is None
    assert verdict["min_hops"] is None


def test_different_species_differ_before_any_geometry():
    from tests.conftest import g2

    verdict = compare(g2("H2O"), g2("SH2"))
    assert verdict["first_difference"]["iteration"] == 0


def test_isomers_differ_in_their_first_neighbourhoods():
    from tests.conftest import g2

    ethanol, ether = g2("CH3CH2OH"), g2("CH3OCH3")  # both C2H6O
    verdict = compare(ethanol, ether, body_order="2")
    assert verdict["first_difference"]["iteration"] == 1
    assert min_hops(ethanol, ether, "2") == 1


@pytest.mark.parametrize("options, message", [
    ({"body_order": 4}, "body order"), ({"group": "O2"}, "group"), ({"tol": 0}, "tolerance"),
    ({"hops": 0}, "hops"),
])
def test_bad_oracle_options_are_input_errors(twins, options, message):
    with pytest.raises(InputError, match=message):
        compare(*twins, **options)


def test_oracle_cli_json_has_the_documented_keys(tmp_path, capsys):
    twin = tmp_path / "gauche.json"
    assert main(["twist", "g2:trans-butane", "--bond", "1", "2", "--angle", "120",
                 "-o", str(twin)]) == 0
    capsys.readouterr()
    assert main(["oracle", "g2:trans-butane", str(twin), "--json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert set(verdict) >= {"indistinguishable", "congruent", "min_hops", "gwl_min_layers",
                            "iterations", "first_difference", "witness", "hops",
                            "body_order", "group"}
    assert verdict["indistinguishable"] and verdict["min_hops"] == 2


def test_oracle_cli_does_not_load_torch(tmp_path):
    code = ("import sys, runpy; sys.argv = ['eqgnn', 'oracle', 'g2:H2O', 'g2:H2O']; "
            "import eqgnn.cli as c; rc = c.main(sys.argv[1:]); "
            "assert 'torch' not in sys.modules, 'torch imported'; raise SystemExit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_oracle_cli_needs_a_pair(capsys):
    assert main(["oracle", "g2:H2O"]) == 2
    assert "two structures" in capsys.readouterr().err


@pytest.mark.parametrize("order, says, not_says", [
    ("2", "distances from the centre", "angles between neighbours (the distance"),
    ("3", "same angles between neighbours", "shape (congruent"),
    ("full", "same shape (congruent", "distances from the centre"),
])
def test_each_body_orders_reason_says_what_that_order_compares(order, says, not_says):
    # body2: equal distances from the centre, different angles; body3: equal distances and
    # angles, different shapes; the butane twins: congruent neighbourhoods
    name = {"2": "body2", "3": "body3", "full": "butane-torsion"}[order]
    case = load_case(name)
    verdict = compare(case.a, case.b, hops=1, body_order=order, graph=case.graph)
    assert verdict["indistinguishable"]
    assert says in verdict["reason"] and not_says not in verdict["reason"]
    assert "congruent to one in B" not in verdict["reason"]
