"""Live runs on a shared machine: a server-wide limit, a FIFO queue, shared jobs.

A hosted dashboard may have a lecture hall of visitors pressing "run it live"
at once. Each run trains a model in a worker process, so without a limit a
hundred clicks would start a hundred processes on a few cores. Here:

- :class:`JobGate`: at most ``limit`` jobs run at once; the rest wait in
  first-come order and can read their place in the queue;
- :class:`LiveJob`: one job running in a background thread through the gate,
  with its progress readable at any time and a cancel flag. A job outlives the
  page run that started it (a Streamlit rerun does not kill it), and is shared:
  every session asking for the same spec follows the one job, which is
  cancelled only when every follower has let go;
- :func:`start_job` / :func:`find_job`: the process-wide registry of jobs.

The job itself runs on a :class:`~eqgnn.jobs.Runner` (default: :func:`live_pool`,
the server's warm workers, which imported torch once and keep the models they
built, so a run starts training about a second after its turn comes; a cancel
stops the job at its next epoch and the worker stays). No streamlit here: the dashboard's
``ui.live`` draws these objects, and the tests drive them with threads.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from eqgnn import background
from eqgnn.errors import InputError
from eqgnn.jobs._registry import Cancelled
from eqgnn.jobs._runners import Runner
from eqgnn.jobs._warm import WarmPoolRunner
from eqgnn.limits import cap_message, check_spec, limits

FINISHED_KEPT = 64
"""Finished jobs kept in the registry (for their followers to read), oldest dropped."""


class JobGate:
    """At most ``limit`` holders at once; the others queue first come, first served.

    ``enter()`` takes a ticket and joins the queue; ``wait(ticket)`` blocks
    until the ticket is admitted (it reaches the head of the queue and a slot
    is free); ``leave(ticket)`` frees the slot or leaves the queue. A waiter
    that gives up (its user cancelled) leaves without ever running, and the
    ones behind it move up.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a gate needs a limit >= 1, got {limit}")
        self.limit = limit
        self._condition = threading.Condition()
        self._queue: deque[int] = deque()
        self._running: set[int] = set()
        self._tickets = itertools.count(1)

    def enter(self) -> int:
        """Join the queue; returns the ticket to wait, read positions and leave with."""
        with self._condition:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            self._admit()
            return ticket

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """Block until ``ticket`` runs (True) or ``timeout`` seconds pass (False)."""
        with self._condition:
            return self._condition.wait_for(lambda: ticket in self._running, timeout)

    def position(self, ticket: int) -> int:
        """0 when ``ticket`` runs, else its 1-based place in the queue; -1 when it left."""
        with self._condition:
            if ticket in self._running:
                return 0
            try:
                return self._queue.index(ticket) + 1
            except ValueError:
                return -1

    def leave(self, ticket: int) -> None:
        """Free the slot of ``ticket`` (or take it out of the queue); the next one runs."""
        with self._condition:
            self._running.discard(ticket)
            if ticket in self._queue:
                self._queue.remove(ticket)
            self._admit()

    @property
    def running(self) -> int:
        """How many tickets hold a slot now."""
        with self._condition:
            return len(self._running)

    @property
    def waiting(self) -> int:
        """How many tickets wait in the queue now."""
        with self._condition:
            return len(self._queue)

    def _admit(self) -> None:
        """Move queue heads into free slots and wake the waiters (lock held)."""
        admitted = False
        while self._queue and len(self._running) < self.limit:
            self._running.add(self._queue.popleft())
            admitted = True
        if admitted:
            self._condition.notify_all()


_GATE: JobGate | None = None
_GATE_LOCK = threading.Lock()


def gate() -> JobGate:
    """The process-wide gate every live job passes (limit: the ``heavy_jobs`` cap,
    :func:`eqgnn.limits.limits`)."""
    global _GATE
    with _GATE_LOCK:
        if _GATE is None:
            _GATE = JobGate(limits().heavy_jobs)
        return _GATE


_POOL: WarmPoolRunner | None = None
_POOL_LOCK = threading.Lock()


