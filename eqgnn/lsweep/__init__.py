"""The fixed-dimension L sweep (SCIENCE.md, Claim 3; Wang et al., ICLR 2024).

Lemma 1 says a steerable feature of dimension D carries exactly D invariant
numbers on an input with a trivial stabiliser, whatever its types: at a fixed
total dimension, raising the largest type L should bring no essential gain.
The sweep trains the steerable model for each lmax in a list in two series:

- ``fixed``: the hidden dimension D is the same for every lmax (``--dim D``,
  shared equally by the types, the remainder to 0e: ``eqgnn.nn.irreps``);
- ``growing``: C channels of every type (``--channels C``), so D grows with lmax.

lmax = 0 is the invariant baseline (a type-0 network is a 1-hop invariant
GNN). Every run is a job in the result store, so a sweep resumes where it
stopped and a repeated request is answered at once.

- :data:`TASKS` (``mu``, ``gap``, ``dipole``, ``twist``) with their
  :data:`UNITS`; :data:`DEFAULT_PROTOCOL`, the splits, epochs and seeds;
- :func:`lsweep_spec` and :func:`lsweep_specs`: the job specs of one run or
  of a list of lmax; :func:`lsweep_records` runs them (or reads them from
  the store);
- :func:`shipped_records`: the shipped tables' results, computed for
  :data:`SHIPPED_SWEEP`.
"""

from eqgnn.lsweep._spec import (
    DEFAULT_PROTOCOL,
    SHIPPED_SWEEP,
    lsweep_records,
    lsweep_spec,
    lsweep_specs,
    shipped_records,
)
from eqgnn.lsweep._tasks import TASKS, UNITS

__all__ = [
    "DEFAULT_PROTOCOL",
    "SHIPPED_SWEEP",
    "TASKS",
    "UNITS",
    "lsweep_records",
    "lsweep_spec",
    "lsweep_specs",
    "shipped_records",
]
