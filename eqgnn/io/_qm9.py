"""QM9 molecules by index (Ramakrishnan et al., Sci. Data 1, 140022, 2014).

The ``qm9pack`` wheel ships QM9 as three CSV files (about 225 MB). Parsing
them takes many seconds, so the first ``qm9:N`` converts them once into a
compact cache of numpy arrays (``$EQGNN_CACHE`` or ``~/.cache/eqgnn/``) that
later loads map into memory instead of reading. The CSVs are read from the
installed package's directory: ``import qm9pack`` itself fails on Pythons
without ``pkg_resources``.

Without qm9pack, the 256-molecule subset shipped in ``data/`` serves the
indices it holds (and ``python -m eqgnn bench models``).
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from eqgnn.errors import InputError
from eqgnn.paths import QM9_SUBSET as SUBSET_PATH
from eqgnn.paths import cache_dir
from eqgnn.structure import Structure, make_structure

QM9_SIZE = 133885  # indices run 1..QM9_SIZE; qm9pack lacks the 3,054 "uncharacterized"
SUBSET_SIZE = 256  # molecules evenly spaced in index order: every size QM9 has
_CACHE_VERSION = "qm9-v2"
_ARRAYS = ("indices", "offsets", "species", "positions", "smiles", "mu", "gap", "charges")
HARTREE_EV = 27.211386245988  # CODATA 2018


def parse_index(text: str, source: str) -> int:
    """The N of ``qm9:N``, checked against QM9's range."""
    try:
        index = int(text)
    except ValueError:
        index = 0
    if not 1 <= index <= QM9_SIZE:
        raise InputError(f"{source}: N must be an integer from 1 to {QM9_SIZE}")
    return index


def load_qm9_spec(text: str, source: str) -> Structure:
    """The molecule ``qm9:TEXT`` names: the format table's reader for the ``qm9:`` prefix."""
    return load_qm9(parse_index(text, source), source)


def load_qm9(index: int, source: str) -> Structure:
    """QM9 molecule ``index``, from the cache (built on first use) or the subset."""
    arrays = _arrays(_cache_dir())
    if arrays is None:
        return _from_subset(index, source)
    indices = arrays["indices"]
    k = int(np.searchsorted(indices, index))
    if k == len(indices) or indices[k] != index:
        raise InputError(
            f"{source}: index {index} is not in the data set "
            "(qm9pack leaves out QM9's 3,054 uncharacterized molecules)"
        )
    numbers, positions, smiles = _molecule(arrays, k)
    return make_structure(
        numbers,
        positions,
        name=f"qm9:{index} {smiles}",
        source=source,
        info={"qm9_index": index, "smiles": smiles},
    )


def qm9_count() -> int:
    """How many molecules the installed QM9 holds (rows 0..count-1 of :func:`qm9_entry`)."""
    return len(_require_arrays()["indices"])


def qm9_entry(row: int) -> tuple[Structure, dict]:
    """Row ``row`` of QM9 (rows in index order) and its properties.

    Properties: ``index`` (QM9's own), ``mu`` (dipole moment magnitude, Debye),
    ``gap`` (HOMO-LUMO gap, eV), ``charges`` (Mulliken charges per atom, e),
    as computed by Ramakrishnan et al. at B3LYP/6-31G(2df,p).
    """
    arrays = _require_arrays()
    numbers, positions, smiles = _molecule(arrays, row)
    index = int(arrays["indices"][row])
    start, stop = arrays["offsets"][row], arrays["offsets"][row + 1]
    structure = make_structure(numbers, positions, name=f"qm9:{index} {smiles}",
                               source=f"qm9:{index}", info={"qm9_index": index, "smiles": smiles})
    return structure, {"index": index, "mu": float(arrays["mu"][row]),
                       "gap": float(arrays["gap"][row]),
                       "charges": np.asarray(arrays["charges"][start:stop], dtype=np.float64)}


def _require_arrays() -> dict[str, np.ndarray]:
    arrays = _arrays(_cache_dir())
    if arrays is None:
        raise InputError("QM9 properties need the qm9pack package (see requirements.txt)")
    return arrays


def qm9_subset() -> list[Structure]:
    """The 256 QM9 molecules shipped in ``data/qm9_subset.extxyz``.

    Benchmarks and tests need real molecules on machines without qm9pack;
    256 molecules evenly spaced in index order span QM9's sizes (1 to 9
    heavy atoms), since QM9 is ordered by size.
    """
    return list(_subset())


@lru_cache(maxsize=1)
def _subset() -> tuple[Structure, ...]:
    import ase.io

    frames = ase.io.read(SUBSET_PATH, index=":", format="extxyz")
    return tuple(
        make_structure(
            atoms.numbers,
            atoms.positions,
            name=f"qm9:{atoms.info['qm9_index']} {atoms.info['smiles']}",
            source=f"qm9:{atoms.info['qm9_index']}",
            info={"qm9_index": int(atoms.info["qm9_index"]), "smiles": atoms.info["smiles"]},
        )
        for atoms in frames
    )


def _from_subset(index: int, source: str) -> Structure:
    """Molecule ``index`` from the shipped subset, when qm9pack is missing."""
    for structure in _subset():
        if structure.info["qm9_index"] == index:
            return structure
    raise InputError(
        f"{source}: index {index} is not in the shipped {len(_subset())}-molecule subset; "
        "install qm9pack (see requirements.txt) for all of QM9"
    )


