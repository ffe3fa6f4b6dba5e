"""The audit: a model's symmetry measured, its cells against the oracle, its reach read off.

The two small models below are written here, in plain torch, and audited through the
command line by path (``tests/test_audit.py:distance_network``), as a user's file is.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.equivariance import assert_invariant

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve()


class DistanceNetwork(nn.Module):
    """A 2-body message-passing network: each layer sums f(h_j, d_ij) over neighbours."""

    def __init__(self, layers: int = 2, width: int = 16):
        super().__init__()
        self.embed = nn.Embedding(100, width)
        self.filters = nn.ModuleList(nn.Sequential(nn.Linear(8, width), nn.Tanh())
                                     for _ in range(layers))
        self.updates = nn.ModuleList(nn.Linear(width, width) for _ in range(layers))
        self.register_buffer("centres", torch.linspace(0.0, 10.0, 8))

    def forward(self, z, pos, edge_index, batch):
        j, i = edge_index
        d = (pos[j] - pos[i]).norm(dim=-1, keepdim=True)
        basis = torch.exp(-(d - self.centres) ** 2)
        h = self.embed(z)
        for filt, update in zip(self.filters, self.updates):
            messages = filt(basis) * h[j]
            h = torch.tanh(update(h + torch.zeros_like(h).index_add(0, i, messages)))
        return h


class CoordinateNetwork(nn.Module):
    """Reads raw coordinates: neither rotation nor translation invariant."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 8)

    def forward(self, z, pos, edge_index, batch):
        return torch.tanh(self.lin(pos))


def distance_network(layers: int = 2, width: int = 16) -> nn.Module:
    return DistanceNetwork(layers, width)


def coordinate_network() -> nn.Module:
    return CoordinateNetwork()


