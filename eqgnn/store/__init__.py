"""The result store: every job's result on disk under the hash of its spec.

A job (:mod:`eqgnn.jobs`) is a pure function of its JSON-able spec, so its
result can be kept under ``spec_key(spec)`` and answered from disk the next
time anyone asks: the dashboard, the CLI and a cluster sweep share one cache.
Two places are searched: a writable store (``$EQGNN_RESULTS``, else
``~/.cache/eqgnn/results``) and, read-only, the results shipped with the
repository in ``data/results/``, so a fresh checkout shows precomputed runs
without training anything.

Each result is one file ``<kind>-<key>.json`` holding ``key``, ``revision``,
``spec``, ``result`` and ``saved_at``. Files are written atomically (a temp
file in the same folder, fsynced, then renamed over the target), so a killed
writer never leaves half a result and concurrent writers of one key leave one
valid file. A file that cannot be read is recorded in
:attr:`ResultStore.problems` and treated as a miss, never as an error.

A fleet shares one :class:`PostgresStore` instead (``$EQGNN_STORE=postgresql://…``,
:mod:`eqgnn.store._postgres`): the same methods, the same validity test per record
(:func:`record_problem`), the shipped folder after its rows. :func:`open_store`
opens the one the environment names; :mod:`eqgnn.store._transfer` moves records
between any two (``eqgnn results export/import``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from eqgnn.errors import InputError
from eqgnn.jobs import Cancel, Progress, run_job
from eqgnn.paths import SHIPPED_RESULTS, results_dir

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


def default_root() -> Path:
    """The writable store: ``$EQGNN_RESULTS``, else ``~/.cache/eqgnn/results``."""
    return results_dir()


class ResultStore:
    """Job results on disk: a writable folder, then a read-only shipped one.

    ``root`` is where :meth:`put` writes (default :func:`default_root`);
    ``shipped`` is searched after it (default :data:`SHIPPED_RESULTS`; None
    for none). Unreadable files are listed in :attr:`problems`, one line each.
    """

    def __init__(
        self, root: Path | str | None = None, shipped: Path | str | None = SHIPPED_RESULTS,
    ) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.shipped = Path(shipped) if shipped is not None else None
        self.problems: list[str] = []

    def path_for(self, spec: dict) -> Path:
        """Where :meth:`put` writes the result of ``spec``."""
        return self.root / _file_name(spec)

    def get(self, spec: dict) -> dict | None:
        """The stored result of ``spec`` (writable store first), or None."""
        name = _file_name(spec)
        for folder, _ in self._folders():
            record = self._read(folder / name)
            if record is not None:
                return record["result"]
        return None

    def put(self, spec: dict, result: dict) -> Path:
        """Store ``result`` for ``spec`` atomically; returns the file written.

        The record is written to a temp file beside the target, flushed and
        fsynced, then renamed over it: readers see the old file or the new
        one, never a mix, and a killed writer leaves at most a hidden
        ``.*.tmp`` file that no reader looks at.
        """
        if not isinstance(result, dict):
            raise TypeError(f"a job result is a dict, not {type(result).__name__}")
        path = self.path_for(spec)
        record = {
            "key": spec_key(spec),
            "revision": revision_of(spec.get("kind")),
            "spec": spec,
            "result": result,
            "saved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.root, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.chmod(temp, 0o644)  # mkstemp's 0600 would hide a shared store from its group
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(record, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return path

    def records(self, kind: str) -> list[tuple[dict, dict]]:
        """(spec, result) of every readable result of ``kind``, writable store first."""
        found = []
        for folder, _ in self._folders():
            for path in sorted(folder.glob(f"{kind}-*.json")):
                record = self._read(path)
                if record is not None:
                    found.append((record["spec"], record["result"]))
        return found

    def entries(self) -> list[dict]:
        """Every readable stored result, writable store first, for listing.

        Each entry: ``key``, ``revision``, ``kind``, ``summary`` (the case,
        model and verdict or accuracy where present), ``saved_at``, ``path``
        and ``shipped``. Unreadable files go to :attr:`problems` instead.
        """
        rows = []
        for folder, shipped in self._folders():
            for path in sorted(folder.glob("*.json")):
                record = self._read(path)
                if record is None:
                    continue
                rows.append({
                    "key": record["key"],
                    "revision": record["revision"],
                    "kind": record["spec"].get("kind"),
                    "summary": summary(record["spec"], record["result"]),
                    "saved_at": record["saved_at"],
                    "path": str(path),
                    "shipped": shipped,
                })
        return rows

    def dump(self, shipped: bool = False) -> list[dict]:
        """Every valid record (:data:`FIELDS`) of the writable store, then of the shipped
        one too when ``shipped``: what ``eqgnn results export`` writes."""
        folders = self._folders() if shipped else self._folders()[:1]
        return [record for folder, _ in folders for path in sorted(folder.glob("*.json"))
                if (record := self._read(path)) is not None]

    def _folders(self) -> list[tuple[Path, bool]]:
        """(folder, is shipped) in search order."""
        folders = [(self.root, False)]
        if self.shipped is not None:
            folders.append((self.shipped, True))
        return folders

    def _read(self, path: Path) -> dict | None:
        """The valid record in ``path``; None if absent, else None and a problem line."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            return self._problem(path, f"unreadable ({exc.strerror})")
        try:
            record = json.loads(text)
        except ValueError as exc:
            return self._problem(path, f"not valid JSON ({exc})")
        problem = record_problem(record)
        if problem is None and path.name != _file_name(record["spec"]):
            problem = "its key does not match its spec (edited or misnamed)"
        return record if problem is None else self._problem(path, problem)

    def _problem(self, path: Path, what: str) -> None:
        """Record one line about an unusable file, once; the file counts as a miss."""
        line = f"{path}: {what}; ignored"
        if line not in self.problems:
            self.problems.append(line)
        return None


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
        _file_name(spec)
        key = spec_key(spec)
    except InputError as exc:
        return str(exc)
    if record["key"] != key:
        return "its key does not match its spec (edited or misnamed)"
    return None


