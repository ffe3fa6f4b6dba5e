"""The Steerable features page's numbers (SCIENCE.md, Claim 3): what a type can see on
symmetric stars, and the fixed-dimension L sweep's tables read in plain words.

Everything here reads the oracle (numpy) and the result store; nothing trains.
:func:`steerable_report` gathers the page's panels (``python -m eqgnn report steerable``).
"""

from __future__ import annotations

from eqgnn.config import MAX_LMAX
from eqgnn.gallery import case_names, load_case, theory

NOT_COMPUTED = "not computed"
LAB_MOLECULE = "smiles:OCC(N)C=O"
"""The Lemma lab's first molecule: no symmetry, so every type carries 2l + 1 numbers."""
LAB_LMAX = 2
LIVE_SWEEP = {"task": "twist", "lmax": [0, 1], "dim": 32, "train": 40, "val": 10, "test": 20,
              "epochs": 8, "seeds": 2, "layers": 3}
"""The page's live run: the twist task small enough for about a minute on two cores."""


def type_grid(store) -> dict:
    """For every listed star and pyramid, and every lmax 0..12: does a type up to lmax see
    the orientation (the oracle), and what did the one-layer model do (stored cells of the
    ``stars`` sweep, equivariant readout)?

    ``cells``: case, fold, lmax, ``theory_sees``, ``verdict`` (or ``not computed``),
    ``accuracy``; ``cases``: the case names in gallery order.
    """
    from eqgnn.reports._depth import depth_specs

    names = [name for name in case_names() if load_case(name).kind == "star"]
    cells = []
    for name in names:
        case = load_case(name)
        sees = theory(case)["orientation"]
        fold = int(name.rsplit("-", 1)[1])
        for spec in depth_specs(name, "stars"):
            lmax = spec["model"]["lmax"]
            result = store.get(spec)
            cells.append({
                "case": name, "fold": fold, "lmax": lmax,
                "theory_sees": any(sees[str(l)] for l in range(lmax + 1)),
                "verdict": NOT_COMPUTED if result is None else result["verdict"],
                "accuracy": None if result is None else result["accuracy"],
            })
    return {"cases": names, "lmax": list(range(MAX_LMAX + 1)), "cells": cells}


def type_table(grid: dict) -> list[dict]:
    """The grid as rows (one per case) of ``theory / model`` marks per lmax, for a table.

    A mark reads ``✓`` (sees / distinguished), ``✗`` (blind), ``·`` (not computed).
    """
    marks = {"distinguished": "✓", "blind": "✗", "sighted, not learned": "~",
             NOT_COMPUTED: "·"}
    rows: dict[str, dict] = {}
    for cell in grid["cells"]:
        row = rows.setdefault(cell["case"], {"case": cell["case"]})
        row[f"lmax {cell['lmax']}"] = (f"{'✓' if cell['theory_sees'] else '✗'} / "
                                       f"{marks[cell['verdict']]}")
    return list(rows.values())


def lsweep_tables(records: list[dict]) -> dict[str, list[dict]]:
    """L-sweep records grouped per task and series, one row per run, lmax ascending."""
    tables: dict[str, list[dict]] = {}
    for r in sorted(records, key=lambda r: (*_group(r), r["hidden_dim"], r["lmax"])):
        row = {"lmax": r["lmax"], "hidden irreps": r["hidden_irreps"], "dim": r["hidden_dim"],
               "params": r["params"],
               f"test MAE ({r['units']})": f"{r['test_mae']:.4f} ± {r['test_mae_std']:.4f}"}
        if "within_family_mae" in r:
            row["within-family MAE"] = (f"{r['within_family_mae']:.4f} ± "
                                        f"{r['within_family_mae_std']:.4f}")
            row["floor (family mean)"] = f"{r['within_family_floor']:.4f}"
        row["s/epoch"] = round(r["seconds_per_epoch"], 2)
        tables.setdefault(", ".join(_group(r)), []).append(row)
    return tables


def runs_of(records: list[dict], table_name: str) -> list[dict]:
    """The runs behind one of :func:`lsweep_tables`' tables."""
    return [r for r in records if ", ".join(_group(r)) == table_name]


def _group(record: dict) -> tuple[str, str]:
    """(task, series) of a run; a fixed dimension names how it was divided among types."""
    allocation = record.get("allocation", "share")
    way = "equal share per type" if allocation == "share" else "equal channels per type"
    series = (f"fixed dimension ({way})" if record["series"] == "fixed"
              else "growing dimension (equal channels per type)")
    return record["task"], series


