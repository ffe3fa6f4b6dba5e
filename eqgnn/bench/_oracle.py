"""Speed of the oracle as a user meets it: one CLI call per pair, Python start included.

Pairs are torsion twins of linear alkanes of about 10, 30 and 100 atoms (a
central C-C bond turned by 120°), written as JSON graphs so loading costs
what a user's JSON or ``--case`` input costs; each is compared at hops 1-3
at every body order. Every cell is the median of ``repeats`` runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eqgnn.progress import Progress

SIZES = {11: 3, 29: 9, 101: 33}  # atoms -> carbons of the alkane C_nH_2n+2
HOPS = (1, 2, 3)
BODY_ORDERS = ("2", "3", "full")


def _write_twins(folder: Path) -> dict[int, tuple[str, str]]:
    from eqgnn.io import load_structure, write_structure
    from eqgnn.transforms import torsion

    pairs = {}
    for atoms, carbons in SIZES.items():
        anti = load_structure("smiles:" + "C" * carbons)
        middle = carbons // 2
        twin = torsion(anti, middle - 1, middle, 120.0) if carbons > 3 else torsion(
            anti, 0, 1, 37.0)
        a, b = folder / f"alkane{atoms}_a.json", folder / f"alkane{atoms}_b.json"
        write_structure(anti, str(a))
        write_structure(twin, str(b))
        pairs[len(anti)] = (str(a), str(b))
    return pairs


def _time(argv: list[str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bench_oracle(
    repeats: int = 3, progress: Progress | None = None
) -> dict:
    """Median wall seconds per CLI call for each size, hops and body order (JSON-able)."""
    cli = [sys.executable, "-m", "eqgnn", "oracle"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pairs = _write_twins(Path(tmp))
        jobs = [(n, k, order) for n in pairs for k in HOPS for order in BODY_ORDERS]
        jobs.append(("case", 1, "full"))
        for done, (n, k, order) in enumerate(jobs, 1):
            inputs = ["--case", "butane-torsion"] if n == "case" else list(pairs[n])
            seconds = _time(cli + inputs + ["--hops", str(k), "--body-order", order, "--json"],
                            repeats)
            rows.append({"atoms": n, "hops": k, "body_order": order, "seconds": seconds})
            if progress:
                progress(done, len(jobs), f"{n} atoms, {k} hops, body order {order}")
    baseline = _time([sys.executable, "-c", "pass"], repeats)
    return {"repeats": repeats, "python_start_seconds": baseline, "rows": rows}


def oracle_table(result: dict) -> str:
    """Seconds per pair: one row per size and body order, one column per hops."""
    lines = [f"median wall seconds per `python -m eqgnn oracle` call ({result['repeats']} runs; "
             f"bare Python start {result['python_start_seconds']:.2f} s)",
             f"{'pair':<22}{'body order':<12}" + "".join(f"{k} hop{'s' * (k > 1):<6}"
                                                         for k in HOPS)]
    cells: dict[tuple, dict[int, float]] = {}
    for row in result["rows"]:
        label = "--case butane-torsion" if row["atoms"] == "case" else f"{row['atoms']} atoms"
        cells.setdefault((label, row["body_order"]), {})[row["hops"]] = row["seconds"]
    for (label, order), by_hops in cells.items():
        lines.append(f"{label:<22}{order:<12}" + "".join(
            f"{by_hops[k]:<11.2f}" if k in by_hops else f"{'':<11}" for k in HOPS))
    return "\n".join(lines)
