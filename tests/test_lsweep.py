"""The fixed-dimension L sweep (SCIENCE.md, Claim 3): sizes exact, runs stored, and the
twist task's baseline where theory puts it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from eqgnn.cli import main
from eqgnn.config import config_from_options
from eqgnn.errors import InputError
from eqgnn.lsweep import SHIPPED_SWEEP, lsweep_spec
from eqgnn.lsweep._tasks import _twist_family, charge_dipole, radius_of_gyration
from eqgnn.models import seed_parameters
from eqgnn.nn.property import PropertyModel
from eqgnn.transforms import random_rotation, rotate

TINY = ["--train", "6", "--val", "3", "--test", "3", "--epochs", "2", "--seeds", "2",
        "--layers", "2"]


def property_model(task: str, lmax: int, kind: str, layers: int = 3, seed: int = 0):
    spec = lsweep_spec(task, lmax, dim=32, layers=layers)
    config = config_from_options(**{k: v for k, v in spec["model"].items() if v is not None})
    return seed_parameters(PropertyModel(config, kind), seed).double()


def predict(model, structures, graph=None) -> np.ndarray:
    from eqgnn.batch import collate

    with torch.no_grad():
        return model(collate(structures, graph=graph, dtype="float64")).numpy()


@pytest.mark.parametrize("allocation", SHIPPED_SWEEP["allocation"])
@pytest.mark.parametrize("dim", [*SHIPPED_SWEEP["dim"], 144])
@pytest.mark.parametrize("lmax", SHIPPED_SWEEP["lmax"])
def test_fixed_dimension_is_exactly_d_for_every_swept_lmax(lmax, dim, allocation):
    spec = lsweep_spec("mu", lmax, dim=dim, allocation=allocation)
    config = config_from_options(**{k: v for k, v in spec["model"].items() if v is not None})
    model = PropertyModel(config, "scalar")
    assert model.encoder.irreps_hidden.dim == dim
    assert model.encoder.irreps_hidden.lmax == lmax
    assert spec["series"] == "fixed"


def test_growing_series_gives_c_channels_to_every_type():
    spec = lsweep_spec("gap", 2, channels=SHIPPED_SWEEP["channels"][0])
    assert spec["series"] == "growing"
    assert lsweep_spec("gap", 3, channels=8)["model"]["channels"] == 8
    with pytest.raises(InputError, match="exactly one of"):
        lsweep_spec("gap", 2, dim=72, channels=8)


def test_lmax_zero_predicts_one_value_per_twist_family():
    # Every twin keeps the untwisted bond graph: 1-hop identical, so a type-0 network
    # (a 1-hop invariant GNN) gives every member of a family the same output.
    family = _twist_family(1000, np.random.default_rng(0))
    assert family is not None and len(family) > 1
    targets = [radius_of_gyration(s.positions) for s in family]
    assert max(targets) - min(targets) > 1e-5  # the twist changes the target
    flat = predict(property_model("twist", 0, "scalar"), family)
    assert np.ptp(flat) <= 1e-12 * np.abs(flat).max()
    seeing = predict(property_model("twist", 1, "scalar", layers=3), family)
    assert np.ptp(seeing) > 1e-6 * np.abs(seeing).max()


def test_the_dipole_head_turns_with_the_molecule():
    from eqgnn.io._qm9 import qm9_entry

    molecule, properties = qm9_entry(1000)
    rotation = random_rotation(np.random.default_rng(1))
    model = property_model("dipole", 1, "vector")
    with torch.no_grad():  # the heads start at zero: give them weights to turn
        for head in (model.charge, model.vector_mix):
            head.weight.normal_()
    before = predict(model, [molecule], "radius:5")[0]
    assert np.linalg.norm(before) > 1e-3
    after = predict(model, [rotate(molecule, rotation)], "radius:5")[0]
    np.testing.assert_allclose(after, rotation @ before, atol=1e-10)
    target = charge_dipole(molecule.positions, properties["charges"])
    turned = charge_dipole(rotate(molecule, rotation).positions, properties["charges"])
    np.testing.assert_allclose(turned, rotation @ target, atol=1e-10)


def test_a_tiny_sweep_runs_stores_and_answers_again(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path))
    args = ["lsweep", "--task", "twist", "--lmax", "0,1", "--dim", "32", *TINY, "--json"]
    assert main(args) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["lmax"] for r in records] == [0, 1]
    for r in records:
        for key in ("task", "lmax", "series", "hidden_irreps", "hidden_dim", "params", "seeds",
                    "epochs", "train_size", "test_mae", "test_mae_std", "seconds",
                    "within_family_mae", "within_family_floor"):
            assert key in r, key
        assert r["hidden_dim"] == 32 and not r["from_store"]
    # lmax 0 sits exactly at the within-family floor (float32 arithmetic)
    assert records[0]["within_family_mae"] == pytest.approx(records[0]["within_family_floor"],
                                                            rel=1e-4)
    assert len(list(tmp_path.glob("lsweep-*.json"))) == 2
    assert main(args) == 0
    assert all(r["from_store"] for r in json.loads(capsys.readouterr().out))


def test_bad_requests_are_one_line_errors(capsys):
    assert main(["lsweep", "--task", "mu", "--dim", "5", "--lmax", "3"]) == 2
    assert main(["lsweep", "--task", "mu", "--dim", "30", "--lmax", "0,x"]) == 2
    assert main(["lsweep", "--dim", "30"]) == 2
    assert main(["lsweep", "--task", "mu", "--dim", "30", "--epochs", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 4


def test_equal_channels_allocation_gives_every_type_the_same_channels():
    irreps = lsweep_spec("mu", 3, dim=72, allocation="channels")["model"]["irreps_hidden"]
    assert irreps == "12x0e+4x1o+4x2e+4x3o"  # 4 channels of 16 dimensions, 8 left to 0e
    assert "allocation" not in lsweep_spec("mu", 0, dim=72, allocation="channels")
    with pytest.raises(InputError, match="allocation"):
        lsweep_spec("mu", 2, dim=72, allocation="random")


@pytest.mark.parametrize("size", [{"dim": 72}, {"channels": 8},
                                  {"dim": 72, "allocation": "channels"}])
def test_a_stored_runs_command_rebuilds_its_spec(size):
    from eqgnn.cli import build_parser
    from eqgnn.lsweep._spec import command_of, lsweep_specs

    spec = lsweep_spec("gap", 2, train=11, val=5, test=7, epochs=3, seeds=2, lr=0.01, **size)
    args = build_parser().parse_args(command_of(spec).split()[3:])
    rebuilt = lsweep_specs(args.task, [int(args.lmax)], args.dim, args.channels,
                           args.allocation, train=args.train, val=args.val, test=args.test,
                           epochs=args.epochs, seeds=args.seeds, layers=args.layers,
                           batch_size=args.batch_size, lr=args.lr)
    assert rebuilt == [spec]
