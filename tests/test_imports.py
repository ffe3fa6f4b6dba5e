"""The library stays headless and light: nothing under ``eqgnn/`` imports the dashboard's
or the browser's packages, and the commands that need no model load no torch (STYLE.md,
habit 7: ``python -m eqgnn oracle`` must not load torch)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "eqgnn"
NOT_IN_THE_LIBRARY = {"streamlit", "plotly", "playwright"}
"""The dashboard's packages (it runs from the checkout: app.py, app_pages/, ui/) and the
browser harness's (tools/): the installed library never needs them."""

LIGHT_COMMANDS = [
    ["oracle", "--case", "kchain-4", "--hops", "3"],
    ["cases"],
    ["--help"],
]
"""Commands that compute with numpy and scipy only; torch would add seconds to each."""
LIGHT_PACKAGES = ["eqgnn", "eqgnn.io", "eqgnn.oracle", "eqgnn.gallery", "eqgnn.frames",
                  "eqgnn.lsweep", "eqgnn.bench", "eqgnn.cli"]
"""Packages whose import must stay cheap: their heavy parts import torch when called."""


def imported_roots(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports, at any depth of its code."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_library_imports_no_dashboard_or_browser_package():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & NOT_IN_THE_LIBRARY)
        for path in sorted(LIBRARY.rglob("*.py"))
        if imported_roots(path) & NOT_IN_THE_LIBRARY
    }
    assert offenders == {}, "dashboard code belongs in ui/ or app_pages/, a browser's in tools/"


def modules_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter from the checkout; it prints a JSON line last."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", LIGHT_COMMANDS, ids=" ".join)
def test_light_command_through_the_eqgnn_entry_loads_no_torch(argv):
    # the console script ``eqgnn`` is ``eqgnn.cli:main``: the same call, in a fresh process
    code = f"""
import contextlib, io, json, sys
from eqgnn.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main({argv!r})
    except SystemExit as exit:
        code = exit.code
print(json.dumps({{"code": code, "torch": "torch" in sys.modules}}))
"""
    assert modules_after(code) == {"code": 0, "torch": False}


@pytest.mark.parametrize("argv", LIGHT_COMMANDS, ids=" ".join)
def test_light_command_through_python_m_eqgnn_loads_no_torch(argv):
    # -X importtime lists every module the real ``python -m eqgnn`` imports, on stderr
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "eqgnn", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "eqgnn.cli" in imported
    assert "torch" not in imported


@pytest.mark.parametrize("package", LIGHT_PACKAGES)
def test_importing_a_light_package_loads_no_torch(package):
    code = f"import json, sys, {package}; print(json.dumps('torch' in sys.modules))"
    assert modules_after(code) is False