def write_subset(path: str | Path = SUBSET_PATH) -> None:
    """Write ``SUBSET_SIZE`` QM9 molecules, evenly spaced in index order, as extxyz.

    Made ``data/qm9_subset.extxyz`` (see ``data/README.md``); needs qm9pack.
    """
    import ase.io
    from ase import Atoms

    arrays = _arrays(_cache_dir())
    if arrays is None:
        raise InputError("qm9 subset: writing it needs qm9pack installed")
    frames = []
    for k in np.linspace(0, len(arrays["indices"]) - 1, SUBSET_SIZE).round().astype(int):
        numbers, positions, smiles = _molecule(arrays, k)
        atoms = Atoms(numbers=numbers, positions=positions)
        atoms.info = {"qm9_index": int(arrays["indices"][k]), "smiles": smiles}
        frames.append(atoms)
    ase.io.write(path, frames, format="extxyz")


def _molecule(arrays: dict[str, np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Species, positions and SMILES of the k-th cached molecule (k is a row, not an index)."""
    start, stop = arrays["offsets"][k], arrays["offsets"][k + 1]
    return (
        np.asarray(arrays["species"][start:stop]),
        np.asarray(arrays["positions"][start:stop]),
        str(arrays["smiles"][k]),
    )


def _cache_dir() -> Path:
    """Where the converted arrays live: ``$EQGNN_CACHE`` or ``~/.cache/eqgnn``."""
    return cache_dir() / _CACHE_VERSION


def _qm9pack_data() -> Path | None:
    """qm9pack's CSV directory, found without importing the package."""
    spec = importlib.util.find_spec("qm9pack")
    if spec is None or spec.origin is None:
        return None
    data = Path(spec.origin).parent / "data"
    return data if (data / "qm9_part1.csv").is_file() else None


@lru_cache(maxsize=4)
def _arrays(cache: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays, memory-mapped; built first if qm9pack is there; else None."""
    if not (cache / "indices.npy").is_file():
        data = _qm9pack_data()
        if data is None:
            return None
        _build_cache(data, cache)
    return {name: np.load(cache / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}


def _build_cache(data: Path, cache: Path) -> None:
    """Convert qm9pack's CSVs into ``cache``, atomically (temp dir, then rename).

    Arrays: ``indices`` (QM9 index per molecule, ascending), ``offsets``
    (molecule k's atoms are rows offsets[k]:offsets[k+1]), ``species``
    (uint8 atomic numbers), ``positions`` (float64, Å), ``smiles``, ``mu``
    (Debye), ``gap`` (HOMO-LUMO, eV) and ``charges`` (Mulliken, e, one per atom).
    """
    from ase.data import atomic_numbers
    from tqdm import tqdm

    parts = sorted(data.glob("qm9_part*.csv"))
    molecules: list[tuple] = []
    total = sum(p.stat().st_size for p in parts)
    with tqdm(
        total=total, unit="B", unit_scale=True, file=sys.stderr, desc="eqgnn: converting QM9 once"
    ) as bar:
        for part in parts:
            with part.open(newline="") as fh:
                for row in csv.DictReader(_counted(fh, bar)):
                    symbols = row["Elements"].strip("[]").replace("'", "").split(",")
                    numbers = np.array([atomic_numbers[s.strip()] for s in symbols], np.uint8)
                    xyz = _coordinates(row["XYZ_Ang"])
                    charges = _numbers(row["Mulliken_pop"])
                    molecules.append((int(row["Index"]), row["SMILES"], numbers, xyz,
                                      float(row["Dipole_debye"]),
                                      float(row["HOMO_LUMO_gap_au"]) * HARTREE_EV, charges))
    molecules.sort(key=lambda m: m[0])
    sizes = [len(m[2]) for m in molecules]
    arrays = {
        "indices": np.array([m[0] for m in molecules], dtype=np.int32),
        "offsets": np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        "species": np.concatenate([m[2] for m in molecules]),
        "positions": np.concatenate([m[3] for m in molecules]),
        "smiles": np.array([m[1] for m in molecules]),
        "mu": np.array([m[4] for m in molecules], dtype=np.float64),
        "gap": np.array([m[5] for m in molecules], dtype=np.float64),
        "charges": np.concatenate([m[6] for m in molecules]),
    }
    _save_atomically(arrays, cache)


def _coordinates(text: str) -> np.ndarray:
    """(n, 3) numbers from QM9's nested list, written as ``[[0.59,0.,1.],...]``.

    Not JSON: numbers like ``0.`` and Mathematica's ``1.2*^-5`` occur.
    """
    return _numbers(text).reshape(-1, 3)


def _numbers(text: str) -> np.ndarray:
    """The numbers of one of QM9's (nested) list fields, flat."""
    flat = text.replace("[", "").replace("]", "").replace("*^", "e").split(",")
    return np.array([float(x) for x in flat], dtype=np.float64)


def _counted(lines, bar) -> Iterator[str]:
    """Yield ``lines``, advancing the progress bar by their length."""
    for line in lines:
        bar.update(len(line))
        yield line


def _save_atomically(arrays: dict[str, np.ndarray], cache: Path) -> None:
    """Write the arrays to a temp dir and rename it, so no reader sees half a cache."""
    tmp = cache.with_name(f".{cache.name}.tmp-{os.getpid()}")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
        os.replace(tmp, cache)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if (cache / "indices.npy").is_file():  # another process finished first
            return
        raise InputError(
            f"qm9: cannot write the QM9 cache to {cache.parent} ({exc.strerror}); "
            "set EQGNN_CACHE to a writable directory"
        ) from None
