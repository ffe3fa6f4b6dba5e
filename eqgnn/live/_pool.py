"""What live runs run on: the server's warm workers, or the Ray cluster, or what
``$EQGNN_RUNNER`` names; and that said in one status line."""

from __future__ import annotations

import os

from eqgnn.jobs import Runner, WarmPoolRunner, backend_name, get_runner, ray_runner, warm_pool
from eqgnn.live._gate import gate


def live_pool() -> WarmPoolRunner:
    """The process-wide warm workers live jobs run on, started on first use.

    One worker per slot of :func:`gate` (``$EQGNN_LIVE_JOBS``), so an admitted
    job never waits for a worker; torch's threads are shared out among them.
    They are stopped at shutdown (:func:`eqgnn.jobs.warm_pool`).
    """
    workers = gate().limit
    return warm_pool(workers, threads=max(1, (os.cpu_count() or 1) // workers))


def live_runner() -> Runner:
    """What live jobs run on (:func:`eqgnn.jobs.get_runner`'s rule): ``$EQGNN_RUNNER``
    when set (``inprocess``: the server's own process, as tests run them), else the Ray
    runner under ``$EQGNN_BACKEND=ray`` (each job a task), else :func:`live_pool`."""
    return get_runner(default=live_pool)


def describe_backend() -> dict:
    """What jobs run on now, for a status line: ``backend``, ``workers`` (warm live-run
    workers, or Ray nodes), ``cpus``, ``gpus`` and ``device`` (where models run)."""
    if backend_name() == "ray":
        return ray_runner().describe()
    import torch

    from eqgnn.device import resolve_device

    return {"backend": "local", "address": None, "workers": gate().limit,
            "cpus": os.cpu_count() or 1, "gpus": torch.cuda.device_count(),
            "device": str(resolve_device())}


def backend_line(status: dict) -> str:
    """:func:`describe_backend` in one sentence."""
    if status["backend"] == "ray":
        return (f"Ray cluster at {status['address']}: {status['workers']} node(s), "
                f"{status['cpus']} CPUs, {status['gpus']} GPUs; models run on {status['device']}")
    return (f"local: {status['workers']} live-run worker(s) on {status['cpus']} CPUs, "
            f"{status['gpus']} GPUs; models run on {status['device']}")
