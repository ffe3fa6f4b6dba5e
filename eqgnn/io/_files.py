"""Reading and writing structure files through the format table.

ASE reads the molecular formats, always with the format the table chose from
the extension (``ase.io.read(..., format=...)``), so a pickle renamed to
``.xyz`` is parsed as xyz and fails as one. ASE's readers raise many kinds of
exception for broken files; they are caught here, by type, and turned into
one-line :class:`InputError` messages.
"""

from __future__ import annotations

from pathlib import Path

from eqgnn.errors import InputError
from eqgnn.io._formats import format_for
from eqgnn.io._json_graph import read_json_graph, write_json_graph
from eqgnn.precision import file_precision
from eqgnn.structure import Structure, make_structure

# What ASE's readers raise on a broken file: bad numbers (ValueError, which
# includes UnicodeDecodeError), short files (IndexError, StopIteration,
# ase.io.extxyz.XYZError is an OSError), unknown symbols (KeyError), the
# asserts and missing attributes of the CIF parser, and a StopIteration a
# generator turned into a RuntimeError (an xyz file whose count is negative).
ASE_READ_ERRORS = (
    ValueError,
    IndexError,
    KeyError,
    StopIteration,
    OSError,
    AssertionError,
    TypeError,
    AttributeError,
    RuntimeError,
    ArithmeticError,
)


def read_file(path: str, frame: int, source: str, stem: str | None = None) -> Structure:
    """Frame ``frame`` (0-based) of the file at ``path``, validated.

    The structure is named by the file's own name field if it has one, else
    by ``stem`` (default: the file's stem). Its precision is a file's
    (:func:`eqgnn.precision.file_precision`): never finer than float32's.
    """
    fmt = format_for(path, source)
    file = Path(path)
    try:
        is_file, is_dir = file.is_file(), file.is_dir()
    except (OSError, ValueError) as exc:  # name too long, embedded NUL byte
        raise InputError(f"{source}: cannot open file ({exc})") from None
    if not is_file:
        raise InputError(f"{source}: {'is a directory, not a file' if is_dir else 'no such file'}")
    if frame > 0 and not fmt.multiframe:
        raise InputError(f"{source}: frame {frame} out of range (a {fmt.name} file has 1 frame)")
    if fmt.reader == "json":
        return read_json_graph(path, source, stem or file.stem)
    atoms = _ase_read(path, fmt.reader, fmt.name, frame, source)
    title = atoms.info.get("name")
    name = title if isinstance(title, str) and title else stem or file.stem
    structure = make_structure(
        atoms.numbers,
        atoms.positions,
        name=name if frame == 0 else f"{name}@{frame}",
        source=source,
        info={"format": fmt.name, "frame": frame},
    )
    return structure.with_precision(file_precision(structure.positions))


def _ase_read(path: str, reader: str, format_name: str, frame: int, source: str):
    """``ase.io.read`` of one frame, with ASE's exceptions made into InputErrors."""
    import ase.io

    try:
        return ase.io.read(path, index=frame, format=reader)
    except StopIteration:
        if frame == 0:
            raise InputError(f"{source}: no atoms (empty {format_name} file)") from None
        count = _count_frames(path, reader)
        raise InputError(
            f"{source}: frame {frame} out of range "
            f"(the file has {count} frame{'s' if count != 1 else ''}, from 0)"
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{source}: not a valid {format_name} file (binary content, not text)"
        ) from None
    except KeyError as exc:
        raise InputError(
            f"{source}: not a valid {format_name} file (unknown element or field {exc})"
        ) from None
    except ASE_READ_ERRORS as exc:
        detail = str(exc).splitlines()[0] if str(exc) else "could not parse it"
        raise InputError(f"{source}: not a valid {format_name} file ({detail})") from None


def _count_frames(path: str, reader: str) -> int:
    """How many frames ASE finds, for the out-of-range message."""
    import ase.io

    return sum(1 for _ in ase.io.iread(path, index=":", format=reader))


def write_structure(structure: Structure, path: str) -> None:
    """Write ``structure`` to ``path`` in the format its extension names.

    .xyz/.extxyz (the name kept in the info line), .pdb, or .json (our JSON
    graph, edges included) — so a transformed structure (a torsion twin, a
    mirror image) can be saved and loaded back with ``load_structure``.
    xyz, extxyz and JSON keep every coordinate's full float64 value (read back
    bit for bit): a file the product writes must not add rounding that a
    verdict would then have to discount. PDB's fixed columns hold 3 decimals.
    Other extensions are an :class:`InputError`.
    """
    fmt = format_for(path, path, write=True)
    try:
        if fmt.writer == "json":
            write_json_graph(structure, path)
        elif fmt.writer == "extxyz":
            _write_extxyz(structure, path)
        else:
            _ase_write(structure, path, fmt.writer)
    except OSError as exc:
        raise InputError(f"{path}: cannot write file ({exc.strerror or exc})") from None


def _write_extxyz(structure: Structure, path: str) -> None:
    """Extended XYZ with the shortest decimal of each float64 that reads back exactly.

    ASE's writer rounds to 8 decimals; the info line is still ASE's (name kept).
    """
    from ase.io.extxyz import key_val_dict_to_str

    info = key_val_dict_to_str(
        {"Properties": "species:S:1:pos:R:3", "name": structure.name, "pbc": "F F F"})
    lines = [str(len(structure)), info]
    lines += [f"{symbol} {x!r} {y!r} {z!r}"
              for symbol, (x, y, z) in zip(structure.symbols, structure.positions.tolist())]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _ase_write(structure: Structure, path: str, writer: str) -> None:
    """Write through ASE; the extxyz info line keeps the structure's name."""
    import ase.io
    from ase import Atoms

    atoms = Atoms(numbers=structure.numbers, positions=structure.positions)
    atoms.info["name"] = structure.name
    ase.io.write(path, atoms, format=writer)
