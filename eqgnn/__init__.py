"""eqgnn: what 3D geometric graph neural networks can and cannot see.

The library behind the dashboard and the ``eqgnn`` command (``python -m
eqgnn``). Importing it is cheap: torch, e3nn, ASE and RDKit load only where a
call needs them. Here: the one structure type every loader returns,
:class:`Structure` (built and checked by :func:`make_structure`), and the
one exception for bad user input, :class:`InputError`; ``__version__``.

The subpackages name their own APIs: :mod:`eqgnn.io` (loading and writing
structures), :mod:`eqgnn.oracle` (the exact theory side of every verdict),
:mod:`eqgnn.gallery` (the failure cases), :mod:`eqgnn.frames` (frames and
stabilisers), :mod:`eqgnn.lsweep` (the fixed-dimension L sweep),
:mod:`eqgnn.nn` (the models; loads torch), :mod:`eqgnn.bench` (speed
benchmarks) and :mod:`eqgnn.cli` (the command line).
"""

from eqgnn.errors import InputError
from eqgnn.structure import Structure, make_structure

__version__ = "0.1.0"

__all__ = ["InputError", "Structure", "__version__", "make_structure"]
