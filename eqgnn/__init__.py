"""eqgnn: what 3D geometric graph neural networks can and cannot see.

The library behind the dashboard and ``python -m eqgnn``. Importing it is
cheap: torch, e3nn, ASE and RDKit load only where a call needs them.
"""

from eqgnn.errors import InputError
from eqgnn.structure import Structure, make_structure

__version__ = "0.1.0"

__all__ = ["InputError", "Structure", "__version__", "make_structure"]
