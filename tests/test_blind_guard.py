"""The blind guard: rounding of the inputs is never read as geometry (SCIENCE.md,
"What distinguished means"). Theory-blind pairs stay blind at file precision;
genuinely sighted pairs stay distinguished."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from eqgnn.config import config_from_options
from eqgnn.io import load_structure
from eqgnn.precision import coarser, coordinate_precision
from eqgnn.protocol import distinguish
from eqgnn.structure import Structure, make_structure
from eqgnn.transforms import torsion

FAST = {"seeds": 3, "epochs": 20}


def written(s: Structure, positions: np.ndarray) -> Structure:
    """``s`` as another tool stored it: new values, whose precision they alone say."""
    return make_structure(s.numbers, positions, s.edges, s.name)


def rounded(s: Structure, decimals: int) -> Structure:
    return written(s, np.round(s.positions, decimals))


def as_float32(s: Structure) -> Structure:
    return written(s, s.positions.astype(np.float32).astype(np.float64))


def dojo_kchain(k: int) -> tuple[Structure, Structure]:
    """The Geometric GNN Dojo's k-chain as its notebook stores it: float32, centred in float32."""
    pair = []
    for near_x in (-4, 4):
        pos = torch.tensor([[near_x, -3, 0]] + [[0, 5 * i, 0] for i in range(k)]
                           + [[4, 5 * (k - 1) + 3, 0]], dtype=torch.float32)
        pos = pos - pos.mean(dim=0)
        pair.append(make_structure([6] * (k + 2), pos.double().numpy(),
                                   [[i, i + 1] for i in range(k + 1)], name=f"dojo {k}-chain"))
    return pair[0], pair[1]


def run(a, b, preset=None, **options) -> dict:
    return distinguish(a, b, config_from_options(preset, **options), **FAST)


@pytest.fixture(scope="module")
def butane_twins():
    anti = load_structure("g2:trans-butane")
    return anti, torsion(anti, 1, 2, 120.0)


@pytest.fixture(scope="module")
def qm9_twins():
    molecule = load_structure("qm9:1000")
    return molecule, torsion(molecule, 0, 1, 120.0)


def test_precision_is_read_off_the_coordinates():
    x = load_structure("smiles:CCCC").positions
    assert coordinate_precision(x).source == "float64"
    assert coordinate_precision(x).angstrom < 1e-14
    assert coordinate_precision(np.round(x, 6)).angstrom == 5e-7
    assert coordinate_precision(np.round(x, 8)).angstrom == 5e-9
    assert coordinate_precision(np.round(x, 3)).angstrom == 5e-4
    # float32 values, stored exactly or printed with more decimals than float32 holds
    single = x.astype(np.float32).astype(np.float64)
    assert coordinate_precision(single).source == "float32"
    assert coordinate_precision(np.round(single, 8)).source == "float32 written with 8 decimals"
    assert 1e-8 < coordinate_precision(single).angstrom < 1e-6
    # designed coordinates (integers, halves) are exact
    assert coordinate_precision(np.array([[0.0, 0, 0], [5, 0, 0], [1.5, -3, 0]])).angstrom < 1e-14
    # a pair is known no better than its coarser structure
    assert coarser(coordinate_precision(x), coordinate_precision(np.round(x, 6))).angstrom == 5e-7


def test_precision_survives_atom_order_and_json_round_trips():
    s = rounded(load_structure("g2:CH3CH2OH"), 6)
    again = load_structure("g2:CH3CH2OH")
    order = np.random.default_rng(0).permutation(len(s))
    assert coordinate_precision(s.positions[order]) == coordinate_precision(s.positions)
    from eqgnn.io import structure_from_json

    back = structure_from_json(s.to_json(), "json", "json")
    assert coordinate_precision(back.positions) == coordinate_precision(s.positions)
    assert coordinate_precision(again.positions).angstrom == 5e-7  # ASE's G2 keeps 6 decimals


@pytest.mark.parametrize("store", ["8 decimals", "6 decimals", "float32"])
def test_theory_blind_models_stay_blind_at_file_precision(butane_twins, qm9_twins, store):
    write = {"8 decimals": lambda s: rounded(s, 8), "6 decimals": lambda s: rounded(s, 6),
             "float32": as_float32}[store]
    anti, gauche = butane_twins
    # the first case: A as loaded, B written by another tool
    assert run(anti, write(gauche), "dimenet")["verdict"] == "blind"
    one_hop = run(write(anti), write(gauche), model="khop", hops=1, body_order=3, width=8)
    assert one_hop["verdict"] == "blind"
    assert one_hop["theory"]["allows"] is False
    molecule, twin = qm9_twins
    assert run(write(molecule), write(twin), model="khop", hops=1, width=8)["verdict"] == "blind"


def test_the_dojos_float32_four_chain_is_blind_where_the_model_cannot_see():
    # DimeNet: the 2-hop full test, its upper bound, cannot separate the 4-chain.
    # TFN at 3 layers: at the GWL bound, but its messages are linear in the neighbour
    # (SCIENCE.md, Claim 2): blind by construction, gap exactly 0 on exact inputs.
    a, b = dojo_kchain(4)
    assert coarser(a.known_to, b.known_to).source == "float32"
    dimenet = run(a, b, "dimenet", layers=3, width=8)
    tfn = run(a, b, "tfn", layers=3, lmax=1, channels=4)
    assert dimenet["theory"]["allows"] is False
    for result in (dimenet, tfn):
        assert result["verdict"] == "blind"
        assert max(result["embedding_gaps"]) <= min(result["noise_floors"])


def test_the_dojos_float32_four_chain_is_seen_where_theory_allows():
    a, b = dojo_kchain(4)
    assert run(a, b, "tfn", layers=5, lmax=1, channels=4)["verdict"] == "distinguished"
    assert run(a, b, model="khop", hops=3, layers=1, width=8)["verdict"] == "distinguished"


def test_full_precision_pairs_keep_the_verdict_theory_gives(butane_twins):
    anti, gauche = butane_twins
    one = run(anti, gauche, model="khop", hops=1, width=8)
    two = run(anti, gauche, model="khop", hops=2, width=8)
    assert (one["verdict"], one["theory"]["allows"]) == ("blind", False)
    assert (two["verdict"], two["theory"]["allows"]) == ("distinguished", True)


def test_a_real_twist_written_at_six_decimals_stays_distinguished_at_two_hops(qm9_twins):
    molecule, twin = qm9_twins
    result = run(rounded(molecule, 6), rounded(twin, 6), model="khop", hops=2, width=8)
    assert result["verdict"] == "distinguished"
    assert all(g > 100 * f for g, f in zip(result["embedding_gaps"], result["noise_floors"]))
    assert result["precision"]["angstrom"] == 5e-7


def test_the_floor_is_reported_beside_the_gap_and_never_below_float64_arithmetic(butane_twins):
    anti, gauche = butane_twins
    result = run(anti, gauche, "schnet")
    assert len(result["noise_floors"]) == len(result["embedding_gaps"]) == FAST["seeds"]
    assert min(result["noise_floors"]) >= 1e-12
    assert result["noise_floor"] == max(result["noise_floors"])
    assert result["precision"] == {"angstrom": 5e-7, "source": "6 decimals"}
