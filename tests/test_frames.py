"""Frames and stabilisers (SCIENCE.md, Claim 3; Wang et al., ICLR 2024, Lemma 1)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from eqgnn.cli import main
from eqgnn.frames import (
    apply_rho,
    features,
    frame_report,
    free_components,
    invariant_lambda,
    moving_frame,
    rank,
    stabiliser,
    steerable_model,
)
from eqgnn.io import load_structure
from eqgnn.structure import make_structure
from eqgnn.transforms import permute, random_rotation, reflect, rotate, translate

ASYMMETRIC = "smiles:OCC(N)C=O"  # one stereocentre: no symmetry, not even a mirror
LMAX = 4
PI = np.pi

# The known point groups by conjugacy class: (size, improper?, angle t), with t the
# rotation angle of g for a proper g and of -g for an improper g (S_n = -R(pi + 2 pi / n):
# a mirror has t = pi, the inversion t = 0, S4 t = pi/2, S6 t = 2 pi/3, S3 t = pi/3).
CLASSES = {
    "Td": [(1, False, 0), (8, False, 2 * PI / 3), (3, False, PI), (6, True, PI / 2),
           (6, True, PI)],
    "C3v": [(1, False, 0), (2, False, 2 * PI / 3), (3, True, PI)],
    "C2v": [(1, False, 0), (1, False, PI), (2, True, PI)],
    "D6h": [(1, False, 0), (2, False, PI / 3), (2, False, 2 * PI / 3), (7, False, PI),
            (1, True, 0), (2, True, PI / 3), (2, True, 2 * PI / 3), (7, True, PI)],
    "D3d": [(1, False, 0), (2, False, 2 * PI / 3), (3, False, PI), (1, True, 0),
            (2, True, 2 * PI / 3), (3, True, PI)],
    "D3h": [(1, False, 0), (2, False, 2 * PI / 3), (3, False, PI), (1, True, PI),
            (2, True, PI / 3), (3, True, PI)],
}
MOLECULES = {  # G2 name: (Schoenflies name under O3, the rotation group under SO3)
    "CH4": ("Td", "T"), "NH3": ("C3v", "C3"), "H2O": ("C2v", "C2"), "C6H6": ("D6h", "D6"),
    "CO2": ("D∞h", "D∞"), "HCN": ("C∞v", "C∞"), "C2H6": ("D3d", "D3"), "BF3": ("D3h", "D3"),
}


def chi(l: int, t: float) -> float:
    """The character of type l at a rotation by t: sin((2l+1)t/2) / sin(t/2)."""
    return 2 * l + 1 if abs(np.sin(t / 2)) < 1e-12 else np.sin((2 * l + 1) * t / 2) / np.sin(t / 2)


def expected_counts(name: str, group: str) -> dict[str, int]:
    """Free components per type from the group's class table, or, for the linear groups,
    from the m = 0 rule: a mirror containing the axis keeps Y_l0 when p = (-1)^l, the
    inversion when p = +1, a perpendicular half turn when l is even."""
    out = {}
    for l in range(LMAX + 1):
        natural = (-1) ** l
        for p in ((natural, -natural) if group == "O3" else (1,)):
            key = f"{l}{'e' if p > 0 else 'o'}" if group == "O3" else str(l)
            if name in ("C∞v", "D∞h"):
                value = int(group == "SO3" or p == natural)
                if name == "D∞h":
                    value *= int(l % 2 == 0 and (group == "SO3" or p == 1))
            else:
                classes = [c for c in CLASSES[name] if group == "O3" or not c[1]]
                total = sum(n * (p if improper else 1) * chi(l, t) for n, improper, t in classes)
                value = total / sum(n for n, _, _ in classes)
            out[key] = int(round(value))
    return out


def moved_copies(s, rng):
    """The structure turned, mirrored, and with its atoms shuffled."""
    return {
        "rotated": translate(rotate(s, random_rotation(rng)), rng.normal(size=3)),
        "reflected": reflect(s, rng.normal(size=3)),
        "shuffled": permute(s, rng.permutation(len(s))),
    }


@pytest.fixture(scope="module")
def asymmetric():
    return load_structure(ASYMMETRIC)


@pytest.fixture(scope="module")
def model_o3():
    return steerable_model(2, "O3")


@pytest.fixture(scope="module")
def model_so3():
    return steerable_model(1, "SO3")


@pytest.mark.parametrize("g2name", sorted(MOLECULES))
def test_free_components_are_the_character_counts_of_the_point_group(g2name):
    s = load_structure(f"g2:{g2name}")
    o3_name, so3_name = MOLECULES[g2name]
    rng = np.random.default_rng(7)
    for group, name in (("O3", o3_name), ("SO3", so3_name)):
        expected = expected_counts(o3_name, group)
        for how, copy in {"as given": s, **moved_copies(s, rng)}.items():
            stab = stabiliser(copy, group)
            assert stab.schoenflies == name, (group, how)
            assert free_components(stab, LMAX) == expected, (group, how)


def test_hand_checked_counts():
    def counts(name, group="O3"):
        return free_components(stabiliser(load_structure(f"g2:{name}"), group))

    ch4, nh3, h2o, co2, hcn = (counts(n) for n in ("CH4", "NH3", "H2O", "CO2", "HCN"))
    assert (ch4["0e"], ch4["1o"], ch4["2e"], ch4["3o"]) == (1, 0, 0, 1)
    assert (nh3["1o"], nh3["0o"]) == (1, 0)
    assert (h2o["1o"], h2o["2e"]) == (1, 2)
    assert (co2["1o"], co2["2e"], co2["0o"]) == (0, 1, 0)
    assert (hcn["1o"], hcn["2e"]) == (1, 1)
    assert counts("CH4", "SO3")["1"] == 0


@pytest.mark.parametrize("group", ["O3", "SO3"])
def test_a_trivial_stabiliser_leaves_every_type_free(asymmetric, group):
    stab = stabiliser(asymmetric, group)
    assert stab.order == 1 and stab.schoenflies == "C1" and rank(asymmetric) == 3
    counts = free_components(stab, LMAX)
    assert all(n == 2 * int(key.rstrip("eo")) + 1 for key, n in counts.items())
    assert len(counts) == (2 if group == "O3" else 1) * (LMAX + 1)


def test_a_single_atom_keeps_only_scalars():
    atom = make_structure(np.array([6]), np.zeros((1, 3)), name="C")
    stab = stabiliser(atom)
    assert stab.order == "infinite" and rank(atom) == 0
    assert free_components(stab, 2) == {"0e": 1, "0o": 0, "1o": 0, "1e": 0, "2e": 0, "2o": 0}


def test_the_model_sees_no_vector_or_rank_2_part_of_methane(model_o3):
    (feats,) = features(model_o3, [load_structure("g2:CH4")])
    irreps = model_o3.irreps_node_features
    scale = np.abs(feats).max()
    for (_, ir), part in zip(irreps, irreps.slices()):
        size = np.abs(feats[part]).max() / scale
        if str(ir) in ("1o", "2e"):
            assert size < 1e-9, ir
        else:
            assert size > 1e-3, ir  # the scalars are free, and present


@pytest.mark.parametrize("group", ["O3", "SO3"])
@pytest.mark.parametrize("spec", [ASYMMETRIC, "smiles:N[C@@H](C)C(=O)O"])  # ... and L-alanine
def test_lambda_is_invariant_and_rebuilds_the_features(spec, model_o3, model_so3, group):
    asymmetric = load_structure(spec)
    assert stabiliser(asymmetric, group).order == 1
    model = model_o3 if group == "O3" else model_so3
    rng = np.random.default_rng(3)
    maps = [random_rotation(rng) for _ in range(3)]
    if group == "O3":
        maps += [-random_rotation(rng), np.diag([1.0, 1.0, -1.0]) @ random_rotation(rng)]
    inputs = [asymmetric] + [rotate(asymmetric, r) for r in maps]
    lam, feats, frames = invariant_lambda(model, inputs, group)
    assert np.abs(feats[1:] - feats[0]).max() > 1e-2  # f itself moves with the input
    assert np.abs(lam[1:] - lam[0]).max() < 1e-6
    rebuilt = apply_rho(model.irreps_node_features, frames, lam)
    assert np.abs(rebuilt - feats).max() < 1e-9 * np.abs(feats).max()


def test_the_converter_round_trips_and_stays_equivariant(asymmetric):
    report = frame_report(asymmetric, lmax=2, to="24x1o")
    assert report["reconstruction_error"] < 1e-9 and report["lambda_max_change"] < 1e-6
    conv = report["converter"]
    assert conv["irreps_b"] == "24x1o" and conv["irreps_a"] == "8x0e+8x1o+8x2e"
    assert conv["round_trip_error"] < 1e-6 and conv["equivariance_error"] < 1e-6
    json.dumps(report)


@pytest.mark.parametrize("group", ["O3", "SO3"])
def test_the_frame_turns_with_the_structure_and_ignores_atom_order(asymmetric, group):
    frame = moving_frame(asymmetric, group)
    assert frame.unique
    g = frame.matrix
    assert np.allclose(g.T @ g, np.eye(3), atol=1e-12)
    if group == "SO3":
        assert np.isclose(np.linalg.det(g), 1.0)
    rng = np.random.default_rng(5)
    maps = [random_rotation(rng) for _ in range(5)]
    if group == "O3":
        maps += [-random_rotation(rng), np.diag([-1.0, 1.0, 1.0]) @ random_rotation(rng)]
    for r in maps:
        moved = translate(rotate(asymmetric, r), rng.normal(size=3))
        assert np.abs(moving_frame(moved, group).matrix - r @ g).max() < 1e-9
    shuffled = permute(asymmetric, rng.permutation(len(asymmetric)))
    assert np.abs(moving_frame(shuffled, group).matrix - g).max() < 1e-12


def test_a_symmetric_top_has_no_unique_frame():
    frame = moving_frame(load_structure("g2:NH3"))
    assert not frame.unique and frame.matrix is None
    assert "not unique" in frame.reason and "tie" in frame.reason
    assert len(frame.reason.splitlines()) == 1


def test_frame_command_prints_the_report_as_json(capsys):
    assert main(["frame", "g2:NH3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"rank", "stabiliser", "free_components", "frame"} <= set(out)
    assert out["stabiliser"] == {"order": 6, "proper": 3, "improper": 3, "schoenflies": "C3v"}
    assert out["frame"]["unique"] is False and out["free_components"]["1o"] == 1


@pytest.mark.parametrize("spec", ["g2:NH3", "g2:CO2", ASYMMETRIC])
def test_frame_command_text_has_no_none(capsys, spec):
    assert main(["frame", spec, "--lmax", "1"]) == 0
    text = capsys.readouterr().out
    assert "None" not in text and "stabiliser" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["frame", "g2:NH3", "--lmax", "13"], "lmax"),
        (["frame", ASYMMETRIC, "--lmax", "1", "--to", "5x0e"], "dimension 5"),
        (["frame", "g2:NH3", "--tol", "0.5"], "tolerance"),
    ],
)
def test_frame_command_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_the_frames_package_imports_without_torch():
    code = "import sys, eqgnn.frames; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_float64_windows_of_concurrent_threads_never_undo_each_other():
    """Two visitors' pages in one server: one builds a model while another computes a
    Wigner D; each sees float64 throughout its window, and float32 is back after."""
    import threading
    import time

    import torch

    from eqgnn.nn._e3nn import float64_default

    seen: list[torch.dtype] = []

    def window() -> None:
        for _ in range(20):
            with float64_default():
                time.sleep(0.001)
                seen.append(torch.get_default_dtype())

    threads = [threading.Thread(target=window) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen) == {torch.float64} and len(seen) == 80
    assert torch.get_default_dtype() == torch.float32