def live_pool() -> WarmPoolRunner:
    """The process-wide warm workers live jobs run on, started on first use.

    One worker per slot of :func:`gate` (``$EQGNN_LIVE_JOBS``), so an admitted
    job never waits for a worker; torch's threads are shared out among them.
    They are stopped at shutdown (:func:`eqgnn.background.stop_all`).
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            workers = gate().limit
            threads = max(1, (os.cpu_count() or 1) // workers)
            _POOL = WarmPoolRunner(workers, threads=threads).start()
            background.on_stop(_POOL.close)
        return _POOL


def live_runner() -> Runner:
    """What live jobs run on: the Ray runner under ``$EQGNN_BACKEND=ray`` (the cluster's
    workers, each job a task), else :func:`live_pool`."""
    from eqgnn.jobs._backend import cluster_runner

    return cluster_runner() or live_pool()


QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class LiveJob:
    """One job spec run in a background thread through a :class:`JobGate`.

    ``state`` goes queued -> running -> done / failed / cancelled. Progress
    (``done``, ``total``, ``message``) is whatever the job last reported.
    Followers (session ids) subscribe; :meth:`unsubscribe` of the last one
    cancels the job (its runner stops it). ``runner`` is a
    :class:`~eqgnn.jobs.Runner` or any function of :func:`~eqgnn.jobs.run_job`'s
    signature. ``builds`` is how many models the run constructed, when the
    runner tells (a :class:`~eqgnn.jobs.WarmPoolRunner` does; 0: it reused a
    warm model), else None, as for a result read from the store.
    ``run_seconds`` (0: none) is the wall time the job may train once its turn
    comes; past it the job is stopped like a cancel and fails with the cap's
    sentence (:func:`eqgnn.limits.cap_message`).
    """

    POLL_SECONDS = 0.2

    def __init__(self, spec: dict, store, runner: Runner | Callable[..., dict],
                 job_gate: JobGate, run_seconds: float = 0) -> None:
        self.spec = spec
        self.run_seconds = run_seconds
        self._deadline: float | None = None
        self.state = QUEUED
        self.done, self.total, self.message = 0, 0, ""
        self.result: dict | None = None
        self.error: str | None = None
        self.builds: int | None = None
        self._store, self._runner, self._gate = store, runner, job_gate
        self._ticket: int | None = None
        self._followers: set[str] = set()
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> LiveJob:
        """Join the gate's queue now (so the position is known at once) and start
        (a :mod:`eqgnn.background` thread: stopped at shutdown)."""
        self._ticket = self._gate.enter()
        self._thread = background.start(self._run, "eqgnn-live-job")
        return self

    def subscribe(self, who: str) -> None:
        """``who`` (a session) follows this job."""
        with self._lock:
            self._followers.add(who)

    def unsubscribe(self, who: str) -> None:
        """``who`` lets go; with no followers left, the job is cancelled."""
        with self._lock:
            self._followers.discard(who)
            if not self._followers and self.state not in FINISHED:
                self._cancel.set()

    @property
    def cancelling(self) -> bool:
        """Has the job been told to stop (it may still be winding down)?"""
        return self._cancel.is_set()

    def follows(self, who: str) -> bool:
        """Does ``who`` follow this job?"""
        with self._lock:
            return who in self._followers

    def position(self) -> int:
        """0 when running or finished, else the 1-based place in the gate's queue."""
        if self.state != QUEUED or self._ticket is None:
            return 0
        return max(self._gate.position(self._ticket), 0)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background thread to end (for tests and the CLI)."""
        self._thread.join(timeout)

    def snapshot(self) -> dict:
        """The job's state now, JSON-able: state, position, done, total, message, error."""
        return {"state": self.state, "position": self.position(), "done": self.done,
                "total": self.total, "message": self.message, "error": self.error}

    @property
    def gate_limit(self) -> int:
        """How many jobs the gate this job queues at runs at once."""
        return self._gate.limit

    def _out_of_time(self) -> bool:
        return self._deadline is not None and time.monotonic() > self._deadline

    def _stopping(self) -> bool:
        """The runner's cancel check: a follower's cancel, the wall time spent, or shutdown."""
        return self._cancel.is_set() or self._out_of_time() or background.stopping()

    def active(self) -> bool:
        """Is the job queued or running (not finished, not being cancelled)?"""
        return self.state not in FINISHED and not self.cancelling

    def _progress(self, done: int, total: int, message: str) -> None:
        self.done, self.total, self.message = done, total, message

    def _run(self) -> None:
        """The thread: wait for a slot (or a cancel), run, record the outcome, leave."""
        from eqgnn.store import cached_run

        try:
            while not self._gate.wait(self._ticket, self.POLL_SECONDS):
                if self._cancel.is_set() or background.stopping():
                    self.state = CANCELLED
                    return
            self.state = RUNNING
            if self.run_seconds:
                self._deadline = time.monotonic() + self.run_seconds
            self.result, stored = cached_run(self.spec, self._store, progress=self._progress,
                                             cancel=self._stopping, runner=self._runner)
            if not stored:
                self.builds = getattr(self._runner, "last_builds", None)
            self.state = DONE
        except Cancelled:
            if self._out_of_time():
                self.error = cap_message("run_seconds", self.run_seconds, self.run_seconds)
                self.state = FAILED
            else:
                self.state = CANCELLED
        except Exception as exc:  # noqa: BLE001 - a follower must see every failure, not a hang
            text = str(exc).strip()
            self.error = text.splitlines()[0] if text else type(exc).__name__
            self.state = FAILED
        finally:
            self._gate.leave(self._ticket)


