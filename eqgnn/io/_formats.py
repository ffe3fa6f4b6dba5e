"""The one table of sources: what we read, what we write, what we refuse.

Following ASE's format registry (``ase/io/formats.py``), but as an allow-list.
A row is either a file format, chosen by a path's extension, or a named
source, chosen by a spec's prefix (``g2:NAME``, ``qm9:N``, ``smiles:S``). A
file's reader is passed to ``ase.io.read(..., format=...)`` explicitly, so ASE
never guesses a format from a file's content; a named source's row holds the
function that builds its structure. Formats whose readers can execute code or
unpickle (ASE trajectories, pickles, Python files) are listed only to be
refused with a reason; anything not in the table is refused too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from eqgnn.errors import InputError
from eqgnn.io._named import load_g2, load_smiles
from eqgnn.io._qm9 import load_qm9_spec
from eqgnn.structure import Structure


@dataclass(frozen=True)
class Format:
    """One row of the table: a file format (``extensions``) or a named source (``prefix``).

    ``reader`` is the ASE format name passed to ``ase.io.read``, or ``"json"``
    for our JSON geometric graph; ``writer`` likewise for ``ase.io.write``
    (``None``: we do not write it). ``multiframe``: the reader can give frame
    N > 0 (``PATH@N``). ``refused`` is the reason a format is never read
    (its reader and writer are then ``None``). A named source ``PREFIX:ARG``
    has ``load(arg, spec)``, which gives the structure or an
    :class:`InputError` naming ``spec``; ``argument`` names ARG in messages.
    """

    name: str
    extensions: tuple[str, ...] = ()
    reader: str | None = None
    writer: str | None = None
    multiframe: bool = False
    refused: str | None = None
    prefix: str | None = None
    argument: str = ""
    load: Callable[[str, str], Structure] | None = None

    @property
    def usage(self) -> str:
        """How a user writes this source: ``g2:NAME``; a file format's name otherwise."""
        return f"{self.prefix}:{self.argument}" if self.prefix else self.name


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
    # Named sources: a molecule by name instead of a file.
    Format("g2", prefix="g2", argument="NAME", load=load_g2),  # ASE's G2 collection
    Format("qm9", prefix="qm9", argument="N", load=load_qm9_spec),  # QM9 index 1..133885
    Format("smiles", prefix="smiles", argument="S", load=load_smiles),  # RDKit conformer
)

_BY_EXTENSION = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}
_BY_PREFIX = {fmt.prefix: fmt for fmt in FORMATS if fmt.prefix}


def named_forms() -> list[str]:
    """The named sources' spellings, table order: ``["g2:NAME", "qm9:N", "smiles:S"]``."""
    return [fmt.usage for fmt in FORMATS if fmt.prefix]


def spec_forms() -> str:
    """The forms a structure spec takes, for messages: ``a file path, g2:NAME, ... or smiles:S``."""
    named = named_forms()
    return f"a file path, {', '.join(named[:-1])} or {named[-1]}"


def named_source(spec: str) -> tuple[Format, str] | None:
    """The named-source row ``spec``'s prefix picks (case-insensitive) and the rest of it.

    None when ``spec`` has no known prefix: it is then a path (``C:/x.xyz``
    or ``a:b.xyz`` stay paths, read through :func:`format_for`).
    """
    prefix, sep, rest = spec.partition(":")
    fmt = _BY_PREFIX.get(prefix.lower()) if sep else None
    return None if fmt is None else (fmt, rest)


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
