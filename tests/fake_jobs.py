"""A stand-in for training, for the tests of queues, caps and workers."""

from __future__ import annotations

import time

from eqgnn.jobs import Cancelled


def stepping_job(spec: dict, progress=None, cancel=None) -> dict:
    """``spec["steps"]`` steps of ``spec.get("pause", 0.02)`` seconds, each reporting
    progress and checking ``cancel`` first, as epochs do; the result is ``{"steps": n}``.
    Module-level, so a worker process imports it by name."""
    for step in range(spec["steps"]):
        if cancel is not None and cancel():
            raise Cancelled(f"stopped at step {step}")
        if progress is not None:
            progress(step + 1, spec["steps"], f"step {step + 1}")
        time.sleep(spec.get("pause", 0.02))
    return {"steps": spec["steps"]}
