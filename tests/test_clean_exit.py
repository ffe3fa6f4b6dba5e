"""Processes that ran the dashboard end cleanly: exit status 0, soon, nothing left behind.

A daemon thread still inside torch when the interpreter finalises aborts the
process (``terminate called without an active exception``, status 134); a
server stopped while its warm workers run would orphan them. These tests run
the real thing in fresh processes: every page through AppTest, and
``python -m ui.serve`` stopped by SIGTERM during its warm-up and during a live
run, each in a session of its own whose every process must be gone after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.apptest import ROOT
from tests.test_deploy import wait_healthy
from tools.dashboard_harness import free_port

EXIT_SECONDS = 10.0
"""A stopped or finished process must be gone, with all its children, within this."""

EVERY_PAGE = "from tests.apptest import run_every_page; run_every_page()"

SAY = """
import os

def say(line):
    with open(os.environ["NEWS"], "a") as news:
        print(line, file=news)
"""
"""The launchers' one way to give news: a line appended to the file ``$NEWS`` names."""

LIVE_RUN = SAY + """
import sys, threading, time
from eqgnn import jobs, live
from eqgnn.warmup import default_specs
from ui import serve

job = live.start_job({**default_specs()[0], "epochs": 99}, "clean-exit-test")  # not shipped

def tell():
    while job.done == 0 and job.state in ("queued", "running"):
        time.sleep(0.1)
    say("training" if job.done else job.state)

threading.Thread(target=tell, daemon=True).start()
sys.exit(serve.main())
"""
"""``ui.serve`` with a live run of the Gallery's default model going: "training" once
the run reports its first epoch from its warm worker."""

WARMING = SAY + """
import sys, threading, time
from ui import serve

def tell():
    while not (warm := [t for t in threading.enumerate()
                        if t.name == "eqgnn-warm-up" and t.is_alive()]):
        time.sleep(0.01)
    say("warming")
    warm[0].join()
    say("warm-up done" if warm[0].report else "warm-up stopped")

threading.Thread(target=tell, daemon=True).start()
sys.exit(serve.main())
"""
"""``ui.serve`` as started: "warming" once its warm-up thread runs, then "warm-up done"
if it finished, or "warm-up stopped" if the server's stop cut it short."""


def session_processes(session: int) -> list[int]:
    """The live (not zombie) processes of ``session``, read from ``/proc``: a child
    re-parented to init after its parent died is still counted."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat.rpartition(")")[2].split()  # after "pid (comm)": state, ppid, pgrp, sid
        if fields[0] != "Z" and int(fields[3]) == session:
            found.append(int(entry.name))
    return found


def start(code: str, tmp_path: Path, *options: str) -> subprocess.Popen:
    """``python -c code options...`` from the checkout, in a session of its own, with a
    private result store (a live run must train, not read a stored result); its output
    goes to files (no pipe to fill), its launcher's news to ``tmp_path / "news"``."""
    env = {**os.environ, "EQGNN_STORE": str(tmp_path / "results"), "PYTHONPATH": str(ROOT),
           "NEWS": str(tmp_path / "news")}
    with open(tmp_path / "stdout", "w") as out, open(tmp_path / "stderr", "w") as err:
        return subprocess.Popen([sys.executable, "-c", code, *options], cwd=ROOT, env=env,
                                stdout=out, stderr=err, start_new_session=True)


def news(tmp_path: Path) -> list[str]:
    """What the launcher has said so far, a line each."""
    path = tmp_path / "news"
    return path.read_text().splitlines() if path.exists() else []


def wait_for_news(process: subprocess.Popen, tmp_path: Path, timeout: float) -> str:
    """The launcher's first news, within ``timeout`` seconds (else the test fails)."""
    deadline = time.monotonic() + timeout
    while not news(tmp_path):
        if time.monotonic() > deadline or process.poll() is not None:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"no news from the process within {timeout:.0f} s")
        time.sleep(0.05)
    return news(tmp_path)[0]


def ended(process: subprocess.Popen, tmp_path: Path, timeout: float) -> tuple[int, float, str]:
    """(exit status, seconds it took, stderr) once ``process`` ends; a process still
    running after ``timeout`` is killed with its session and fails the test."""
    begun = time.monotonic()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"still running {timeout:.0f} s on")
    return process.returncode, time.monotonic() - begun, (tmp_path / "stderr").read_text()


def assert_nothing_left(session: int) -> None:
    """No process of ``session`` survives its leader (warm workers, job workers)."""
    deadline = time.monotonic() + EXIT_SECONDS
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if left:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind: {left}"


def every_page_run(tmp_path: Path) -> tuple[int, float, str]:
    """One fresh process runs every page through AppTest: (exit status, seconds, stderr);
    none of its processes may outlive it."""
    process = start(EVERY_PAGE, tmp_path)
    outcome = ended(process, tmp_path, timeout=300)
    assert_nothing_left(process.pid)
    return outcome


def test_a_process_that_ran_every_page_exits_0(tmp_path):
    status, seconds, err = every_page_run(tmp_path)
    assert status == 0, f"exit status {status} after {seconds:.1f} s: {err[-2000:]}"


@pytest.mark.slow
def test_twenty_processes_that_ran_every_page_all_exit_0(tmp_path):
    statuses = []
    for run in range(20):
        status, seconds, _ = every_page_run(tmp_path)
        statuses.append(status)
        print(f"run {run + 1}: exit status {status} in {seconds:.1f} s")
    assert statuses == [0] * 20


def stopped_by(number: signal.Signals, process: subprocess.Popen, tmp_path: Path) -> list[str]:
    """Signal ``process``: it exits 0 within :data:`EXIT_SECONDS`, its session empty;
    the launcher's news by then."""
    process.send_signal(number)
    status, seconds, err = ended(process, tmp_path, timeout=60)
    print(f"exit status {status}, {seconds:.1f} s after {number.name}")
    assert status == 0, f"exit status {status}: {err[-2000:]}"
    assert seconds < EXIT_SECONDS, f"took {seconds:.1f} s to exit"
    assert "Traceback" not in err, err[-2000:]
    assert_nothing_left(process.pid)
    return news(tmp_path)


def serve_options() -> list[str]:
    """``streamlit run`` options of a test server: a free local port, no browser."""
    return ["--server.port", str(free_port()), "--server.address", "127.0.0.1",
            "--server.headless", "true"]


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
@pytest.mark.parametrize("serving", [False, True], ids=["at-start", "once-serving"])
def test_a_signal_during_the_warm_up_stops_the_server_with_status_0(tmp_path, serving, number):
    """At start ui.serve's handler stops it; once Streamlit serves, Streamlit's does."""
    options = serve_options()
    process = start(WARMING, tmp_path, *options)
    assert wait_for_news(process, tmp_path, timeout=120) == "warming"
    if serving:
        assert wait_healthy(int(options[1]), lambda: process.poll() is None, timeout=120)
    assert stopped_by(number, process, tmp_path) == ["warming", "warm-up stopped"]


def test_sigterm_during_a_live_run_stops_the_server_with_status_0(tmp_path):
    options = serve_options()
    process = start(LIVE_RUN, tmp_path, *options)
    assert wait_healthy(int(options[1]), lambda: process.poll() is None, timeout=120) == b"ok"
    assert wait_for_news(process, tmp_path, timeout=240) == "training"
    assert len(session_processes(process.pid)) > 1  # its warm workers run
    stopped_by(signal.SIGTERM, process, tmp_path)
