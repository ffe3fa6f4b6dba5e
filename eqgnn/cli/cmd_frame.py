"""``frame``: a structure's stabiliser, the free components of each type, its moving frame,
and lambda = rho(g_X)^-1 f for the steerable model (SCIENCE.md, Claim 3)."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_graph_rule, add_json, add_structure, emit, load_one
from eqgnn.config import MAX_LMAX


def register(sub) -> None:
    p = sub.add_parser(
        "frame",
        help="stabiliser, free components per type, moving frame and invariant lambda",
        description="SCIENCE.md, Claim 3 (Wang et al., ICLR 2024, Lemma 1): the symmetries a "
        "permutation-invariant network must respect, how many free numbers each type keeps "
        "under them, and, where the frame is unique, lambda = rho(g_X)^-1 f and a converter "
        "of the features to other types of the same dimension.",
    )
    add_structure(p, metavar="STRUCT")
    p.add_argument("--lmax", type=int, default=4,
                   help=f"largest type l counted and used by the model, 0..{MAX_LMAX} (default 4)")
    p.add_argument("--group", choices=("O3", "SO3"), default="O3",
                   help="O3 (default: reflections allowed) or SO3 (rotations only)")
    p.add_argument("--tol", type=float, default=1e-3, help="geometric tolerance in Å")
    add_graph_rule(p)
    p.add_argument("--to", default=None, metavar="IRREPS",
                   help="the converter's target irreps, of the features' dimension D "
                   "(default: D x 0e)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.frames import frame_report

    s = load_one(args, args.structure)
    report = frame_report(s, lmax=args.lmax, group=args.group, tol=args.tol, graph=args.graph,
                          to=args.to)
    emit(args, report, describe(report))
    return 0


def describe(report: dict) -> str:
    """A few readable lines: the group, the free components, the frame and lambda's checks."""
    stab = report["stabiliser"]
    order = stab["order"]
    if order == "infinite":
        elements = "infinite order"
    else:
        elements = f"order {order}: {stab['proper']} proper, {stab['improper']} improper"
    free = ", ".join(f"{key} {count}/{2 * int(key.rstrip('eo')) + 1}"
                     for key, count in report["free_components"].items())
    lines = [
        f"{report['structure']}: rank {report['rank']}, stabiliser {stab['schoenflies']} "
        f"under {report['group']} ({elements})",
        f"free components of each type (of 2l+1): {free}",
    ]
    frame = report["frame"]
    if not frame["unique"]:
        lines.append(frame["reason"])
        return "\n".join(lines)
    axes = ", ".join("(" + " ".join(f"{v:+.4f}" for v in axis) + ")"
                     for axis in zip(*frame["matrix"]))
    lines.append(f"moving frame g_X, axes e1, e2, e3: {axes}")
    if "lambda" in report:
        conv = report["converter"]
        lines += [
            f"lambda = rho(g_X)^-1 f: {len(report['lambda'])} invariant numbers from f of "
            f"{report['irreps']}",
            f"  |rho(g_X) lambda - f| = {report['reconstruction_error']:.1e}; largest change "
            f"under {report['samples']} random {_motions(report)}: "
            f"{report['lambda_max_change']:.1e}",
            f"converter {conv['irreps_a']} -> {conv['irreps_b']} and back: error "
            f"{conv['round_trip_error']:.1e}; equivariance error {conv['equivariance_error']:.1e}",
        ]
    return "\n".join(lines)


def _motions(report: dict) -> str:
    return "rotations and reflections" if report["group"] == "O3" else "rotations"
