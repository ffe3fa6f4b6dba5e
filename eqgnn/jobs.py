"""Heavy computations as jobs: one pure function of a JSON-able spec.

A distinguish run, a sweep cell or a precompute item is a function
``job(spec, progress=None, cancel=None) -> dict`` of a JSON-able spec that
returns a JSON-able result and reports progress as ``progress(done, total,
message)``. Because a job is nothing but its spec, the same call runs in this
process, in a worker process (:func:`run_job_in_subprocess`, which the
dashboard uses to make live runs cancellable) or on a cluster, and its result
can be stored under the spec's hash (:mod:`eqgnn.store`).

Jobs are named in :data:`JOB_KINDS` as ``"module:function"`` and imported only
when run, so importing this module never loads torch.
"""

from __future__ import annotations

import copy
import importlib
import queue
import time
from collections.abc import Callable

from eqgnn.errors import InputError

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

JOB_KINDS: dict[str, str] = {
    "distinguish": "eqgnn.protocol:run_distinguish",
    "lsweep": "eqgnn.lsweep._train:run_lsweep",
}
"""Job kind (a spec's ``"kind"``) -> the ``"module:function"`` that runs it."""

POLL_SECONDS = 0.05
"""How often :func:`run_job_in_subprocess` checks ``cancel`` and the worker."""


class Cancelled(Exception):
    """A job stopped because its ``cancel()`` turned true; it has no result."""


def register_job(kind: str, function: Callable[..., dict] | str) -> None:
    """Run specs of ``kind`` with ``function`` (for tests and extensions).

    The function is recorded by its import name, not as an object, so a
    spawned worker process (:func:`run_job_in_subprocess`) finds it too: it
    must be a module-level function, or a ``"module:function"`` string.
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


def run_job(spec: dict, progress: Progress | None = None, cancel: Cancel | None = None) -> dict:
    """The result of the job ``spec`` describes, computed in this process.

    Dispatches on ``spec["kind"]``. The job gets a deep copy of the spec, so
    it cannot change the spec the caller stores its result under. Jobs are
    pure: the same spec gives the same result, timing fields aside.
    """
    return _call(job_target(spec), spec, progress, cancel)


def run_job_in_subprocess(
    spec: dict,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    timeout: float | None = None,
) -> dict:
    """:func:`run_job` in a spawned worker process, which ``cancel`` can kill.

    A job checks ``cancel`` only between its steps; a worker can be stopped
    at once, mid-step, which is what a "Stop" button needs. Progress comes
    back over a queue and is passed to ``progress`` here. When ``cancel()``
    turns true the worker is terminated and :class:`Cancelled` raised; past
    ``timeout`` seconds it is terminated and :class:`TimeoutError` raised. A
    job's :class:`InputError` is raised again as one, any other error as a
    :class:`RuntimeError`, each with the worker's one-line message.
    """
    import multiprocessing

    target = job_target(spec)  # resolved here: kinds registered in this process count
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    worker = context.Process(
        target=_worker, args=(target, spec, messages), name=f"eqgnn-job-{spec['kind']}",
        daemon=True,
    )
    started = time.monotonic()
    worker.start()
    try:
        while True:
            if cancel is not None and cancel():
                raise Cancelled(f"job {spec['kind']!r} cancelled")
            if timeout is not None and time.monotonic() - started > timeout:
                raise TimeoutError(f"job {spec['kind']!r} ran past its timeout of {timeout} s")
            try:
                message = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if worker.is_alive():
                    continue
                try:  # it may have exited just after its last message
                    message = messages.get(timeout=1.0)
                except queue.Empty:
                    raise RuntimeError(
                        f"job {spec['kind']!r}: worker died (exit code {worker.exitcode}) "
                        "without a result"
                    ) from None
            what = message[0]
            if what == "progress":
                if progress is not None:
                    progress(*message[1:])
            elif what == "result":
                return message[1]
            elif message[1] == "InputError":
                raise InputError(message[2])
            elif message[1] == "Cancelled":
                raise Cancelled(message[2])
            else:
                raise RuntimeError(f"job {spec['kind']!r} failed in its worker: {message[2]}")
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5.0)
        if worker.is_alive():  # it ignored SIGTERM
            worker.kill()
        worker.join()
        messages.close()


def job_target(spec: dict) -> str:
    """The ``"module:function"`` that runs ``spec``; an unknown kind is an InputError."""
    if not isinstance(spec, dict) or not isinstance(spec.get("kind"), str):
        raise InputError("a job spec is a dict with a string 'kind', e.g. {'kind': 'distinguish'}")
    kind = spec["kind"]
    if kind not in JOB_KINDS:
        raise InputError(f"unknown job kind {kind!r}; known kinds: {', '.join(sorted(JOB_KINDS))}")
    return JOB_KINDS[kind]


def _resolve(target: str) -> Callable[..., dict]:
    """Import ``"module:function"`` (the function part may be dotted)."""
    module_name, _, name = target.partition(":")
    found = importlib.import_module(module_name)
    for part in name.split("."):
        found = getattr(found, part)
    return found


def _call(target: str, spec: dict, progress: Progress | None, cancel: Cancel | None) -> dict:
    """Run the job function ``target`` on a deep copy of ``spec``; its result must be a dict."""
    result = _resolve(target)(copy.deepcopy(spec), progress=progress, cancel=cancel)
    if not isinstance(result, dict):
        raise RuntimeError(f"job {spec['kind']!r} returned {type(result).__name__}, not a dict")
    return result


def _one_line(exc: BaseException) -> str:
    """The first line of an error's message, so the parent can show it as is."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _worker(target: str, spec: dict, messages) -> None:
    """A worker process's body: run the job, send progress and the outcome."""

    def progress(done: int, total: int, message: str) -> None:
        messages.put(("progress", done, total, message))

    try:
        result = _call(target, spec, progress, None)
    except InputError as exc:
        messages.put(("error", "InputError", _one_line(exc)))
    except Cancelled as exc:
        messages.put(("error", "Cancelled", _one_line(exc)))
    except Exception as exc:  # noqa: BLE001 - every other failure is reported, not lost
        messages.put(("error", type(exc).__name__, f"{type(exc).__name__}: {_one_line(exc)}"))
    else:
        messages.put(("result", result))
    messages.close()
    messages.join_thread()  # flush before exit, so the parent gets the last message
