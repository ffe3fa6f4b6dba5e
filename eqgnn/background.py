"""Background threads that stop, and are waited for, before the interpreter shuts down.

A daemon thread still inside torch (a model's construction, an e3nn compile)
when the interpreter finalises aborts the whole process: ``terminate called
without an active exception``, exit status 134, after a test run, a CLI
command or a stopped server that had otherwise succeeded. So every
long-lived thread of eqgnn starts through :func:`start`, checks
:func:`stopping` between its units of work, and :func:`stop_all` (run once at
shutdown, before Python finalises) tells them all to stop, runs the
registered closers (:func:`on_stop`: the warm workers) and joins the threads
with a deadline.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

STOP_SECONDS = 8.0
"""How long :func:`stop_all` waits for the threads together: a unit of work (one
model's construction) fits, and a stopped process still exits within 10 s."""

log = logging.getLogger(__name__)

_STOPPING = threading.Event()
_LOCK = threading.Lock()
_THREADS: list[threading.Thread] = []
_CLOSERS: list[Callable[[], object]] = []


class Stopped(Exception):
    """Raised by :func:`check` in a thread told to stop; :func:`start`'s threads end quietly."""


def stopping() -> bool:
    """Whether the process is shutting down: a background thread's cue to end its work."""
    return _STOPPING.is_set()


def check() -> None:
    """Raise :class:`Stopped` once the process is shutting down (between units of work)."""
    if _STOPPING.is_set():
        raise Stopped("the process is shutting down")


def start(target: Callable[..., object], name: str, *args: object,
          **attributes: object) -> threading.Thread:
    """Run ``target(*args)`` in a daemon thread that :func:`stop_all` waits for.

    Daemon, so a thread that ignores the stop cannot hold the process open for
    ever; registered, so shutdown joins it before finalisation instead of
    tearing it down inside torch. A :class:`Stopped` ends the thread silently.
    ``attributes`` are set on the thread before it starts (slots for its outcome,
    readable at once).
    """
    thread = threading.Thread(target=_quietly_stopped, args=(target, *args), name=name,
                              daemon=True)
    for key, value in attributes.items():
        setattr(thread, key, value)
    with _LOCK:
        _THREADS[:] = [t for t in _THREADS if t.is_alive()]
        _THREADS.append(thread)
    thread.start()
    return thread


def _quietly_stopped(target: Callable[..., object], *args: object) -> None:
    """The thread body: a stop at shutdown is the expected end, not a traceback."""
    try:
        target(*args)
    except Stopped:
        pass


def on_stop(closer: Callable[[], object]) -> None:
    """Call ``closer()`` at :func:`stop_all`, after the stop is announced, before the joins
    (closing the warm workers ends the threads that wait on them)."""
    with _LOCK:
        _CLOSERS.append(closer)


def stop_all(timeout: float = STOP_SECONDS) -> list[str]:
    """Tell every background thread to stop, run the closers, join the threads.

    Returns the names of threads still alive after ``timeout`` seconds (logged).
    Idempotent: closers run once; a second call only joins again.
    """
    _STOPPING.set()
    with _LOCK:
        closers, _CLOSERS[:] = list(_CLOSERS), []
        threads = list(_THREADS)
    for closer in closers:
        try:
            closer()
        except Exception as exc:  # noqa: BLE001 - one failed close must not stop the others
            log.warning("closing %r at shutdown failed: %s", closer, exc)
    deadline = time.monotonic() + timeout
    for thread in threads:
        if thread is not threading.current_thread():
            thread.join(max(deadline - time.monotonic(), 0.0))
    left = [t.name for t in threads if t.is_alive() and t is not threading.current_thread()]
    if left:
        log.warning("background threads still running at shutdown: %s", ", ".join(left))
    return left


# threading's own exit hooks run before Python finalises and before non-daemon
# threads are joined (the public atexit runs later, after those joins)
threading._register_atexit(stop_all)  # noqa: SLF001 - the one hook early enough
