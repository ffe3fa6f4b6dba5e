"""Warm workers answer live runs without paying torch's start-up again: the same
results as a run in this process, a model built once per worker, a cancel that
stops the job but keeps the worker, and a dead worker replaced."""

from __future__ import annotations

import os
import signal
import time

import pytest

from eqgnn import jobs
from eqgnn.config import config_from_options
from eqgnn.specs import distinguish_spec
from tests.fake_jobs import stepping_job

SLOW, STUBBORN = "warm-test-slow", "warm-test-stubborn"


def _stubborn_job(spec: dict, progress=None, cancel=None) -> dict:
    """A job stuck in one long step: it never reads ``cancel``."""
    if progress is not None:
        progress(0, 1, "stuck")
    time.sleep(spec["seconds"])
    return {}


@pytest.fixture(scope="module")
def pool():
    jobs.register_job(SLOW, stepping_job)
    jobs.register_job(STUBBORN, _stubborn_job)
    runner = jobs.WarmPoolRunner(1, threads=1, grace=1.0).start()
    assert runner.wait_ready(120)
    yield runner
    runner.close()
    for kind in (SLOW, STUBBORN):
        jobs.JOB_KINDS.pop(kind, None)


def _spec(width: int = 32, **protocol) -> dict:
    config = config_from_options(model="khop", hops=3, body_order=3, layers=3, width=width)
    return distinguish_spec({"case": "kchain-4"}, config, seeds=2, epochs=3, **protocol)


ONLY_HERE = 24
"""A width no other test here asks for: its model is in no worker's cache before this test."""


def test_a_warm_worker_gives_the_verdict_of_a_run_in_this_process(pool):
    spec = _spec(width=ONLY_HERE)
    steps = []
    warm = pool.run(spec, progress=lambda done, total, message: steps.append(done))
    assert pool.last_builds == 1  # a model no worker holds yet: built, once
    here = jobs.run_job(spec)
    assert (warm["verdict"], warm["accuracies"]) == (here["verdict"], here["accuracies"])
    assert warm["embedding_gaps"] == pytest.approx(here["embedding_gaps"])
    assert steps and steps[-1] == 3
    again = pool.run(spec)
    assert pool.last_builds == 0  # the same model again: the worker's, reused
    assert again["accuracies"] == warm["accuracies"]


def test_a_second_run_of_the_same_model_builds_nothing(pool):
    pool.run(_spec(lr=0.02))
    pool.run(_spec(lr=0.03))
    assert pool.last_builds == 0


def test_warm_up_builds_a_model_once_per_worker(pool):
    config = config_from_options(model="khop", hops=2, body_order=3, layers=2)
    spec = distinguish_spec({"case": "kchain-4"}, config, seeds=1, epochs=1)
    assert pool.warm_up([spec]) == [1]  # the spec's model: the config on the case's graph
    assert pool.warm_up([spec["model"]]) == [0]
    pool.run(spec)
    assert pool.last_builds == 0


def test_cancel_stops_the_job_and_the_worker_stays(pool):
    pid, starts = pool.pids[0], pool.starts
    cancel_at = time.monotonic() + 0.5
    with pytest.raises(jobs.Cancelled, match="stopped at step"):
        pool.run({"kind": SLOW, "steps": 400}, cancel=lambda: time.monotonic() > cancel_at)
    assert pool.run({"kind": SLOW, "steps": 2}) == {"steps": 2}
    assert (pool.pids[0], pool.starts) == (pid, starts)


def test_a_job_that_ignores_cancel_costs_its_worker_after_the_grace(pool):
    pid, starts, stuck = pool.pids[0], pool.starts, []
    with pytest.raises(jobs.Cancelled, match="did not stop"):
        pool.run({"kind": STUBBORN, "seconds": 60}, progress=lambda *step: stuck.append(step),
                 cancel=lambda: bool(stuck))
    assert pool.pids[0] != pid and pool.starts == starts + 1


@pytest.mark.slow  # tens of seconds on two cores: the default run stays under 10 minutes
def test_a_killed_worker_is_replaced(pool):
    assert pool.wait_ready(120)
    pid, starts = pool.pids[0], pool.starts
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert pool.run({"kind": SLOW, "steps": 1}) == {"steps": 1}
    assert pool.pids[0] != pid and pool.starts == starts + 1


def test_map_shares_jobs_and_yields_every_outcome(pool):
    specs = [{"kind": SLOW, "steps": n} for n in (1, 2, 3)]
    outcomes = dict((spec["steps"], outcome) for spec, outcome in pool.map(specs))
    assert outcomes == {n: {"steps": n} for n in (1, 2, 3)}


def test_warm_is_a_named_runner():
    assert isinstance(jobs.get_runner("warm"), jobs.WarmPoolRunner)