def audit(tmp_path, *argv, env_extra=None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "EQGNN_STORE": str(tmp_path / "store"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "eqgnn", "audit", *argv, "--json"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)


def card_of(tmp_path, *argv) -> dict:
    done = audit(tmp_path, *argv)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cells(card: dict, case: str) -> list[dict]:
    return [c for c in card["cells"] if c["case"] == case]


def test_a_distance_network_is_symmetric_blind_where_2_body_is_and_of_body_order_2(tmp_path):
    card = card_of(tmp_path, f"{HERE}:distance_network", "--layers", "1,2,3", "--seeds", "3",
                   "--cases", "butane-torsion,h2o2-torsion,body2,body3,kchain-3,kchain-4,control")
    sym = card["symmetry"]
    assert all(sym[s] for s in ("translation", "rotation", "reflection", "permutation"))
    assert max(sym["max_deviation"].values()) < 1e-12
    for case in ("butane-torsion", "h2o2-torsion", "body2", "kchain-3", "kchain-4"):
        assert [c["layers"] for c in cells(card, case)] == [1, 2, 3]
        assert all(c["verdict"] == "blind" for c in cells(card, case)), case
    assert card["summary"]["body_order"] == 2
    assert card["summary"]["local_invariant"] is True
    # a user's model is read against the GWL bound: the k-chains and torsions are allowed
    # at their bound, so the blind cells there are the headline
    kchain3 = {c["layers"]: c for c in cells(card, "kchain-3")}
    assert kchain3[1]["theory_allows"] is False and kchain3[2]["theory_allows"] is True
    assert kchain3[2]["agrees_with_theory"] is False
    assert {"case": "kchain-3", "layers": 2} in [
        {k: h[k] for k in ("case", "layers")} for h in card["summary"]["headline"]]
    assert all(c["verdict"] == "blind" and c["agrees_with_theory"]
               for c in cells(card, "control"))
    again = card_of(tmp_path, f"{HERE}:distance_network", "--layers", "1,2,3", "--seeds", "3",
                    "--cases", "butane-torsion,h2o2-torsion,body2,body3,kchain-3,kchain-4,"
                    "control")
    assert again["from_store"] is True and again["cells"] == card["cells"]


def test_a_model_that_reads_coordinates_is_flagged_and_its_verdicts_marked(tmp_path):
    card = card_of(tmp_path, f"{HERE}:coordinate_network", "--seeds", "2", "--epochs", "20",
                   "--cases", "control,butane-torsion")
    assert card["symmetry"]["rotation"] is False and card["symmetry"]["translation"] is False
    assert card["symmetry"]["max_deviation"]["rotation"] > 1e-3
    assert card["layers"] == [None]  # the factory takes no depth
    assert "not invariant" in card["meaning"]
    for cell in card["cells"]:
        assert cell["theory_allows"] is None and cell["agrees_with_theory"] is None
        assert "not invariant" in cell["caveat"]
    # the control is one molecule moved: a coordinate reader tells the copies apart
    assert cells(card, "control")[0]["verdict"] != "blind"


def test_bad_models_and_options_are_one_line(tmp_path):
    for argv, says in (
        (["nowhere.py:f"], "no such model file"),
        ([f"{HERE}:missing"], "no callable 'missing'"),
        (["pyg:schnet", "--option", "colour=3"], "unknown option(s) colour"),
        (["nequip:nequip"], "training framework"),
        (["preset:nope"], "no such preset"),
        (["pyg:schnet", "--layers", "0"], "depths >= 1"),
    ):
        done = audit(tmp_path, *argv)
        assert done.returncode == 2, (argv, done.stderr)
        assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_public_mode_refuses_a_model_file_but_audits_the_shipped_ones(tmp_path):
    done = audit(tmp_path, f"{HERE}:distance_network", env_extra={"EQGNN_PUBLIC": "1"})
    assert done.returncode == 2 and "visitor's code" in done.stderr
    done = audit(tmp_path, "mace:mace", "--option", "channels=4096",
                 env_extra={"EQGNN_PUBLIC": "1"})
    assert done.returncode == 2 and "channels must lie in" in done.stderr


def test_every_adapter_option_is_bounded_for_a_public_server():
    from eqgnn.audit import PUBLISHED
    from eqgnn.audit._sources import adapter_class

    for published in PUBLISHED.values():
        arguments = set(inspect.signature(adapter_class(published)).parameters)
        assert arguments == set(published.bounds), published.name


def test_the_pure_torch_triplets_are_every_walk_k_j_i_with_k_not_i():
    from eqgnn.audit._published import triplets

    edges = torch.tensor([[0, 1, 1, 2, 1, 3, 2, 3], [1, 0, 2, 1, 3, 1, 3, 2]])
    i, j, idx_i, idx_j, idx_k, idx_kj, idx_ji = triplets(edges, 4)
    assert torch.equal(i, edges[1]) and torch.equal(j, edges[0])
    walks = {(int(k), int(b), int(a)) for k, b, a in zip(idx_k, idx_j, idx_i)}
    expected = {(k, jj, ii) for (jj, ii) in edges.T.tolist() for (k, t) in edges.T.tolist()
                if t == jj and k != ii}
    assert walks == expected
    for kj, ji in zip(idx_kj.tolist(), idx_ji.tolist()):
        assert edges[1, kj] == edges[0, ji]  # edge k->j ends where edge j->i starts


SMALL = {"pyg:schnet": {"hidden_channels": 16, "num_filters": 16},
         "pyg:dimenet++": {"hidden_channels": 16, "int_emb_size": 8, "basis_emb_size": 4,
                           "out_emb_channels": 16},
         "pyg:visnet": {"hidden_channels": 16, "num_heads": 2},
         "mace:mace": {"channels": 8}}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_each_published_adapter_is_invariant(name):
    from eqgnn.audit._cells import audited
    from eqgnn.audit._sources import model_source
    from eqgnn.gallery import load_case

    source = model_source(name, SMALL[name])
    case = load_case("enantiomers")
    with audited(source.spec(2)) as model:
        assert_invariant(model, [case.a, case.b], graph="bonds")


def option_args(options: dict) -> list[str]:
    return [a for k, v in options.items() for a in ("--option", f"{k}={v}")]


def test_pyg_schnet_is_blind_on_torsion_twins_at_one_to_three_interactions(tmp_path):
    card = card_of(tmp_path, "pyg:schnet", *option_args(SMALL["pyg:schnet"]), "--layers",
                   "1,2,3", "--seeds", "3", "--cases", "butane-torsion,h2o2-torsion,body2")
    assert card["package"]["name"] == "torch-geometric"
    for case in ("butane-torsion", "h2o2-torsion"):
        assert [c["verdict"] for c in cells(card, case)] == ["blind"] * 3
        assert all(c["agrees_with_theory"] for c in cells(card, case))
    assert card["summary"]["body_order"] == 2


@pytest.mark.slow  # building DimeNet++'s spherical basis (sympy) takes some 15 s
def test_pyg_dimenet_plus_plus_separates_the_3_body_pair_in_one_block(tmp_path):
    card = card_of(tmp_path, "pyg:dimenet++", *option_args(SMALL["pyg:dimenet++"]),
                   "--layers", "1", "--seeds", "3", "--cases", "body2,body3")
    assert [c["verdict"] for c in cells(card, "body3")] == ["distinguished"]


@pytest.mark.parametrize("correlation, verdict", [(3, "distinguished"), (2, "blind")])
def test_mace_separates_the_3_body_pair_in_one_layer_only_at_correlation_3(
        tmp_path, correlation, verdict):
    card = card_of(tmp_path, "mace:mace", "--option", "channels=8", "--option",
                   f"correlation={correlation}", "--layers", "1", "--seeds", "3",
                   "--cases", "body2,body3")
    assert card["package"]["name"] == "mace-torch"
    assert all(card["symmetry"][s] for s in ("translation", "rotation", "permutation"))
    assert [c["verdict"] for c in cells(card, "body3")] == [verdict]
    assert card["seeds_vectorised"] is False  # MACE sets requires_grad inside its forward


def test_the_audit_page_shows_the_shipped_cards_and_refuses_a_file_in_public_mode(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from eqgnn.audit import shipped_cards

    page = str(ROOT / "app_pages" / "audit.py")
    at = AppTest.from_file(page, default_timeout=60).run()
    assert not at.exception
    assert at.selectbox(key="shipped_card").options == [c["model"] for c in shipped_cards()]
    assert "pyg:schnet" in at.selectbox(key="shipped_card").options
    assert [t.key for t in at.text_input] == ["audit_file", "audit_cases"]
    monkeypatch.setenv("EQGNN_PUBLIC", "1")
    public = AppTest.from_file(page, default_timeout=60).run()
    assert [t.key for t in public.text_input] == ["audit_cases"]
    assert any("visitor's code" in c.value for c in public.caption)


def test_the_audit_page_builds_a_card_for_a_preset(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("EQGNN_STORE", str(tmp_path / "store"))
    at = AppTest.from_file(str(ROOT / "app_pages" / "audit.py"), default_timeout=120).run()
    at.selectbox(key="audit_model").set_value("preset:schnet")
    at.multiselect(key="audit_layers").set_value([1])
    at.text_input(key="audit_cases").set_value("body2,control")
    at.button(key="audit_run").click().run()
    assert not at.exception and not at.error
    assert any("preset:schnet" in m.value for m in at.markdown)
