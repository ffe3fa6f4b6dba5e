"""``types``: which feature types see a symmetric star's orientation, by theory and by model."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser(
        "types", help="fold x lmax on the gallery's stars: the orientation test beside the "
        "stored one-layer model verdicts",
        description="SCIENCE.md, Claim 3: on an n-fold star, types l < n cannot encode the "
        "orientation. Each cell: theory (does some type <= lmax see it?) / the one-layer "
        "model's stored verdict (✓ distinguished, ✗ blind, · not computed).",
    )
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.reports import type_grid, type_table
    from eqgnn.store import open_store

    grid = type_grid(open_store())
    rows = type_table(grid)
    columns = [f"lmax {l}" for l in grid["lmax"]]
    lines = ["theory / model per lmax (✓ sees or distinguished, ✗ blind, · not computed)",
             f"{'case':<11}" + "".join(f"{l:>7}" for l in grid["lmax"])]
    lines += [f"{row['case']:<11}" + "".join(f"{row.get(c, ''):>7}" for c in columns)
              for row in rows]
    emit(args, grid, "\n".join(lines))
    return 0
