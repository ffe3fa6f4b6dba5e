"""Structure loaders: every source a user can name becomes one validated Structure.

Specs: a file path (``PATH@N`` for frame N; xyz, extxyz, pdb, cif, sdf, mol,
or our JSON geometric graph), ``g2:NAME``, ``qm9:N``, ``smiles:S``. One table
in ``_formats.py`` (ASE's format registry, as an allow-list) maps extensions
and prefixes to readers; unsafe formats (pickles, ASE trajectories, Python
files) are refused in that same table. Every problem is an ``InputError``.

- :func:`load_structure`: any spec to a validated :class:`~eqgnn.Structure`;
  :func:`load_upload`: the dashboard uploader's bytes, by file name;
  :func:`with_said_precision`: a structure known to the precision a user gave;
- :func:`write_structure`: xyz, extxyz, pdb or JSON, by extension;
- :func:`structure_from_json`: our JSON geometric graph, already parsed;
- :func:`readable_extensions`, :func:`writable_extensions`, :func:`named_forms`,
  :func:`g2_names`, :data:`QM9_SIZE`: what a user may name; :func:`qm9_count` and
  :func:`qm9_entry` (a molecule with its targets, by row); :func:`qm9_subset`: the 256
  QM9 molecules shipped in data/.
"""

from eqgnn.io._files import write_structure
from eqgnn.io._formats import named_forms, readable_extensions, writable_extensions
from eqgnn.io._json_graph import structure_from_json
from eqgnn.io._load import load_structure, load_upload, with_said_precision
from eqgnn.io._named import g2_names
from eqgnn.io._qm9 import QM9_SIZE, qm9_count, qm9_entry, qm9_subset

__all__ = [
    "QM9_SIZE",
    "g2_names",
    "named_forms",
    "load_structure",
    "load_upload",
    "qm9_count",
    "qm9_entry",
    "qm9_subset",
    "readable_extensions",
    "structure_from_json",
    "with_said_precision",
    "writable_extensions",
    "write_structure",
]
