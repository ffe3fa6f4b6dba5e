"""Ray: job specs as tasks on a cluster, one machine or many, behind the Runner seam.

Scheduling, resources, retries and cancellation are Ray's, not ours. Each
spec becomes one task that asks for what it needs (a GPU when it runs on
cuda, a CPU otherwise). A task runs the job with
:func:`~eqgnn.jobs._processes.run_reported`, the same body as a local worker,
so a job's error comes back as the same one-line exception and its progress
as the same messages, here carried by a Ray queue. A worker lost mid-job
(killed, its node gone) is retried by Ray up to :data:`RETRIES` times; a task
returns its whole result or nothing, and only the caller stores results, so
nothing half-written reaches the store. A cancel is :func:`ray.cancel` with
``force``: the worker stops mid-step, as a killed local process does.

Ray is imported only when a :class:`RayRunner` first connects, so the local
backend never needs it installed.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator

from eqgnn.device import DEVICE_ENV, device_name
from eqgnn.errors import InputError, first_line
from eqgnn.jobs._processes import POLL_SECONDS, run_reported, worker_error
from eqgnn.jobs._registry import job_target
from eqgnn.jobs._runners import Outcome, Runner
from eqgnn.progress import Cancel, Cancelled, Progress

ADDRESS_ENV = "EQGNN_RAY_ADDRESS"
"""The Ray cluster to join (``HOST:PORT`` of its head); unset: the cluster ``ray start``
left on this machine, else a fresh one-machine cluster."""
AUTH_ENV = "RAY_AUTH_MODE"
"""Ray's authentication switch. The product sets it to ``token`` unless told otherwise, in
this process and for ``eqgnn cluster up``: every node of a cluster must agree, and the
token (``~/.ray/auth_token``, or ``RAY_AUTH_TOKEN``) keeps strangers from running code."""
RETRIES = 3
"""How often Ray reruns a task whose worker died (a job's own error is never retried)."""


class RayRunner(Runner):
    """Jobs as Ray tasks on the cluster at ``address`` (default :data:`ADDRESS_ENV`).

    ``device`` is where the jobs' models run: default ``$EQGNN_DEVICE``, else
    cuda when the cluster has a GPU, else cpu (:func:`eqgnn.device.device_name`:
    the product's "cuda when present", said of the cluster rather than of this
    process). A cuda task
    asks Ray for one GPU, any other for one CPU. ``retries`` is how often a
    task whose worker died is run again.
    """

    name = "ray"

    def __init__(self, address: str | None = None, device: str | None = None,
                 retries: int = RETRIES) -> None:
        self.address = address or os.environ.get(ADDRESS_ENV) or None
        self.device = device
        self.retries = retries
        self._reports = None  # a Ray queue the tasks put their progress on
        self._routes: dict[int, Progress | None] = {}  # task tag -> whom its progress is for
        self._tags = itertools.count()
        self._lock = threading.Lock()  # live jobs share one runner from several threads

    def run(self, spec: dict, progress: Progress | None = None,
            cancel: Cancel | None = None) -> dict:
        tag, ref = self._submit(spec, progress)
        try:
            outcome = self._outcome(spec, self._wait([ref], cancel))
        finally:
            self._forget(tag)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _finish(self, specs: list[dict], cancel: Cancel | None) -> Iterator[tuple[int, Outcome]]:
        """Every spec a task at once; (index, outcome) as each task ends. A cancel or a
        closed map force-stops the tasks still pending."""
        ray = _ray()

        submitted = {}
        for index, spec in enumerate(specs):
            tag, ref = self._submit(spec, None)
            submitted[ref] = (tag, index)
        try:
            while submitted:
                ref = self._wait(list(submitted), cancel)
                tag, index = submitted.pop(ref)
                outcome = self._outcome(specs[index], ref)
                self._forget(tag)
                yield index, outcome
        finally:
            for ref, (tag, _) in submitted.items():  # a cancel, an error, or closed early
                ray.cancel(ref, force=True)
                self._forget(tag)

    def describe(self) -> dict:
        """What this runner uses: ``backend``, ``address``, ``workers`` (nodes), ``cpus``, ``gpus``,
        ``device`` (for the dashboard's status line and ``eqgnn cluster status``)."""
        ray = _ray()

        self.connect()
        resources = ray.cluster_resources()
        nodes = [node for node in ray.nodes() if node.get("Alive")]
        return {"backend": "ray", "address": self.address or "this machine",
                "workers": len(nodes), "cpus": int(resources.get("CPU", 0)),
                "gpus": int(resources.get("GPU", 0)), "device": self._device()}

    def __repr__(self) -> str:
        return f"RayRunner(address={self.address!r}, device={self.device!r})"

    def connect(self) -> float:
        """Join the cluster (no address and none running here: start a one-machine one),
        once per process; the seconds that took (0 when joined already). An unreachable
        cluster is one line."""
        ray = _ray()

        with self._lock:
            if ray.is_initialized():
                return 0.0
            begun = time.perf_counter()
            try:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                         logging_level="ERROR", configure_logging=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = self.address or "this machine"
                raise InputError(f"cannot reach the Ray cluster at {where} "
                                 f"({ADDRESS_ENV}): {first_line(exc)}") from None
            return time.perf_counter() - begun

    def _device(self) -> str:
        ray = _ray()

        if self.device is None:
            self.device = device_name(gpu=ray.cluster_resources().get("GPU", 0) > 0)
        return self.device

    def _submit(self, spec: dict, progress: Progress | None) -> tuple[int, object]:
        """Start ``spec`` as a task; (its tag, its object ref)."""
        target = job_target(spec)  # an unknown kind fails here, before a task starts
        self.connect()
        from ray.util.queue import Queue  # imported by connect's _ray() already

        device = spec.get("device") or self._device()
        with self._lock:
            if self._reports is None:
                self._reports = Queue(actor_options={"num_cpus": 0})
            tag = next(self._tags)
            self._routes[tag] = progress
        resources = {"num_gpus": 1, "num_cpus": 1} if str(device).startswith("cuda") \
            else {"num_cpus": 1}
        task = _task().options(max_retries=self.retries, retry_exceptions=False, **resources)
        reports = self._reports if progress is not None else None
        return tag, task.remote(tag, target, spec, str(device), reports)

    def _wait(self, pending: list, cancel: Cancel | None):
        """The first of ``pending`` refs to finish; progress relayed meanwhile.

        A cancel force-stops every pending task and raises :class:`Cancelled`.
        """
        ray = _ray()

        while True:
            if cancel is not None and cancel():
                for ref in pending:
                    ray.cancel(ref, force=True)
                raise Cancelled(f"{len(pending)} Ray task(s) cancelled")
            ready, _ = ray.wait(pending, num_returns=1, timeout=POLL_SECONDS)
            self._relay()
            if ready:
                return ready[0]

    def _relay(self) -> None:
        """Hand every queued progress report to the caller whose task sent it."""
        if self._reports is None:
            return
        with self._lock:
            waiting = self._reports.qsize()
            reports = self._reports.get_nowait_batch(waiting) if waiting else []
            routes = dict(self._routes)
        for _, tag, done, total, message in reports:
            progress = routes.get(tag)
            if progress is not None:
                progress(done, total, message)

    def _outcome(self, spec: dict, ref) -> Outcome:
        """The task's result or the job's error; a worker that died every try is one line."""
        ray = _ray()

        try:
            message = ray.get(ref)
        except ray.exceptions.TaskCancelledError:
            return Cancelled(f"job {spec['kind']!r} cancelled")
        except ray.exceptions.RayError as exc:
            return RuntimeError(f"job {spec['kind']!r}: its Ray worker was lost "
                                f"{self.retries + 1} times ({type(exc).__name__})")
        if message[0] == "result":
            return message[2]
        return worker_error(spec, *message[2:])

    def _forget(self, tag: int) -> None:
        with self._lock:
            self._routes.pop(tag, None)


def _ray():
    """The ``ray`` module, imported with :data:`AUTH_ENV` defaulted first (Ray reads it
    when imported)."""
    os.environ.setdefault(AUTH_ENV, "token")
    import ray

    return ray


_TASK = None


def _task():
    """The Ray remote function that runs one job, made once per process."""
    global _TASK
    if _TASK is None:
        _TASK = _ray().remote(_run_task)
    return _TASK


def _run_task(tag: int, target: str, spec: dict, device: str, reports) -> tuple:
    """A Ray task's body: the job on ``device``, its progress on ``reports`` (or dropped).

    Models run in float64 by the protocol whatever the device; the device is
    set for this worker process, so a CPU task on a GPU node stays on the CPU.
    """
    os.environ[DEVICE_ENV] = device
    return run_reported(reports if reports is not None else _Dropped(), tag, target, spec)


class _Dropped:
    """``put`` that drops progress nobody follows (a batch reports finished jobs only)."""

    def put(self, message: tuple) -> None:
        pass
