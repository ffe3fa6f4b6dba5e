"""One warm worker: a long-lived spawned process that imported torch once, seen from
the parent (:class:`WarmWorker`), and the work it does on each task (``_warm_task``).

Its body is the one worker loop (:func:`~eqgnn.jobs._processes.serve`); a task is
a job, whose ``cancel()`` reads a flag shared with the parent, or a warm-up that
builds models into its cache (:func:`eqgnn.models.cached_encoder`). Every outcome
carries how many models the task constructed.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator

from eqgnn.config import ENCODER_CACHE_SIZE
from eqgnn.jobs._processes import error_message, run_reported, serve, stop_processes
from eqgnn.jobs._registry import JOB_KINDS

WARM_MODULES = ("torch", "e3nn.o3", "eqgnn.models", "eqgnn.protocol")
"""Imported by every worker at start, with the modules of :data:`~eqgnn.jobs.JOB_KINDS`."""


class WarmWorker:
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
        handle = functools.partial(_warm_task, cancel=self.cancel)
        self.process = context.Process(
            target=serve, args=(self.inbox, self.outbox, handle, self.threads, modules, True),
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
        stop_processes([self.process], grace=wait)
        for channel in (self.inbox, self.outbox):
            channel.cancel_join_thread()  # never block exit on a dead reader
            channel.close()

    def remember(self, key: str) -> None:
        if key in self.models:
            self.models.remove(key)
        self.models.append(key)
        del self.models[:-ENCODER_CACHE_SIZE]


def model_dict(item) -> dict:
    """A model config as its dict: from a ModelConfig, a dict, or a spec's ``"model"``."""
    if hasattr(item, "to_dict"):
        return item.to_dict()
    if isinstance(item, dict) and isinstance(item.get("model"), dict):
        return item["model"]
    if isinstance(item, dict):
        return item
    raise TypeError(f"warm_up takes model configs or job specs, not {type(item).__name__}")


def model_key(model) -> str | None:
    return json.dumps(model, sort_keys=True) if isinstance(model, dict) else None


def _warm_task(task: tuple, outbox, cancel) -> Iterator[tuple]:
    """A warm worker's task, its one outcome tagged with the models it constructed.

    ``("job", id, (target, spec))`` (its ``cancel()`` reads the shared flag) or
    ``("warm", id, [model dicts])``.
    """
    from eqgnn.config import ModelConfig
    from eqgnn.models import cached_encoder, encoder_builds

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
            message = error_message(task_id, exc)
    yield (*message, encoder_builds() - before)
