"""The failure-case gallery: every case loads, and the oracle's verdict on each is pinned.

Each pin states what the science predicts and cites where it comes from
(SCIENCE.md, Joshi et al. ICML 2023, Pozdnyakov et al. PRL 2020): if the
oracle or a stored pair drifts, the gallery would teach something false.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from functools import cache

import numpy as np
import pytest

from eqgnn.cli import cmd_cases
from eqgnn.config import MAX_LMAX
from eqgnn.errors import InputError
from eqgnn.gallery import case_names, load_case, theory
from eqgnn.gallery._build import build
from eqgnn.gallery._cases import CASES_DIR

TWINS = ["butane-torsion", "h2o2-torsion", "ethanol-torsion", "butadiene-torsion"]
BODY_ORDERS = ("2", "3", "full")
GROUPS = ("O3", "SO3")


@cache
def verdict(name: str) -> dict:
    """The theory of a case, computed once per test session."""
    return theory(load_case(name))


def hops_table(name: str) -> dict[str, dict[str, int | None]]:
    return verdict(name)["min_hops"]


def everywhere(value) -> dict[str, dict[str, int | None]]:
    """The same min_hops for every body order and group."""
    return {b: {g: value for g in GROUPS} for b in BODY_ORDERS}


# --- loading -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", case_names())
def test_every_listed_case_loads_as_a_pair_of_like_graphs(name):
    case = load_case(name)
    assert case.name == name and case.title and len(case.text) > 200
    assert len(case.a) == len(case.b)
    assert sorted(case.a.numbers.tolist()) == sorted(case.b.numbers.tolist())
    assert case.readout == ("equivariant" if case.kind == "star" else "invariant")
    assert not re.search(r"\{(n|half|next)\}", case.title + case.text)  # sizes filled in


def test_listed_families_and_any_size_on_demand():
    names = case_names()
    assert [n for n in names if n.startswith("kchain-")] == [f"kchain-{k}" for k in range(2, 7)]
    assert [n for n in names if n.startswith("star-")] == [f"star-{n}" for n in range(2, 13)]
    assert [n for n in names if n.startswith("pyramid-")] == ["pyramid-2", "pyramid-5"]
    assert len(load_case("kchain-40").a) == 42
    assert "40-chain" in load_case("kchain-40").title


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "unknown case 'nope'.*python -m eqgnn cases"),
        ("kchain-1", "N >= 2"),
        ("star-0", "N >= 2"),
        ("kchain-x", "unknown case"),
    ],
)
def test_load_case_refuses_unknown_names_in_one_line(name, message):
    with pytest.raises(InputError, match=message) as info:
        load_case(name)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["butane-torsion", "body4"])
def test_stored_pair_is_what_the_build_script_makes(name):
    stored = json.loads((CASES_DIR / f"{name}.json").read_text())
    fresh = build(name)
    assert stored["made_by"] == fresh["made_by"] == "python -m eqgnn.gallery._build"
    for key in ("a", "b"):
        assert stored[key]["numbers"] == fresh[key]["numbers"]
        assert stored[key].get("edges") == fresh[key].get("edges")
        np.testing.assert_allclose(stored[key]["positions"], fresh[key]["positions"], atol=1e-9)


def test_loading_a_case_reads_json_only():
    """The oracle CLI with --case must answer in under a second: no ASE io, RDKit or torch."""
    code = (
        "import sys; from eqgnn.gallery import load_case; load_case('butane-torsion'); "
        "load_case('enantiomers'); load_case('kchain-5'); "
        "print([m for m in ('torch', 'rdkit', 'ase.io', 'ase.build') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_kchain_matches_joshi_et_al():
    """K chain nodes 5 Å apart on y, end nodes turned differently, path edges, centred."""
    a, b = load_case("kchain-4").a, load_case("kchain-4").b
    for g in (a, b):
        np.testing.assert_allclose(g.positions.mean(axis=0), 0, atol=1e-12)
        assert g.edges.tolist() == [[i, i + 1] for i in range(5)]
    shift_a, shift_b = a.positions[1], b.positions[1]  # chain node 1 was at 0 before centring
    np.testing.assert_allclose(a.positions[[0, 5]] - shift_a, [[-4, -3, 0], [4, 18, 0]])
    np.testing.assert_allclose(b.positions[[0, 5]] - shift_b, [[4, -3, 0], [4, 18, 0]])


def test_theory_stops_at_max_hops():
    # kchain-6 needs 4 hops at body order 3 (below); capped at 2 the scan reports none.
    capped = theory(load_case("kchain-6"), max_hops=2)
    assert capped["max_hops"] == 2 and capped["min_hops"]["3"] == {"O3": None, "SO3": None}
    assert theory(load_case("kchain-2"), max_hops=2)["min_hops"]["3"] == {"O3": 2, "SO3": 2}


def test_cases_command_prints_table_and_json(capsys):
    args = argparse.Namespace(name="body2", json=True)
    assert cmd_cases.run(args) == 0
    row = json.loads(capsys.readouterr().out)["cases"][0]
    assert row["num_atoms"] == [3, 3] and row["graph"] == "explicit"
    assert row["theory"]["min_hops"]["3"]["O3"] == 1
    assert cmd_cases.run(argparse.Namespace(name="control", json=False)) == 0
    assert "control" in capsys.readouterr().out


# --- theory pins ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", TWINS)
def test_torsion_twins_need_two_hops_at_body_order_three_and_three_at_two(name):
    # SCIENCE.md, Claim 1: turning one side of a bridge about its axis leaves every 1-hop
    # local structure on the bond graph congruent to its partner (1-hop identical), so by
    # the paper's theorem 1 hop is blind at every body order and depth, although the twins
    # are not congruent. 2 hops hold two neighbours whose distance the dihedral sets
    # (body order 3); every distance *to a centre* within 2 hops runs to an atom on the
    # bond axis, which the twist keeps, so body order 2 needs 3 hops.
    t = verdict(name)
    assert t["congruent"] == {"O3": False, "SO3": False}
    assert hops_table(name) == {b: {g: h for g in GROUPS} for b, h in zip(BODY_ORDERS, (3, 2, 2))}
    assert t["gwl_min_layers"] == {"O3": 2, "SO3": 2}


@pytest.mark.parametrize("name", [f"{twin}-r5" for twin in TWINS])
def test_radius_graph_sees_torsion_at_one_hop(name):
    # SCIENCE.md, Objects: on a 5 Å radius graph atoms on both sides of the bond are
    # neighbours, and their distance changes with the dihedral: 1 hop at body order 2 sees it.
    assert hops_table(name) == everywhere(1)


@pytest.mark.parametrize("k", range(2, 7))
def test_kchain_min_hops_follow_joshi_et_al(k):
    # Joshi et al. 2023 (ICML), k-chains: body order 3 or full is blind with fewer than
    # floor(k/2)+1 hops; at body order 2 the only differing distance is end to end, k+1 hops.
    # Reflections change nothing here: the chains are planar, so O3 and SO3 agree.
    expected = {"2": k + 1, "3": k // 2 + 1, "full": k // 2 + 1}
    assert hops_table(f"kchain-{k}") == {b: {g: expected[b] for g in GROUPS} for b in BODY_ORDERS}


def test_body2_equal_centre_distances_need_body_order_three_or_two_hops():
    # Same distance multiset {5, 5} about the centre: 2-body blind at 1 hop (SCIENCE.md,
    # body order b = 2), the neighbour-neighbour distance (3-body) sees it at 1 hop. At 2
    # hops a leaf measures its distance to the other leaf, so body order 2 sees it too.
    assert hops_table("body2") == {"2": {"O3": 2, "SO3": 2}, "3": {"O3": 1, "SO3": 1},
                                   "full": {"O3": 1, "SO3": 1}}


@pytest.mark.parametrize("name", ["body3", "body4"])
def test_pozdnyakov_environments_blind_below_full_order_at_one_hop(name):
    # Pozdnyakov et al., PRL 125, 166001 (2020): Fig. 1(b) has equal distance and triangle
    # multisets about the centre, Fig. 2(f) too, and is not chiral, so body orders 2 and 3
    # are blind at 1 hop under either group (an SO3 signed volume needs the leaves ordered
    # by colour, and at 1 hop every leaf has one colour) while the full test sees the
    # non-congruent pair at once. With 2 hops each leaf sees the whole environment.
    t = verdict(name)
    assert t["congruent"] == {"O3": False, "SO3": False}
    assert hops_table(name) == {"2": {"O3": 2, "SO3": 2}, "3": {"O3": 2, "SO3": 2},
                                "full": {"O3": 1, "SO3": 1}}


def test_chiral_environment_seen_only_under_so3():
    # Mirror images are O3-congruent, so every O3 test is blind at every hops (SCIENCE.md,
    # Neighbouring facts); distances carry no handedness, so SO3 body order 2 is blind too.
    # The full SO3 test sees the chirality at 1 hop. SO3 body order 3 reads signed volumes
    # of colour-ordered triples: at 1 hop all four leaves share one colour, so no triple has
    # an order and the volumes' multiset is sign-symmetric; at 2 hops the leaves' colours
    # differ and the signed volume tells the mirror images apart.
    t = verdict("body4-chiral")
    assert t["congruent"] == {"O3": True, "SO3": False}
    assert hops_table("body4-chiral") == {"2": {"O3": None, "SO3": None},
                                          "3": {"O3": None, "SO3": 2},
                                          "full": {"O3": None, "SO3": 1}}
    assert t["gwl_min_layers"] == {"O3": None, "SO3": 1}


def test_enantiomers_seen_only_under_so3_from_one_hop_at_body_order_three():
    # L- and D-alanine are mirror images: O3-congruent, so O3-blind at any hops and body
    # order; body order 2 is blind in SO3 too (no handedness in distances). At the
    # stereocentre the neighbours are N, C, C, H: a triple holding N, H and one C has three
    # colours, so its colour-ordered signed volume (SO3, body order 3) flips sign at 1 hop.
    t = verdict("enantiomers")
    assert t["congruent"] == {"O3": True, "SO3": False}
    assert hops_table("enantiomers") == {"2": {"O3": None, "SO3": None},
                                         "3": {"O3": None, "SO3": 1},
                                         "full": {"O3": None, "SO3": 1}}


def test_control_is_congruent_and_indistinguishable_everywhere():
    # A rigid motion and a relabelling of one molecule: congruent under both groups, so no
    # test and no invariant model may separate the pair.
    t = verdict("control")
    assert t["congruent"] == {"O3": True, "SO3": True}
    assert hops_table("control") == everywhere(None)
    assert t["gwl_min_layers"] == {"O3": None, "SO3": None}


def planar_types_that_see(n: int, lmax: int = MAX_LMAX) -> dict[str, bool]:
    """SCIENCE.md, Claim 3: on a planar n-fold star type l keeps the components with m a
    nonzero multiple of n, |m| <= l, and l + m even (P_l^m(0) = 0 when l + m is odd)."""
    return {str(l): any((l + m) % 2 == 0 for m in range(n, l + 1, n)) for l in range(lmax + 1)}


@pytest.mark.parametrize("n", range(2, 13))
def test_planar_star_orientation_needs_type_n_and_even_l_plus_m(n):
    # SCIENCE.md, Claim 3: on an n-fold star every component with |m| not a multiple of n
    # vanishes, so types l < n cannot encode its orientation; in the plane the components
    # with l + m odd vanish too (star-2: types 2, 4, 6, 8; star-5: 5 and 7, not 6 or 8).
    # Type n always sees it (m = n, l + m even). A and B are congruent: one star turned.
    t = verdict(f"star-{n}")
    assert t["orientation"] == planar_types_that_see(n)
    assert not any(t["orientation"][str(l)] for l in range(n)) and t["orientation"][str(n)]
    assert t["congruent"] == {"O3": True, "SO3": True}


@pytest.mark.parametrize("n", [2, 5])
def test_pyramid_orientation_seen_by_every_type_from_n(n):
    # SCIENCE.md, Claim 3: a non-planar star has no l + m parity gap, so exactly the types
    # l >= n see its orientation.
    assert verdict(f"pyramid-{n}")["orientation"] == {
        str(l): l >= n for l in range(MAX_LMAX + 1)}


@pytest.mark.parametrize(("hops", "verdict"), [
    (1, "Invariant models with 1 hop are blind; 2 hops see it"),
    (2, "Invariant models with 2 hops can tell A from B from body order 3 up; "
        "body order 2 needs 3 hops"),
    (3, "Invariant models with 3 hops can tell A from B"),
    (6, "Invariant models with 6 hops can tell A from B"),
])
def test_the_headline_follows_the_chosen_hops(hops, verdict):
    """Butane on its bond graph: body order 3 needs 2 hops, body order 2 needs 3 (the
    oracle's table); the banner says what holds at the hops on screen, past the table too."""
    from eqgnn.reports import hops_headline, oracle_verdicts

    headline = hops_headline(oracle_verdicts(load_case("butane-torsion"))["rows"], hops)
    assert headline["verdict"] == verdict and headline["blind"] == (hops == 1)
