"""Live runs on a shared machine: a server-wide limit, a FIFO queue, shared jobs.

Above :mod:`eqgnn.jobs` (which runs a job) and below the dashboard (``ui.live``
draws these objects; the tests drive them with threads):

- :class:`JobGate`: at most ``limit`` jobs run at once; the rest wait in
  first-come order and can read their place in the queue; :func:`gate` is the
  process's one, its limit the ``heavy_jobs`` cap;
- :class:`LiveJob`: one job running in a background thread through the gate,
  with its progress readable at any time and a cancel flag, shared by every
  session that follows it; :func:`start_job` / :func:`find_job`: the
  process-wide registry of jobs, and the job states;
- :func:`live_runner`: what the jobs run on, by default :func:`live_pool`, the
  server's warm workers, which imported torch once and keep the models they
  built, so a run starts training about a second after its turn comes;
  :func:`describe_backend` / :func:`backend_line`: that, for a status line.
"""

from eqgnn.live._gate import JobGate, gate
from eqgnn.live._jobs import (
    CANCELLED,
    DONE,
    FAILED,
    FINISHED,
    FINISHED_KEPT,
    QUEUED,
    RUNNING,
    LiveJob,
    find_job,
    start_job,
)
from eqgnn.live._pool import backend_line, describe_backend, live_pool, live_runner

__all__ = [
    "CANCELLED", "DONE", "FAILED", "FINISHED", "FINISHED_KEPT", "QUEUED", "RUNNING", "JobGate",
    "LiveJob", "backend_line", "describe_backend", "find_job", "gate", "live_pool",
    "live_runner", "start_job",
]
