"""``results``: what a result store holds (stored and shipped); ``export``/``import``
move results between stores (a folder, PostgreSQL) as JSON lines."""

from __future__ import annotations

import argparse
import sys

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser(
        "results", help="list stored job results (writable store, then shipped ones); "
        "export / import them",
        description="Lists every result in the writable store ($EQGNN_STORE: a folder or a "
        "postgresql:// URL; else ~/.cache/eqgnn/results) and in the "
        "repository's data/results/. Unreadable or stale results are named on stderr, one "
        "line each, and otherwise ignored.",
    )
    add_store(p, None)
    add_json(p)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    export = actions.add_parser("export", help="write the store's results to FILE (JSON lines)")
    export.add_argument("file", metavar="FILE")
    export.add_argument("--shipped", action="store_true",
                        help="the shipped data/results too, not only the writable store's")
    imported = actions.add_parser("import", help="put the results of FILE (JSON lines) into "
                                  "the store; stale or edited lines are skipped and named")
    imported.add_argument("file", metavar="FILE")
    for action in (export, imported):
        add_store(action, argparse.SUPPRESS)
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                            help="print JSON on stdout")
    p.set_defaults(run=run)


def add_store(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument("--store", default=default, metavar="URL|DIR",
                        help="the store to use (default $EQGNN_STORE, else the results folder)")


def run(args: argparse.Namespace) -> int:
    from eqgnn.store import open_store

    store = open_store(args.store)
    if args.action == "export":
        return _export(args, store)
    if args.action == "import":
        return _import(args, store)
    return _list(args, store)


def _list(args: argparse.Namespace, store) -> int:
    from eqgnn.store import KIND_REVISIONS, RESULTS_REVISION

    rows = store.entries()
    for line in store.problems:
        print(line, file=sys.stderr)
    payload = {
        "revision": RESULTS_REVISION,
        "kind_revisions": KIND_REVISIONS,
        "root": str(store.root),
        "shipped": str(store.shipped) if store.shipped is not None else None,
        "entries": rows,
        "problems": store.problems,
    }
    emit(args, payload, _table(payload))
    return 0


def _export(args: argparse.Namespace, store) -> int:
    from eqgnn.store import export_records

    count = export_records(store, args.file, shipped=args.shipped)
    emit(args, {"exported": count, "file": args.file, "store": str(store.root)},
         f"{count} results from {store.root} written to {args.file}")
    return 0


def _import(args: argparse.Namespace, store) -> int:
    from eqgnn.store import import_records

    outcome = import_records(store, args.file)
    for line in outcome["problems"]:
        print(line, file=sys.stderr)
    emit(args, {**outcome, "store": str(store.root)},
         f"{outcome['imported']} results imported into {store.root}, "
         f"{outcome['skipped']} skipped")
    return 0


def _table(payload: dict) -> str:
    """One line per result: where it lives, key, kind, when, what it says."""
    kinds = "".join(f", {kind} {rev}" for kind, rev in payload["kind_revisions"].items())
    lines = [f"results revision {payload['revision']}{kinds}; writable store {payload['root']}; "
             f"shipped {payload['shipped'] or '-'}"]
    if not payload["entries"]:
        lines.append("no stored results")
        return "\n".join(lines)
    lines.append(f"{'where':8s} {'key':20s} {'kind':12s} {'saved_at':25s} summary")
    for row in payload["entries"]:
        where = "shipped" if row["shipped"] else "local"
        lines.append(f"{where:8s} {row['key']:20s} {row['kind']:12s} {row['saved_at']:25s} "
                     f"{row['summary']}")
    return "\n".join(lines)
