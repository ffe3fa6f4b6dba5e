"""The Ray backend: a one-machine cluster started and stopped here (2 CPUs, this host).

A sweep on Ray must equal the in-process one bit for bit (every field but the
wall time), a job whose worker is killed is retried to completion, and a
cancel stops a running sweep with only whole results stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from eqgnn.config import config_from_options
from eqgnn.errors import InputError
from eqgnn.jobs import Cancelled, InProcessRunner, RayRunner, get_runner, register_job
from eqgnn.store import ResultStore
from eqgnn.sweep import run_sweep
from tests.fake_jobs import attempt_job, stepping_job

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install ray)")

GRID = {"body_order": [3], "hops": [1, 2], "layers": [1, 2]}
PROTOCOL = {"seeds": 2, "epochs": 3}


@pytest.fixture(scope="module")
def cluster():
    """A Ray head in this process on 2 CPUs; shut down after the module."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=100 * 2**20, _node_ip_address="127.0.0.1")
    register_job("steps", stepping_job)
    register_job("attempt", attempt_job)
    yield RayRunner()
    ray.shutdown()


def without_time(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "seconds"}


def test_a_sweep_on_ray_equals_the_in_process_sweep_bit_for_bit(cluster, tmp_path):
    here = ResultStore(tmp_path / "here", shipped=None)
    there = ResultStore(tmp_path / "ray", shipped=None)
    local = run_sweep({"case": "kchain-4"}, "khop", GRID, protocol=PROTOCOL, store=here,
                      runner=InProcessRunner())
    remote = run_sweep({"case": "kchain-4"}, "khop", GRID, protocol=PROTOCOL, store=there,
                       runner=cluster)
    assert len(remote["cells"]) == 4
    assert [without_time(c) for c in remote["cells"]] == [without_time(c) for c in local["cells"]]
    for (spec, result), (_, other) in zip(sorted(here.records("distinguish"), key=str),
                                          sorted(there.records("distinguish"), key=str)):
        assert without_time(other) == without_time(result), spec["model"]
        assert other["device"] == "cpu"


def test_a_jobs_progress_streams_back_in_order(cluster):
    steps = []
    result = cluster.run({"kind": "steps", "steps": 4}, progress=lambda *a: steps.append(a))
    assert result == {"steps": 4}
    assert steps == [(n, 4, f"step {n}") for n in range(1, 5)]


def test_a_jobs_error_comes_back_as_its_one_line(cluster):
    spec = {"kind": "distinguish", "pair": {"case": "nonesuch"},
            "model": config_from_options("schnet").to_dict()}
    with pytest.raises(InputError) as raised:
        cluster.run(spec)
    with pytest.raises(InputError) as here:
        InProcessRunner().run(spec)
    assert str(raised.value) == str(here.value).splitlines()[0]


def test_a_job_whose_worker_is_killed_is_retried_and_completes(cluster, tmp_path):
    pid_file = tmp_path / "pids"
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(
        cluster.run({"kind": "attempt", "pid_file": str(pid_file)})))
    thread.start()
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text().strip()):
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.1)
    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)
    thread.join(timeout=90)
    assert not thread.is_alive()
    assert outcome == {"attempts": 2}


def test_cancel_stops_a_running_sweep_and_leaves_only_whole_results(cluster, tmp_path):
    store = ResultStore(tmp_path / "store", shipped=None)
    finished = []

    def progress(done, total, message):
        if message != "stored already":
            finished.append(done)

    grid = {"body_order": [3], "hops": [1, 2, 3], "layers": [1, 2, 3]}
    with pytest.raises(Cancelled):
        run_sweep({"case": "kchain-4"}, "khop", grid, protocol=PROTOCOL, store=store,
                  runner=cluster, progress=progress, cancel=lambda: len(finished) >= 2)
    kept = store.records("distinguish")
    assert 2 <= len(kept) < 9
    assert not list((tmp_path / "store").glob(".*.tmp")) and not store.problems
    again = run_sweep({"case": "kchain-4"}, "khop", grid, protocol=PROTOCOL, store=store,
                      runner=cluster)
    assert sum(cell["from_store"] for cell in again["cells"]) == len(kept)



