"""``orientation``: which feature types can record which way a structure points."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_json, add_structure, emit, load_one


def register(sub) -> None:
    p = sub.add_parser(
        "orientation",
        help="which types l see a structure's orientation about its symmetry axis",
        description="The orientation test of SCIENCE.md, Claim 3: type l sees the orientation "
        "when some shell's sum of Y_l changes under a turn about the highest-order axis.",
    )
    add_structure(p, nargs="?", metavar="STRUCT")
    p.add_argument("--case", default=None, metavar="NAME",
                   help="a gallery case's graph A instead of STRUCT (e.g. star-5)")
    p.add_argument("--center", type=int, default=None, metavar="I",
                   help="0-based centre atom (default: the atom on the axis nearest the centroid)")
    p.add_argument("--lmax", type=int, default=8, help="largest type l tested (default 8)")
    p.add_argument("--tol", type=float, default=1e-3, help="geometric tolerance in Å")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.oracle import orientation

    s = _structure(args)
    verdict = orientation(s, centre=args.center, lmax=args.lmax, tol=args.tol)
    emit(args, verdict, f"{s.name}: {verdict_line(verdict)}\n{verdict['note']}")
    return 0


def _structure(args: argparse.Namespace):
    from eqgnn.errors import InputError

    if (args.structure is None) == (args.case is None):
        raise InputError("give one structure STRUCT or --case NAME")
    if args.case is not None:
        from eqgnn.gallery import load_case

        return load_case(args.case).a

    return load_one(args, args.structure)


def verdict_line(verdict: dict) -> str:
    """One readable sentence: the axis, and which types see the orientation about it."""
    seen = [int(l) for l, v in verdict["types"].items() if v]
    blind = [int(l) for l, v in verdict["types"].items() if not v]
    order, centre = verdict["order"], verdict["center"]
    if order is None:
        what = "linear" if verdict["axis"] is not None else "a single atom"
        return f"{what}: no type sees how it is turned"
    at = f"centre atom {centre}" if centre is not None else "centre the centroid"
    head = f"no rotation axis, {at}" if order == 1 else f"{order}-fold axis, {at}"
    about = "" if order == 1 else " about it"
    if not seen:
        return f"{head}; no type up to {max(blind)} can see the orientation{about}"
    line = f"{head}; types {_ranges(seen)} see the orientation{about}"
    return line + (f", {_ranges(blind)} cannot" if blind else "")


def _ranges(values: list[int]) -> str:
    """[0, 1, 2, 5, 7, 8] -> '0-2, 5, 7-8'."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
