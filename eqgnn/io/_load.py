"""From a user's spec (a path, ``g2:NAME``, ``qm9:N``, ``smiles:S``) to a Structure."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePath

from eqgnn.errors import InputError
from eqgnn.io._files import read_file
from eqgnn.io._formats import format_for, named_source, spec_forms
from eqgnn.io._json_graph import parse_json_graph
from eqgnn.limits import cap_message, limits
from eqgnn.precision import declared_precision
from eqgnn.structure import Structure

SAID_ON_THE_COMMAND_LINE = "given with --precision"
"""Where a precision came from when a command's ``--precision`` gave it."""


def load_structure(spec: str, precision: str | float | None = None,
                   said_by: str = SAID_ON_THE_COMMAND_LINE) -> Structure:
    """Load the structure ``spec`` names, validated; the one entry point for every source.

    Forms: ``PATH`` or ``PATH@N`` (frame N, 0-based, of a multi-frame file;
    format from the extension through the format table, never from the
    content), or a named source whose prefix picks its row of the same table:
    ``g2:NAME`` (ASE's G2 set), ``qm9:N`` (QM9 index 1..133885), ``smiles:S``
    (RDKit conformer). The CLI and the pages pass user text straight here, so
    any problem is an :class:`InputError` with a one-line message naming
    ``spec``. ``precision`` (``float32``, ``float64``, ``exact`` or a length),
    when given, is how well the coordinates are known, as ``said_by`` says it;
    else the source's own (:mod:`eqgnn.precision`).
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"empty structure spec: give {spec_forms()}")
    spec = spec.strip()
    named = named_source(spec)
    if named is not None:
        fmt, rest = named
        return with_said_precision(fmt.load(rest, spec), precision, said_by)
    path, frame = _split_frame(spec)
    return with_said_precision(read_file(path, frame, spec), precision, said_by)


def with_said_precision(structure: Structure, precision: str | float | None,
                        said_by: str = SAID_ON_THE_COMMAND_LINE) -> Structure:
    """``structure`` known to the ``precision`` a user gave (None: as it was)."""
    if precision is None:
        return structure
    return structure.with_precision(
        declared_precision(precision, structure.positions, said_by))


def load_upload(filename: str, data: bytes, precision: str | float | None = None) -> Structure:
    """Load a file the dashboard's uploader received, by its name's extension.

    The same format table decides as for paths. ASE's readers want a path,
    so the bytes go through a temporary file with the same extension. A file
    over the server's ``upload_mb`` cap is refused before it is parsed.
    ``precision``: the page's choice beside the uploader (None: the file's own).
    """
    megabytes = len(data) / 1e6
    if megabytes > limits().upload_mb:
        raise InputError(f"{filename}: {cap_message('upload_mb', f'{megabytes:.1f} MB')}")
    fmt = format_for(filename, filename)
    stem = PurePath(filename).stem
    if fmt.reader == "json":
        return with_said_precision(parse_json_graph(data, stem, filename), precision,
                                   "chosen beside the upload")
    fd, tmp = tempfile.mkstemp(suffix=PurePath(filename).suffix.lower())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return with_said_precision(read_file(tmp, 0, filename, stem), precision,
                                   "chosen beside the upload")
    finally:
        os.unlink(tmp)


def _split_frame(spec: str) -> tuple[str, int]:
    """``PATH@N`` into (PATH, N); a path that exists as given is taken whole."""
    path, at, frame = spec.rpartition("@")
    if not at or "/" in frame or os.sep in frame or _exists(spec):
        return spec, 0
    if not frame.isdigit():
        raise InputError(f"{spec}: bad frame {frame!r} after '@' (want PATH@N, N = 0, 1, ...)")
    return path, int(frame)


def _exists(path: str) -> bool:
    """``Path.exists`` that answers False for names the OS cannot even look up."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):  # name too long, embedded NUL byte
        return False
