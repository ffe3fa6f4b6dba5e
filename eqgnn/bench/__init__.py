"""The project's speed benchmarks; their figures go in closing notes.

Each benchmark returns a JSON-able dict, and a ``*_table`` function
(:func:`backend_table`, :func:`models_table`, :func:`oracle_table`, :func:`protocol_table`,
:func:`reach_table`) writes it as plain text; ``python -m eqgnn bench NAME``
calls the pair.

- :func:`bench_models`: molecules per second, forward + backward, of the
  k-hop, steerable and e3nn reference models on QM9 batches;
- :func:`bench_oracle`: seconds per ``python -m eqgnn oracle`` call (Python
  start included) at about 10, 30 and 100 atoms, hops 1-3;
- :func:`bench_protocol`: S seeds trained batched against one seed and a
  loop over seeds;
- :func:`bench_backend`: one 48-cell sweep in this process, on the local
  pool and on Ray: overhead per job, and whether the results are identical;
- :func:`bench_audit`: a model's whole audit card cold, then from the store;
- :func:`bench_reach`: seconds per epoch by correlation order and lmax on
  ``kchain-4``, and the blind guard's share of a ``distinguish`` call.

The dashboard's benchmark drives a browser, so it lives with its harness in
the checkout's ``tools/bench_dashboard.py``, not in the library. Importing
this package loads no torch: each benchmark imports what it runs.
"""

from eqgnn.bench._audit import audit_table, bench_audit
from eqgnn.bench._backend import backend_table, bench_backend
from eqgnn.bench._models import bench_models, models_table
from eqgnn.bench._oracle import bench_oracle, oracle_table
from eqgnn.bench._protocol import bench_protocol, protocol_table
from eqgnn.bench._reach import bench_reach, reach_table

__all__ = [
    "audit_table", "bench_audit",
    "backend_table",
    "bench_backend",
    "bench_models",
    "bench_oracle",
    "bench_protocol",
    "bench_reach",
    "models_table",
    "oracle_table",
    "protocol_table",
    "reach_table",
]
