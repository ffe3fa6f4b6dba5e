"""Sweeps: one distinguish job per cell of a grid, with the oracle's verdict beside each.

Default grids (the depth maps of the dashboard):

- ``khop``: hops 1-4 x layers 1-4, one panel per body order (2, 3);
- ``equivariant``: lmax 0-3 x layers 1-6, one panel per correlation (1, 2);
- ``correlation``: correlation 1-4 x layers 1-3 at lmax 2, for the body-order
  cases: a product of nu features at a node has body order nu + 1, so the
  Pozdnyakov pairs show the step from one correlation to the next;
- ``stars``: lmax 0-12 with one layer, equivariant readout (the orientation test).

Every cell is its own job spec, so the result store answers any cell already
run, by a sweep or by a single ``distinguish`` call with the same settings.
Sweeps train fewer seeds and epochs than a single verdict (``SWEEP_PROTOCOL``):
with the pair standardisation a sighted model learns in a few epochs.
"""

from __future__ import annotations

import csv
import io
import itertools

from eqgnn.config import ModelConfig, config_from_options
from eqgnn.errors import InputError
from eqgnn.jobs import Runner, cached_batch
from eqgnn.progress import Cancel, Progress

SWEEP_PROTOCOL = {"seeds": 5, "epochs": 30}
FAMILIES = {
    "khop": {"model": "khop", "panel": "body_order", "row": "hops", "col": "layers",
             "grid": {"body_order": [2, 3], "hops": [1, 2, 3, 4], "layers": [1, 2, 3, 4]}},
    "equivariant": {"model": "equivariant", "panel": "correlation", "row": "lmax",
                    "col": "layers",
                    "grid": {"correlation": [1, 2], "lmax": [0, 1, 2, 3],
                             "layers": [1, 2, 3, 4, 5, 6]}},
    "correlation": {"model": "equivariant", "panel": "lmax", "row": "correlation",
                    "col": "layers",
                    "grid": {"lmax": [2], "correlation": [1, 2, 3, 4], "layers": [1, 2, 3]}},
    "stars": {"model": "equivariant", "panel": "correlation", "row": "lmax", "col": "layers",
              "grid": {"correlation": [1], "lmax": list(range(13)), "layers": [1]},
              "fixed": {"readout": "equivariant"}},
}

def parse_grid(items: list[str] | None) -> dict[str, list[int]]:
    """``["hops=1-4", "layers=1,2,3"]`` -> {"hops": [1, 2, 3, 4], "layers": [1, 2, 3]}."""
    grid: dict[str, list[int]] = {}
    for item in items or []:
        key, sep, values = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not values:
            raise InputError(f"--grid {item!r}: write KEY=VALUES, e.g. hops=1-4 or lmax=0,1,2")
        out: list[int] = []
        try:
            for part in values.split(","):
                lo, dash, hi = part.partition("-")
                out.extend(range(int(lo), int(hi) + 1) if dash else [int(lo)])
        except ValueError:
            raise InputError(f"--grid {item!r}: values must be integers or ranges") from None
        grid[key] = out
    return grid


def sweep_cells(family: str, grid: dict[str, list[int]] | None = None,
                base: dict | None = None) -> list[ModelConfig]:
    """The model configs of a sweep: the family's default grid, overridden by ``grid``."""
    if family not in FAMILIES:
        raise InputError(f"sweep family {family!r}: choose one of {', '.join(FAMILIES)}")
    spec = FAMILIES[family]
    axes = {**spec["grid"], **(grid or {})}
    unknown = set(axes) - set(spec["grid"])
    if unknown:
        raise InputError(f"--grid: {family} sweeps vary {', '.join(spec['grid'])}, "
                         f"not {', '.join(sorted(unknown))}")
    fixed = {**spec.get("fixed", {}), **(base or {}), "model": spec["model"]}
    names = list(axes)
    return [config_from_options(**fixed, **dict(zip(names, values)))
            for values in itertools.product(*(axes[n] for n in names))]


def default_family(case_kind: str | None) -> list[str]:
    """The families a case's depth map shows: stars get the lmax sweep, body-order
    pairs the correlation sweep too."""
    if case_kind == "star":
        return ["stars"]
    if case_kind == "body-order":
        return ["khop", "equivariant", "correlation"]
    return ["khop", "equivariant"]


def run_sweep(
    pair: dict,
    family: str,
    grid: dict[str, list[int]] | None = None,
    base: dict | None = None,
    protocol: dict | None = None,
    store=None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    runner: Runner | None = None,
) -> dict:
    """Run (or read from the store) every cell; a JSON-able table with theory per cell.

    Missing cells go to ``runner`` (an :class:`eqgnn.jobs.Runner`; default
    :func:`eqgnn.jobs.get_runner`: in this process unless ``$EQGNN_RUNNER`` or
    ``$EQGNN_BACKEND`` says otherwise) as one batch, so a pool or a cluster runs
    them side by side; each is stored as it comes back, so a cancelled sweep
    keeps its finished cells. ``progress`` counts cells, stored ones first.
    """
    from eqgnn.specs import distinguish_spec

    options = {**SWEEP_PROTOCOL, **(protocol or {})}
    specs = [distinguish_spec(pair, config, **options)
             for config in sweep_cells(family, grid, base)]
    layout = FAMILIES[family]

    def label(spec: dict) -> str:
        model = spec["model"]
        return f"{layout['row']} {model[layout['row']]}, {layout['col']} {model[layout['col']]}"

    outcomes = cached_batch(specs, store, runner, force, progress, cancel, label)
    cells = [_cell(layout, spec["model"], result, from_store)
             for spec, (result, from_store) in zip(specs, outcomes)]
    return {"pair": pair, "family": family, "panel": layout["panel"], "row": layout["row"],
            "col": layout["col"], "protocol": options, "cells": cells}


def _cell(layout: dict, model: dict, result: dict, from_store: bool) -> dict:
    """One cell of the table: where it sits, the verdict and the theory beside it."""
    return {
        "panel": model[layout["panel"]], "row": model[layout["row"]],
        "col": model[layout["col"]], "model": model,
        "verdict": result["verdict"], "accuracy": result["accuracy"],
        "embedding_gap": result["embedding_gap"], "noise_floor": result["noise_floor"],
        "theory": result["theory"], "seconds": result["seconds"], "from_store": from_store,
    }


def sweep_csv(table: dict) -> str:
    """The table as CSV: one line per cell, the noise floor beside the gap, theory beside
    the verdict (``theory_allows`` empty where theory does not decide)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table["panel"], table["row"], table["col"], "verdict", "accuracy",
                     "embedding_gap", "noise_floor", "theory_allows", "theory_test"])
    for c in table["cells"]:
        allows = c["theory"]["allows"]
        writer.writerow([c["panel"], c["row"], c["col"], c["verdict"], f"{c['accuracy']:.3f}",
                         f"{c['embedding_gap']:.3e}", f"{c['noise_floor']:.3e}",
                         "" if allows is None else allows, c["theory"]["test"]])
    return out.getvalue()


def with_dim(base: dict | None, dim: int | None) -> dict:
    """Fix the total feature dimension D of every equivariant cell (Claim 3 sweeps)."""
    return {**(base or {}), **({"dim": dim} if dim is not None else {})}

