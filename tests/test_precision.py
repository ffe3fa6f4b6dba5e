"""Precision that survives every writer (SCIENCE.md, "What distinguished means"): float32
coordinates count as float32 however they were printed, a file is never taken finer than
float32 unless it says so, and the verdict beside a theory that says "cannot" is blind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from eqgnn.config import config_from_options
from eqgnn.errors import InputError
from eqgnn.io import load_structure, writable_extensions
from eqgnn.oracle import compare
from eqgnn.precision import FLOAT32_HALF_ULP, coordinate_precision
from eqgnn.protocol import distinguish
from eqgnn.structure import Structure, make_structure
from eqgnn.transforms import torsion

CARBON = 6
BOND = 1.54  # Å, a C-C bond: the bond rule (<= 1.97 Å) sees it, and nothing farther


def chain(n: int, seed: int) -> np.ndarray:
    """A carbon chain of n atoms, bonds 1.54 Å at the tetrahedral angle, random dihedrals.

    Each atom is placed from the three before it (bond length, angle, dihedral). Non-neighbours
    stay at least 2.2 Å apart (redrawn otherwise), so the bond graph is the path and every
    inner bond is a bridge.
    """
    rng = np.random.default_rng(seed)
    theta = np.radians(109.5)
    while True:
        x = [np.zeros(3), np.array([BOND, 0.0, 0.0]),
             np.array([BOND - BOND * np.cos(theta), BOND * np.sin(theta), 0.0])]
        while len(x) < n:
            a, b, c = x[-3], x[-2], x[-1]
            bc = (c - b) / np.linalg.norm(c - b)
            normal = np.cross(b - a, bc)
            normal /= np.linalg.norm(normal)
            phi = rng.uniform(0, 2 * np.pi)
            local = BOND * np.array([-np.cos(theta), np.sin(theta) * np.cos(phi),
                                     np.sin(theta) * np.sin(phi)])
            x.append(c + local[0] * bc + local[1] * np.cross(normal, bc) + local[2] * normal)
        x = np.array(x[:n])
        if is_a_path(x):
            return x


def is_a_path(x: np.ndarray) -> bool:
    """Are non-neighbours of the chain at least 2.2 Å apart (its bond graph the path)?"""
    d = np.linalg.norm(x[:, None] - x[None], axis=-1)
    far = np.abs(np.subtract.outer(np.arange(len(x)), np.arange(len(x)))) > 1
    return bool(d[far].min() > 2.2)


def write_ase(fmt: str):
    def write(positions: np.ndarray, path: Path) -> Path:
        import ase.io
        from ase import Atoms

        path = path.with_suffix(f".{fmt}")
        ase.io.write(str(path), Atoms(numbers=[CARBON] * len(positions), positions=positions),
                     format=fmt)
        return path
    return write


def write_xyz_lines(number_text):
    """An xyz file whose coordinates ``number_text`` prints (savetxt, repr, str)."""
    def write(positions: np.ndarray, path: Path) -> Path:
        path = path.with_suffix(".xyz")
        rows = [f"C {' '.join(number_text(v) for v in row)}" for row in positions]
        path.write_text(f"{len(positions)}\nwritten\n" + "\n".join(rows) + "\n")
        return path
    return write


def write_json_tolist(positions: np.ndarray, path: Path) -> Path:
    """A JSON graph from a float32 tensor's ``tolist()``, as a PyTorch script writes it."""
    import torch

    path = path.with_suffix(".json")
    doc = {"numbers": [CARBON] * len(positions),
           "positions": torch.tensor(positions, dtype=torch.float32).tolist()}
    path.write_text(json.dumps(doc))
    return path


def savetxt_number(v) -> str:
    import io

    out = io.StringIO()
    np.savetxt(out, np.array([v]))
    return out.getvalue().strip()


def write_ours(extension: str):
    """The product's own writer (``eqgnn.io.write_structure``) for one extension of its table."""
    def write(positions: np.ndarray, path: Path) -> Path:
        from eqgnn.io import write_structure

        path = path.with_suffix(extension)
        write_structure(make_structure([CARBON] * len(positions), positions), str(path))
        return path
    return write


WRITERS = {
    "ase-xyz": write_ase("xyz"),
    "ase-extxyz": write_ase("extxyz"),
    "ase-cif": write_ase("cif"),
    **{f"eqgnn{ext}": write_ours(ext) for ext in writable_extensions()},
    "numpy-savetxt": write_xyz_lines(savetxt_number),
    "float32-str": write_xyz_lines(str),  # the fewest digits that give the float32 back
    "float64-repr": write_xyz_lines(lambda v: repr(float(v))),
    "str-15-decimals": write_xyz_lines(lambda v: f"{float(v):.15f}"),
    "tensor-tolist-json": write_json_tolist,
}


def float32_structure(positions: np.ndarray, origin: float) -> np.ndarray:
    """The structure as float32 data, its smallest coordinates at ``origin`` Å."""
    return (positions - positions.min(axis=0) + origin).astype(np.float32)


FIXTURE_OK = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def known_no_finer_than_float32(s: Structure, single: np.ndarray) -> bool:
    floor = FLOAT32_HALF_ULP * float(np.abs(single.astype(np.float64)).max())
    return s.known_to.angstrom >= floor * (1 - 1e-6)


