"""Which runner a job goes to: the one rule, for a single run, a batch and a live run.

1. a runner the caller names (a ``--runner`` option, a test), else ``$EQGNN_RUNNER``;
2. else the backend, ``$EQGNN_BACKEND``: ``local`` (the embedded default, nothing to
   install or start) or ``ray`` (cluster at ``$EQGNN_RAY_ADDRESS``), under which
   every run, batch and live run is a task of the process's one :class:`RayRunner`;
3. else the caller's local default: this process for a single run, a pool of
   processes for a batch (precompute), the server's warm workers for a live run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from eqgnn import background
from eqgnn.errors import InputError
from eqgnn.jobs._ray import ADDRESS_ENV, RayRunner
from eqgnn.jobs._runners import InProcessRunner, PoolRunner, Runner, SubprocessRunner
from eqgnn.jobs._warm import WarmPoolRunner

RUNNER_ENV = "EQGNN_RUNNER"
"""Names the runner every job goes to when the caller names none."""
BACKEND_ENV = "EQGNN_BACKEND"
"""Names the backend: ``local`` (default) or ``ray``."""
BACKENDS = ("local", "ray")

RUNNERS: dict[str, Callable[..., Runner]] = {
    "inprocess": InProcessRunner,
    "subprocess": SubprocessRunner,
    "pool": PoolRunner,
    "warm": lambda **options: warm_pool(**options),
    "ray": RayRunner,
}
"""Runner name -> the factory that makes one (its keyword options are the runner's)."""

_RAY: dict[str | None, RayRunner] = {}
_RAY_LOCK = threading.Lock()
_WARM: dict[tuple[int, int | None], WarmPoolRunner] = {}
_WARM_LOCK = threading.Lock()


def register_runner(name: str, factory: Callable[..., Runner]) -> None:
    """Make ``factory`` the runner called ``name`` (a cluster backend plugs in here)."""
    RUNNERS[name] = factory


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


def warm_pool(workers: int = 1, threads: int | None = None) -> WarmPoolRunner:
    """The process's one started :class:`WarmPoolRunner` of ``workers`` workers (``threads``
    torch threads each), closed at shutdown (:func:`eqgnn.background.stop_all`).

    Warm workers are worth their start-up only when they are kept: every caller that
    asks for that pool (a live run after another, ``$EQGNN_RUNNER=warm``) gets the same
    one, never a fresh set of processes that nothing would close.
    """
    with _WARM_LOCK:
        key = (workers, threads)
        if key not in _WARM:
            _WARM[key] = WarmPoolRunner(workers, threads=threads).start()
            background.on_stop(_WARM[key].close)
        return _WARM[key]


def get_runner(name: str | None = None, default: Callable[[], Runner] = InProcessRunner,
               **options) -> Runner:
    """The runner of the module docstring's rule: called ``name`` (with ``options``), else
    ``$EQGNN_RUNNER``, else the Ray backend's, else ``default()`` (this process)."""
    name = name or os.environ.get(RUNNER_ENV)
    if name is None:
        return ray_runner(**options) if backend_name() == "ray" else default()
    if name not in RUNNERS:
        raise InputError(f"unknown runner {name!r} (from {RUNNER_ENV} or the caller); "
                         f"choose one of {', '.join(sorted(RUNNERS))}")
    return RUNNERS[name](**options)
