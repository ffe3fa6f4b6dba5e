"""Models with their published reach: body order up to 5, types up to 12, DimeNet's
directed-edge messages, and a published "counterexample" that is one structure twice."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from eqgnn.cli import main
from eqgnn.config import PRESETS, config_from_options
from eqgnn.errors import InputError
from eqgnn.gallery import load_case
from eqgnn.io import load_structure
from eqgnn.models import build_model
from eqgnn.oracle import compare, congruence_witness
from eqgnn.protocol import distinguish, theory_beside
from tests.equivariance import assert_invariant

FAST = {"seeds": 3, "epochs": 30}


def case_verdict(name: str, preset: str | None = None, **options) -> dict:
    case = load_case(name)
    readout = {"readout": case.readout} if options.get("model") == "equivariant" else {}
    config = config_from_options(preset, graph=case.graph, **readout, **options)
    return distinguish(case.a, case.b, config, **FAST)


@pytest.mark.parametrize("correlation, expected", [(2, "blind"), (3, "distinguished")])
def test_correlation_three_sees_the_pozdnyakov_three_body_pair_in_one_layer(correlation,
                                                                           expected):
    # A product of nu aggregated features has body order nu + 1 (SCIENCE.md): the pair has
    # equal distance and angle multisets, so body order 3 (nu = 2) is blind, 4 sees it.
    result = case_verdict("body3", model="equivariant", lmax=2, channels=4, layers=1,
                          correlation=correlation)
    assert result["verdict"] == expected


def test_correlation_four_is_accepted_everywhere_and_five_refused(capsys):
    assert config_from_options("mace", correlation=4).correlation == 4
    with pytest.raises(InputError, match="correlation must be 1, 2, 3 or 4"):
        config_from_options("mace", correlation=5)
    with pytest.raises(SystemExit):
        main(["distinguish", "--case", "body3", "--preset", "mace", "--correlation", "5"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("lmax, expected", [(9, "blind"), (10, "distinguished")])
def test_lmax_ten_sees_the_ten_fold_star_in_one_layer(lmax, expected):
    # Types l < n cannot encode an n-fold star's orientation (SCIENCE.md, Claim 3).
    result = case_verdict("star-10", model="equivariant", lmax=lmax, channels=1, layers=1)
    assert result["config"]["model"]["readout"] == "equivariant"
    assert result["theory"]["allows"] == (expected == "distinguished")
    assert result["verdict"] == expected


def test_types_up_to_twelve_are_accepted_and_thirteen_refused():
    model = build_model(config_from_options("tfn", lmax=12, channels=1, layers=1),
                        dtype=torch.float64)
    assert model.irreps_sh.lmax == 12
    with pytest.raises(InputError, match="0..12"):
        config_from_options("tfn", lmax=13)


def test_dimenet_one_block_separates_the_three_body_pair_a_one_hop_model_cannot():
    dimenet = case_verdict("body3", "dimenet", layers=1, width=16)
    one_hop = case_verdict("body3", model="khop", hops=1, body_order=3, layers=1, width=16)
    assert dimenet["verdict"] == "distinguished"
    assert one_hop["verdict"] == "blind"
    # the pair lies between DimeNet's bounds: theory does not decide, and says so
    assert dimenet["theory"]["allows"] is None
    assert dimenet["theory"]["lower_bound_separates"] is False
    assert dimenet["theory"]["upper_bound_separates"] is True


@pytest.mark.parametrize("name, allows", [("body2", True), ("kchain-4", False)])
def test_dimenet_theory_is_decided_where_a_bound_decides(name, allows):
    case = load_case(name)
    config = config_from_options("dimenet", graph=case.graph)
    assert theory_beside(case.a, case.b, config)["allows"] is allows


def test_dimenet_embedding_is_invariant(butane, alanine):
    model = build_model(config_from_options("dimenet", layers=2, width=8), dtype=torch.float64)
    assert_invariant(model, [butane, alanine])


def test_dimenet_is_o3_only():
    with pytest.raises(InputError, match="O3-invariant"):
        config_from_options("dimenet", group="SO3")


def test_every_preset_states_its_paper_and_reach(capsys):
    for preset in PRESETS.values():
        assert "et al." in preset.description and preset.reach
    assert main(["info", "--json"]) == 0
    presets = json.loads(capsys.readouterr().out)["presets"]
    assert presets["dimenet"]["config"]["model"] == "dimenet"
    assert presets["mace"]["config"]["correlation"] == 3
    assert all("reach" in p for p in presets.values())


@pytest.mark.parametrize("name", ["dojo-body4", "dojo-body4-chiral"])
def test_the_dojos_four_body_pairs_are_one_structure_turned(name):
    case = load_case(name)
    witness = congruence_witness(case.a, case.b, "SO3")
    assert witness is not None and witness["proper"]
    assert witness["deviation"] < 1e-12
    moved = case.a.positions @ np.array(witness["matrix"]).T + witness["translation"]
    np.testing.assert_allclose(moved, case.b.positions[witness["permutation"]], atol=1e-12)
    verdict = compare(case.a, case.b, 1, "full", "SO3", case.graph)
    assert verdict["congruent"] and verdict["congruence_witness"] is not None
    assert "rotation by 180.0°" in verdict["reason"]


def test_no_model_tells_the_dojos_pair_apart():
    for preset in ("schnet", "dimenet", "mace"):
        assert case_verdict("dojo-body4-chiral", preset)["verdict"] == "blind", preset


def test_twist_names_what_it_made_and_keeps_full_precision(tmp_path, capsys):
    out = tmp_path / "gauche.xyz"
    assert main(["twist", "g2:trans-butane", "--bond", "1", "2", "--angle", "120",
                 "-o", str(out)]) == 0
    assert "trans-butane twisted 120° about 1-2" in capsys.readouterr().out
    twin = load_structure(str(out))
    assert twin.name == "trans-butane twisted 120° about 1-2"
    from eqgnn.transforms import torsion

    made = torsion(load_structure("g2:trans-butane"), 1, 2, 120.0)
    assert np.array_equal(twin.positions, made.positions)  # bit for bit


def test_text_outputs_never_print_none(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path / "results"))
    case = load_case("body3")
    for side, s in (("a", case.a), ("b", case.b)):
        (tmp_path / f"{side}.json").write_text(json.dumps(s.to_json()))
    a, b = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    commands = [
        ["distinguish", a, b, "--preset", "dimenet", "--layers", "1", "--seeds", "2",
         "--epochs", "2", "--force"],
        ["oracle", "--case", "dojo-body4", "--hops", "1"],
        ["oracle", a, b, "--hops", "2"],
    ]
    for command in commands:
        assert main(command) == 0
        out = capsys.readouterr().out
        assert "None" not in out, (command, out)
    assert main(commands[0][:-1]) == 0
    assert "graph explicit" in capsys.readouterr().out
