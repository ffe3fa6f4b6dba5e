"""The folder store: one JSON file per result, written atomically, then the shipped folder."""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from pathlib import Path

from eqgnn.paths import SHIPPED_RESULTS, results_dir
from eqgnn.store._records import file_name, record_problem, revision_of, spec_key, summary


def default_root() -> Path:
    """The writable folder: ``$EQGNN_STORE`` when it names a folder, else
    ``~/.cache/eqgnn/results`` (:func:`eqgnn.paths.results_dir`)."""
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
        return self.root / file_name(spec)

    def get(self, spec: dict) -> dict | None:
        """The stored result of ``spec`` (writable store first), or None."""
        name = file_name(spec)
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
        if problem is None and path.name != file_name(record["spec"]):
            problem = "its key does not match its spec (edited or misnamed)"
        return record if problem is None else self._problem(path, problem)

    def _problem(self, path: Path, what: str) -> None:
        """Record one line about an unusable file, once; the file counts as a miss."""
        line = f"{path}: {what}; ignored"
        if line not in self.problems:
            self.problems.append(line)
        return None
