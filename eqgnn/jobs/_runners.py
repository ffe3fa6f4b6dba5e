"""Runners: where a job runs. One interface, so every caller cancels and reports alike.

A :class:`Runner` runs one spec (:meth:`Runner.run`) or many
(:meth:`Runner.map`), with the same ``progress`` and ``cancel`` whatever the
backend. :meth:`Runner.map` is written once, here: a runner says only how a
batch's jobs finish (``_finish``: (index, outcome) as each ends) and the map
hands them on with their specs, counts them and stops whatever still runs when
it is closed. Here: in this process (a job checks ``cancel`` between its
steps), a spawned process per job (``cancel`` kills it mid-step, which a "Stop"
button needs) and a pool of spawned workers (precompute). The warm pool
(:mod:`eqgnn.jobs._warm`) and Ray (:mod:`eqgnn.jobs._ray`) are two more;
:mod:`eqgnn.jobs._choice` names them all and picks one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing

from eqgnn.jobs._processes import run_in_workers
from eqgnn.jobs._registry import run_job
from eqgnn.progress import Cancel, Cancelled, Progress

Outcome = dict | Exception
"""What :meth:`Runner.map` yields per spec: the result, or the error the job raised."""


class Runner:
    """Runs job specs somewhere; a runner is also callable like :func:`run_job`.

    Subclasses implement :meth:`run` and, to run a batch other than one job after
    another, ``_finish``. ``progress(done, total, message)`` reports a job's own
    steps in :meth:`run`, the number of finished specs in :meth:`map`. ``cancel()``
    is polled; when it turns true the work stops and :class:`Cancelled` is raised.
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
        with closing(self._finish(specs, cancel)) as finished:
            for done, (index, outcome) in enumerate(finished, 1):
                yield specs[index], outcome
                if progress is not None:
                    progress(done, len(specs), f"{specs[index].get('kind', 'job')} job done")

    def _finish(self, specs: list[dict], cancel: Cancel | None) -> Iterator[tuple[int, Outcome]]:
        """(index into ``specs``, outcome) as each job ends: here, one :meth:`run` after
        another."""
        for index, spec in enumerate(specs):
            if cancel is not None and cancel():
                raise Cancelled(f"{len(specs)} jobs cancelled after {index}")
            try:
                outcome: Outcome = self.run(spec, cancel=cancel)
            except Cancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - handed to the caller with its spec
                outcome = exc
            yield index, outcome

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
    ``threads`` caps torch's threads in the worker.
    """

    name = "subprocess"

    def __init__(self, timeout: float | None = None, threads: int | None = None) -> None:
        self.timeout = timeout
        self.threads = threads

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        relay = None if progress is None else (
            lambda index, done, total, message: progress(done, total, message))
        finished = run_in_workers([spec], threads=self.threads, progress=relay, cancel=cancel,
                                  timeout=self.timeout)
        with closing(finished):  # the worker is stopped before the outcome is handed on
            [(_, outcome)] = list(finished)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def __repr__(self) -> str:
        return f"SubprocessRunner(timeout={self.timeout})"


class PoolRunner(SubprocessRunner):
    """``workers`` spawned processes (default: one per core) share the specs of a map.

    ``chunk`` consecutive specs go to one worker together (neighbours that share
    a model config build it once there); ``threads`` caps torch's threads per
    worker. Results come back as each job ends; a cancel stops every worker. A
    single :meth:`run` is a process of its own, as for :class:`SubprocessRunner`.
    """

    name = "pool"

    def __init__(self, workers: int | None = None, chunk: int = 1,
                 threads: int | None = None) -> None:
        super().__init__(threads=threads)
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk = max(1, chunk)

    def _finish(self, specs: list[dict], cancel: Cancel | None) -> Iterator[tuple[int, Outcome]]:
        return run_in_workers(specs, self.workers, self.chunk, self.threads, cancel=cancel)

    def __repr__(self) -> str:
        return f"PoolRunner(workers={self.workers}, chunk={self.chunk}, threads={self.threads})"