_JOBS: OrderedDict[str, LiveJob] = OrderedDict()
_JOBS_LOCK = threading.Lock()


def find_job(spec: dict) -> LiveJob | None:
    """The registered job of ``spec`` (running, queued or finished), if any."""
    from eqgnn.store import spec_key

    with _JOBS_LOCK:
        return _JOBS.get(spec_key(spec))


def start_job(
    spec: dict,
    who: str,
    store=None,
    runner: Runner | Callable[..., dict] | None = None,
    job_gate: JobGate | None = None,
) -> LiveJob:
    """Follow the live job of ``spec``: the one already running, else a new one.

    The job runs on ``runner`` (default: :func:`live_runner`: the warm workers, or Ray)
    through ``job_gate`` (default: :func:`gate`).

    A finished job that failed or was cancelled is replaced by a fresh one (a
    retry); a done one is returned as is (its result is in the store too).

    The caps of :func:`eqgnn.limits.limits` apply to a new job: its protocol
    (seeds, epochs), its wall time, and the live runs ``who`` may have going at
    once (following a job another visitor started counts as one); each raises
    its sentence as an :class:`~eqgnn.errors.InputError`.
    """
    from eqgnn.store import open_store, spec_key

    key = spec_key(spec)
    caps = limits()
    with _JOBS_LOCK:
        job = _JOBS.get(key)
        if job is None or job.state in (FAILED, CANCELLED) or job.cancelling:
            check_spec(spec)
            _check_visitor(who, caps.runs_per_visitor)
            job = LiveJob(spec, store if store is not None else open_store(),
                          runner if runner is not None else live_runner(),
                          job_gate if job_gate is not None else gate(),
                          run_seconds=caps.run_seconds)
            _JOBS[key] = job
            _JOBS.move_to_end(key)
            job.subscribe(who)
            job.start()
            _forget_finished()
        else:
            if not job.follows(who) and job.active():
                _check_visitor(who, caps.runs_per_visitor)
            job.subscribe(who)
        return job


def _check_visitor(who: str, cap: int) -> None:
    """Raise the ``runs_per_visitor`` sentence when ``who`` already follows ``cap`` active
    jobs (0: no cap; registry lock held)."""
    going = sum(job.active() and job.follows(who) for job in _JOBS.values())
    if cap and going >= cap:
        raise InputError(cap_message("runs_per_visitor", going + 1, cap))


def _forget_finished() -> None:
    """Drop the oldest finished jobs beyond :data:`FINISHED_KEPT` (registry lock held)."""
    finished = [k for k, job in _JOBS.items() if job.state in FINISHED]
    for key in finished[: max(len(finished) - FINISHED_KEPT, 0)]:
        del _JOBS[key]
