"""``oracle``: what no k-hop invariant model can ever see, computed exactly."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_graph_rule, add_json, add_pair, emit, load_pair


def register(sub) -> None:
    p = sub.add_parser(
        "oracle", help="the k-hop geometric WL test, congruence and the GWL bound on a pair",
        description="Exit 0 for either verdict; 2 for bad input.",
    )
    add_pair(p)
    p.add_argument("--hops", type=int, default=1, help="hops k (default 1)")
    p.add_argument("--body-order", default="full", choices=("2", "3", "full"),
                   help="what the test sees of a neighbourhood (default full)")
    p.add_argument("--group", default="O3", choices=("O3", "SO3"))
    add_graph_rule(p)
    p.add_argument("--tol", type=float, default=1e-3, help="geometric tolerance in Å")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.oracle import compare

    a, b, graph = load_pair(args)
    verdict = compare(a, b, args.hops, args.body_order, args.group, graph, args.tol)
    word = "indistinguishable" if verdict["indistinguishable"] else "distinguished"
    human = (
        f"{a.name} vs {b.name} on {verdict['graph']}: {word} at {args.hops} hop(s), "
        f"body order {verdict['body_order']}, {args.group}\n{verdict['reason']}\n"
        f"congruent: {'yes' if verdict['congruent'] else 'no'}   "
        f"min_hops: {never(verdict['min_hops'])}   "
        f"gwl_min_layers: {never(verdict['gwl_min_layers'])}"
    )
    emit(args, verdict, human)
    return 0


def never(count: int | None) -> str:
    """A count the oracle may leave open: ``never`` where no number of hops does it."""
    return "never" if count is None else str(count)
