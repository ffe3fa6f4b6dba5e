"""``results``: what the result store holds, stored and shipped."""

from __future__ import annotations

import argparse
import sys

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser(
        "results", help="list stored job results (writable store, then shipped ones)",
        description="Lists every result in the writable store ($EQGNN_RESULTS, else "
        "~/.cache/eqgnn/results) and in the repository's data/results/. Unreadable or "
        "stale files are named on stderr, one line each, and otherwise ignored.",
    )
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.store import KIND_REVISIONS, RESULTS_REVISION, ResultStore

    store = ResultStore()
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
