"""``python -m eqgnn``: the contract the pages and other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from eqgnn.cli import main
from eqgnn.noise import relative_gaps


def run_json(capsys, *argv) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_lists_models_presets_and_device(capsys):
    info = run_json(capsys, "info")
    assert set(info["presets"]) == {"schnet", "dimenet", "tfn", "mace"}
    assert info["presets"]["dimenet"]["config"]["body_order"] == 3
    assert info["device"] in ("cpu", "cuda")


def test_embed_is_deterministic_from_the_seed(capsys):
    a = run_json(capsys, "embed", "g2:H2O", "--preset", "schnet", "--dtype", "float64")
    b = run_json(capsys, "embed", "g2:H2O", "--preset", "schnet", "--dtype", "float64")
    c = run_json(capsys, "embed", "g2:H2O", "--preset", "schnet", "--dtype", "float64",
                 "--seed", "1")
    assert a["embedding"] == b["embedding"] != c["embedding"]
    assert a["dtype"] == "float64" and a["model"]["body_order"] == 2


def test_explicit_options_override_the_preset(capsys):
    out = run_json(capsys, "embed", "g2:CH4", "--preset", "tfn", "--lmax", "1",
                   "--channels", "4", "--layers", "2")
    assert out["model"]["model"] == "equivariant"
    assert out["model"]["lmax"] == 1 and out["model"]["layers"] == 2
    assert out["model"]["irreps_hidden"] == "4x0e+4x1o"


@pytest.mark.parametrize("readout", ["invariant", "equivariant"])
def test_fixed_dimension_reports_the_irreps_it_chose(capsys, readout):
    from e3nn import o3

    out = run_json(capsys, "embed", "g2:CH4", "--model", "equivariant", "--lmax", "2",
                   "--dim", "48", "--layers", "1", "--readout", readout)
    irreps = o3.Irreps(out["model"]["irreps_hidden"])
    # dim 48 shared by the 3 natural-parity types l <= 2, 16 each: floor(16 / (2l + 1))
    # channels of type l, and what is left over to 0e
    assert [(mul, str(ir)) for mul, ir in irreps] == [(18, "0e"), (5, "1o"), (3, "2e")]
    assert irreps.dim == out["model"]["dim"] == 48 and irreps.lmax == 2
    choice = out["model"]["irreps_choice"]
    assert choice.startswith(f"{irreps} (dim 48): ") and "\n" not in choice
    if readout == "equivariant":  # the embedding is the summed node features, all types
        assert len(out["embedding"]) == irreps.dim


def test_twist_writes_a_torsion_twin_that_one_hop_cannot_see(capsys, tmp_path):
    out = tmp_path / "gauche.xyz"
    assert main(["twist", "g2:trans-butane", "--bond", "1", "2", "--angle", "120",
                 "-o", str(out)]) == 0
    capsys.readouterr()
    options = ["--hops", "1", "--dtype", "float64", "--graph", "bonds"]
    anti = run_json(capsys, "embed", "g2:trans-butane", *options)
    gauche = run_json(capsys, "embed", str(out), *options)
    gap = relative_gaps(torch.tensor(anti["embedding"], dtype=torch.float64),
                        torch.tensor(gauche["embedding"], dtype=torch.float64))
    assert 0 <= gap.item() < 1e-8  # xyz keeps ~1e-10 Å


def test_twist_refuses_a_ring_bond(capsys, tmp_path):
    assert main(["twist", "g2:C6H6", "--bond", "0", "1", "--angle", "30",
                 "-o", str(tmp_path / "x.xyz")]) == 2
    assert "ring" in capsys.readouterr().err


def test_graph_reports_edges_bridges_and_a_neighbourhood(capsys):
    out = run_json(capsys, "graph", "g2:trans-butane", "--atom", "1", "--hops", "2")
    assert out["rule"] == "bonds" and len(out["edges"]) == 13 and len(out["bridges"]) == 13
    assert out["neighbourhood"]["atom"] == 1 and 3 in out["neighbourhood"]["nodes"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["embed", "g2:NOPE"], "NOPE"),
        (["embed", "smiles:C1CC"], "SMILES"),
        (["embed", "/no/such/file.xyz"], "file.xyz"),
        (["embed", "g2:H2O", "--hops", "0"], "hops"),
        (["embed", "g2:H2O", "--graph", "radius:x"], "graph rule"),
        (["embed", "g2:H2O", "--model", "khop", "--readout", "equivariant"], "readout"),
        (["graph", "g2:H2O", "--atom", "7"], "out of range"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message.lower() in err.lower()
    assert len(err.splitlines()) == 1


def test_cli_process_error_has_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "eqgnn", "graph", "smiles:not-a-smiles"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_usage_errors_are_one_line_with_exit_2():
    proc = subprocess.run([sys.executable, "-m", "eqgnn", "embed"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_report_prints_a_page_as_tables_and_refuses_bad_input(capsys):
    assert main(["report", "depth", "--case", "kchain-4", "--family", "khop"]) == 0
    text = capsys.readouterr().out
    assert "fewest hops at body order 3: 3" in text and "fewest layers that distinguish" in text
    for argv, message in ((["report", "depth", "--family", "nope"], "family"),
                          (["report", "lesson", "--step", "99"], "step 99"),
                          (["report", "gallery", "--case", "no-such-case"], "no-such-case")):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
