"""The runner contract, held by every runner: in-process, subprocess, pool, warm pool, Ray.

Whatever runs a job, a caller sees the same thing: ``run`` returns what
``run_job`` returns and relays the job's own progress in order; ``map`` hands
back every spec with its result or its error (a failed job never stops the
batch) and counts finished specs; a cancel raises :class:`Cancelled` promptly
and the job really stops. How it stops is each runner's own: the process
runners and Ray kill the worker, the warm pool stops the job and keeps its
worker (that is what it is for). Fake jobs stand in for training, so nothing
here loads torch.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from eqgnn import jobs
from eqgnn.errors import InputError
from eqgnn.jobs import (
    Cancelled,
    InProcessRunner,
    PoolRunner,
    RayRunner,
    SubprocessRunner,
    WarmPoolRunner,
    register_job,
    run_job,
)
from eqgnn.store import spec_key
from tests.fake_jobs import refusing_job, summing_job, ticking_job

KINDS = {"sum": summing_job, "refuse": refusing_job, "tick": ticking_job}
SPEC = {"kind": "sum", "values": [1, 2, 3]}
KILLS_ITS_WORKER = {"subprocess": True, "pool": True, "warm": False, "ray": True}


@pytest.fixture(scope="module", params=["inprocess", "subprocess", "pool", "warm", "ray"])
def runner(request):
    """Each runner once for the module, its fake kinds registered before it starts (a warm
    worker imports the kinds' modules when it starts)."""
    saved = dict(jobs.JOB_KINDS)
    for kind, function in KINDS.items():
        register_job(kind, function)
    made = None
    try:
        if request.param == "inprocess":
            made = InProcessRunner()
        elif request.param == "subprocess":
            made = SubprocessRunner()
        elif request.param == "pool":
            made = PoolRunner(workers=2, threads=1)
        elif request.param == "warm":
            made = WarmPoolRunner(workers=2, threads=1, grace=2.0).start()
        else:
            ray = pytest.importorskip("ray", reason="Ray is not installed (pip install ray)")
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                     object_store_memory=100 * 2**20, _node_ip_address="127.0.0.1")
            made = RayRunner()
        yield made
    finally:
        if isinstance(made, WarmPoolRunner):
            made.close()
        if isinstance(made, RayRunner):
            import ray

            ray.shutdown()
        jobs.JOB_KINDS.clear()
        jobs.JOB_KINDS.update(saved)


def test_run_returns_what_run_job_returns_and_relays_its_progress(runner):
    seen: list[tuple[int, int, str]] = []
    assert runner.run(SPEC, progress=lambda *step: seen.append(step)) == run_job(SPEC)
    assert seen == [(1, 3, "value 1"), (2, 3, "value 2"), (3, 3, "value 3")]


def test_a_jobs_error_is_raised_by_run_as_its_one_line(runner):
    with pytest.raises(InputError, match="^no such case 'nope'; python -m eqgnn cases"):
        runner.run({"kind": "refuse"})


def test_map_hands_back_every_spec_with_its_outcome_and_counts_them(runner):
    specs = [SPEC, {"kind": "sum", "values": [5]}, {"kind": "refuse"}, {"kind": "sum",
                                                                         "values": [2, 2]}]
    counts: list[tuple[int, int]] = []
    outcomes = {spec_key(spec): outcome for spec, outcome in
                runner.map(specs, progress=lambda done, total, _: counts.append((done, total)))}
    assert set(outcomes) == {spec_key(spec) for spec in specs}
    assert outcomes[spec_key(SPEC)] == {"sum": 6}
    assert outcomes[spec_key(specs[1])] == {"sum": 5} and outcomes[spec_key(specs[3])] == {"sum": 4}
    refused = outcomes[spec_key(specs[2])]  # a failed job is handed back, not raised
    assert isinstance(refused, InputError) and str(refused).startswith("no such case 'nope'")
    assert counts == [(1, 4), (2, 4), (3, 4), (4, 4)]


def _still_ticks(tick_file: Path) -> bool:
    """Does the job behind ``tick_file`` still write ticks a second after it was stopped?"""
    before = tick_file.read_text() if tick_file.exists() else None
    time.sleep(1.0)
    return tick_file.exists() and tick_file.read_text() != before


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_cancel_stops_run_and_map_promptly_and_the_jobs_stop(runner, tmp_path):
    def ticker(name: str) -> dict:
        return {"kind": "tick", "pid_file": str(tmp_path / f"{name}.pid"),
                "tick_file": str(tmp_path / f"{name}.tick")}

    one, batch = ticker("one"), [ticker("a"), ticker("b")]
    started = time.monotonic()
    with pytest.raises(Cancelled):
        runner.run(one, cancel=(tmp_path / "one.tick").exists)
    with pytest.raises(Cancelled):
        list(runner.map(batch, cancel=(tmp_path / "a.tick").exists))
    assert time.monotonic() - started < 60
    for spec in (one, *batch):
        tick_file, pid_file = Path(spec["tick_file"]), Path(spec["pid_file"])
        assert not _still_ticks(tick_file), f"{tick_file.name}: the job runs on after a cancel"
        if pid_file.exists() and int(pid_file.read_text()) != os.getpid():
            pid = int(pid_file.read_text())
            assert _alive(pid) is not KILLS_ITS_WORKER[runner.name], runner.name


def test_a_warm_worker_that_stopped_a_job_takes_the_next_at_once(runner, tmp_path):
    if not isinstance(runner, WarmPoolRunner):
        pytest.skip("only the warm pool keeps its workers across a cancel")
    before = runner.pids
    with pytest.raises(Cancelled):
        runner.run({"kind": "tick", "pid_file": str(tmp_path / "pid"),
                    "tick_file": str(tmp_path / "tick")}, cancel=(tmp_path / "tick").exists)
    assert runner.run(SPEC) == {"sum": 6}
    assert runner.pids == before and runner.starts == len(before)
