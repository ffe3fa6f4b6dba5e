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
from eqgnn.structure import Structure


def load_structure(spec: str) -> Structure:
    """Load the structure ``spec`` names, validated; the one entry point for every source.

    Forms: ``PATH`` or ``PATH@N`` (frame N, 0-based, of a multi-frame file;
    format from the extension through the format table, never from the
    content), or a named source whose prefix picks its row of the same table:
    ``g2:NAME`` (ASE's G2 set), ``qm9:N`` (QM9 index 1..133885), ``smiles:S``
    (RDKit conformer). The CLI and the pages pass user text straight here, so
    any problem is an :class:`InputError` with a one-line message naming
    ``spec``.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"empty structure spec: give {spec_forms()}")
    spec = spec.strip()
    named = named_source(spec)
    if named is not None:
        fmt, rest = named
        return fmt.load(rest, spec)
    path, frame = _split_frame(spec)
    return read_file(path, frame, spec)


def load_upload(filename: str, data: bytes) -> Structure:
    """Load a file the dashboard's uploader received, by its name's extension.

    The same format table decides as for paths. ASE's readers want a path,
    so the bytes go through a temporary file with the same extension. A file
    over the server's ``upload_mb`` cap is refused before it is parsed.
    """
    megabytes = len(data) / 1e6
    if megabytes > limits().upload_mb:
        raise InputError(f"{filename}: {cap_message('upload_mb', f'{megabytes:.1f} MB')}")
    fmt = format_for(filename, filename)
    stem = PurePath(filename).stem
    if fmt.reader == "json":
        return parse_json_graph(data, stem, filename)
    fd, tmp = tempfile.mkstemp(suffix=PurePath(filename).suffix.lower())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return read_file(tmp, 0, filename, stem)
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
