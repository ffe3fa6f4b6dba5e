"""Structure loaders: every source a user can name becomes one validated Structure.

Specs: a file path (``PATH@N`` for frame N; xyz, extxyz, pdb, cif, sdf, mol,
or our JSON geometric graph), ``g2:NAME``, ``qm9:N``, ``smiles:S``. Unsafe
formats (pickles, ASE trajectories, Python files) are refused by the one
format table in ``_formats.py``. Every problem is an ``InputError``.
"""

from eqgnn.io._files import write_structure
from eqgnn.io._formats import readable_extensions
from eqgnn.io._json_graph import structure_from_json
from eqgnn.io._load import load_structure, load_upload
from eqgnn.io._named import g2_names
from eqgnn.io._qm9 import QM9_SIZE, qm9_subset

__all__ = [
    "QM9_SIZE",
    "g2_names",
    "load_structure",
    "load_upload",
    "qm9_subset",
    "readable_extensions",
    "structure_from_json",
    "write_structure",
]
