"""Job kinds and the in-process call: a job is a pure function of a JSON-able spec.

A job is ``job(spec, progress=None, cancel=None) -> dict``. Kinds are recorded
as ``"module:function"`` names and imported only when run, so this module
never loads torch and a spawned worker finds the same function by name.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable

from eqgnn.errors import InputError
from eqgnn.progress import Cancel, Progress

JOB_KINDS: dict[str, str] = {
    "distinguish": "eqgnn.protocol:run_distinguish",
    "lsweep": "eqgnn.lsweep._train:run_lsweep",
    "audit": "eqgnn.audit._cells:run_audit_cell",
    "audit-symmetry": "eqgnn.audit._cells:run_audit_symmetry",
}
"""Job kind (a spec's ``"kind"``) -> the ``"module:function"`` that runs it."""


def register_job(kind: str, function: Callable[..., dict] | str) -> None:
    """Run specs of ``kind`` with ``function`` (for tests and extensions).

    The function is recorded by its import name, not as an object, so a
    spawned worker process finds it too: it must be a module-level function,
    or a ``"module:function"`` string.
    """
    if isinstance(function, str):
        target = function
    else:
        target = f"{function.__module__}:{function.__qualname__}"
        if "<locals>" in function.__qualname__ or _resolve(target) is not function:
            raise ValueError(
                f"job {kind!r}: {target} cannot be imported by name; "
                "register a module-level function"
            )
    JOB_KINDS[kind] = target


def job_target(spec: dict) -> str:
    """The ``"module:function"`` that runs ``spec``; an unknown kind is an InputError."""
    if not isinstance(spec, dict) or not isinstance(spec.get("kind"), str):
        raise InputError("a job spec is a dict with a string 'kind', e.g. {'kind': 'distinguish'}")
    kind = spec["kind"]
    if kind not in JOB_KINDS:
        raise InputError(f"unknown job kind {kind!r}; known kinds: {', '.join(sorted(JOB_KINDS))}")
    return JOB_KINDS[kind]


def run_job(spec: dict, progress: Progress | None = None, cancel: Cancel | None = None) -> dict:
    """The result of the job ``spec`` describes, computed in this process.

    Dispatches on ``spec["kind"]``. The job gets a deep copy of the spec, so
    it cannot change the spec the caller stores its result under. Jobs are
    pure: the same spec gives the same result, timing fields aside.
    """
    return call_target(job_target(spec), spec, progress, cancel)


def call_target(target: str, spec: dict, progress: Progress | None, cancel: Cancel | None) -> dict:
    """Run the job function ``target`` on a deep copy of ``spec``; its result must be a dict."""
    result = _resolve(target)(copy.deepcopy(spec), progress=progress, cancel=cancel)
    if not isinstance(result, dict):
        raise RuntimeError(f"job {spec['kind']!r} returned {type(result).__name__}, not a dict")
    return result


def _resolve(target: str) -> Callable[..., dict]:
    """Import ``"module:function"`` (the function part may be dotted)."""
    module_name, _, name = target.partition(":")
    found = importlib.import_module(module_name)
    for part in name.split("."):
        found = getattr(found, part)
    return found
