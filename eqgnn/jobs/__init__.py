"""Heavy computations as jobs, and the one seam that runs them: here, elsewhere, live.

A distinguish run, a sweep cell, an L-sweep run or a precompute item is a job:
a function ``job(spec, progress=None, cancel=None) -> dict`` of a JSON-able
spec that returns a JSON-able result and reports ``progress(done, total,
message)``. Because a job is nothing but its spec, its result can be stored
under the spec's hash (:mod:`eqgnn.store`) and it can run anywhere a
:class:`Runner` reaches:

- kinds: :data:`JOB_KINDS`, :func:`register_job`, :func:`run_job` (this
  process), :class:`Cancelled`, the :data:`Progress` and :data:`Cancel` types;
- runners: :class:`Runner` (``run(spec, progress, cancel)``, ``map(specs,
  progress, cancel)``) with :class:`InProcessRunner`, :class:`SubprocessRunner`
  (a spawned process per job, killed on cancel), :class:`PoolRunner` (worker
  processes for a batch), :class:`WarmPoolRunner` (long-lived workers that
  imported torch once and keep their built models; a cancel stops the job, not
  the worker: live runs use one, :func:`live_pool`), :class:`RayRunner` (each
  job a task on a Ray cluster); :func:`get_runner` picks one by name or
  ``$EQGNN_RUNNER``, :func:`register_runner` adds one;
- backends: ``$EQGNN_BACKEND`` ``local`` (default) or ``ray``
  (:func:`backend_name`, :func:`cluster_runner`, :func:`ray_runner`): with
  ``ray`` every batch and live run goes to the one Ray runner of the process;
- live runs for a shared dashboard: :class:`JobGate` (a limit and a FIFO
  queue), :class:`LiveJob` (a job in a background thread with followers),
  :func:`start_job`, :func:`find_job`, :func:`gate`, :func:`live_pool`,
  :func:`live_runner`, and the
  job states.

Jobs are imported only when run, so importing this package never loads torch.
"""

from eqgnn.jobs._backend import (
    BACKEND_ENV,
    BACKENDS,
    backend_line,
    backend_name,
    cluster_runner,
    describe_backend,
    ray_runner,
)
from eqgnn.jobs._ray import ADDRESS_ENV, RayRunner
from eqgnn.jobs._registry import (
    JOB_KINDS,
    Cancel,
    Cancelled,
    Progress,
    job_target,
    register_job,
    run_job,
)
from eqgnn.jobs._runners import (
    RUNNER_ENV,
    RUNNERS,
    InProcessRunner,
    Outcome,
    PoolRunner,
    Runner,
    SubprocessRunner,
    get_runner,
    register_runner,
)
from eqgnn.jobs._shared import (
    CANCELLED,
    DONE,
    FAILED,
    FINISHED,
    FINISHED_KEPT,
    QUEUED,
    RUNNING,
    JobGate,
    LiveJob,
    find_job,
    gate,
    live_pool,
    live_runner,
    start_job,
)
from eqgnn.jobs._warm import GRACE_SECONDS, WarmPoolRunner
from eqgnn.jobs._workers import POLL_SECONDS

register_runner("warm", WarmPoolRunner)
register_runner("ray", RayRunner)

__all__ = [
    "ADDRESS_ENV", "BACKENDS", "BACKEND_ENV", "RayRunner", "backend_line", "backend_name",
    "cluster_runner", "describe_backend",
    "live_runner", "ray_runner", "CANCELLED", "DONE", "FAILED", "FINISHED", "FINISHED_KEPT",
    "GRACE_SECONDS", "JOB_KINDS",
    "POLL_SECONDS", "QUEUED", "RUNNERS", "RUNNER_ENV", "RUNNING", "Cancel",
    "Cancelled", "InProcessRunner", "JobGate", "LiveJob", "Outcome", "PoolRunner", "Progress",
    "Runner", "SubprocessRunner", "WarmPoolRunner", "find_job", "gate",
    "get_runner", "job_target", "live_pool", "register_job", "register_runner", "run_job",
    "start_job",
]
