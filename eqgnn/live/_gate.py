"""The server-wide limit on live runs: at most ``limit`` at once, the rest in a FIFO queue.

A hosted dashboard may have a lecture hall of visitors pressing "run it live"
at once. Each run trains a model in a worker process, so without a limit a
hundred clicks would start a hundred processes on a few cores.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque

from eqgnn.limits import limits


class JobGate:
    """At most ``limit`` holders at once; the others queue first come, first served.

    ``enter()`` takes a ticket and joins the queue; ``wait(ticket)`` blocks
    until the ticket is admitted (it reaches the head of the queue and a slot
    is free); ``leave(ticket)`` frees the slot or leaves the queue. A waiter
    that gives up (its user cancelled) leaves without ever running, and the
    ones behind it move up.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"a gate needs a limit >= 1, got {limit}")
        self.limit = limit
        self._condition = threading.Condition()
        self._queue: deque[int] = deque()
        self._running: set[int] = set()
        self._tickets = itertools.count(1)

    def enter(self) -> int:
        """Join the queue; returns the ticket to wait, read positions and leave with."""
        with self._condition:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            self._admit()
            return ticket

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """Block until ``ticket`` runs (True) or ``timeout`` seconds pass (False)."""
        with self._condition:
            return self._condition.wait_for(lambda: ticket in self._running, timeout)

    def position(self, ticket: int) -> int:
        """0 when ``ticket`` runs, else its 1-based place in the queue; -1 when it left."""
        with self._condition:
            if ticket in self._running:
                return 0
            try:
                return self._queue.index(ticket) + 1
            except ValueError:
                return -1

    def leave(self, ticket: int) -> None:
        """Free the slot of ``ticket`` (or take it out of the queue); the next one runs."""
        with self._condition:
            self._running.discard(ticket)
            if ticket in self._queue:
                self._queue.remove(ticket)
            self._admit()

    @property
    def running(self) -> int:
        """How many tickets hold a slot now."""
        with self._condition:
            return len(self._running)

    @property
    def waiting(self) -> int:
        """How many tickets wait in the queue now."""
        with self._condition:
            return len(self._queue)

    def _admit(self) -> None:
        """Move queue heads into free slots and wake the waiters (lock held)."""
        admitted = False
        while self._queue and len(self._running) < self.limit:
            self._running.add(self._queue.popleft())
            admitted = True
        if admitted:
            self._condition.notify_all()


_GATE: JobGate | None = None
_GATE_LOCK = threading.Lock()


def gate() -> JobGate:
    """The process-wide gate every live job passes (limit: the ``heavy_jobs`` cap,
    :func:`eqgnn.limits.limits`)."""
    global _GATE
    with _GATE_LOCK:
        if _GATE is None:
            _GATE = JobGate(limits().heavy_jobs)
        return _GATE
