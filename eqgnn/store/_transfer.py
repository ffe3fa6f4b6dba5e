"""Moving results between stores: JSON lines, one whole record per line.

A record carries its spec, so the line alone proves what it is: an import
checks each with :func:`~eqgnn.store.record_problem` (stale, edited or
malformed lines are skipped and named) and writes through the target's
``put``, so importing a file twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from eqgnn.errors import InputError
from eqgnn.store._records import record_problem


def export_records(store, path: Path | str, shipped: bool = False) -> int:
    """Write every valid record of ``store`` (and its shipped ones when ``shipped``) to
    ``path``; the number written."""
    records = store.dump(shipped=shipped)
    try:
        with Path(path).open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, sort_keys=True) + "\n")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    return len(records)


def import_records(store, path: Path | str) -> dict:
    """Put every valid record of the JSON-lines file ``path`` into ``store``.

    Returns ``imported``, ``skipped`` and ``problems`` (one line per skipped
    record, naming its line number).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    imported, problems = 0, []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"{path}:{number}: not a JSON line; skipped")
            continue
        problem = record_problem(record)
        if problem is not None:
            problems.append(f"{path}:{number}: {problem}; skipped")
            continue
        store.put(record["spec"], record["result"])
        imported += 1
    return {"imported": imported, "skipped": len(problems), "problems": problems}
