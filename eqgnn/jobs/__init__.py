"""Heavy computations as jobs, and the one seam that runs them: here, elsewhere, stored.

A distinguish run, a sweep cell, an L-sweep run or a precompute item is a job:
a function ``job(spec, progress=None, cancel=None) -> dict`` of a JSON-able
spec that returns a JSON-able result and reports ``progress(done, total,
message)``. Because a job is nothing but its spec, its result can be stored
under the spec's hash (:mod:`eqgnn.store`, below this package) and it can run
anywhere a :class:`Runner` reaches:

- kinds: :data:`JOB_KINDS`, :func:`register_job`, :func:`run_job` (this
  process); the :data:`Progress` and :data:`Cancel` types and :class:`Cancelled`
  are :mod:`eqgnn.progress`'s, named here too;
- runners: :class:`Runner` (``run(spec, progress, cancel)``, ``map(specs,
  progress, cancel)``) with :class:`InProcessRunner`, :class:`SubprocessRunner`
  (a spawned process per job, killed on cancel), :class:`PoolRunner` (worker
  processes for a batch), :class:`WarmPoolRunner` (long-lived workers that
  imported torch once and keep their built models; a cancel stops the job, not
  the worker), :class:`RayRunner` (each job a task on a Ray cluster);
- the choice (:mod:`eqgnn.jobs._choice`): :func:`get_runner` by name,
  ``$EQGNN_RUNNER``, the backend ``$EQGNN_BACKEND`` (``local`` or ``ray``:
  :func:`backend_name`, :func:`ray_runner`), else the caller's default;
  :func:`warm_pool` is the process's one warm pool of a size;
  :func:`register_runner` adds one;
- stored runs: :func:`cached_run` (the stored result, else run and store it),
  :func:`cached_batch` (the stored results, the rest run as one batch: sweeps, L
  sweeps, precompute) and :func:`run_and_store` (a batch, each result stored as it
  comes back).

The dashboard's live runs (a queue, shared jobs, caps) sit above this package,
in :mod:`eqgnn.live`. Jobs are imported only when run, so importing this package
never loads torch.
"""

from eqgnn.jobs._cached import cached_batch, cached_run, run_and_store
from eqgnn.jobs._choice import (
    BACKEND_ENV,
    BACKENDS,
    RUNNER_ENV,
    RUNNERS,
    backend_name,
    get_runner,
    ray_runner,
    register_runner,
    warm_pool,
)
from eqgnn.jobs._processes import POLL_SECONDS
from eqgnn.jobs._ray import ADDRESS_ENV, AUTH_ENV, RayRunner
from eqgnn.jobs._registry import JOB_KINDS, job_target, register_job, run_job
from eqgnn.jobs._runners import InProcessRunner, Outcome, PoolRunner, Runner, SubprocessRunner
from eqgnn.jobs._warm import GRACE_SECONDS, WarmPoolRunner
from eqgnn.progress import Cancel, Cancelled, Progress

__all__ = [
    "ADDRESS_ENV", "AUTH_ENV", "BACKENDS", "BACKEND_ENV", "GRACE_SECONDS", "JOB_KINDS",
    "POLL_SECONDS", "RUNNERS", "RUNNER_ENV", "Cancel", "Cancelled", "InProcessRunner",
    "Outcome", "PoolRunner", "Progress", "RayRunner", "Runner", "SubprocessRunner",
    "WarmPoolRunner", "backend_name", "cached_batch", "cached_run", "get_runner", "job_target",
    "ray_runner", "register_job", "register_runner", "run_and_store", "run_job", "warm_pool",
]
