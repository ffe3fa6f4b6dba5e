"""``graph``: edges, bridges and a k-hop neighbourhood under a graph rule."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_graph_rule, add_json, add_structure, emit, load_one


def register(sub) -> None:
    p = sub.add_parser("graph", help="edges, bridges and an atom's k-hop neighbourhood")
    add_structure(p)
    add_graph_rule(p)
    p.add_argument("--atom", type=int, default=None, help="0-based centre atom")
    p.add_argument("--hops", type=int, default=1, help="hops k of the neighbourhood (default 1)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.graph import describe_graph

    s = load_one(args, args.structure)
    info = describe_graph(s, args.graph, atom=args.atom, hops=args.hops)
    lines = [
        f"{s.name}: {len(s)} atoms, rule {info['rule']}, {len(info['edges'])} edges, "
        f"{len(info['bridges'])} bridges",
        "bridges: " + " ".join(f"{i}-{j}" for i, j in info["bridges"]),
    ]
    hood = info.get("neighbourhood")
    if hood:
        lines.append(
            f"{hood['hops']}-hop neighbourhood of atom {hood['atom']} "
            f"({len(hood['nodes'])} atoms): " + " ".join(map(str, hood["nodes"]))
        )
    emit(args, info, "\n".join(lines))
    return 0
