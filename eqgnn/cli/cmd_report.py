"""``report``: every number a dashboard page shows, printed (``--json``: as the page gets it).

One subcommand per page, each a thin shell over the ``eqgnn.reports`` function
that gathers the page's panels: the page calls the same functions and draws
their results. Model verdicts come from the result store (shipped
``data/results`` included); nothing trains here. The home page shows no
numbers of its own (its compute device: ``python -m eqgnn info``).
"""

from __future__ import annotations

import argparse

from eqgnn.cli._common import (
    STRUCTURE_HELP,
    add_bond,
    add_graph_rule,
    add_json,
    add_precision,
    add_structure,
    bond_of,
    emit,
    load_one,
)
from eqgnn.reports import cell_text


def register(sub) -> None:
    from eqgnn.reports import GALLERY_CASE, LAB_MOLECULE, TWIST_DEFAULTS

    p = sub.add_parser(
        "report", help="what a dashboard page shows: gallery, depth, lesson, twist, steerable",
        description="Prints the numbers of one dashboard page, from the same library calls "
        "the page makes; stored model results only, nothing trains.",
    )
    pages = p.add_subparsers(dest="page", required=True, parser_class=type(p))

    g = pages.add_parser("gallery", help="a gallery case: oracle verdicts, neighbourhoods, "
                         "stored model verdicts (the /gallery page)")
    g.add_argument("--case", default=GALLERY_CASE, metavar="NAME",
                   help=f"a gallery case (default {GALLERY_CASE}; python -m eqgnn cases)")
    g.add_argument("--atom", type=int, default=0, help="an atom of A (default 0)")
    g.add_argument("--hops", type=int, default=1, help="k of its neighbourhood (default 1)")
    g.add_argument("--preset", default=None, help="the preset whose stored training run to "
                   "show (default: the page's first)")
    add_json(g)
    g.set_defaults(run=run_gallery)

    d = pages.add_parser("depth", help="accuracy maps over depth beside the oracle's bounds "
                         "(the /depth page)")
    d.add_argument("--case", default="kchain-4", metavar="NAME", help="a gallery case "
                   "(default kchain-4)")
    d.add_argument("--family", default=None, help="a sweep family (default: every family "
                   "the page shows for the case)")
    add_json(d)
    d.set_defaults(run=run_depth)

    le = pages.add_parser("lesson", help="the guided tour's evidence (the /lesson page)")
    le.add_argument("--step", type=int, default=None, help="one step, 1-based (default: all)")
    add_json(le)
    le.set_defaults(run=run_lesson)

    t = pages.add_parser("twist", help="a molecule's neighbourhood, turnable bonds, and who "
                         "notices a torsion (the /explorer page)")
    add_structure(t, nargs="?", default=TWIST_DEFAULTS["molecule"],
                  help=f"{STRUCTURE_HELP} (default {TWIST_DEFAULTS['molecule']})")
    add_graph_rule(t)
    t.add_argument("--atom", type=int, default=TWIST_DEFAULTS["atom"], help="the centre atom")
    t.add_argument("--hops", type=int, default=TWIST_DEFAULTS["hops"],
                   help="k of the neighbourhood and of the oracle's test")
    t.add_argument("--body-order", choices=("2", "3", "full"),
                   default=TWIST_DEFAULTS["body_order"], help="the oracle's body order")
    t.add_argument("--group", choices=("O3", "SO3"), default=TWIST_DEFAULTS["group"])
    add_bond(t, required=False, help="the bond to turn: I J or I-J (default: the most central "
             "one)")
    t.add_argument("--angle", type=float, default=TWIST_DEFAULTS["angle"], metavar="DEG")
    t.add_argument("--device", default=None, help="cpu | cuda | cuda:N for the models")
    add_json(t)
    t.set_defaults(run=run_twist)

    s = pages.add_parser("steerable", help="the Lemma lab, the type grid on stars and the L "
                         "sweep (the /steerable page)")
    s.add_argument("--mol", default=LAB_MOLECULE, help=f"the Lemma lab's molecule "
                   f"(g2:NAME, qm9:N or smiles:...; default {LAB_MOLECULE})")
    add_precision(s)
    s.add_argument("--group", choices=("O3", "SO3"), default="O3")
    s.add_argument("--turn", type=float, nargs=3, default=(0.0, 0.0, 0.0),
                   metavar=("X", "Y", "Z"), help="turn about x, y, z in degrees")
    s.add_argument("--no-lab", action="store_true",
                   help="skip the Lemma lab (it builds a steerable model: seconds)")
    add_json(s)
    s.set_defaults(run=run_steerable)


def run_gallery(args: argparse.Namespace) -> int:
    from eqgnn.gallery import load_case
    from eqgnn.reports import DEFAULT_PRESET, gallery_report
    from eqgnn.store import open_store

    report = gallery_report(load_case(args.case), open_store(), args.atom, args.hops,
                            args.preset or DEFAULT_PRESET)
    oracle, hood, training = report["oracle"], report["neighbourhood"], report["training"]
    parts = [f"{report['case']}: {report['title']} (graph {report['graph']})",
             f"{report['headline']['verdict']}. {report['headline']['reason']}",
             "", "theory (same: the k-hop test is blind; differ: it separates)",
             table(oracle["table"]), "", hood["text"], table(hood["pairs"])]
    if report["congruence"] is not None:
        parts += ["", report["congruence"]["sentence"]]
    parts += ["", "models (stored runs)", table(report["models"])]
    result = training["result"]
    parts += ["", f"training: {training['preset']}: " + (
        "not computed" if result is None
        else f"{result['verdict']}, accuracy {result['accuracy']:.2f}")]
    emit(args, report, "\n".join(parts))
    return 0


