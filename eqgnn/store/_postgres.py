"""The result store in PostgreSQL: one store for a fleet of front ends and workers.

A folder store belongs to one machine; several dashboard replicas and the
GPU workers of a cluster need one place they all read and write. This store
keeps one row per (spec key, results revision) in the table
:data:`TABLE`, with the result as JSONB beside the columns an operator asks
about (kind, created time, device, seconds). It answers exactly as
:class:`~eqgnn.store.ResultStore` does: the same methods, the same validity
test per record (:func:`~eqgnn.store.record_problem`), and the shipped
``data/results`` folder searched after its own rows.

A write is one ``INSERT … ON CONFLICT DO UPDATE``: atomic, so a reader sees
the old row or the new one, and two writers of one key leave one valid row.

JSONB is for SQL (``result->>'verdict'``), not for reading results back: it
keeps numbers as decimals, so ``1e16`` would return as an int and ``-0.0`` as
``0.0``, and it has no NaN. Each row therefore also holds the exact JSON text
Python wrote (``spec_text``, ``result_text``), which is what the store reads;
a row whose JSONB spec no longer agrees with its text was edited, and counts
as a miss. Non-finite numbers are null in the JSONB copy only.

psycopg is imported only when a store is opened, so the folder store needs
no PostgreSQL client installed.
"""

from __future__ import annotations

import datetime
import json
import math
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from eqgnn.errors import InputError, first_line
from eqgnn.paths import SHIPPED_RESULTS
from eqgnn.store._folder import ResultStore
from eqgnn.store._records import canonical_json, record_problem, revision_of, spec_key, summary

TABLE = "eqgnn_results"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    key         text             NOT NULL,
    revision    integer          NOT NULL,
    kind        text             NOT NULL,
    spec        jsonb            NOT NULL,
    result      jsonb            NOT NULL,
    spec_text   text             NOT NULL,
    result_text text             NOT NULL,
    created_at  timestamptz      NOT NULL DEFAULT now(),
    device      text,
    seconds     double precision,
    PRIMARY KEY (key, revision)
)"""
UPSERT = f"""
INSERT INTO {TABLE} (key, revision, kind, spec, result, spec_text, result_text, created_at,
                     device, seconds)
VALUES (%s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, now(), %s, %s)
ON CONFLICT (key, revision) DO UPDATE SET
    kind = EXCLUDED.kind, spec = EXCLUDED.spec, result = EXCLUDED.result,
    spec_text = EXCLUDED.spec_text, result_text = EXCLUDED.result_text,
    created_at = EXCLUDED.created_at, device = EXCLUDED.device, seconds = EXCLUDED.seconds"""
COLUMNS = "key, revision, spec::text, spec_text, result_text, created_at"


def redacted(url: str) -> str:
    """``url`` without its password (in the user part or a ``password=`` parameter), fit
    to show and to log."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        user = f"{parts.username}@" if parts.username else ""
        parts = parts._replace(netloc=user + host)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if name != "password"]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