STORE_ENV = "EQGNN_STORE"
"""Names the writable store: a ``postgresql://`` URL or a folder (default: :func:`default_root`)."""


def open_store(url: str | None = None) -> ResultStore | PostgresStore:
    """The store the product reads and writes: ``url``, else ``$EQGNN_STORE``.

    A ``postgresql://`` (or ``postgres://``) URL opens a
    :class:`~eqgnn.store._postgres.PostgresStore`, a path a folder store there,
    nothing the default folder; the shipped results come after each.
    """
    where = (url or os.environ.get(STORE_ENV) or "").strip()
    if where.startswith(("postgresql://", "postgres://")):
        from eqgnn.store._postgres import PostgresStore

        return PostgresStore(where)
    if "://" in where:
        raise InputError(f"{STORE_ENV} / --store {where.split('://')[0]}://…: give a "
                         "postgresql:// URL or a folder")
    return ResultStore(where or None)


def cached_run(
    spec: dict,
    store: ResultStore | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    runner: Callable[..., dict] = run_job,
) -> tuple[dict, bool]:
    """(result, from_store): the stored result of ``spec``, else run it and store it.

    ``force`` reruns even when a result is stored and replaces it. ``runner``
    is :func:`~eqgnn.jobs.run_job` or another function of the same signature,
    e.g. :class:`~eqgnn.jobs.SubprocessRunner` for runs a page can stop.
    """
    store = store if store is not None else open_store()
    if not force:
        result = store.get(spec)
        if result is not None:
            return result, True
    result = runner(spec, progress=progress, cancel=cancel)
    store.put(spec, result)
    return result, False


def run_and_store(specs: list[dict], store, runner, cancel: Cancel | None = None):
    """Run ``specs`` as one batch on ``runner`` (an :class:`eqgnn.jobs.Runner`), store each
    result as it comes back and yield (spec, result); a job's error is raised, with every
    result finished before it stored."""
    from contextlib import closing

    with closing(runner.map(specs, cancel=cancel)) as finished:
        for spec, outcome in finished:
            if isinstance(outcome, Exception):
                raise outcome
            store.put(spec, outcome)
            yield spec, outcome


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


def _file_name(spec: dict) -> str:
    """``<kind>-<key>.json``: the kind first, so a folder listing reads at a glance."""
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise InputError(f"a job spec needs a 'kind' of letters, digits, '-' or '_'; got {kind!r}")
    return f"{kind}-{spec_key(spec)}.json"


from eqgnn.store._postgres import PostgresStore  # noqa: E402 - it builds on the names above
