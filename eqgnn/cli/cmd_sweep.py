"""``sweep``: a grid of distinguish runs (a depth map) with theory in every cell."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_backend, add_json, add_pair, emit, use_backend


def register(sub) -> None:
    from eqgnn.sweep import FAMILIES, SWEEP_PROTOCOL

    p = sub.add_parser(
        "sweep", help="hops x layers (khop), lmax x layers (equivariant), lmax (stars)",
        description="Cells already in the result store are not recomputed.",
    )
    add_pair(p)
    p.add_argument("--family", choices=sorted(FAMILIES), action="append", default=None,
                   help="which grid (repeatable; default: the case's depth maps)")
    p.add_argument("--grid", action="append", metavar="KEY=VALUES", default=None,
                   help="override an axis, e.g. --grid hops=1-3 --grid layers=1,2")
    p.add_argument("--dim", type=int, default=None,
                   help="equivariant cells at a fixed total feature dimension D")
    p.add_argument("--graph", default=None, metavar="RULE", help="graph rule for A B")
    p.add_argument("--seeds", type=int, default=SWEEP_PROTOCOL["seeds"])
    p.add_argument("--epochs", type=int, default=SWEEP_PROTOCOL["epochs"])
    p.add_argument("--force", action="store_true", help="recompute every cell")
    p.add_argument("--csv", metavar="FILE", default=None, help="also write the table as CSV")
    add_backend(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.cli._common import pair_spec
    from eqgnn.progress import progress_bar
    from eqgnn.sweep import default_family, parse_grid, run_sweep, sweep_csv, with_dim

    use_backend(args)
    pair = pair_spec(args)
    kind = None
    if args.case is not None:
        from eqgnn.gallery import load_case

        kind = load_case(args.case).kind
    families = args.family or default_family(kind)
    grid = parse_grid(args.grid)
    tables = []
    for family in families:
        with progress_bar(f"sweep {family}", "cell") as progress:
            base = with_dim(None, args.dim) if family != "khop" else None
            tables.append(run_sweep(
                pair, family, {k: v for k, v in grid.items()
                               if k in _axes(family)} or None, base,
                {"seeds": args.seeds, "epochs": args.epochs}, force=args.force,
                progress=progress,
            ))
    if args.csv:
        with open(args.csv, "w") as fh:
            fh.write("".join(sweep_csv(t) for t in tables))
    emit(args, {"tables": tables}, "\n\n".join(_text(t) for t in tables))
    return 0


def _axes(family: str) -> set[str]:
    from eqgnn.sweep import FAMILIES

    return set(FAMILIES[family]["grid"])


def _text(table: dict) -> str:
    """Per panel, a grid of accuracies with a mark where theory disagrees or blindness."""
    marks = {"blind": "·", "distinguished": "✓", "sighted, not learned": "~"}
    lines = [f"{table['family']} sweep ({table['protocol']['seeds']} seeds, "
             f"{table['protocol']['epochs']} epochs): accuracy, then ✓ distinguished, "
             "· blind, ~ sighted not learned; * where theory allows it"]
    panels = sorted({c["panel"] for c in table["cells"]})
    cols = sorted({c["col"] for c in table["cells"]})
    width = max(9, len(table["row"]))
    for panel in panels:
        lines.append(f"{table['panel']} = {panel}")
        lines.append(f"  {table['row']:>{width}} | {table['col']}: "
                     + "".join(f"{c:<9}" for c in cols))
        for row in sorted({c["row"] for c in table["cells"] if c["panel"] == panel}):
            cells = {c["col"]: c for c in table["cells"]
                     if c["panel"] == panel and c["row"] == row}
            lines.append(f"  {row:>{width}} | {'':{len(table['col']) + 2}}" + "".join(
                f"{cells[c]['accuracy']:4.0%}{marks[cells[c]['verdict']]}"
                f"{'*' if cells[c]['theory']['allows'] else ' '}   " if c in cells else " " * 9
                for c in cols))
    return "\n".join(lines)
