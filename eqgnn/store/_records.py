"""What a stored result is: its key, its revision, its file name and its validity.

Every store (a folder, PostgreSQL) and ``eqgnn results import`` file results
under the same key and apply the same validity test (:func:`record_problem`).
"""

from __future__ import annotations

import hashlib
import json
import re

from eqgnn.errors import InputError

RESULTS_REVISION = 2
"""The version of the numerics behind every stored result (kinds not in :data:`KIND_REVISIONS`).

Bump it whenever a change alters what every job computes (a model, a
default), so every stored and shipped result is recomputed instead of
silently reused. It is deliberately not the git commit: a commit that leaves
the numbers alone must not invalidate shipped results.
"""

KIND_REVISIONS = {"distinguish": 3}
"""Job kinds whose numerics changed on their own since :data:`RESULTS_REVISION`.

A change to one kind's job (its training protocol) bumps that kind alone, so
the other kinds' shipped results (an hour of L-sweep training) stay valid.
distinguish 3: the blind short-cut and early stopping (:mod:`eqgnn.protocol`).
"""


def revision_of(kind: object) -> int:
    """The revision results of job ``kind`` are stored and read under."""
    return KIND_REVISIONS.get(kind, RESULTS_REVISION) if isinstance(kind, str) else RESULTS_REVISION


FIELDS = ("key", "revision", "spec", "result", "saved_at")
"""The fields of every result file."""

_KIND = re.compile(r"[A-Za-z0-9_-]+")


def canonical_json(value) -> str:
    """JSON with sorted keys and no whitespace: equal specs give equal text.

    NaN and infinity are refused because their JSON spelling is not standard.
    """
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"a job spec must be plain JSON (dicts, lists, str, numbers): {exc}"
        ) from None


def spec_key(spec: dict) -> str:
    """The store key of ``spec``: 20 hex digits of sha256 over it and its kind's revision.

    Any change to any spec field, or a revision bump, gives another key.
    """
    text = canonical_json({"revision": revision_of(spec.get("kind")), "spec": spec})
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def record_problem(record: object) -> str | None:
    """Why ``record`` is not a valid result of this code (one phrase), or None.

    A record has :data:`FIELDS`, the revision this code reads for its kind, a
    spec and a result that are JSON objects, and the key of its spec: a record
    edited, misfiled or left by older numerics counts as a miss, never as a
    result. Every store and ``eqgnn results import`` apply the same test.
    """
    if not isinstance(record, dict) or not all(field in record for field in FIELDS):
        return f"not a result record (needs {', '.join(FIELDS)})"
    spec = record["spec"]
    expected = revision_of(spec.get("kind") if isinstance(spec, dict) else None)
    if record["revision"] != expected:
        return (f"results revision {record['revision']}, this code reads {expected} "
                "(stale: rerun its job to refresh it)")
    if not isinstance(spec, dict) or not isinstance(record["result"], dict):
        return "spec and result must be JSON objects"
    try:
        file_name(spec)
        key = spec_key(spec)
    except InputError as exc:
        return str(exc)
    if record["key"] != key:
        return "its key does not match its spec (edited or misnamed)"
    return None


def summary(spec: dict, result: dict) -> str:
    """A short line for a listing: the case, the model, then the verdict or accuracy."""
    parts = []
    pair = spec.get("pair")
    if isinstance(pair, dict):
        parts.append(str(pair["case"]) if "case" in pair else "custom pair")
    model = spec.get("model")
    if isinstance(model, dict) and "model" in model:
        parts.append(str(model["model"]))
    for field in ("verdict", "accuracy"):
        if field in result:
            value = result[field]
            parts.append(f"{field} {value:.3f}" if isinstance(value, float) else f"{field} {value}")
    return " ".join(parts)


def file_name(spec: dict) -> str:
    """``<kind>-<key>.json``: the kind first, so a folder listing reads at a glance."""
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise InputError(f"a job spec needs a 'kind' of letters, digits, '-' or '_'; got {kind!r}")
    return f"{kind}-{spec_key(spec)}.json"