class PostgresStore:
    """Job results in the PostgreSQL database at ``url``, then the shipped folder.

    ``root`` is the URL without its password (where :meth:`put` writes);
    ``shipped`` the read-only folder searched after it (None: none). Rows
    that fail :func:`~eqgnn.store.record_problem` are listed in
    :attr:`problems` and count as misses. One connection, shared by threads
    under a lock, reopened once if the server dropped it.
    """

    def __init__(self, url: str, shipped: Path | str | None = SHIPPED_RESULTS) -> None:
        self.url, self.root = url, redacted(url)
        self.shipped = Path(shipped) if shipped else None
        self._shipped = ResultStore(self.shipped, shipped=None) if self.shipped else None
        self._problems: list[str] = []
        self._lock = threading.Lock()
        self._connection = None
        self._execute(SCHEMA)

    @property
    def problems(self) -> list[str]:
        """One line per unusable row or shipped file."""
        return self._problems + (self._shipped.problems if self._shipped else [])

    def get(self, spec: dict) -> dict | None:
        """The stored result of ``spec`` (this database first), or None."""
        rows = self._execute(f"SELECT {COLUMNS} FROM {TABLE} WHERE key = %s AND revision = %s",
                             (spec_key(spec), revision_of(spec.get("kind"))))
        for record in self._valid(rows):
            return record["result"]
        return self._shipped.get(spec) if self._shipped else None

    def put(self, spec: dict, result: dict) -> str:
        """Store ``result`` for ``spec`` (replacing a row of the same key); returns where."""
        if not isinstance(result, dict):
            raise TypeError(f"a job result is a dict, not {type(result).__name__}")
        seconds = result.get("seconds")
        try:
            text = json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise InputError(f"result of {spec['kind']!r} is not plain JSON: {exc}") from None
        spec_text = canonical_json(spec)
        self._execute(UPSERT, (
            spec_key(spec), revision_of(spec.get("kind")), spec["kind"], spec_text,
            json.dumps(_finite(result), allow_nan=False), spec_text, text,
            _text_or_none(result.get("device")),
            float(seconds) if isinstance(seconds, (int, float)) else None,
        ))
        return f"{self.root}#{spec_key(spec)}"

    def records(self, kind: str) -> list[tuple[dict, dict]]:
        """(spec, result) of every valid result of ``kind``, this database first."""
        rows = self._execute(f"SELECT {COLUMNS} FROM {TABLE} WHERE kind = %s ORDER BY key",
                             (kind,))
        found = [(record["spec"], record["result"]) for record in self._valid(rows)]
        return found + (self._shipped.records(kind) if self._shipped else [])

    def entries(self) -> list[dict]:
        """Every valid stored result for listing, as :meth:`ResultStore.entries` gives them."""
        rows = [{
            "key": record["key"], "revision": record["revision"],
            "kind": record["spec"].get("kind"),
            "summary": summary(record["spec"], record["result"]),
            "saved_at": record["saved_at"], "path": f"{self.root}#{record['key']}",
            "shipped": False,
        } for record in self.dump()]
        shipped = self._shipped.entries() if self._shipped else []
        return rows + [{**entry, "shipped": True} for entry in shipped]

    def dump(self, shipped: bool = False) -> list[dict]:
        """Every valid record of this database (then the shipped ones when ``shipped``)."""
        own = self._valid(self._execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY kind, key"))
        return own + (self._shipped.dump() if shipped and self._shipped else [])

    def _valid(self, rows: list[tuple]) -> list[dict]:
        """The rows as records, those that fail the validity test left out and named."""
        records = []
        for key, revision, spec_jsonb, spec, result, created in rows:
            record = {"key": key, "revision": revision, "spec": json.loads(spec),
                      "result": json.loads(result),
                      "saved_at": created.astimezone(datetime.timezone.utc)
                      .isoformat(timespec="seconds")}
            problem = record_problem(record)
            if problem is None and json.loads(spec_jsonb) != record["spec"]:
                problem = "its key does not match its spec (edited or misnamed)"
            if problem is None:
                records.append(record)
            else:
                line = f"{self.root} row {key} (revision {revision}): {problem}; ignored"
                if line not in self._problems:
                    self._problems.append(line)
        return records

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        with self._lock:
            if self._connection is not None and not self._connection.closed:
                self._connection.close()
            self._connection = None

    def __del__(self) -> None:  # a store dropped unclosed must not leave its connection open
        connection = getattr(self, "_connection", None)
        if connection is not None and not connection.closed:
            connection.close()

    def _execute(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Run one statement (reconnecting once if the connection was lost); its rows."""
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._connection is None or self._connection.closed:
                        self._connection = psycopg.connect(self.url, autocommit=True,
                                                           connect_timeout=10)
                    with self._connection.cursor() as cursor:
                        cursor.execute(sql, parameters)
                        return cursor.fetchall() if cursor.description else []
                except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
                    if sql is SCHEMA:  # another process created the table first
                        return []
                    raise
                except psycopg.OperationalError as exc:
                    self._connection = None
                    if attempt == 2 or "connect" not in str(exc).lower():
                        raise InputError(f"result store {self.root}: "
                                         f"{first_line(exc)}") from None
                except psycopg.ProgrammingError as exc:
                    raise InputError(f"result store {self.root}: {first_line(exc)}") from None
        return []


def _finite(value):
    """``value`` with NaN and infinities as None: JSONB has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