def run_depth(args: argparse.Namespace) -> int:
    from eqgnn.gallery import load_case
    from eqgnn.reports import depth_report
    from eqgnn.store import open_store
    from eqgnn.sweep import default_family

    case, store = load_case(args.case), open_store()
    families = [args.family] if args.family else list(default_family(case.kind))
    reports = [depth_report(case, family, store) for family in families]
    parts = []
    for report in reports:
        bounds = " · ".join(dict.fromkeys(report["bounds"]["text"].values()))
        table_ = report["table"]
        parts += [f"{case.name}, {report['family']}: {bounds} ({table_['missing']} of "
                  f"{len(table_['cells'])} cells not computed)", table(report["shortfall"]), ""]
    emit(args, {"case": case.name, "reports": reports}, "\n".join(parts).rstrip())
    return 0


def run_lesson(args: argparse.Namespace) -> int:
    from eqgnn.reports import lesson_report

    report = lesson_report(args.step)
    parts = []
    for step in report["steps"]:
        parts += [f"step {step['step']}: {step['title']} (case {step['case']}, {step['link']})"]
        parts += [f"  oracle, {r['hops']} hops, body order {r['body_order']}, {r['group']}: "
                  f"{r['verdict']}" for r in step["oracle"]]
        if step["orientation"] is not None:
            seen = [str(r["type l"]) for r in step["orientation"] if r["sees the orientation"]]
            parts.append(f"  types that see the orientation: l = {', '.join(seen) or 'none'}")
        for r in step["models"]:
            parts.append(f"  {r['model']}: " + (
                f"not computed ({r['command']})" if r["verdict"] is None
                else f"{r['verdict']}, accuracy {r['accuracy']:.2f}, gap "
                     f"{r['embedding_gap']:.1e}, noise floor {r['noise_floor']:.1e}"))
    emit(args, report, "\n".join(parts))
    return 0


def run_twist(args: argparse.Namespace) -> int:
    from eqgnn.graph import resolve_rule
    from eqgnn.reports import bridge_rows, build_twist_models, explorer_report

    structure = load_one(args, args.structure)
    turned = bond_of(args)
    bond = None if turned is None else f"{turned[0]}-{turned[1]}"
    models = None
    if bridge_rows(structure):
        models = build_twist_models(str(resolve_rule(structure, args.graph)), args.device)
    report = explorer_report(structure, args.graph, args.atom, args.hops, args.body_order,
                             args.group, bond, args.angle, models)
    parts = [f"{report['molecule']}: {report['num_atoms']} atoms; graph {report['graph']} with "
             f"{report['num_edges']} edges",
             f"{report['hops']}-hop neighbourhood of atom {report['atom']}",
             table(report["neighbourhood"]), "", "bonds that can turn",
             table(report["bridges"]) if report["bridges"] else "none"]
    twist = report["twist"]
    if twist is not None:
        oracle = twist["oracle"]
        parts += ["", f"bond {twist['bond']} turned by {twist['angle']:g} degrees",
                  f"oracle ({oracle['hops']} hop(s), body order {oracle['body_order']}, "
                  f"{oracle['group']}): {'blind' if oracle['indistinguishable'] else 'sees'}. "
                  f"{oracle['reason']}",
                  table([{"family": r["family"], "model": r["model"], "gap": f"{r['gap']:.1e}",
                          "noise floor": f"{r['noise_floor']:.0e}",
                          "sees": "sees" if r["sees"] else "blind (noise)"}
                         for r in twist["gaps"]])]
    emit(args, report, "\n".join(parts))
    return 0


def run_steerable(args: argparse.Namespace) -> int:
    from eqgnn.lsweep import shipped_records
    from eqgnn.reports import steerable_report
    from eqgnn.store import open_store

    structure = model = None
    if not args.no_lab:
        from eqgnn.frames import steerable_model
        from eqgnn.reports import LAB_LMAX

        structure = load_one(args, args.mol)
        model = steerable_model(LAB_LMAX, args.group)
    report = steerable_report(open_store(), shipped_records(), structure, tuple(args.turn),
                              args.group, model)
    parts = []
    lab = report["lab"]
    if lab is not None:
        stab = lab["report"]["stabiliser"]
        parts += [f"Lemma lab: {lab['report']['structure']}: rank {lab['report']['rank']}, "
                  f"stabiliser {stab['schoenflies']} (order {stab['order']})",
                  table(lab["types"])]
        if "lambda_change" in lab:
            parts.append(f"largest change of lambda under the turn: {lab['lambda_change']:.1e}")
        parts.append("")
    parts += ["types on stars: theory / model per lmax (✓ sees or distinguished, ✗ blind, "
              "· not computed)", table(report["types"]["table"]), "", "L sweep"]
    parts += [f"- {sentence}" for sentence in report["lsweep"]["reading"]]
    for name, rows in report["lsweep"]["tables"].items():
        parts += ["", name, table(rows)]
    for name, rows in (report["live"] or {}).items():
        parts += ["", f"live run: {name}", table(rows)]
    emit(args, report, "\n".join(parts))
    return 0


def table(rows: list[dict]) -> str:
    """Rows of a page's table as aligned text, columns in first-row order; blanks as ``-``."""
    if not rows:
        return "(none)"
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[cell_text(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths)) for line in cells]
    return "\n".join(line.rstrip() for line in lines)
