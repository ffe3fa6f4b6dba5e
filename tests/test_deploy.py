"""The container recipe: a public-mode server as a non-root user that answers its health check.

Where containers can run, the slow test builds the image and asks its health check. Where
they cannot (no registry to pull the base image from, no cgroups for a runtime), it runs
the image's own steps instead, read from the Dockerfile: a fresh copy of the checkout,
``setup.sh`` into a fresh virtual environment, the image's ``ENV`` and ``CMD``, and the
health check's URL.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tools.dashboard_harness import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    rows = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in rows if line and not line.startswith("#")]


def instruction(name: str) -> list[str]:
    return [value for key, value in instructions() if key == name]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for value in instruction("ENV"):
        for pair in shlex.split(value):
            key, _, val = pair.partition("=")
            env[key] = val
    return env


def image_command() -> list[str]:
    (command,) = instruction("CMD")
    return json.loads(command)


def test_the_image_is_public_mode_as_a_non_root_user_with_a_health_check():
    assert instruction("FROM") == ["${BASE}"] and "BASE=python:3.11-slim" in instruction("ARG")
    assert instruction("USER") == ["eqgnn"]
    assert image_env()["EQGNN_PUBLIC"] == "1"
    (health,) = instruction("HEALTHCHECK")
    assert "/_stcore/health" in health
    command = image_command()
    assert command[1:3] == ["-m", "ui.serve"]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert any("setup.sh" in run for run in instruction("RUN"))


def container_tool() -> tuple[str | None, str | None]:
    """The container tool that can build and run the image here, or why there is none."""
    tool = shutil.which("podman") or shutil.which("docker")
    if tool is None:
        return None, "neither podman nor docker is installed"
    probe = subprocess.run([tool, "pull", "python:3.11-slim"], capture_output=True, text=True,
                           timeout=120, check=False)
    if probe.returncode:
        return None, f"{tool} pull python:3.11-slim: {probe.stderr.strip().splitlines()[-1]}"
    return tool, None


def wait_healthy(port: int, alive, timeout: float = 240) -> bytes:
    """The health endpoint's answer once it answers; ``alive()`` false means it never will."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert alive(), "the server exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                        timeout=4) as reply:
                return reply.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise AssertionError(f"no health answer on port {port} after {timeout:.0f} s")


@pytest.mark.slow
def test_the_image_builds_and_answers_its_health_check(tmp_path):
    tool, blocker = container_tool()
    if tool is None:
        image_steps_serve_a_healthy_public_server(tmp_path, blocker)
        return
    subprocess.run([tool, "build", "-t", "eqgnn-test", str(ROOT)], check=True, timeout=3600)
    port = free_port()
    container = subprocess.run([tool, "run", "-d", "--rm", "-p", f"{port}:8501", "eqgnn-test"],
                               capture_output=True, text=True, check=True).stdout.strip()
    try:
        assert wait_healthy(port, lambda: True) == b"ok"
    finally:
        subprocess.run([tool, "stop", container], check=False, timeout=60)


def image_steps_serve_a_healthy_public_server(tmp_path: Path, blocker: str) -> None:
    """The Dockerfile's steps without a container: a fresh copy, setup.sh, ENV and CMD."""
    app = tmp_path / "app"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, app / name)
    subprocess.run(["./setup.sh"], cwd=app, check=True, timeout=1200)
    port = free_port()
    command = image_command()
    command[command.index("--server.port") + 1] = str(port)
    command[command.index("--server.address") + 1] = "127.0.0.1"
    env = {**os.environ, **image_env(), "EQGNN_STORE": str(tmp_path / "results")}
    started = time.monotonic()
    server = subprocess.Popen(command, cwd=app, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        assert wait_healthy(port, lambda: server.poll() is None) == b"ok"
        print(f"containers cannot run here ({blocker}); the image's steps served a healthy "
              f"server {time.monotonic() - started:.1f} s after start")
        limits = subprocess.run([str(app / ".venv/bin/python"), "-m", "eqgnn", "limits",
                                 "--json"], cwd=app, env=env, capture_output=True, text=True,
                                check=True)
        assert json.loads(limits.stdout)["mode"] == "public"
    finally:
        server.terminate()
        server.wait(30)
