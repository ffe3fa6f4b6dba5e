"""Server warm-up: pay torch's start-up and the default models' construction before a visitor.

A fresh dashboard server has imported neither torch nor e3nn and built no
model; the first visitor to the Explorer, or the first to press "run it
live", would wait seconds for both. :func:`warm_server` does that work at
server start in a background thread, while the pages stay usable:

1. the warm workers of live runs (:func:`eqgnn.live.live_pool`) start and
   each builds the Gallery's default model (the first preset on
   :data:`~eqgnn.reports.GALLERY_CASE`, the model its "run it live" trains);
2. this process builds the Explorer's torsion models for the default graph
   rule (:func:`eqgnn.reports.build_twist_models`, cached per process, so the
   page gets these very models).

``EQGNN_WARMUP=0`` turns it off (a server short of memory: each warm worker
holds its own torch).
"""

from __future__ import annotations

import logging
import os
import threading
import time

from eqgnn import background

WARMUP_ENV = "EQGNN_WARMUP"
DEFAULT_RULES = ("bonds",)
"""Graph rules whose torsion models are built at start: the Explorer's first view
(:data:`~eqgnn.reports.TWIST_DEFAULTS`' molecule on its bond graph)."""

log = logging.getLogger(__name__)


def default_specs() -> list[dict]:
    """The job specs whose models the warm workers build: the Gallery's first live run."""
    from eqgnn.config import PRESETS
    from eqgnn.reports import GALLERY_CASE, preset_spec

    return [preset_spec(GALLERY_CASE, next(iter(PRESETS)))]


def warm_up(specs: list[dict] | None = None, rules=DEFAULT_RULES) -> dict:
    """Start the warm workers, build ``specs``' models in each and the torsion models
    of ``rules`` here; returns what took how long (seconds) and what was built.

    Blocking; :func:`warm_server` runs it in a background thread.
    """
    from eqgnn.jobs import WarmPoolRunner
    from eqgnn.live import live_runner
    from eqgnn.reports import build_twist_models

    begun = time.perf_counter()
    runner = live_runner()  # spawning returns at once: workers import
    pool = runner if isinstance(runner, WarmPoolRunner) else None  # Ray tasks: no local workers
    for rule in rules:
        background.check()  # at shutdown: no further build
        build_twist_models(rule)
    twist = time.perf_counter() - begun
    if pool is None:
        return {"twist_models_s": twist, "workers": 0, "worker_builds": [],
                "worker_start_s": [], "total_s": time.perf_counter() - begun}
    background.check()
    builds = pool.warm_up(specs if specs is not None else default_specs())
    return {"twist_models_s": twist, "workers": len(builds), "worker_builds": builds,
            "worker_start_s": pool.start_seconds,
            "total_s": time.perf_counter() - begun}


_STARTED: threading.Thread | None = None
_STARTED_LOCK = threading.Lock()


def warm_server(specs: list[dict] | None = None, rules=DEFAULT_RULES) -> threading.Thread | None:
    """Run :func:`warm_up` once per process in a background thread; returns at once.

    The thread (None when ``$EQGNN_WARMUP`` is ``0``); its outcome is logged
    and kept as the thread's ``report`` (or ``error``). A second call returns
    the first call's thread. At shutdown (:mod:`eqgnn.background`) it stops
    between its steps, and the warm workers it waits on are closed.
    """
    global _STARTED
    if os.environ.get(WARMUP_ENV, "1").strip().lower() in ("0", "no", "off", "false"):
        return None
    with _STARTED_LOCK:
        if _STARTED is None:
            _STARTED = background.start(_warm_in_background, "eqgnn-warm-up", specs, rules,
                                        report=None, error=None)
        return _STARTED


def _warm_in_background(specs, rules) -> None:
    thread = threading.current_thread()
    try:
        thread.report = warm_up(specs, rules)
        log.info("eqgnn warm-up done: %s", thread.report)
    except Exception as exc:  # noqa: BLE001 - a failed warm-up only costs speed; say why
        thread.error = exc
        if background.stopping():  # cut short at shutdown (workers closed): no failure
            return
        log.warning("eqgnn warm-up failed (live runs will start cold): %s", exc)
