"""The one table of file formats: what we read, what we write, what we refuse.

Following ASE's format registry (``ase/io/formats.py``), but as an allow-list:
the reader is chosen here from the file's extension and passed to
``ase.io.read(..., format=...)`` explicitly, so ASE never guesses a format
from a file's content. Formats whose readers can execute code or unpickle
(ASE trajectories, pickles, Python files) are listed only to be refused with
a reason; anything not in the table is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from eqgnn.errors import InputError


@dataclass(frozen=True)
class Format:
    """One row of the table.

    ``reader`` is the ASE format name passed to ``ase.io.read``, or ``"json"``
    for our JSON geometric graph; ``writer`` likewise for ``ase.io.write``
    (``None``: we do not write it). ``multiframe``: the reader can give frame
    N > 0 (``PATH@N``). ``refused`` is the reason a format is never read
    (its reader and writer are then ``None``).
    """

    name: str
    extensions: tuple[str, ...]
    reader: str | None = None
    writer: str | None = None
    multiframe: bool = False
    refused: str | None = None


FORMATS: tuple[Format, ...] = (
    # ASE's extxyz reader also reads plain xyz and every frame; an extxyz file
    # is a valid xyz file whose comment line keeps the name.
    Format("xyz", (".xyz",), reader="extxyz", writer="extxyz", multiframe=True),
    Format("extxyz", (".extxyz",), reader="extxyz", writer="extxyz", multiframe=True),
    Format(
        "pdb",
        (".pdb", ".ent"),
        reader="proteindatabank",
        writer="proteindatabank",
        multiframe=True,
    ),
    Format("cif", (".cif",), reader="cif", multiframe=True),
    # ASE 3.29 reads MDL V2000 molfiles: the first record, coordinates only.
    Format("sdf", (".sdf",), reader="sdf"),
    Format("mol", (".mol",), reader="mol"),
    Format("json", (".json",), reader="json", writer="json"),
    Format("traj", (".traj", ".trj"), refused="ASE trajectories can unpickle, i.e. run code"),
    Format("pickle", (".pckl", ".pkl", ".pickle"), refused="unpickling can run code"),
    Format("python", (".py",), refused="ASE executes Python files to read them"),
    Format("bundletrajectory", (".bundle",), refused="bundle trajectories hold pickles"),
)

_BY_EXTENSION = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}


def readable_extensions() -> list[str]:
    """Extensions a user may load, for messages and the dashboard's uploader."""
    return [ext for fmt in FORMATS if fmt.reader for ext in fmt.extensions]


def writable_extensions() -> list[str]:
    """Extensions ``write_structure`` accepts."""
    return [ext for fmt in FORMATS if fmt.writer for ext in fmt.extensions]


def format_for(path: str, label: str, *, write: bool = False) -> Format:
    """The table row for ``path``'s extension, or an :class:`InputError`.

    Refused formats and unknown extensions both end here, so no caller can
    reach ASE with a format the table did not allow.
    """
    ext = PurePath(path).suffix.lower()
    fmt = _BY_EXTENSION.get(ext)
    if fmt is not None and fmt.refused:
        raise InputError(f"{label}: {fmt.name} files are refused ({fmt.refused})")
    allowed = writable_extensions() if write else readable_extensions()
    if fmt is None or ext not in allowed:
        verb = "write" if write else "read"
        raise InputError(
            f"{label}: cannot {verb} {ext or 'files without an extension'!s}; "
            f"use one of {', '.join(allowed)}"
        )
    return fmt
