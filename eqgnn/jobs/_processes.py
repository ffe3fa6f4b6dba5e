"""Spawned worker processes: the one place a job is run in, and killed in, another process.

- :func:`serve`: every worker's body (a pool's, a warm pool's): import once, then
  take tasks from a queue until told there are no more, Ctrl-C left to the parent;
- :func:`run_reported`: one job in a worker (or a Ray task), its progress and its
  outcome as messages; :func:`worker_error` turns an error message back into the
  exception the caller sees;
- :func:`stop_processes`: the one way workers are stopped (a grace to exit, then
  SIGTERM, then SIGKILL);
- :func:`run_in_workers`: both process runners (a process per job, a pool): the
  parent hands out chunks of specs, relays each job's progress, polls ``cancel``
  and a deadline, and on any way out (a result, a cancel, a timeout, an error,
  Ctrl-C, an abandoned generator) stops every worker at once.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable, Iterator

from eqgnn.errors import InputError, first_line
from eqgnn.jobs._registry import call_target, job_target
from eqgnn.progress import Cancel, Cancelled

POLL_SECONDS = 0.05
"""How often the parent checks ``cancel``, the deadline and its workers."""

JobProgress = Callable[[int, int, int, str], None]
"""``progress(index, done, total, message)``: job ``index`` of the batch reported a step."""


def run_in_workers(
    specs: list[dict],
    workers: int = 1,
    chunk: int = 1,
    threads: int | None = None,
    progress: JobProgress | None = None,
    cancel: Cancel | None = None,
    timeout: float | None = None,
) -> Iterator[tuple[int, dict | Exception]]:
    """Yield (index into ``specs``, result or error) as each job finishes in a worker.

    ``workers`` spawned processes take ``chunk`` consecutive specs at a time
    (neighbours often share a model, which a worker then builds once); each
    result comes back as soon as its job ends. ``threads`` caps torch's
    threads per worker. A job's :class:`InputError` comes back as one, with its
    first line; any other failure as a :class:`RuntimeError` naming it. When
    ``cancel()`` turns true every worker is terminated and :class:`Cancelled`
    raised; past ``timeout`` seconds likewise, with :class:`TimeoutError`.
    """
    import multiprocessing

    if not specs:
        return
    # resolved here, so kinds registered in this process count in the workers too
    tasks_of = [(index, job_target(spec), spec) for index, spec in enumerate(specs)]
    chunks = [tasks_of[i:i + chunk] for i in range(0, len(tasks_of), max(chunk, 1))]
    context = multiprocessing.get_context("spawn")
    tasks, messages = context.Queue(), context.Queue()
    for part in chunks:
        tasks.put(part)
    processes = [
        context.Process(target=serve, args=(tasks, messages, _run_chunk, threads), daemon=True,
                        name=f"eqgnn-job-{specs[0]['kind']}")
        for _ in range(max(1, min(workers, len(chunks))))
    ]
    for _ in processes:
        tasks.put(None)  # one "no more work" per worker
    what = f"job {specs[0]['kind']!r}" if len(specs) == 1 else f"{len(specs)} jobs"
    pending = set(range(len(specs)))
    started = time.monotonic()
    for process in processes:
        process.start()
    try:
        while pending:
            if cancel is not None and cancel():
                raise Cancelled(f"{what} cancelled")
            if timeout is not None and time.monotonic() - started > timeout:
                raise TimeoutError(f"{what} ran past its timeout of {timeout} s")
            try:
                message = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                message = _after_silence(processes, messages, specs, pending)
                if message is None:
                    continue
            kind, index = message[0], message[1]
            if kind == "progress":
                if progress is not None:
                    progress(index, *message[2:])
                continue
            pending.discard(index)
            yield index, (message[2] if kind == "result"
                          else worker_error(specs[index], *message[2:]))
    finally:
        stop_processes(processes, grace=0.0 if pending else 2.0)
        messages.close()
        tasks.close()


def _after_silence(processes, messages, specs: list[dict], pending: set[int]):
    """No message came: None while the workers live, else a late message or an error."""
    dead = [p for p in processes if p.exitcode not in (None, 0)]
    if not dead and any(p.is_alive() for p in processes):
        return None
    try:  # it may have exited just after its last message
        return messages.get(timeout=1.0)
    except queue.Empty:
        code = dead[0].exitcode if dead else 0
        raise RuntimeError(
            f"job {specs[min(pending)]['kind']!r}: worker died (exit code {code}) "
            "without a result"
        ) from None


def worker_error(spec: dict, name: str, text: str) -> Exception:
    """A worker's reported failure as the exception the caller sees."""
    if name == "InputError":
        return InputError(text)
    if name == "Cancelled":
        return Cancelled(text)
    return RuntimeError(f"job {spec['kind']!r} failed in its worker: {text}")


def stop_processes(processes, grace: float = 0.0) -> None:
    """Stop ``processes``: ``grace`` seconds to exit on their own, then SIGTERM (which
    unwinds a job), then SIGKILL for any that ignored it.

    The grace matters for workers that are done: one stopped while it flushes its
    last message prints a stray traceback.
    """
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5.0)
        if process.is_alive():  # it ignored SIGTERM
            process.kill()
        process.join()


TaskHandler = Callable[[object, object], Iterable[tuple]]
"""``handle(task, messages)``: a worker's work on one task; the outcome messages it yields
are put on ``messages`` one by one, as each is ready."""


def serve(tasks, messages, handle: TaskHandler, threads: int | None = None,
          modules: Iterable[str] = (), announce: bool = False) -> None:
    """A worker process's body: import ``modules``, then run tasks until a None comes.

    ``threads`` caps torch's threads; ``announce`` puts ``("ready", 0, pid, seconds)``
    once the imports are done (a warm pool waits for it). Ctrl-C is left to the
    parent, which stops every worker at once (one interrupted on its own prints a
    traceback); SIGTERM unwinds the job, so what it holds is released, not leaked.
    """
    import importlib
    import os
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    begun = time.perf_counter()
    for module in modules:
        importlib.import_module(module)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    if announce:
        messages.put(("ready", 0, os.getpid(), time.perf_counter() - begun))
    while (task := tasks.get()) is not None:
        for message in handle(task, messages):
            messages.put(message)
    messages.close()
    messages.join_thread()  # flush before exit, so the parent gets the last message


def _run_chunk(chunk, messages) -> Iterator[tuple]:
    """A pool worker's task: consecutive (index, target, spec) jobs, each outcome as it ends."""
    for index, target, spec in chunk:
        yield run_reported(messages, index, target, spec)


def run_reported(messages, index, target: str, spec: dict, cancel: Cancel | None = None) -> tuple:
    """Run one job in a worker, its progress put on ``messages``; its outcome as a message.

    ``("result", index, result)``, or ``("error", index, name, text)`` that
    :func:`worker_error` turns back into the exception the caller sees.
    """
    def progress(done: int, total: int, message: str) -> None:
        messages.put(("progress", index, done, total, message))

    try:
        return "result", index, call_target(target, spec, progress, cancel)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, not lost
        return error_message(index, exc)


def error_message(index, error: Exception) -> tuple:
    """``("error", index, name, text)``: a worker's failure as the message
    :func:`worker_error` turns back into the exception the caller sees (an
    :class:`InputError` or :class:`Cancelled` as itself, anything else named)."""
    for kind in (InputError, Cancelled):  # subclasses come back as their base
        if isinstance(error, kind):
            return "error", index, kind.__name__, first_line(error)
    name = type(error).__name__
    return "error", index, name, f"{name}: {first_line(error)}"
