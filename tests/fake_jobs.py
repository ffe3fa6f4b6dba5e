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


def attempt_job(spec: dict, progress=None, cancel=None) -> dict:
    """Appends this process's pid to ``spec["pid_file"]``; the first attempt then waits
    (up to a minute) to be killed, a later one returns ``{"attempts": n}`` at once.
    For the test of a worker lost mid-job."""
    import os
    from pathlib import Path

    path = Path(spec["pid_file"])
    with path.open("a") as out:
        out.write(f"{os.getpid()}\n")
    attempts = len(path.read_text().split())
    if attempts == 1:
        time.sleep(60)
    return {"attempts": attempts}


def summing_job(spec: dict, progress=None, cancel=None) -> dict:
    """Sums ``values``, one progress step per value."""
    total = len(spec["values"])
    for done in range(1, total + 1):
        if progress is not None:
            progress(done, total, f"value {done}")
    return {"sum": sum(spec["values"])}


def refusing_job(spec: dict, progress=None, cancel=None) -> dict:
    from eqgnn.errors import InputError

    raise InputError("no such case 'nope'; python -m eqgnn cases lists them")


def ticking_job(spec: dict, progress=None, cancel=None) -> dict:
    """Leaves its process id, then writes its tick count every 50 ms for a minute,
    stopping when cancelled: a job that stopped writes no more ticks."""
    import os
    from pathlib import Path

    Path(spec["pid_file"]).write_text(str(os.getpid()))
    for tick in range(1200):
        if cancel is not None and cancel():
            raise Cancelled("stopped between ticks")
        Path(spec["tick_file"]).write_text(str(tick))
        if progress is not None:
            progress(tick, 1200, "tick")
        time.sleep(0.05)
    return {}
