"""Files a visitor might upload, by mistake or on purpose: each must be refused with one line.

:data:`HOSTILE_FILES` maps a case to a file name and its bytes, built here rather than
shipped so the set stays readable and easy to extend. Every case is a file the product must
refuse (none is a valid molecule), spread over every format the loader accepts and the ones
it refuses outright: binary junk, truncated and empty files, NaN and absurd coordinates,
overlapping atoms, unknown elements, an atom count over any cap, HTML and control characters
where a name goes, pickles under their own and under a borrowed extension, malformed JSON
graphs, and text that is not the format its extension claims.
"""

from __future__ import annotations

import json
import pickle

WATER_LINES = ["O 0 0 0.119", "H 0 0.763 -0.477", "H 0 -0.763 -0.477"]


def _xyz(lines: list[str], count: int | None = None, comment: str = "") -> bytes:
    count = len(lines) if count is None else count
    return "\n".join([str(count), comment, *lines, ""]).encode()


def _huge_xyz(atoms: int) -> bytes:
    lines = [f"C {i * 1.5:.1f} 0 0" for i in range(atoms)]
    return _xyz(lines)


def _json(graph: object) -> bytes:
    return json.dumps(graph).encode()


MOLFILE_BAD_COUNTS = b"junk\n  eqgnn\n\n  9  9  0  0  0  0  0  0  0  0999 V2000\nM  END\n"
PDB_NO_ATOMS = b"HEADER    NOTHING\nREMARK   1 no atoms here\nEND\n"
CIF_NO_ATOMS = b"data_empty\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n"

HOSTILE_FILES: dict[str, tuple[str, bytes]] = {
    "binary junk as xyz": ("junk.xyz", bytes(range(256)) * 8),
    "binary junk as cif": ("junk.cif", b"\x89PNG\r\n\x1a\n" + bytes(range(200))),
    "prose as cif": ("junk.cif", b"This is a shopping list, not a crystal.\nmilk\neggs\n"),
    "prose as pdb": ("junk.pdb", b"hello world\n"),
    "prose as sdf": ("junk.sdf", b"not a molfile at all\n"),
    "prose as mol": ("junk.mol", b"\n\n\n"),
    "empty xyz": ("empty.xyz", b""),
    "empty json": ("empty.json", b""),
    "whitespace xyz": ("blank.xyz", b"   \n\n\t\n"),
    "truncated xyz": ("short.xyz", _xyz(WATER_LINES[:1], count=3)),
    "negative count xyz": ("neg.xyz", _xyz(WATER_LINES, count=-3)),
    "text coordinates": ("text.xyz", _xyz(["O zero zero zero", *WATER_LINES[1:]])),
    "nan coordinates": ("nan.xyz", _xyz(["O nan 0 0", *WATER_LINES[1:]])),
    "inf coordinates": ("inf.xyz", _xyz(["O inf 0 0", *WATER_LINES[1:]])),
    "absurd coordinates": ("far.xyz", _xyz(["O 1e300 0 0", *WATER_LINES[1:]])),
    "overlapping atoms": ("overlap.xyz", _xyz(["O 0 0 0", "H 0 0 0", "H 0 0 1"])),
    "unknown element": ("xx.xyz", _xyz(["Xq 0 0 0", *WATER_LINES[1:]])),
    "100000 atoms": ("huge.xyz", _huge_xyz(100_000)),
    "html in the name": ("html.xyz", _xyz(WATER_LINES[:1] + ["Q 0 0 0"],
                                          comment='name="<script>alert(1)</script>"')),
    "pickle": ("atoms.pkl", pickle.dumps({"numbers": [8, 1, 1]})),
    "pickle as xyz": ("atoms.xyz", pickle.dumps({"numbers": [8, 1, 1]})),
    "ase trajectory": ("run.traj", b"- of UlmASE-Trajectory  \x00\x00\x00"),
    "python file": ("evil.py", b"import os\nos.system('echo pwned')\n"),
    "unknown extension": ("water.exe", _xyz(WATER_LINES)),
    "json not a graph": ("list.json", _json([1, 2, 3])),
    "json bad edges": ("edges.json", _json({"numbers": [8, 1, 1],
                                            "positions": [[0, 0, 0], [0, 0, 1], [0, 1, 0]],
                                            "edges": [[0, 7]]})),
    "json ragged positions": ("ragged.json", _json({"numbers": [8, 1],
                                                    "positions": [[0, 0], [0, 0, 1, 2]]})),
    "molfile bad counts": ("counts.sdf", MOLFILE_BAD_COUNTS),
    "pdb no atoms": ("none.pdb", PDB_NO_ATOMS),
    "cif no atoms": ("none.cif", CIF_NO_ATOMS),
}


def assert_a_usable_structure(structure) -> None:
    """What an accepted input must be: atoms within the cap, known elements, finite
    coordinates within MAX_COORDINATE and apart, edges in range, and a graph built."""
    import numpy as np

    from eqgnn.graph import build_edges
    from eqgnn.limits import limits
    from eqgnn.structure import ANGSTROM, MAX_COORDINATE, MIN_DISTANCE, min_pair_distance

    n = len(structure)
    assert 1 <= n <= limits().atoms
    assert structure.numbers.shape == (n,)
    assert structure.numbers.min() >= 1 and structure.numbers.max() <= 118
    assert structure.positions.shape == (n, 3)
    assert np.isfinite(structure.positions).all()
    assert np.abs(structure.positions).max() <= MAX_COORDINATE
    if n > 1:
        closest = min_pair_distance(structure.positions)
        assert closest >= (MIN_DISTANCE if structure.units == ANGSTROM else 0) and closest > 0
    assert_edges_in_range(structure.edges, n)
    assert_edges_in_range(build_edges(structure), n)


def assert_edges_in_range(edges, n: int) -> None:
    """None (no edges given), or an (m, 2) integer array of pairs 0 <= i < j < n."""
    if edges is None:
        return
    assert edges.ndim == 2 and edges.shape[1] == 2 and edges.dtype.kind == "i"
    assert ((0 <= edges[:, 0]) & (edges[:, 0] < edges[:, 1]) & (edges[:, 1] < n)).all()