def lsweep_reading(records: list[dict]) -> list[str]:
    """One plain sentence per task and series: what the numbers say about Claim 3.

    Compares the steerable runs (lmax >= 1) with each other and with lmax 0,
    counting a difference only when it exceeds both runs' seed spreads; on the
    twist task it also says where lmax 0 sits against the within-family floor.
    """
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(_group(r), []).append(r)
    sentences = []
    for (task, series), runs in sorted(groups.items()):
        runs.sort(key=lambda r: r["lmax"])
        key = "within_family_mae" if task == "twist" else "test_mae"
        spread = "within_family_mae_std" if task == "twist" else "test_mae_std"
        steerable = [r for r in runs if r["lmax"] >= 1]
        text = f"{task}, {series}: "
        if len(steerable) >= 2:
            best = min(steerable, key=lambda r: r[key])
            worst = max(steerable, key=lambda r: r[key])
            gap = worst[key] - best[key]
            noise = worst[spread] + best[spread]
            relative = gap / best[key] if best[key] else 0.0
            verdict = ("within the seeds' spread: no essential gain from higher types"
                       if gap <= noise else
                       f"lmax {best['lmax']} is best by {relative:.0%} over lmax {worst['lmax']}")
            text += (f"among lmax >= 1 the MAE ranges {best[key]:.4f}-{worst[key]:.4f}, "
                     f"{verdict}.")
        else:
            text += f"only lmax {', '.join(str(r['lmax']) for r in runs)} computed so far."
        zero = next((r for r in runs if r["lmax"] == 0), None)
        if zero is not None and task == "twist":
            text += (f" lmax 0 sits at {zero[key]:.4f} against the floor "
                     f"{zero['within_family_floor']:.4f} (it cannot see a twist).")
        elif zero is not None and steerable:
            text += f" lmax 0 (the invariant baseline): {zero[key]:.4f}."
        sentences.append(text)
    return sentences


def turned(structure, angles_deg: tuple[float, float, float]):
    """``structure`` turned about its centroid by ``angles_deg`` about x, then y, then z."""
    import numpy as np

    from eqgnn.transforms import axis_rotation, rotate

    rotation = np.eye(3)
    for axis, angle in zip(np.eye(3), angles_deg):
        rotation = axis_rotation(axis, np.deg2rad(angle)) @ rotation
    return rotate(structure, rotation, centre=structure.positions.mean(axis=0))


def lemma_lab(structure, angles_deg: tuple[float, float, float], lmax: int = 2,
              group: str = "O3", model=None) -> dict:
    """f and lambda of ``structure`` and of it turned by ``angles_deg``, with the report.

    ``report``: :func:`eqgnn.frames.frame_report` without the model part;
    where the frame is unique also ``f``, ``f_turned``, ``lambda``,
    ``lambda_turned``, ``lambda_change`` (largest |lambda(RX) - lambda(X)|),
    ``irreps`` and ``converter`` (the full report's round trip).
    """
    import numpy as np

    from eqgnn.frames import frame_report, invariant_lambda, steerable_model

    report = frame_report(structure, lmax=lmax, group=group, with_model=False)
    out = {"report": report, "types": free_component_rows(report)}
    if not report["frame"]["unique"]:
        return out
    model = model if model is not None else steerable_model(lmax, group)
    lambdas, feats, _ = invariant_lambda(model, [structure, turned(structure, angles_deg)],
                                         group)
    out.update(f=feats[0].tolist(), f_turned=feats[1].tolist(), irreps=str(
        model.irreps_node_features), **{"lambda": lambdas[0].tolist(),
                                        "lambda_turned": lambdas[1].tolist()},
               lambda_change=float(np.max(np.abs(lambdas[1] - lambdas[0]))))
    return out


def free_component_rows(report: dict) -> list[dict]:
    """One row per type: its dimension, how many numbers it can carry here, and why not all."""
    name = report["stabiliser"]["schoenflies"]
    rows = []
    for key, free in report["free_components"].items():
        dim = 2 * int(key.rstrip("eo")) + 1
        why = ("all of them: only the identity maps the molecule onto itself" if free == dim
               else f"the symmetry {name} forces {dim - free} of {dim} components to zero")
        rows.append({"type": key, "dimension": dim, "free components": free, "why": why})
    return rows


def live_specs() -> list[dict]:
    """The job specs of the page's live run (:data:`LIVE_SWEEP`)."""
    from eqgnn.lsweep import lsweep_specs

    options = dict(LIVE_SWEEP)
    return lsweep_specs(options.pop("task"), options.pop("lmax"), dim=options.pop("dim"),
                        **options)


def live_tables(store) -> dict[str, list[dict]] | None:
    """:func:`lsweep_tables` of the live run's stored results; None until all are stored."""
    done = [store.get(spec) for spec in live_specs()]
    return lsweep_tables(done) if all(done) else None


def lsweep_report(records: list[dict]) -> dict:
    """The L-sweep panel: ``reading`` (:func:`lsweep_reading`) and ``tables``
    (:func:`lsweep_tables`) of ``records`` (the shipped ones, on the page)."""
    return {"reading": lsweep_reading(records), "tables": lsweep_tables(records)}


def steerable_report(store, records: list[dict], structure=None,
                     angles_deg: tuple[float, float, float] = (0.0, 0.0, 0.0),
                     group: str = "O3", model=None) -> dict:
    """Every number the Steerable features page shows, JSON-able; never trains.

    One key per panel, each the function the page calls: ``lab``
    (:func:`lemma_lab` of ``structure`` at :data:`LAB_LMAX`, None without a
    structure), ``types`` (:func:`type_grid` and its :func:`type_table` as
    ``table``), ``lsweep`` (:func:`lsweep_report` of ``records``) and ``live``
    (:func:`live_tables`).
    """
    grid = type_grid(store)
    lab = None
    if structure is not None:
        lab = lemma_lab(structure, angles_deg, LAB_LMAX, group, model=model)
    return {"lab": lab, "types": {**grid, "table": type_table(grid)},
            "lsweep": lsweep_report(records), "live": live_tables(store)}