def test_a_live_run_goes_to_ray_under_the_ray_backend(cluster, tmp_path, monkeypatch):
    """The dashboard's live runs: same job objects, same store, the cluster's workers."""
    from eqgnn import live

    monkeypatch.setenv("EQGNN_BACKEND", "ray")
    assert isinstance(live.live_runner(), RayRunner)
    store = ResultStore(tmp_path / "store", shipped=None)
    spec = {"kind": "steps", "steps": 5, "pause": 0.05}
    job = live.start_job(spec, "visitor", store, job_gate=live.JobGate(1))
    job.join(timeout=120)
    assert job.state == live.DONE and store.get(spec) == {"steps": 5}
    assert job.snapshot()["done"] == 5

def test_the_ray_backend_is_chosen_by_the_environment(monkeypatch):
    monkeypatch.delenv("EQGNN_RUNNER", raising=False)
    monkeypatch.setenv("EQGNN_BACKEND", "ray")
    assert isinstance(get_runner(), RayRunner)
    monkeypatch.setenv("EQGNN_BACKEND", "local")
    assert isinstance(get_runner(), InProcessRunner)
    monkeypatch.setenv("EQGNN_BACKEND", "slurm")
    with pytest.raises(InputError, match="unknown backend 'slurm'"):
        get_runner()


def test_an_address_without_the_ray_backend_is_one_line():
    done = subprocess.run([sys.executable, "-m", "eqgnn", "sweep", "--case", "kchain-4",
                           "--address", "127.0.0.1:6379"], capture_output=True, text=True,
                          env={**os.environ, "EQGNN_BACKEND": "local"}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --address names a Ray cluster: give it with --backend ray"]


@pytest.mark.slow
def test_cluster_up_runs_the_cli_sweep_on_a_loopback_head_and_down_stops_it(tmp_path):
    """The documented path: ``eqgnn cluster up``, a sweep with ``--backend ray``, ``down``."""
    port = 6400 + os.getpid() % 500
    env = {**os.environ, "EQGNN_STORE": str(tmp_path / "store")}
    cli = [sys.executable, "-m", "eqgnn"]
    sweep = [*cli, "sweep", "--case", "kchain-4", "--family", "khop", "--grid", "hops=1,2",
             "--grid", "layers=1", "--seeds", "2", "--epochs", "3", "--force", "--json"]
    up = subprocess.run([*cli, "cluster", "up", "--port", str(port), "--num-cpus", "2",
                         "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert up.returncode == 0, up.stderr
    address = json.loads(up.stdout)["address"]
    try:
        remote = subprocess.run([*sweep, "--backend", "ray", "--address", address],
                                capture_output=True, text=True, env=env, timeout=600)
        status = subprocess.run([*cli, "cluster", "status", "--address", address, "--json"],
                                capture_output=True, text=True, env=env, timeout=120)
    finally:
        down = subprocess.run([*cli, "cluster", "down"], capture_output=True, text=True,
                              timeout=120)
    assert remote.returncode == 0, remote.stderr
    assert json.loads(status.stdout)["cpus"] == 2
    local = subprocess.run(sweep, capture_output=True, text=True, env=env, timeout=600)
    cells = [[without_time(c) for c in t["cells"]] for t in json.loads(local.stdout)["tables"]]
    assert [[without_time(c) for c in t["cells"]]
            for t in json.loads(remote.stdout)["tables"]] == cells
    assert down.returncode == 0


@pytest.mark.slow
def test_bench_backend_reports_every_backend_and_identical_results():
    done = subprocess.run([sys.executable, "-m", "eqgnn", "bench", "backend", "--seeds", "1",
                           "--epochs", "1", "--json"], capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)["backends"]
    assert [r["backend"] for r in records] == ["local", "pool", "ray"]
    assert all(r["jobs"] == 48 and r["seconds_per_job"] > 0 for r in records)
    assert all(r["identical"] for r in records)
