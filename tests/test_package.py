"""The package as a user installs it: ``pip install .`` gives the whole library, its shipped
data and the ``eqgnn`` command, and nothing of the dashboard.

The wheel is built from a copy of the build's inputs (so no ``build/`` or
``*.egg-info`` lands in the checkout and no stale build output reaches the
wheel), offline (``--no-build-isolation --no-index``), and installed with
``--no-deps`` into a fresh virtual environment outside the checkout. That
environment gets the project's dependencies through a ``.pth`` file naming
this interpreter's site-packages, so nothing is downloaded; the commands
then run from a temporary folder, where the checkout is not importable.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "eqgnn", "data")
"""What building the wheel reads; copied to a temporary folder first."""
SHIPPED_DATA = ("data/cases", "data/lesson.json", "data/qm9_subset.extxyz", "data/results")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("setuptools") is None,
    reason="building the wheel offline needs setuptools (./setup.sh --dev)",
)


def run(argv: list[str], cwd: Path, timeout: float = 120, **env: str):
    """``argv`` in ``cwd`` with no PYTHONPATH (the checkout must not leak in); output kept."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**clean, "PIP_DISABLE_PIP_VERSION_CHECK": "1", **env})


def checkout_files(folder: str) -> set[str]:
    """Files under ``folder`` of the checkout, relative to the root, without bytecode."""
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel ``pip wheel`` builds from the checkout's build inputs."""
    src = tmp_path_factory.mktemp("src")
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "--no-index", "-q", "-w", str(dist), str(src)], cwd=src, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = dist.glob("eqgnn-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_bin(tmp_path_factory, wheel) -> Path:
    """``bin/`` of a new venv with the wheel installed; dependencies via a ``.pth`` file."""
    env = tmp_path_factory.mktemp("env") / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               cwd=env).stdout.strip()
    Path(site, "eqgnn-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                "--no-index", "-q", str(wheel)], cwd=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return env / "bin"


@pytest.fixture
def elsewhere(tmp_path) -> dict[str, str]:
    """A private cache and home, as env overrides for :func:`run` (cwd: ``tmp_path``)."""
    return {"EQGNN_CACHE": str(tmp_path / "cache"), "HOME": str(tmp_path)}


def test_wheel_holds_every_module_and_the_shipped_data_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    code = {n for n in checkout_files("eqgnn") if n.endswith(".py")}
    assert code - names == set(), "modules missing from the wheel (a package without __init__?)"
    data = {"eqgnn/" + n for n in checkout_files("data")}
    assert data - names == set(), "shipped data missing from eqgnn/data in the wheel"
    for path in SHIPPED_DATA:
        assert any(n.startswith("eqgnn/" + path) for n in names), path
    top = {n.split("/")[0] for n in names}
    assert top == {"eqgnn", wheel.name.split("-py")[0] + ".dist-info"}, "only eqgnn is installed"


def test_wheel_declares_the_eqgnn_command_and_the_dependencies(wheel):
    with zipfile.ZipFile(wheel) as z:
        info = wheel.name.split("-py")[0] + ".dist-info"
        entry_points = z.read(f"{info}/entry_points.txt").decode()
        metadata = z.read(f"{info}/METADATA").decode()
    assert "eqgnn = eqgnn.cli:main" in entry_points
    required = {re.match(r"Requires-Dist: *([\w.-]+)", line).group(1)
                for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line}
    pinned = {line.split("==")[0] for line in (ROOT / "requirements.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    assert required <= pinned, "every dependency is pinned in requirements.txt"
    assert {"torch", "e3nn", "numpy", "scipy", "ase", "rdkit"} <= required


def test_installed_library_reads_its_data_from_the_wheel_not_the_checkout(fresh_bin, tmp_path,
                                                                          elsewhere):
    code = ("import eqgnn, eqgnn.paths as p; print(eqgnn.__file__); print(p.DATA_DIR); "
            "print(len(list(p.CASES_DIR.glob('*.json'))))")
    done = run([str(fresh_bin / "python"), "-c", code], cwd=tmp_path, **elsewhere)
    assert done.returncode == 0, done.stderr
    module, data, cases = done.stdout.split("\n")[:3]
    env_root = fresh_bin.parent
    assert Path(module).is_relative_to(env_root) and Path(data).is_relative_to(env_root)
    assert Path(data).name == "data" and Path(data).parent.name == "eqgnn"
    assert int(cases) == len(list((ROOT / "data" / "cases").glob("*.json")))
    assert run([str(fresh_bin / "python"), "-c", "import ui"], cwd=tmp_path).returncode != 0


def test_eqgnn_command_runs_info_cases_and_the_oracle_outside_the_checkout(fresh_bin, tmp_path,
                                                                           elsewhere):
    eqgnn = str(fresh_bin / "eqgnn")
    info = run([eqgnn, "info"], cwd=tmp_path, **elsewhere)
    assert info.returncode == 0, info.stderr
    assert info.stdout.startswith("eqgnn ")
    cases = run([eqgnn, "cases"], cwd=tmp_path, **elsewhere)
    assert cases.returncode == 0, cases.stderr
    assert "kchain-4" in cases.stdout and "butane-torsion" in cases.stdout
    argv = ["oracle", "--case", "kchain-4", "--hops", "3", "--json"]
    installed = run([eqgnn, *argv], cwd=tmp_path, **elsewhere)
    assert installed.returncode == 0, installed.stderr
    in_checkout = run([sys.executable, "-m", "eqgnn", *argv], cwd=ROOT, **elsewhere)
    assert json.loads(installed.stdout) == json.loads(in_checkout.stdout)


def test_dashboard_bench_outside_a_checkout_says_so_in_one_line(fresh_bin, tmp_path, elsewhere):
    done = run([str(fresh_bin / "eqgnn"), "bench", "dashboard"], cwd=tmp_path, **elsewhere)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "checkout" in done.stderr
