"""``cases``: the failure-case gallery with the oracle's verdict on every pair."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser(
        "cases", help="the failure-case gallery: pairs some GNNs cannot tell apart, with theory",
        description="Lists the gallery's cases (kchain-K and star-N take any K, N >= 2 with "
        "--name) with what each shows and the theory oracle's verdicts.",
    )
    p.add_argument("--name", metavar="NAME", default=None,
                   help="one case, e.g. butane-torsion or kchain-9 (default: every listed case)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.gallery import case_names, load_case, theory

    names = [args.name] if args.name else case_names()
    rows = []
    for name in names:
        case = load_case(name)
        rows.append({
            "name": case.name,
            "title": case.title,
            "text": case.text,
            "kind": case.kind,
            "graph": case.graph,
            "readout": case.readout,
            "num_atoms": [len(case.a), len(case.b)],
            "theory": theory(case),
        })
    human = _table(rows)
    if args.name:
        human += "\n\n" + rows[0]["text"]
    emit(args, {"cases": rows}, human)
    return 0


def _table(rows: list[dict]) -> str:
    """One line per case: atoms, congruence, min_hops by body order (O3), SO3 full, title.

    A star's line also names the types that see its orientation (SCIENCE.md, Claim 3).
    """
    def hops(value: int | None) -> str:
        return "-" if value is None else str(value)

    header = (f"{'case':20s} {'atoms':>5s} {'congruent':>9s}  "
              f"{'min_hops O3 b2/b3/full':>22s} {'SO3 full':>8s}  title")
    lines = [header]
    for row in rows:
        t = row["theory"]
        congruent = "/".join(g for g, yes in t["congruent"].items() if yes) or "no"
        o3 = "/".join(hops(t["min_hops"][b]["O3"]) for b in ("2", "3", "full"))
        title = row["title"]
        if "orientation" in t:
            seen = [l for l, yes in t["orientation"].items() if yes]
            title += f" [types that see its orientation: {' '.join(seen) or 'none'}]"
        lines.append(
            f"{row['name']:20s} {row['num_atoms'][0]:5d} {congruent:>9s}  {o3:>22s} "
            f"{hops(t['min_hops']['full']['SO3']):>8s}  {title}"
        )
    lines.append("min_hops: the fewest hops at which the k-hop geometric WL test separates "
                 "A and B ('-': none do)")
    return "\n".join(lines)
