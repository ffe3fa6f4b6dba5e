"""Runners: where a job runs. One interface, so every caller cancels and reports alike.

A :class:`Runner` runs one spec (:meth:`Runner.run`) or many
(:meth:`Runner.map`), with the same ``progress`` and ``cancel`` whatever the
backend. Three ship here: in this process (a job checks ``cancel`` between its
steps), a spawned process per job (``cancel`` kills it mid-step, which a
"Stop" button needs) and a pool of spawned workers (precompute). A cluster
backend is one more subclass, named with :func:`register_runner` and chosen
with ``EQGNN_RUNNER``; Ray's (:mod:`eqgnn.jobs._ray`) is also what
``EQGNN_BACKEND=ray`` picks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import closing

from eqgnn.errors import InputError
from eqgnn.jobs._registry import Cancel, Cancelled, Progress, run_job
from eqgnn.jobs._workers import run_in_workers

RUNNER_ENV = "EQGNN_RUNNER"
"""Names the runner :func:`get_runner` makes when none is asked for (default ``inprocess``)."""

Outcome = dict | Exception
"""What :meth:`Runner.map` yields per spec: the result, or the error the job raised."""


class Runner:
    """Runs job specs somewhere; a runner is also callable like :func:`run_job`.

    Subclasses implement :meth:`run`; :meth:`map` defaults to one run after
    another. ``progress(done, total, message)`` reports a job's own steps in
    :meth:`run`, the number of finished specs in :meth:`map`. ``cancel()`` is
    polled; when it turns true the work stops and :class:`Cancelled` is raised.
    """

    name = "runner"

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        """The result of ``spec``; a job's error is raised here."""
        raise NotImplementedError

    def map(self, specs: list[dict], progress: Progress | None = None,
            cancel: Cancel | None = None) -> Iterator[tuple[dict, Outcome]]:
        """Yield (spec, result or error) for every spec, as each finishes.

        A job's failure is yielded, not raised, so the caller decides whether
        one bad spec stops the batch; a cancel raises :class:`Cancelled`.
        Closing the generator early stops whatever still runs.
        """
        for done, spec in enumerate(specs, 1):
            if cancel is not None and cancel():
                raise Cancelled(f"{len(specs)} jobs cancelled after {done - 1}")
            try:
                outcome: Outcome = self.run(spec, cancel=cancel)
            except Cancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - handed to the caller with its spec
                outcome = exc
            yield spec, outcome
            _count(progress, done, len(specs), spec)

    def __call__(self, spec: dict, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> dict:
        return self.run(spec, progress=progress, cancel=cancel)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class InProcessRunner(Runner):
    """Jobs run here, one after another; a job stops at its next check of ``cancel``."""

    name = "inprocess"

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        return run_job(spec, progress, cancel)


class SubprocessRunner(Runner):
    """Each job in its own spawned process, terminated at once on a cancel or a timeout.

    A job's :class:`InputError` is raised again as one, any other error as a
    :class:`RuntimeError`, each with the worker's one-line message; past
    ``timeout`` seconds the worker is stopped and :class:`TimeoutError` raised.
    """

    name = "subprocess"

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        return _only(run_in_workers([spec], progress=_job_steps(progress), cancel=cancel,
                                    timeout=self.timeout))

    def __repr__(self) -> str:
        return f"SubprocessRunner(timeout={self.timeout})"


class PoolRunner(Runner):
    """``workers`` spawned processes (default: one per core) share the specs of a map.

    ``chunk`` consecutive specs go to one worker together (neighbours that share
    a model config build it once there); ``threads`` caps torch's threads per
    worker. Results come back as each job ends; a cancel stops every worker.
    """

    name = "pool"

    def __init__(self, workers: int | None = None, chunk: int = 1,
                 threads: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk = max(1, chunk)
        self.threads = threads

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        return _only(run_in_workers([spec], threads=self.threads,
                                    progress=_job_steps(progress), cancel=cancel))

    def map(self, specs: list[dict], progress: Progress | None = None,
            cancel: Cancel | None = None) -> Iterator[tuple[dict, Outcome]]:
        with closing(run_in_workers(specs, self.workers, self.chunk, self.threads,
                                    cancel=cancel)) as finished:
            for done, (index, outcome) in enumerate(finished, 1):
                yield specs[index], outcome
                _count(progress, done, len(specs), specs[index])

    def __repr__(self) -> str:
        return f"PoolRunner(workers={self.workers}, chunk={self.chunk}, threads={self.threads})"


RUNNERS: dict[str, Callable[..., Runner]] = {
    "inprocess": InProcessRunner,
    "subprocess": SubprocessRunner,
    "pool": PoolRunner,
}
"""Runner name -> the factory that makes one (its keyword options are the runner's);
``warm`` (:class:`~eqgnn.jobs.WarmPoolRunner`) is added by :mod:`eqgnn.jobs`."""


def register_runner(name: str, factory: Callable[..., Runner]) -> None:
    """Make ``factory`` the runner called ``name`` (a cluster backend plugs in here)."""
    RUNNERS[name] = factory


def get_runner(name: str | None = None, **options) -> Runner:
    """The runner called ``name``, else ``$EQGNN_RUNNER``, else the backend's
    (``$EQGNN_BACKEND=ray``: the process's Ray runner), else the in-process one."""
    from eqgnn.jobs._backend import backend_name, ray_runner

    name = name or os.environ.get(RUNNER_ENV)
    if name is None and backend_name() == "ray":
        return ray_runner(**options)
    name = name or "inprocess"
    if name not in RUNNERS:
        raise InputError(f"unknown runner {name!r} (from {RUNNER_ENV} or the caller); "
                         f"choose one of {', '.join(sorted(RUNNERS))}")
    return RUNNERS[name](**options)


def _job_steps(progress: Progress | None):
    """A job's progress relayed from its worker (the batch index dropped)."""
    if progress is None:
        return None
    return lambda index, done, total, message: progress(done, total, message)


def _only(finished: Iterator[tuple[int, Outcome]]) -> dict:
    """The one outcome of a one-spec batch: its result, or its error raised."""
    with closing(finished):  # the workers are stopped before the outcome is handed on
        outcomes = [outcome for _, outcome in finished]
    if isinstance(outcomes[0], Exception):
        raise outcomes[0]
    return outcomes[0]


def _count(progress: Progress | None, done: int, total: int, spec: dict) -> None:
    if progress is not None:
        progress(done, total, f"{spec.get('kind', 'job')} job done")
