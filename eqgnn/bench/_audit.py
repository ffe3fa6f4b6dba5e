"""``bench audit``: a model's whole card cold (a fresh store and ``--force``, past the
shipped cards: every model built, every cell run), then the same card again from the
store, each as a whole ``python -m eqgnn audit`` call."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time


def bench_audit(models: tuple[str, ...] = ("pyg:schnet",), seeds: int | None = None) -> dict:
    """Seconds per card, cold and stored, per model (Python start included)."""
    rows = []
    for model in models:
        with tempfile.TemporaryDirectory() as store:
            env = {**os.environ, "EQGNN_STORE": store}
            argv = [sys.executable, "-m", "eqgnn", "audit", model, "--json"]
            if seeds is not None:
                argv += ["--seeds", str(seeds)]
            timed = []
            for extra in (["--force"], []):
                start = time.perf_counter()
                subprocess.run(argv + extra, env=env, check=True, capture_output=True)
                timed.append(time.perf_counter() - start)
        rows.append({"model": model, "cold_s": timed[0], "stored_s": timed[1]})
    return {"rows": rows, "cores": os.cpu_count()}


def audit_table(result: dict) -> str:
    lines = [f"{'model':<16} {'cold card, s':>13} {'stored card, s':>15}"]
    lines += [f"{r['model']:<16} {r['cold_s']:>13.1f} {r['stored_s']:>15.2f}"
              for r in result["rows"]]
    return "\n".join(lines)
