"""Backends: where the product's jobs run, named once for every caller.

``local`` (the embedded default, nothing to install or start) runs batches in
this process or a local pool and live runs on the server's warm workers;
``ray`` (``$EQGNN_BACKEND=ray``, cluster at ``$EQGNN_RAY_ADDRESS``) runs them
all as tasks of one :class:`~eqgnn.jobs.RayRunner`, which this process shares.
"""

from __future__ import annotations

import os
import threading

from eqgnn.errors import InputError
from eqgnn.jobs._ray import ADDRESS_ENV, RayRunner

BACKEND_ENV = "EQGNN_BACKEND"
"""Names the backend: ``local`` (default) or ``ray``."""
BACKENDS = ("local", "ray")

_RAY: dict[str | None, RayRunner] = {}
_RAY_LOCK = threading.Lock()


def backend_name(name: str | None = None) -> str:
    """``name``, else ``$EQGNN_BACKEND``, else ``local``; anything else is one line."""
    chosen = name or os.environ.get(BACKEND_ENV) or "local"
    if chosen not in BACKENDS:
        raise InputError(f"unknown backend {chosen!r} (from {BACKEND_ENV} or --backend); "
                         f"choose {' or '.join(BACKENDS)}")
    return chosen


def ray_runner(address: str | None = None) -> RayRunner:
    """The one :class:`RayRunner` of this process for ``address`` (default
    ``$EQGNN_RAY_ADDRESS``): a process joins one cluster, once."""
    address = address or os.environ.get(ADDRESS_ENV) or None
    with _RAY_LOCK:
        if address not in _RAY:
            _RAY[address] = RayRunner(address)
        return _RAY[address]


def cluster_runner() -> RayRunner | None:
    """The Ray runner when ``$EQGNN_BACKEND`` is ``ray``; None for ``local``, where each
    caller keeps its own local default."""
    return ray_runner() if backend_name() == "ray" else None


def describe_backend() -> dict:
    """What jobs run on now, for a status line: ``backend``, ``workers`` (warm live-run
    workers, or Ray nodes), ``cpus``, ``gpus`` and ``device`` (where models run)."""
    if backend_name() == "ray":
        return ray_runner().describe()
    import torch

    from eqgnn.batch import resolve_device
    from eqgnn.jobs._shared import gate

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
