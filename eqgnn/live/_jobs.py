"""Live runs: one job in a background thread, shared by every session that asks for it.

A job outlives the page run that started it (a Streamlit rerun does not kill
it), and is shared: every session asking for the same spec follows the one job,
which is cancelled only when every follower has let go. :func:`start_job` and
:func:`find_job` keep the process-wide registry of jobs; the caps of
:func:`eqgnn.limits.limits` apply to a new one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from eqgnn import background
from eqgnn.errors import InputError, first_line
from eqgnn.jobs import Runner, cached_run
from eqgnn.limits import cap_message, check_spec, limits
from eqgnn.live._gate import JobGate, gate
from eqgnn.live._pool import live_runner
from eqgnn.progress import Cancelled
from eqgnn.store import open_store, spec_key

FINISHED_KEPT = 64
"""Finished jobs kept in the registry (for their followers to read), oldest dropped."""


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
            self.error = first_line(exc)
            self.state = FAILED
        finally:
            self._gate.leave(self._ticket)


_JOBS: OrderedDict[str, LiveJob] = OrderedDict()
_JOBS_LOCK = threading.Lock()


def find_job(spec: dict) -> LiveJob | None:
    """The registered job of ``spec`` (running, queued or finished), if any."""
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
