"""Live runs share the machine through one first-come queue with a limit; a job
that several visitors ask for runs once, and stops when no one follows it."""

from __future__ import annotations

import threading
import time

import pytest

from eqgnn import live
from eqgnn.errors import InputError
from eqgnn.limits import limits
from eqgnn.store import ResultStore
from tests.fake_jobs import stepping_job


def test_gate_admits_first_come_first_served_and_reports_positions():
    gate = live.JobGate(1)
    first, second, third = gate.enter(), gate.enter(), gate.enter()
    assert [gate.position(t) for t in (first, second, third)] == [0, 1, 2]
    gate.leave(second)  # gave up while waiting
    assert gate.position(third) == 1
    gate.leave(first)
    assert gate.wait(third, timeout=1) and gate.position(third) == 0


def test_gate_never_runs_more_than_its_limit_at_once():
    gate, lock = live.JobGate(2), threading.Lock()
    running, peak = 0, 0

    def work() -> None:
        nonlocal running, peak
        ticket = gate.enter()
        gate.wait(ticket)
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        gate.leave(ticket)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert peak == 2 and gate.running == 0 and gate.waiting == 0


def test_live_jobs_queue_share_one_run_and_cancel_when_no_one_follows(tmp_path):
    gate, store = live.JobGate(1), ResultStore(tmp_path, shipped=None)
    busy = live.start_job({"kind": "test", "steps": 30}, "alice", store, stepping_job, gate)
    queued = live.start_job({"kind": "test", "steps": 500}, "bob", store, stepping_job, gate)
    same = live.start_job({"kind": "test", "steps": 500}, "carol", store, stepping_job, gate)
    assert same is queued and queued.position() == 1
    busy.join(5)
    assert busy.state == live.DONE and busy.result == {"steps": 30}
    assert store.get({"kind": "test", "steps": 30}) == {"steps": 30}
    queued.unsubscribe("bob")
    assert not queued.cancelling  # carol still follows it
    queued.unsubscribe("carol")
    queued.join(5)
    assert queued.state == live.CANCELLED and gate.running == 0


def test_live_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EQGNN_LIVE_JOBS", "3")
    assert limits().heavy_jobs == 3
    monkeypatch.setenv("EQGNN_LIVE_JOBS", "none")
    with pytest.raises(InputError, match="EQGNN_LIVE_JOBS"):
        limits()
