"""Loaders: every source becomes one validated Structure, every bad input one InputError."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from eqgnn.errors import InputError
from eqgnn.io import (
    _qm9,
    g2_names,
    load_structure,
    load_upload,
    qm9_subset,
    write_structure,
)
from eqgnn.structure import make_structure

WATER = make_structure(
    [8, 1, 1],
    [[0.0, 0.0, 0.119], [0.0, 0.763, -0.477], [0.0, -0.763, -0.477]],
    edges=[[0, 1], [0, 2]],
    name="water",
)
WATER_XYZ = b"3\nwater\nO 0 0 0.119\nH 0 0.763 -0.477\nH 0 -0.763 -0.477\n"
REPO = Path(__file__).resolve().parents[1]


def _write(path: Path, data: bytes | str) -> str:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def _ethanol_molblock() -> str:
    from rdkit import Chem
    from rdkit.Chem import AllChem

    mol = Chem.AddHs(Chem.MolFromSmiles("CCO"))
    AllChem.EmbedMolecule(mol, randomSeed=1)
    return Chem.MolToMolBlock(mol)


# --- every format loads -----------------------------------------------------


@pytest.mark.parametrize("ext", [".xyz", ".extxyz", ".json"])
def test_written_structure_loads_back_with_its_name(tmp_path, ext):
    path = str(tmp_path / f"out{ext}")
    write_structure(WATER, path)
    back = load_structure(path)
    np.testing.assert_array_equal(back.numbers, WATER.numbers)
    np.testing.assert_allclose(back.positions, WATER.positions, atol=1e-8)
    assert back.name == "water"
    assert back.source == path


def test_json_graph_keeps_its_explicit_edges(tmp_path):
    path = str(tmp_path / "water.json")
    write_structure(WATER, path)
    np.testing.assert_array_equal(load_structure(path).edges, [[0, 1], [0, 2]])


def test_json_graph_accepts_symbols_in_place_of_numbers(tmp_path):
    doc = {"symbols": ["O", "H", "H"], "positions": WATER.positions.tolist()}
    structure = load_structure(_write(tmp_path / "w.json", json.dumps(doc)))
    np.testing.assert_array_equal(structure.numbers, [8, 1, 1])
    assert structure.edges is None
    assert structure.name == "w"


def test_pdb_round_trips_to_its_three_decimals(tmp_path):
    path = str(tmp_path / "water.pdb")
    write_structure(WATER, path)
    back = load_structure(path)
    np.testing.assert_array_equal(back.numbers, WATER.numbers)
    np.testing.assert_allclose(back.positions, WATER.positions, atol=1e-3)


def test_extxyz_frame_is_chosen_with_at_n(tmp_path):
    import ase.io
    from ase.build import molecule

    frames = [molecule("H2O"), molecule("CH4"), molecule("NH3")]
    path = str(tmp_path / "three.extxyz")
    ase.io.write(path, frames, format="extxyz")
    assert len(load_structure(path)) == 3
    assert len(load_structure(f"{path}@1")) == 5
    assert load_structure(f"{path}@2").symbols == ["N", "H", "H", "H"]
    assert load_structure(f"{path}@2").name == "three@2"


def test_cif_loads(tmp_path):
    import ase.io
    from ase.build import molecule

    water = molecule("H2O", vacuum=5.0)
    water.pbc = True
    path = str(tmp_path / "water.cif")
    ase.io.write(path, water, format="cif")
    assert sorted(load_structure(path).symbols) == ["H", "H", "O"]


@pytest.mark.parametrize("ext", [".sdf", ".mol"])
def test_molfile_loads_with_its_hydrogens(tmp_path, ext):
    block = _ethanol_molblock() + ("$$$$\n" if ext == ".sdf" else "")
    structure = load_structure(_write(tmp_path / f"ethanol{ext}", block))
    assert sorted(structure.symbols) == sorted(["C", "C", "O"] + ["H"] * 6)


def test_upload_is_read_by_its_file_name(tmp_path):
    structure = load_upload("my water.xyz", WATER_XYZ)
    assert structure.name == "my water"
    assert structure.source == "my water.xyz"
    assert len(load_upload("w.json", json.dumps(WATER.to_json()).encode()).edges) == 2


def test_json_graph_loads_without_importing_ase_io(tmp_path):
    path = tmp_path / "w.json"
    write_structure(WATER, str(path))
    code = (
        "import sys; from eqgnn.io import load_structure; "
        f"load_structure({str(path)!r}); "
        "assert 'ase.io' not in sys.modules and 'rdkit' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# --- named molecules ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "formula"), [("H2O", "HHO"), ("trans-butane", "C" * 4 + "H" * 10)]
)
def test_g2_molecule_loads_by_name(name, formula):
    structure = load_structure(f"g2:{name}")
    assert "".join(sorted(structure.symbols)) == formula
    assert structure.name == name
    assert structure.source == f"g2:{name}"


def test_g2_names_are_sorted_and_loadable():
    names = g2_names()
    assert names == sorted(names)
    assert {"H2O", "CH4", "trans-butane"} <= set(names)


def test_smiles_gets_hydrogens_and_the_same_coordinates_every_time():
    first = load_structure("smiles:CCO")
    assert len(first) == 9
    assert first.info["mmff"]
    np.testing.assert_array_equal(first.positions, load_structure("smiles:CCO").positions)


# --- QM9 ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def qm9_cache(tmp_path_factory):
    """Build the QM9 cache once (about 5 s on 2 cores) in a private directory."""
    if _qm9._qm9pack_data() is None:
        pytest.skip("qm9pack is not installed")
    cache = tmp_path_factory.mktemp("eqgnn-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EQGNN_CACHE", str(cache))
        load_structure("qm9:1")
    return cache


@pytest.fixture
def with_qm9(qm9_cache, monkeypatch):
    monkeypatch.setenv("EQGNN_CACHE", str(qm9_cache))


def test_qm9_first_molecule_is_methane(with_qm9):
    methane = load_structure("qm9:1")
    assert methane.symbols == ["C", "H", "H", "H", "H"]
    assert methane.name == "qm9:1 C"


def test_qm9_last_index_loads(with_qm9):
    last = load_structure("qm9:133885")
    assert last.info["qm9_index"] == 133885
    assert len(last) == 16


def test_qm9_index_missing_from_the_data_set_is_refused(with_qm9):
    with pytest.raises(InputError, match="qm9:58: index 58 is not in the data set"):
        load_structure("qm9:58")


def test_qm9_cached_load_is_fast_in_a_fresh_process(with_qm9, qm9_cache):
    code = "from eqgnn.io import load_structure; load_structure('qm9:100000')"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=REPO,
        env={"EQGNN_CACHE": str(qm9_cache), "PATH": ""},
    )
    assert time.perf_counter() - start < 2.0


def test_shipped_subset_is_256_real_qm9_molecules(with_qm9):
    subset = qm9_subset()
    assert len(subset) == 256
    assert (REPO / "data" / "qm9_subset.extxyz").stat().st_size < 300_000
    for structure in subset[::15]:
        full = load_structure(structure.source)
        assert full.name == structure.name
        np.testing.assert_array_equal(full.numbers, structure.numbers)
        np.testing.assert_allclose(full.positions, structure.positions, atol=1e-6)


def test_without_qm9pack_the_subset_serves_its_indices(tmp_path, monkeypatch):
    monkeypatch.setenv("EQGNN_CACHE", str(tmp_path))
    monkeypatch.setattr(_qm9, "_qm9pack_data", lambda: None)
    assert load_structure("qm9:1").symbols == ["C", "H", "H", "H", "H"]
    with pytest.raises(InputError, match="qm9:2: .*install qm9pack"):
        load_structure("qm9:2")


# --- bad input: one InputError, one line, naming the source and the problem -----

NAN_XYZ = b"2\n\nH 0 0 0\nH 0 0 nan\n"
FAR_XYZ = b"2\n\nH 0 0 0\nH 0 0 1e9\n"
CLOSE_XYZ = b"2\n\nH 0 0 0\nH 0 0 0.05\n"
BAD_FILES = [
    # (file name, content, suffix to the spec, what the message must say)
    ("x.foo", b"", "", "cannot read .foo"),
    ("x.traj", b"", "", "traj files are refused"),
    ("x.trj", b"", "", "traj files are refused"),
    ("x.pckl", b"", "", "pickle files are refused"),
    ("x.pkl", b"", "", "pickle files are refused"),
    ("x.py", b"", "", "python files are refused"),
    ("noext", b"", "", "cannot read files without an extension"),
    ("trunc.xyz", b"5\n\nC 0 0 0\nH 1 0 0\n", "", "not a valid xyz file"),
    ("word.xyz", b"3\n\nO 0 0 0\nH 1 x 0\nH 0 1 0\n", "", "not a valid xyz file"),
    ("empty.xyz", b"", "", "no atoms"),
    ("unknown.xyz", b"1\n\nQq 0 0 0\n", "", "not a valid xyz file"),
    ("nan.xyz", NAN_XYZ, "", "NaN or inf"),
    ("far.xyz", FAR_XYZ, "", "absurd coordinates"),
    ("close.xyz", CLOSE_XYZ, "", "closer than 0.1"),
    ("w.xyz", WATER_XYZ, "@3", "frame 3 out of range"),
    ("w.xyz", WATER_XYZ, "@x", "bad frame 'x'"),
    ("w.xyz", WATER_XYZ, "@-1", "bad frame '-1'"),
    ("w.json", b'{"numbers": [1], "positions": [[0, 0, 0]]}', "@1", "frame 1 out of range"),
    ("m.sdf", b"", "@1", "frame 1 out of range (a sdf file has 1 frame)"),
    ("broken.pdb", b"ATOM      1  O   HOH     1      0.000  x.000\n", "", "pdb"),
    ("broken.cif", b"garbage\n", "", "not a valid cif file"),
    ("broken.sdf", b"x\n", "", "not a valid sdf file"),
    ("bad.json", b'{"numbers": [1, 1], ', "", "malformed JSON"),
    ("list.json", b"[1, 2]", "", "must be an object"),
    ("empty.json", b'{"numbers": [], "positions": []}', "", "no atoms"),
    ("inf.json", b'{"numbers": [1], "positions": [[0, 0, Infinity]]}', "", "NaN or inf"),
    ("nopos.json", b'{"numbers": [1]}', "", 'no "positions"'),
    ("nonum.json", b'{"positions": [[0, 0, 0]]}', "", 'needs "numbers" or "symbols"'),
    ("sym.json", b'{"symbols": ["Qq"], "positions": [[0, 0, 0]]}', "", "unknown element"),
    ("shape.json", b'{"numbers": [1, 1], "positions": [[0, 0, 0]]}', "", "shape"),
    (
        "edge.json",
        b'{"numbers": [1, 1], "positions": [[0, 0, 0], [0, 0, 0.74]], "edges": [[0, 2]]}',
        "",
        "edge index out of range",
    ),
]


@pytest.mark.parametrize(
    ("file_name", "content", "suffix", "problem"),
    BAD_FILES,
    ids=[f"{case[0]}{case[2]}" for case in BAD_FILES],
)
def test_bad_file_is_one_line_input_error_naming_file_and_problem(
    tmp_path, file_name, content, suffix, problem
):
    spec = _write(tmp_path / file_name, content) + suffix
    with pytest.raises(InputError) as caught:
        load_structure(spec)
    message = str(caught.value)
    assert problem.lower() in message.lower()
    assert message.startswith(spec)
    assert "\n" not in message


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("", "empty structure spec"),
        ("g2:butane", "unknown G2 molecule 'butane'; did you mean .*trans-butane"),
        ("smiles:C1CC", "invalid SMILES 'C1CC'"),
        ("smiles:", "invalid SMILES ''"),
        ("qm9:0", "N must be an integer from 1 to 133885"),
        ("qm9:abc", "N must be an integer"),
        ("qm9:133886", "N must be an integer"),
    ],
)
def test_bad_named_source_is_input_error(spec, problem):
    with pytest.raises(InputError, match=problem):
        load_structure(spec)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="nope.xyz: no such file"):
        load_structure(str(tmp_path / "nope.xyz"))


def test_directory_is_refused(tmp_path):
    folder = tmp_path / "folder.xyz"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        load_structure(str(folder))


class _Payload:
    """Unpickling this creates a file: proof that a pickle was executed."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickle_renamed_to_xyz_is_refused_without_unpickling(tmp_path):
    marker = tmp_path / "pwned"
    spec = _write(tmp_path / "evil.xyz", pickle.dumps(_Payload(marker)))
    with pytest.raises(InputError, match="not a valid xyz file"):
        load_structure(spec)
    assert not marker.exists()


def test_too_many_atoms_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("EQGNN_MAX_ATOMS", "2")
    with pytest.raises(InputError, match="3 atoms is more than this server takes"):
        load_structure(_write(tmp_path / "w.xyz", WATER_XYZ))


def test_unsafe_upload_is_refused():
    with pytest.raises(InputError, match="evil.pkl: pickle files are refused"):
        load_upload("evil.pkl", pickle.dumps({"a": 1}))


def test_writing_an_unknown_extension_is_refused(tmp_path):
    with pytest.raises(InputError, match="cannot write .cif"):
        write_structure(WATER, str(tmp_path / "w.cif"))


def test_writing_into_a_missing_directory_is_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot write file"):
        write_structure(WATER, str(tmp_path / "missing" / "w.xyz"))
