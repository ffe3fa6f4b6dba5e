"""Warm workers: long-lived processes that have paid torch's start-up once, for live runs.

A spawned process per job (:class:`~eqgnn.jobs.SubprocessRunner`) imports
torch and e3nn (seconds) and constructs its model (seconds more, e3nn
compiles tensor products) before the first epoch. A visitor who pressed
"run it live" waits for all of that. :class:`WarmPoolRunner` keeps ``workers``
spawned processes alive instead: each imports torch, e3nn and the job modules
once, then takes jobs one at a time. A model a worker built stays cached in it
by config (:func:`eqgnn.models.cached_encoder`), so a second run of the same
model builds nothing; :meth:`WarmPoolRunner.warm_up` builds given configs in
every worker ahead of the first visitor.

A cancel does not kill a warm worker: the job's flag (a shared event, cleared
for each job) is what the job's ``cancel()`` reads, and jobs poll it every
epoch. Only a job still running :data:`GRACE_SECONDS` after the cancel (stuck
in a long step, or a model construction) has its worker killed and a fresh one
started in its place; so is a worker that died.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Iterator

from eqgnn import background
from eqgnn.jobs._processes import POLL_SECONDS, worker_error
from eqgnn.jobs._registry import job_target
from eqgnn.jobs._runners import Outcome, Runner
from eqgnn.jobs._warm_worker import WarmWorker, model_dict, model_key
from eqgnn.progress import Cancel, Cancelled, Progress

GRACE_SECONDS = 5.0
"""How long a cancelled job may take to stop before its worker is killed and replaced."""


class WarmPoolRunner(Runner):
    """``workers`` long-lived spawned processes that run jobs one at a time each.

    Workers start on first use (or :meth:`start`) and live until :meth:`close`
    (also at interpreter exit: they are daemon processes). ``threads`` caps
    torch's threads per worker; ``grace`` is how long a cancelled job may take
    to stop before its worker is replaced; past ``timeout`` seconds a job's
    worker is replaced and :class:`TimeoutError` raised.

    :meth:`run` sends a job to an idle worker (one that already holds the
    spec's model if any), relays its progress and returns its result; several
    threads may call it at once, each waiting for a free worker. After a run,
    :attr:`last_builds` (per calling thread) says how many models the worker
    constructed for it: 0 when it reused one. :meth:`map` shares a batch's
    jobs over the workers. :attr:`starts` counts worker processes started,
    replacements included.
    """

    name = "warm"

    def __init__(self, workers: int = 1, threads: int | None = None,
                 grace: float = GRACE_SECONDS, timeout: float | None = None) -> None:
        self.workers = max(1, workers)
        self.threads, self.grace, self.timeout = threads, grace, timeout
        self.starts = 0
        self._slots: list[WarmWorker] = []
        self._idle: list[WarmWorker] = []
        self._condition = threading.Condition()
        self._ids = itertools.count(1)
        self._local = threading.local()
        self._closed = False

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> WarmPoolRunner:
        """Spawn the workers now (they import torch in the background); returns self."""
        import multiprocessing

        with self._condition:
            if self._closed:
                raise RuntimeError("this warm pool was closed; make a new one")
            context = multiprocessing.get_context("spawn")
            while len(self._slots) < self.workers:
                slot = WarmWorker(context, len(self._slots), self.threads)
                self.starts += 1
                self._slots.append(slot)
                self._idle.append(slot)
            self._condition.notify_all()
        return self

    def close(self, wait: float = 2.0) -> None:
        """Stop every worker (a running job is killed); the pool cannot run jobs after.

        All workers are asked to finish at once and given ``wait`` seconds
        together, so closing at interpreter exit never hangs.
        """
        with self._condition:
            self._closed = True
            slots, self._slots, self._idle = self._slots, [], []
            self._condition.notify_all()
        for slot in slots:
            slot.finish()
        deadline = time.monotonic() + wait
        for slot in slots:
            slot.stop(max(deadline - time.monotonic(), 0.01))

    def __enter__(self) -> WarmPoolRunner:
        return self.start()

    def __exit__(self, *_) -> None:
        self.close()

    @property
    def pids(self) -> list[int | None]:
        """The process ids of the workers now, by slot."""
        with self._condition:
            return [slot.pid for slot in self._slots]

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until every worker has imported its modules (True), or ``timeout`` passes."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for slot in list(self._slots or self.start()._slots):
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if not self._await_ready(slot, left):
                return False
        return True

    @property
    def start_seconds(self) -> list[float | None]:
        """Each worker's own start-up (imports) in seconds; None while it is importing."""
        with self._condition:
            return [slot.start_seconds for slot in self._slots]

    @property
    def last_builds(self) -> int | None:
        """Models the worker constructed for this thread's last job (None: none ran)."""
        return getattr(self._local, "builds", None)

    # -- jobs ---------------------------------------------------------------------

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        target = job_target(spec)
        self._local.builds = None
        key = model_key(spec.get("model"))
        slot = self._acquire(cancel, prefer=key)
        try:
            kind, payload, builds = self._exchange(slot, "job", (target, spec), progress, cancel)
        finally:
            self._release(slot)
        self._local.builds = builds
        if key is not None and builds is not None:
            slot.remember(key)
        if kind == "result":
            return payload
        raise worker_error(spec, *payload)

    def _finish(self, specs: list[dict], cancel: Cancel | None) -> Iterator[tuple[int, Outcome]]:
        """The workers share the specs, one thread of this process per worker feeding it.

        A cancel, shutdown or closing the map stops the running jobs through their
        flags and drops the ones not yet started. The feeders are :mod:`eqgnn.background`
        threads, which shutdown stops before it closes the workers they wait on.
        """
        stop = threading.Event()
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        finished: queue.SimpleQueue[tuple[int, Outcome]] = queue.SimpleQueue()
        for index in range(len(specs)):
            todo.put(index)

        def stopped() -> bool:
            return (stop.is_set() or background.stopping()
                    or (cancel is not None and cancel()))

        def feed() -> None:
            while not stop.is_set():
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome: Outcome = self.run(specs[index], cancel=stopped)
                except Exception as exc:  # noqa: BLE001 - a Cancelled is raised by the map
                    outcome = exc
                finished.put((index, outcome))

        feeders = [background.start(feed, f"eqgnn-warm-map-{number}")
                   for number in range(min(self.workers, len(specs)))]
        try:
            for _ in specs:
                while True:
                    try:
                        index, outcome = finished.get(timeout=POLL_SECONDS)
                        break
                    except queue.Empty:
                        if not any(feeder.is_alive() for feeder in feeders) and finished.empty():
                            raise Cancelled("the warm pool's batch was stopped") from None
                if isinstance(outcome, Cancelled):
                    raise outcome
                yield index, outcome
        finally:
            stop.set()
            for feeder in feeders:
                feeder.join()

    def warm_up(self, configs, timeout: float | None = None) -> list[int]:
        """Make every worker build ``configs`` now; the builds per worker (0: already held).

        ``configs`` are :class:`~eqgnn.config.ModelConfig` values, their
        ``to_dict()`` form, or job specs with a ``"model"`` (e.g. the
        gallery's default preset spec). Workers warm up side by side, each
        when it is free; a worker's failure to build is raised. The side-by-side
        threads are :mod:`eqgnn.background` threads, not an executor's: shutdown
        would join an executor's before closing the workers they wait on.
        """
        models = [model_dict(item) for item in configs]
        slots = list(self._slots or self.start()._slots)

        def one(slot: WarmWorker) -> int:
            self._acquire(None, slot=slot)
            try:
                kind, payload, builds = self._exchange(slot, "warm", models, None, None,
                                                       timeout=timeout)
            finally:
                self._release(slot)
            if kind != "result":
                raise worker_error({"kind": "warm-up"}, *payload)
            for model in models:
                slot.remember(model_key(model))
            return builds

        outcomes: list[int | Exception] = [0] * len(slots)

        def keep(index: int, slot: WarmWorker) -> None:
            try:
                outcomes[index] = one(slot)
            except Exception as exc:  # noqa: BLE001 - raised below, in the caller's thread
                outcomes[index] = exc

        threads = [background.start(keep, f"eqgnn-warm-up-{slot.number}", index, slot)
                   for index, slot in enumerate(slots)]
        for thread in threads:
            thread.join()
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome
        return outcomes

    # -- the parent's side of a worker ---------------------------------------------

    def _acquire(self, cancel: Cancel | None, prefer: str | None = None,
                 slot: WarmWorker | None = None) -> WarmWorker:
        """Take an idle worker (``slot`` itself if given), waiting while all are busy."""
        if not self._slots:
            self.start()
        with self._condition:
            while True:
                if self._closed:
                    raise RuntimeError("the warm pool was closed")
                if cancel is not None and cancel():
                    raise Cancelled("job cancelled while waiting for a warm worker")
                free = [s for s in self._idle if slot is None or s is slot]
                if free:
                    chosen = next((s for s in free if prefer in s.models), free[0])
                    self._idle.remove(chosen)
                    break
                self._condition.wait(POLL_SECONDS)
        if not chosen.process.is_alive():  # died while idle
            self._replace(chosen)
        return chosen

    def _release(self, slot: WarmWorker) -> None:
        with self._condition:
            if slot in self._slots and slot not in self._idle:
                self._idle.append(slot)
                self._condition.notify_all()

    def _replace(self, slot: WarmWorker) -> None:
        """Start a fresh process in ``slot``; none once the pool is closed (it would
        outlive :meth:`close`, which may be what killed the old one)."""
        with self._condition:
            if self._closed:
                raise RuntimeError("the warm pool was closed")
            slot.respawn()
            self.starts += 1

    def _await_ready(self, slot: WarmWorker, timeout: float | None) -> bool:
        """Read the worker's "ready" (only while no job owns it); True once it came."""
        if slot.ready.is_set():
            return True
        self._acquire(None, slot=slot)
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            while not slot.ready.is_set():
                if deadline is not None and time.monotonic() > deadline:
                    return False
                try:
                    self._note(slot, slot.outbox.get(timeout=POLL_SECONDS))
                except queue.Empty:
                    if not slot.process.is_alive():
                        self._replace(slot)
            return True
        finally:
            self._release(slot)

    @staticmethod
    def _note(slot: WarmWorker, message: tuple) -> None:
        if message[0] == "ready":
            slot.start_seconds, slot.ready_at = message[3], time.monotonic()
            slot.ready.set()

    def _exchange(self, slot: WarmWorker, kind: str, payload, progress: Progress | None,
                  cancel: Cancel | None, timeout: float | None = None):
        """Send one task to ``slot`` (held by this thread) and follow it to its end.

        Returns ("result", result, builds) or ("error", (name, text), builds).
        A cancel sets the worker's flag; a job that has not stopped ``grace``
        seconds later, a worker that dies, or a task past its timeout costs
        the worker, which is replaced.
        """
        task_id = next(self._ids)
        timeout = timeout if timeout is not None else self.timeout
        slot.cancel.clear()
        slot.inbox.put((kind, task_id, payload))
        started, cancelled_at = time.monotonic(), None
        while True:
            now = time.monotonic()
            if cancelled_at is None and cancel is not None and cancel():
                slot.cancel.set()
                cancelled_at = now
            if (cancelled_at is not None and slot.ready.is_set()  # grace from its start-up
                    and now - max(cancelled_at, slot.ready_at) > self.grace):
                self._replace(slot)
                raise Cancelled(f"{kind} cancelled; its worker did not stop within "
                                f"{self.grace:g} s and was replaced")
            if timeout is not None and now - started > timeout:
                self._replace(slot)
                raise TimeoutError(f"{kind} ran past its timeout of {timeout} s")
            try:
                message = slot.outbox.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if slot.process.is_alive():
                    continue
                code = slot.process.exitcode
                self._replace(slot)
                raise RuntimeError(f"{kind}: warm worker died (exit code {code}) "
                                   "without a result; a fresh one replaces it") from None
            self._note(slot, message)
            if message[0] == "ready" or message[1] != task_id:
                continue  # start-up news, or the tail of an earlier task
            if message[0] == "progress":
                if progress is not None:
                    progress(*message[2:])
            elif message[0] == "result":
                return "result", message[2], message[3]
            elif message[0] == "error":
                return "error", message[2:4], message[4]
