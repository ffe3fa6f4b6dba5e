"""Warm workers: long-lived processes that have paid torch's start-up once, for live runs.

A spawned process per job (:class:`~eqgnn.jobs.SubprocessRunner`) imports
torch and e3nn (seconds) and constructs its model (seconds more, e3nn
compiles tensor products) before the first epoch. A visitor who pressed
"run it live" waits for all of that. :class:`WarmPoolRunner` keeps ``workers``
spawned processes alive instead: each imports torch, e3nn and the job modules
once, then takes jobs one at a time. A model a worker built stays cached in it
by config (:func:`eqgnn.protocol.cached_encoder`), so a second run of the same
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
import json
import os
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from eqgnn import background
from eqgnn.config import ENCODER_CACHE_SIZE
from eqgnn.jobs._registry import JOB_KINDS, Cancel, Cancelled, Progress, job_target
from eqgnn.jobs._runners import Outcome, Runner, _count
from eqgnn.jobs._workers import POLL_SECONDS, run_reported, worker_error

GRACE_SECONDS = 5.0
"""How long a cancelled job may take to stop before its worker is killed and replaced."""
WARM_MODULES = ("torch", "e3nn.o3", "eqgnn.models", "eqgnn.protocol")
"""Imported by every worker at start, with the modules of :data:`~eqgnn.jobs.JOB_KINDS`."""


class _Worker:
    """One warm process seen from the parent: its queues, its cancel flag, what it built.

    :meth:`respawn` swaps in a fresh process (new queues and flag too: a killed
    process may have left a queue half written) in the same slot.
    """

    def __init__(self, context, number: int, threads: int | None) -> None:
        self.context, self.number, self.threads = context, number, threads
        self.models: list[str] = []  # model keys built here, most recent last
        self.ready = threading.Event()
        self.ready_at = 0.0  # when the parent heard "ready" (time.monotonic)
        self.start_seconds: float | None = None  # the worker's own import time
        self.process = None
        self._spawn()

    def _spawn(self) -> None:
        context = self.context
        self.inbox, self.outbox, self.cancel = context.Queue(), context.Queue(), context.Event()
        self.ready.clear()
        self.models.clear()
        modules = sorted({*WARM_MODULES, *(t.partition(":")[0] for t in JOB_KINDS.values())})
        self.process = context.Process(
            target=_serve_warm, args=(self.inbox, self.outbox, self.cancel, self.threads, modules),
            daemon=True, name=f"eqgnn-warm-{self.number}")
        self.process.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def respawn(self) -> None:
        """Kill this worker's process (whatever it is doing) and start a fresh one."""
        self.stop(wait=0.0)
        self._spawn()

    def finish(self) -> None:
        """Tell the process to exit once its current task ends."""
        try:
            self.inbox.put(None)
        except (OSError, ValueError):  # queue already closed
            pass

    def stop(self, wait: float = 2.0) -> None:
        """Ask the process to finish (``wait`` seconds), then terminate, then kill it."""
        if self.process.is_alive() and wait > 0:
            self.finish()
            self.process.join(wait)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2.0)
        for channel in (self.inbox, self.outbox):
            channel.cancel_join_thread()  # never block exit on a dead reader
            channel.close()

    def remember(self, key: str) -> None:
        if key in self.models:
            self.models.remove(key)
        self.models.append(key)
        del self.models[:-ENCODER_CACHE_SIZE]


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
        self._slots: list[_Worker] = []
        self._idle: list[_Worker] = []
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
                slot = _Worker(context, len(self._slots), self.threads)
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
        key = _model_key(spec.get("model"))
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

    def map(self, specs: list[dict], progress: Progress | None = None,
            cancel: Cancel | None = None) -> Iterator[tuple[dict, Outcome]]:
        """Yield (spec, result or error) as each finishes; the workers share the specs.

        A cancel (or closing the generator) stops the running jobs through
        their flags and drops the ones not yet started.
        """
        stop = threading.Event()

        def stopped() -> bool:
            return stop.is_set() or (cancel is not None and cancel())

        def outcome(spec: dict) -> Outcome:
            try:
                return self.run(spec, cancel=stopped)
            except Cancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - handed to the caller with its spec
                return exc

        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="eqgnn-warm-map")
        try:
            futures = {pool.submit(outcome, spec): spec for spec in specs}
            for done, future in enumerate(as_completed(futures), 1):
                spec = futures[future]
                yield spec, future.result()
                _count(progress, done, len(specs), spec)
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def warm_up(self, configs, timeout: float | None = None) -> list[int]:
        """Make every worker build ``configs`` now; the builds per worker (0: already held).

        ``configs`` are :class:`~eqgnn.config.ModelConfig` values, their
        ``to_dict()`` form, or job specs with a ``"model"`` (e.g. the
        gallery's default preset spec). Workers warm up side by side, each
        when it is free; a worker's failure to build is raised. The side-by-side
        threads are :mod:`eqgnn.background` threads, not an executor's: shutdown
        would join an executor's before closing the workers they wait on.
        """
        models = [_model_dict(item) for item in configs]
        slots = list(self._slots or self.start()._slots)

        def one(slot: _Worker) -> int:
            self._acquire(None, slot=slot)
            try:
                kind, payload, builds = self._exchange(slot, "warm", models, None, None,
                                                       timeout=timeout)
            finally:
                self._release(slot)
            if kind != "result":
                raise worker_error({"kind": "warm-up"}, *payload)
            for model in models:
                slot.remember(_model_key(model))
            return builds

        outcomes: list[int | Exception] = [0] * len(slots)

        def keep(index: int, slot: _Worker) -> None:
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
                 slot: _Worker | None = None) -> _Worker:
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

    def _release(self, slot: _Worker) -> None:
        with self._condition:
            if slot in self._slots and slot not in self._idle:
                self._idle.append(slot)
                self._condition.notify_all()

    def _replace(self, slot: _Worker) -> None:
        """Start a fresh process in ``slot``; none once the pool is closed (it would
        outlive :meth:`close`, which may be what killed the old one)."""
        with self._condition:
            if self._closed:
                raise RuntimeError("the warm pool was closed")
            slot.respawn()
            self.starts += 1

    def _await_ready(self, slot: _Worker, timeout: float | None) -> bool:
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
    def _note(slot: _Worker, message: tuple) -> None:
        if message[0] == "ready":
            slot.start_seconds, slot.ready_at = message[3], time.monotonic()
            slot.ready.set()

    def _exchange(self, slot: _Worker, kind: str, payload, progress: Progress | None,
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


def _model_dict(item) -> dict:
    """A model config as its dict: from a ModelConfig, a dict, or a spec's ``"model"``."""
    if hasattr(item, "to_dict"):
        return item.to_dict()
    if isinstance(item, dict) and isinstance(item.get("model"), dict):
        return item["model"]
    if isinstance(item, dict):
        return item
    raise TypeError(f"warm_up takes model configs or job specs, not {type(item).__name__}")


def _model_key(model) -> str | None:
    return json.dumps(model, sort_keys=True) if isinstance(model, dict) else None


def _serve_warm(inbox, outbox, cancel, threads: int | None, modules: list[str]) -> None:
    """A warm worker's body: import once, say ready, then run tasks until told to stop.

    Tasks are ``("job", id, (target, spec))`` (its ``cancel()`` reads the
    shared flag) and ``("warm", id, [model dicts])``; every outcome carries
    how many models this task constructed. SIGTERM unwinds, Ctrl-C is the
    parent's business.
    """
    import importlib
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    begun = time.perf_counter()
    for module in modules:
        importlib.import_module(module)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    from eqgnn.config import ModelConfig
    from eqgnn.protocol import cached_encoder, encoder_builds

    outbox.put(("ready", 0, os.getpid(), time.perf_counter() - begun))
    while (task := inbox.get()) is not None:
        kind, task_id, payload = task
        before = encoder_builds()
        if kind == "job" and cancel.is_set():  # cancelled before it began
            message = ("error", task_id, "Cancelled", "cancelled before it started")
        elif kind == "job":
            message = run_reported(outbox, task_id, *payload, cancel=cancel.is_set)
        else:
            try:
                for model in payload:
                    with cached_encoder(ModelConfig(**model).validate()):
                        pass
                message = ("result", task_id, None)
            except Exception as exc:  # noqa: BLE001 - reported to the caller, not lost
                message = ("error", task_id, type(exc).__name__, f"{type(exc).__name__}: {exc}")
        outbox.put((*message, encoder_builds() - before))
    outbox.close()
    outbox.join_thread()