@settings(FIXTURE_OK, max_examples=40)
@given(writer=st.sampled_from(sorted(WRITERS)), n=st.integers(3, 40), seed=st.integers(0, 10**6),
       origin=st.floats(0.1, 10.0))
def test_float32_structures_are_known_no_finer_than_float32_whoever_wrote_them(
        tmp_path, writer, n, seed, origin):
    single = float32_structure(chain(n, seed), origin)
    assume(single.max() <= 50.0)  # coordinates 0.1-50 Å
    path = WRITERS[writer](single, tmp_path / f"s{seed}")
    s = load_structure(str(path))
    assert known_no_finer_than_float32(s, single), (writer, s.known_to)


@pytest.mark.parametrize("writer", ["ase-xyz", "numpy-savetxt", "float32-str", "float64-repr",
                                    "str-15-decimals", "tensor-tolist-json"])
def test_float32_values_are_told_from_the_values_alone(writer, tmp_path):
    single = float32_structure(chain(12, 1), 3.0)
    path = WRITERS[writer](single, tmp_path / "s")
    if writer == "tensor-tolist-json":
        values = np.array(json.loads(path.read_text())["positions"])
    else:
        values = np.array([[float(t) for t in line.split()[1:4]]
                           for line in path.read_text().splitlines()[2:]])
    assert coordinate_precision(values).source.startswith("float32")


def test_float32_data_moved_in_float64_is_floored_at_float32_in_a_file(tmp_path):
    single = float32_structure(chain(10, 2), 5.0)
    moved = single.astype(np.float64) - single.astype(np.float64).mean(axis=0)
    assert coordinate_precision(moved).source == "float64"  # the values cannot tell
    s = load_structure(str(write_xyz_lines(lambda v: repr(float(v)))(moved, tmp_path / "m")))
    assert s.known_to.source.startswith("no finer than float32")
    assert s.known_to.angstrom == pytest.approx(FLOAT32_HALF_ULP * np.abs(moved).max())


def test_designed_values_and_in_memory_structures_keep_what_their_values_say(tmp_path):
    designed = np.array([[0.0, 0, 0], [1.5, 0, 0], [1.5, 1.5, 0]])
    path = write_xyz_lines(lambda v: repr(float(v)))(designed, tmp_path / "d")
    assert load_structure(str(path)).known_to.exact
    assert load_structure("smiles:CCCC").known_to.source == "float64"


@pytest.mark.parametrize("said, source", [("float32", "float32"), ("float64", "float64"),
                                          ("exact", "exact"), ("0.001", "0.001")])
def test_the_user_or_the_file_can_say_the_precision(said, source, tmp_path):
    s = load_structure("g2:H2O", precision=said)
    assert s.known_to.source.startswith(source) and "--precision" in s.known_to.source
    doc = {**load_structure("g2:H2O").to_json(), "precision": said if said[0] != "0" else 1e-3}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(doc))
    from_file = load_structure(str(path))
    assert from_file.known_to.source.startswith(source)
    assert "precision field" in from_file.known_to.source


@pytest.mark.parametrize("bad", ["fp16", "-1", "nan", "0"])
def test_a_bad_precision_is_one_line(bad):
    with pytest.raises(InputError, match="precision") as err:
        load_structure("g2:H2O", precision=bad)
    assert "\n" not in str(err.value)


def test_transforms_keep_the_precision_a_structure_is_known_to():
    s = load_structure("g2:trans-butane", precision="float32")
    twin = torsion(s, 1, 2, 120.0)
    assert twin.known_to == s.known_to
    assert s.with_positions(s.positions + 1.0).known_to == s.known_to


TRAIN = {"seeds": 2, "epochs": 40}


@settings(FIXTURE_OK, max_examples=8)
@given(writer=st.sampled_from(sorted(WRITERS)), n=st.integers(5, 12), seed=st.integers(0, 10**6))
def test_float32_torsion_twins_are_blind_at_one_hop_and_seen_at_two(tmp_path, writer, n, seed):
    a = make_structure([CARBON] * n, chain(n, seed) + 5.0)
    b = torsion(a, n // 2 - 1, n // 2, 120.0)
    assume(is_a_path(b.positions))  # the turn brought no two atoms into bonding distance
    paths = [WRITERS[writer](s.positions.astype(np.float32), tmp_path / f"{seed}{k}")
             for k, s in (("a", a), ("b", b))]
    fa, fb = (load_structure(str(p)) for p in paths)
    assert compare(fa, fb, hops=1, body_order=3)["indistinguishable"]
    one = distinguish(fa, fb, config_from_options(None, model="khop", hops=1, body_order=3,
                                                  width=8), **TRAIN)
    assert (one["verdict"], one["theory"]["allows"]) == ("blind", False), one["precision"]
    two = distinguish(fa, fb, config_from_options(None, model="khop", hops=2, body_order=3,
                                                  width=8), **TRAIN)
    assert two["verdict"] == "distinguished", (writer, two["precision"])


def test_a_precision_given_on_the_command_line_is_in_the_result(capsys):
    from eqgnn.cli import main

    assert main(["distinguish", "g2:H2O", "g2:H2O", "--precision", "1e-4", "--model", "khop",
                 "--seeds", "2", "--epochs", "5", "--force", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["precision"] == {"angstrom": 1e-4, "source": "0.0001 (given with --precision)"}
    assert result["units"] == "Å" and result["scale"] == 1.0
