"""The result store: every job's result under the hash of its spec.

A job (:mod:`eqgnn.jobs`) is a pure function of its JSON-able spec, so its
result can be kept under ``spec_key(spec)`` and answered from disk the next
time anyone asks: the dashboard, the CLI and a cluster sweep share one cache.
Two places are searched: a writable store (``$EQGNN_STORE``, else
``~/.cache/eqgnn/results``) and, read-only, the results shipped with the
repository in ``data/results/``, so a fresh checkout shows precomputed runs
without training anything.

- what a result is (:mod:`eqgnn.store._records`): :func:`spec_key`,
  :data:`RESULTS_REVISION` and :data:`KIND_REVISIONS` (:func:`revision_of`),
  :data:`FIELDS`, :func:`record_problem` (the one validity test),
  :func:`summary`;
- :class:`ResultStore`: one file ``<kind>-<key>.json`` per result, written
  atomically (a temp file in the same folder, fsynced, then renamed over the
  target), so a killed writer never leaves half a result and concurrent
  writers of one key leave one valid file; a file that cannot be read is
  recorded in :attr:`ResultStore.problems` and treated as a miss;
- :class:`PostgresStore`: the same methods for a fleet
  (``$EQGNN_STORE=postgresql://…``);
- :func:`open_store`: the one the environment names;
  :func:`export_records` / :func:`import_records` move records between any two
  (``eqgnn results export/import``).

Running a job and storing its result is the jobs' business
(:func:`eqgnn.jobs.cached_run`): the store sits below them and runs nothing.
"""

from eqgnn.paths import SHIPPED_RESULTS, STORE_ENV
from eqgnn.store._folder import ResultStore, default_root
from eqgnn.store._open import open_store
from eqgnn.store._postgres import PostgresStore, redacted
from eqgnn.store._records import (
    FIELDS,
    KIND_REVISIONS,
    RESULTS_REVISION,
    canonical_json,
    record_problem,
    revision_of,
    spec_key,
    summary,
)
from eqgnn.store._transfer import export_records, import_records

__all__ = [
    "FIELDS", "KIND_REVISIONS", "RESULTS_REVISION", "SHIPPED_RESULTS", "STORE_ENV",
    "PostgresStore", "ResultStore", "canonical_json", "default_root", "export_records",
    "import_records", "open_store", "record_problem", "redacted", "revision_of", "spec_key",
    "summary",
]
