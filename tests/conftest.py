"""Shared fixtures: small real molecules, built without the network."""

from __future__ import annotations

import pytest

from eqgnn.structure import Structure, make_structure


def g2(name: str) -> Structure:
    from ase.build import molecule

    atoms = molecule(name)
    return make_structure(atoms.numbers, atoms.positions, name=name, source=f"g2:{name}")


def smiles(text: str) -> Structure:
    from eqgnn.io import load_structure

    return load_structure(f"smiles:{text}")


@pytest.fixture(scope="session")
def butane() -> Structure:
    """trans-Butane (anti) from ASE's G2 set."""
    return g2("trans-butane")


@pytest.fixture(scope="session")
def alanine() -> Structure:
    """L-alanine: one stereocentre, so its mirror image is not congruent."""
    return smiles("N[C@@H](C)C(=O)O")


@pytest.fixture
def private_store(tmp_path, monkeypatch):
    """An empty writable result store beside the shipped results: nothing a test
    writes leaks into the user's cache, and nothing cached there answers for it."""
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path / "results"))


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server of this test session's own (tests/pg.py), or a skip saying why."""
    from tests.pg import MISSING, binaries, throwaway_server

    if binaries() is None:
        pytest.skip(MISSING)
    with throwaway_server() as url:
        yield url
