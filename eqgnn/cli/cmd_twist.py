"""``twist``: write a torsion twin of a structure."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import (
    add_bond,
    add_graph_rule,
    add_json,
    add_structure,
    bond_of,
    emit,
    load_one,
)


def register(sub) -> None:
    p = sub.add_parser(
        "twist", help="turn one side of a non-ring bond about its axis and write the twin",
        description="Turns the side that holds atom J (0-based) of the bridge I-J by DEG degrees.",
    )
    add_structure(p)
    add_bond(p, required=True, help="the bond to turn: I J or I-J, a non-ring bond with more "
             "than one atom on each side")
    p.add_argument("--angle", type=float, required=True, metavar="DEG")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .xyz, .extxyz, .pdb or .json")
    add_graph_rule(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.io import write_structure
    from eqgnn.transforms import torsion

    s = load_one(args, args.structure)
    i, j = bond_of(args)
    twin = torsion(s, i, j, args.angle, graph=args.graph)
    write_structure(twin, args.output)
    payload = {"output": args.output, "name": twin.name, "bond": [i, j], "angle": args.angle,
               "num_atoms": len(s)}
    emit(args, payload, f"wrote {args.output}: {twin.name}")
    return 0
