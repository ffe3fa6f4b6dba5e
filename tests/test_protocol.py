"""The distinguishability protocol: verdicts that follow theory, seeds batched honestly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eqgnn.cli import main
from eqgnn.config import config_from_options
from eqgnn.gallery import case_names, load_case
from eqgnn.io import load_structure
from eqgnn.noise import ARITHMETIC_FLOOR, GuardedGaps
from eqgnn.precision import Precision
from eqgnn.protocol import DISTINGUISHED, distinguish, run_distinguish, verdict_of
from eqgnn.specs import distinguish_spec
from eqgnn.store import SHIPPED_RESULTS, revision_of
from eqgnn.structure import make_structure
from eqgnn.transforms import permute, random_rotation, rotate, torsion

FAST = {"seeds": 3, "epochs": 20}


def verdict(case_name: str, **options) -> dict:
    case = load_case(case_name)
    spec = distinguish_spec({"case": case_name}, config_from_options(**options), **FAST)
    return run_distinguish(spec) | {"case": case}


@pytest.mark.parametrize("hops, expected", [(1, "blind"), (2, "distinguished")])
def test_khop_model_on_torsion_twins_follows_the_k_hop_test(hops, expected):
    # 1 hop: every local structure congruent (the Theorem); 2 hops, body order 3: sighted.
    result = verdict("butane-torsion", model="khop", hops=hops, body_order=3, width=8)
    assert result["verdict"] == expected
    assert result["theory"]["allows"] == (expected == "distinguished")


@pytest.mark.parametrize("layers, expected", [(2, "blind"), (3, "distinguished")])
def test_tfn_style_model_needs_k_plus_one_layers_on_a_k_chain(layers, expected):
    # kchain-2: TFN-style messages combine orientations only along a walk: K+1 = 3 layers.
    assert verdict("kchain-2", model="equivariant", lmax=1, channels=2,
                   layers=layers)["verdict"] == expected


@pytest.mark.parametrize("lmax, expected", [(2, "blind"), (3, "distinguished")])
def test_equivariant_readout_needs_lmax_at_least_the_fold_on_a_star(lmax, expected):
    # star-3: types l < 3 cannot encode the orientation about a 3-fold axis (Claim 3).
    result = verdict("star-3", model="equivariant", lmax=lmax, channels=2, layers=1)
    assert result["config"]["model"]["readout"] == "equivariant"  # the case's readout
    assert result["verdict"] == expected


def test_blind_model_is_never_distinguished_whatever_the_classifier_does(alanine):
    # A congruent copy: embeddings equal up to float noise by construction. Without the
    # pair standardisation a classifier sees raw noise; neither way may it win.
    rng = np.random.default_rng(0)
    copy = permute(rotate(alanine, random_rotation(rng)), rng.permutation(len(alanine)))
    for normalise in ("pair", "none"):
        result = distinguish(alanine, copy, config_from_options("dimenet", width=8),
                             normalise=normalise, lr=0.5, **FAST)
        assert max(result["embedding_gaps"]) <= min(result["noise_floors"])
        assert result["verdict"] == "blind" and not result["distinguished"]


def test_verdict_reads_the_gap_against_each_seeds_noise_floor():
    precision = Precision(5e-7, "6 decimals")
    under = GuardedGaps([1e-9, 3e-9], [2e-8, 4e-8], precision)
    over = GuardedGaps([1e-9, 3e-6], [2e-8, 4e-8], precision)
    assert verdict_of(under, accuracy=1.0) == "blind"
    assert verdict_of(over, accuracy=1.0) == "distinguished"
    assert verdict_of(over, accuracy=0.5) == "sighted, not learned"


def test_a_seed_trains_the_same_batched_and_alone():
    case = load_case("kchain-2")
    config = config_from_options("tfn", lmax=1, channels=2, layers=3, graph=case.graph)
    # every epoch: when training stops depends on all seeds of the batch
    batched = distinguish(case.a, case.b, config, epochs=10, seed_list=[0, 1, 2], early_stop=False)
    alone = distinguish(case.a, case.b, config, epochs=10, seed_list=[1], early_stop=False)
    assert batched["accuracies"][1] == alone["accuracies"][0]
    assert np.allclose(batched["curves"]["seed_loss"][1], alone["curves"]["seed_loss"][0],
                       atol=1e-6, rtol=0)
    assert batched["embedding_gaps"][1] == pytest.approx(alone["embedding_gaps"][0], rel=1e-12)


def test_result_reports_curves_gaps_and_theory():
    result = verdict("butane-torsion", model="khop", hops=2, width=8)
    assert result["trained"] and 0 < result["epochs_run"] <= FAST["epochs"]
    curves = result["curves"]
    assert len(curves["loss"]) == result["epochs_run"] == len(curves["accuracy"])
    assert len(result["embedding_gaps"]) == FAST["seeds"] == len(result["accuracies"])
    assert result["theory"]["min_hops"] == 2
    assert result["config"]["dtype"] == "float64"


def test_distinguish_cli_answers_an_identical_request_from_the_store(tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path))
    argv = ["distinguish", "--case", "kchain-2", "--model", "khop", "--hops", "2",
            "--width", "8", "--seeds", "2", "--epochs", "5", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert not first["from_store"] and second["from_store"]
    assert second["accuracies"] == first["accuracies"]
    assert main([*argv, "--force"]) == 0
    assert not json.loads(capsys.readouterr().out)["from_store"]


def test_sweep_cli_gives_a_table_with_theory_in_every_cell(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path))
    out_csv = tmp_path / "sweep.csv"
    assert main(["sweep", "--case", "butane-torsion", "--family", "khop",
                 "--grid", "hops=1-2", "--grid", "layers=1", "--grid", "body_order=3",
                 "--seeds", "2", "--epochs", "5", "--csv", str(out_csv), "--json"]) == 0
    table = json.loads(capsys.readouterr().out)["tables"][0]
    cells = {c["row"]: c for c in table["cells"]}
    assert cells[1]["verdict"] == "blind" and not cells[1]["theory"]["allows"]
    assert cells[2]["theory"]["allows"]
    assert out_csv.read_text().count("\n") == 3  # header + 2 cells


def test_shipped_results_carry_the_current_revision():
    files = sorted(SHIPPED_RESULTS.glob("*.json"))
    assert files, "data/results is empty: run python -m eqgnn precompute"
    for path in files:
        record = json.loads(path.read_text())
        assert record["revision"] == revision_of(record["spec"]["kind"]), path.name


@pytest.mark.slow  # tens of seconds on two cores: the default run stays under 10 minutes
def test_precompute_in_workers_cancels_resumes_and_reproduces_the_shipped_results(tmp_path):
    # worker processes with one torch thread each must compute exactly what was shipped;
    # a cancel stops the workers at once, keeps what finished, and the next run computes
    # only the rest. The cancel turns true once the first result is stored, whenever that
    # is, and notes how many were stored then: nothing may be stored after it.
    from eqgnn.jobs import Cancelled
    from eqgnn.precompute import precompute, precompute_items
    from eqgnn.store import ResultStore

    items = list(precompute_items(["star-2"]))
    assert len(items) > 1
    store = ResultStore(root=tmp_path, shipped=None)
    stored_when_cancelled = []

    def cancel() -> bool:
        stored = sum(store.get(spec) is not None for spec in items)
        if stored and not stored_when_cancelled:
            stored_when_cancelled.append(stored)
        return bool(stored_when_cancelled)

    with pytest.raises(Cancelled):
        precompute(["star-2"], store, workers=2, cancel=cancel)
    kept = sum(store.get(spec) is not None for spec in items)
    assert kept == stored_when_cancelled[0] == 1  # results are checked for a cancel one by one
    assert precompute(["star-2"], store, workers=2)["computed"] == len(items) - kept
    shipped = ResultStore(root=SHIPPED_RESULTS, shipped=None)
    for spec in items:
        fresh, kept_result = store.get(spec), shipped.get(spec)
        assert fresh["verdict"] == kept_result["verdict"]
        assert fresh["accuracies"] == kept_result["accuracies"]
        assert fresh["embedding_gaps"] == pytest.approx(kept_result["embedding_gaps"], rel=1e-9)
    assert precompute(["star-2"], store, workers=2)["computed"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", case_names())
def test_whole_gallery_models_reach_what_theory_allows(name):
    # khop at body order 3: its exact ceiling is the k-hop test, so it is blind below
    # min_hops and distinguishes at it (SCIENCE.md, Claim 1). MACE-style (correlation 2)
    # reaches the GWL bound (Claim 2). On two orientations of a star the equivariant
    # readout needs a type that sees the orientation (Claim 3); congruent pairs stay blind.
    # The MACE-style model runs at correlation 2 here, the product that meets the GWL
    # bound on torsions and chains (test_reach shows correlation 3 on the body-order pairs).
    from eqgnn.gallery import theory

    case = load_case(name)
    bound = theory(case)
    group = "O3" if bound["min_hops"]["3"]["O3"] is not None else "SO3"
    hops = bound["min_hops"]["3"][group]
    if hops is None:
        assert verdict(name, model="khop", hops=1, width=8)["verdict"] == "blind"
    else:
        khop = dict(model="khop", body_order=3, group=group, width=8)
        assert verdict(name, hops=hops, **khop)["verdict"] == "distinguished"
        if hops > 1:
            assert verdict(name, hops=hops - 1, **khop)["verdict"] == "blind"
    layers = bound["gwl_min_layers"][group]
    if layers is not None:
        mace = dict(preset="mace", correlation=2, lmax=2, channels=4, group=group)
        if layers > 1:  # below the GWL bound every equivariant GNN is blind
            assert verdict(name, layers=layers - 1, **mace)["verdict"] == "blind"
        if case.kind in ("torsion", "kchain"):
            # Node products combine orientations from different neighbours: at the
            # bound here. (Not on the Pozdnyakov stars, where a correlation-2 product
            # is a 3-body term and fails by design, nor for a pseudoscalar, which is a
            # triple product: those show where correlation 2 falls short.)
            assert verdict(name, layers=layers, **mace)["verdict"] == "distinguished"
    if case.kind == "star":
        seen = [int(l) for l, sees in bound["orientation"].items() if sees]
        star = dict(model="equivariant", channels=2, layers=1)
        assert verdict(name, lmax=min(seen), **star)["verdict"] == "distinguished"
        assert verdict(name, lmax=min(seen) - 1, **star)["verdict"] == "blind"


def test_distinguish_cli_takes_two_structures(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path))
    twin = tmp_path / "gauche.json"
    assert main(["twist", "g2:trans-butane", "--bond", "1", "2", "--angle", "120",
                 "-o", str(twin)]) == 0
    capsys.readouterr()
    assert main(["distinguish", "g2:trans-butane", str(twin), "--graph", "bonds",
                 "--model", "khop", "--width", "8", "--seeds", "2", "--epochs", "3",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "blind"  # 1 hop: the Theorem


def both_ways(spec: dict, **protocol) -> tuple[dict, dict]:
    """The run of ``spec`` with the short-cuts, and the same run with every epoch."""
    from eqgnn.config import ModelConfig
    from eqgnn.specs import DEFAULTS, resolve_pair

    a, b, _, _ = resolve_pair(spec["pair"])
    config = ModelConfig(**spec["model"]).validate()
    options = {k: spec[k] for k in DEFAULTS} | protocol
    return (distinguish(a, b, config, early_stop=True, **options),
            distinguish(a, b, config, early_stop=False, **options))


def test_a_blind_pair_is_not_trained_and_its_verdict_is_the_trained_one():
    # Butane anti and its gauche twin as another tool wrote it (6 decimals), at 1 hop:
    # theory-blind (the Theorem), yet the rounding leaves gaps above float64 arithmetic,
    # so only the noise floor (not a fixed 1e-12, nor a zero gap) calls the pair blind.
    anti = load_structure("g2:trans-butane")
    twin = torsion(anti, 1, 2, 120.0)
    gauche = make_structure(twin.numbers, np.round(twin.positions, 6), twin.edges, twin.name)
    config = config_from_options(model="khop", hops=1, body_order=3, width=8)
    short = distinguish(anti, gauche, config, seeds=3, epochs=30)
    full = distinguish(anti, gauche, config, seeds=3, epochs=30, early_stop=False)
    before = distinguish(anti, gauche, config, seeds=3, epochs=0, early_stop=False)
    assert full["theory"]["allows"] is False
    assert all(ARITHMETIC_FLOOR < g <= f
               for g, f in zip(full["embedding_gaps"], full["noise_floors"]))
    # the short-cut fired, and what it reports is the untrained classifier's
    assert not short["trained"] and short["epochs_run"] == 0 and short["curves"]["loss"] == []
    assert short["stopped"] == "blind before training"
    assert short["accuracies"] == before["accuracies"] and short["accuracy"] == before["accuracy"]
    # every epoch: the classifier learns the rounding, and the verdict is still blind
    assert full["trained"] and full["epochs_run"] == 30 and full["stopped"] == "epochs"
    assert full["accuracy"] >= DISTINGUISHED
    assert short["verdict"] == full["verdict"] == "blind"


def test_a_faintly_sighted_pair_is_trained_not_short_cut():
    # kchain-4 at 3 hops: gaps of a few 1e-6, far above its floor (exact inputs) but
    # faint; a short-cut with any looser idea of blind than the guard's would skip it
    spec = distinguish_spec({"case": "kchain-4"}, config_from_options(model="khop", hops=3))
    short, _ = both_ways(spec, seeds=3, epochs=1)
    assert max(short["embedding_gaps"]) < 1e-5
    assert all(g > f for g, f in zip(short["embedding_gaps"], short["noise_floors"]))
    assert short["trained"] and short["epochs_run"] == 1 and short["stopped"] == "epochs"
    assert short["verdict"] != "blind"


def test_training_stops_once_every_seed_is_decided_with_the_full_length_verdict():
    spec = distinguish_spec({"case": "kchain-4"}, config_from_options(model="khop", hops=3))
    short, full = both_ways(spec, seeds=3, epochs=60)
    assert short["stopped"] == "decided" and short["epochs_run"] < 60
    assert short["verdict"] == full["verdict"] == "distinguished"
    assert short["curves"]["loss"] == full["curves"]["loss"][:short["epochs_run"]]  # same path


@pytest.mark.slow
@pytest.mark.parametrize("name", case_names())
def test_short_cuts_never_change_a_gallery_verdict(name):
    # every preset the gallery ships, at the protocol's defaults, with and without short-cuts
    from eqgnn.config import PRESETS
    from eqgnn.reports import preset_spec

    for preset in PRESETS:
        short, full = both_ways(preset_spec(name, preset))
        assert short["verdict"] == full["verdict"], (name, preset, short["stopped"])
        if not short["trained"]:
            assert full["verdict"] == "blind", (name, preset)


def test_an_lmax_0_network_is_held_to_the_1_hop_distance_test_at_any_depth():
    """SCIENCE.md: a type-0-only network is an invariant 1-hop GNN. On the 4-chain the
    1-hop body-order-2 test is blind, so no depth lets lmax 0 see it, though the GWL
    bound (3 layers) lets lmax 1 at 6 layers; on butane's radius graph 1 hop of distances
    suffices."""
    from eqgnn.config import config_from_options
    from eqgnn.gallery import load_case
    from eqgnn.protocol import theory_beside

    chain = load_case("kchain-4")
    for layers in (1, 3, 6):
        scalar = config_from_options(None, model="equivariant", lmax=0, layers=layers)
        assert theory_beside(chain.a, chain.b, scalar)["allows"] is False
    vector = config_from_options(None, model="equivariant", lmax=1, layers=6)
    assert theory_beside(chain.a, chain.b, vector)["allows"] is True
    radius = load_case("butane-torsion-r5")
    scalar = config_from_options(None, model="equivariant", lmax=0, layers=1,
                                 graph=radius.graph)
    assert theory_beside(radius.a, radius.b, scalar)["allows"] is True
