"""``audit``: a model's expressivity report card, its cells against the exact theory."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_backend, add_json, emit, use_backend


def register(sub) -> None:
    from eqgnn.audit import AUDIT_SEEDS, DEFAULT_LAYERS, PUBLISHED

    p = sub.add_parser(
        "audit", help="a model's report card: symmetry, the battery at every depth, its reach",
        description="MODEL: PATH.py:FACTORY (FACTORY(**options) returns a torch module with "
                    "forward(z, pos, edge_index, batch) -> [graphs, d] or [atoms, d]), "
                    f"{', '.join(PUBLISHED)} (their own packages), or preset:NAME.",
    )
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="an argument of the factory or the published class (repeatable), "
                        "e.g. --option correlation=3 --option max_ell=3")
    p.add_argument("--layers", default=",".join(map(str, DEFAULT_LAYERS)), metavar="1,2,3,4",
                   help="depths to audit, when the model takes `layers` (default 1-4)")
    p.add_argument("--cases", default=None, metavar="CASE,…",
                   help="gallery cases or family sizes (kchain-9) instead of the whole battery")
    p.add_argument("--seeds", type=int, default=AUDIT_SEEDS,
                   help=f"seeds per cell (default {AUDIT_SEEDS})")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 100)")
    p.add_argument("--report", metavar="card.html", default=None,
                   help="also write a self-contained HTML page of the card")
    p.add_argument("--force", action="store_true",
                   help="recompute instead of answering from the result store")
    add_backend(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.audit import (
        audit_card,
        check_bounds,
        check_public,
        model_source,
        parse_option,
        protocol_of,
    )
    from eqgnn.jobs import get_runner
    from eqgnn.limits import check_spec, public_mode
    from eqgnn.progress import progress_bar
    from eqgnn.specs import DEFAULTS

    use_backend(args)
    check_public(args.model)
    options = dict(parse_option(text) for text in args.option)
    layers = parse_layers(args.layers)
    source = model_source(args.model, options)
    protocol = protocol_of(args.seeds, DEFAULTS["epochs"] if args.epochs is None else args.epochs)
    if public_mode():
        check_bounds(source, layers)
        check_spec(protocol)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()] if args.cases else None
    with progress_bar("audit", "cell") as progress:
        card = audit_card(source, layers, cases, protocol, runner=get_runner(),
                          force=args.force, progress=progress)
    if args.report:
        from ui.card_html import write_card  # the page is the dashboard's, not the library's

        write_card(card, args.report)
    emit(args, card, describe(card))
    return 0


def parse_layers(text: str) -> list[int]:
    from eqgnn.errors import InputError

    try:
        layers = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"--layers {text!r}: give depths like 1,2,3,4") from None
    if not layers or min(layers) < 1:
        raise InputError(f"--layers {text!r}: give depths >= 1, like 1,2,3,4")
    return layers


MARK = {"blind": "·", "distinguished": "D", "sighted, not learned": "s"}


def describe(card: dict) -> str:
    """The card in a terminal: symmetry, a depth map (· blind, s sighted, D distinguished;
    ! where the verdict falls short of what theory allows), the summary."""
    sym = card["symmetry"]
    lines = [f"{card['model']}  {card['options'] or ''}".rstrip(),
             "symmetry: " + ", ".join(
                 f"{s} {'yes' if sym[s] else 'NO'} ({sym['max_deviation'][s]:.0e})"
                 for s in ("translation", "rotation", "reflection", "permutation")),
             f"  {card['meaning']}"]
    depths = card["layers"]
    lines.append("case".ljust(24) + " ".join(f"{'?' if d is None else d:>3}" for d in depths)
                 + "   (· blind, s sighted not learned, D distinguished; ! below theory)")
    grid: dict[str, dict] = {}
    for cell in card["cells"]:
        grid.setdefault(cell["case"], {})[cell["layers"]] = cell
    for case, row in grid.items():
        marks = []
        for d in depths:
            cell = row.get(d)
            mark = MARK[cell["verdict"]] if cell else " "
            if cell and cell["theory_allows"] is True and cell["verdict"] != "distinguished":
                mark += "!"
            marks.append(mark.rjust(3))
        lines.append(case.ljust(24) + " ".join(marks))
    s = card["summary"]
    lines += [
        f"body order: {s['body_order_text']}",
        f"hops per layer: {s['hops_per_layer']}; 1-hop invariant: {s['local_invariant']}; "
        f"reaches the GWL bound on k-chains: {s['reaches_gwl_bound']}",
        f"sees chirality: {s['sees_chirality']}; smallest fold not oriented: "
        f"{s['smallest_fold_not_oriented']}; trap accuracy: {fmt(s['trap_accuracy'])}",
        f"below theory (headline): {len(s['headline'])} cells; beyond theory: "
        f"{len(s['beyond_theory'])}",
    ]
    if card.get("stated_reach"):
        lines.append(f"claims: {card['stated_reach']}")
    for check in s["claims"]:
        holds = {True: "holds", False: "DOES NOT HOLD", None: "not measured"}[check["holds"]]
        lines.append(f"  {check['claim']}: expected {check['expected']}, measured "
                     f"{check['measured']} ({holds})")
    where = "from the result store" if card.get("from_store") else f"{card['seconds']:.0f} s"
    lines.append(f"({where})")
    return "\n".join(lines)


def fmt(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"
