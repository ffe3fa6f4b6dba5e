"""Our JSON geometric graph: species, positions and, optionally, explicit edges.

``{"numbers": [...] | "symbols": [...], "positions": [[x, y, z], ...],
"edges": [[i, j], ...], "name": "...", "units": "Å" | "abstract",
"precision": "float32" | "float64" | "exact" | LENGTH}`` with 0-based edges.

- ``units``: a graph with explicit edges is geometry in its own units unless
  it says ``"Å"`` (SCIENCE.md, "Units and scale"); without edges it is a
  molecule in Å unless it says ``"abstract"``.
- ``precision``: how well the file's coordinates are known, in its units;
  without it, a file's rule (:func:`eqgnn.precision.file_precision`).

Parsed with the ``json`` module and ``ase.data`` only: importing ``ase.io``
costs about a second, and the oracle CLI must answer a JSON graph faster
than that.
"""

from __future__ import annotations

import json
from pathlib import Path

from eqgnn.errors import InputError
from eqgnn.precision import declared_precision, file_precision
from eqgnn.structure import ABSTRACT, ANGSTROM, Structure, make_structure

UNIT_NAMES = {"å": ANGSTROM, "angstrom": ANGSTROM, "a": ANGSTROM, "abstract": ABSTRACT}


def parse_json_graph(text: str | bytes, name: str, source: str) -> Structure:
    """A :class:`Structure` from JSON text; ``name`` is used when the JSON has none."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: not a valid JSON file (not UTF-8 text)") from None
    return structure_from_json(doc, name, source)


def structure_from_json(doc, name: str, source: str) -> Structure:
    """A :class:`Structure` from a parsed JSON graph (a dict), e.g. inside a job spec."""
    if not isinstance(doc, dict):
        raise InputError(f"{source}: a JSON graph must be an object with numbers/positions")
    if "positions" not in doc:
        raise InputError(f'{source}: the JSON graph has no "positions"')
    numbers = _numbers(doc, source)
    title = doc.get("name")
    structure = make_structure(
        numbers,
        doc["positions"],
        edges=doc.get("edges"),
        name=title if isinstance(title, str) and title else name,
        source=source,
        units=_units(doc, source),
    )
    if "precision" in doc:
        said = declared_precision(doc["precision"], structure.positions,
                                  "the file's precision field")
    else:
        said = file_precision(structure.positions)
    return structure.with_precision(said)


def _units(doc: dict, source: str) -> str:
    """The graph's units: as it says, else abstract with explicit edges and Å without."""
    if "units" not in doc:
        return ABSTRACT if doc.get("edges") is not None else ANGSTROM
    text = doc["units"]
    units = UNIT_NAMES.get(text.strip().lower()) if isinstance(text, str) else None
    if units is None:
        raise InputError(f'{source}: "units" {text!r}: choose "Å" or "abstract"')
    return units


def read_json_graph(path: str, source: str, stem: str) -> Structure:
    """Read a JSON graph file; ``stem`` names it unless the JSON does."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read file ({exc.strerror})") from None
    return parse_json_graph(text, stem, source)


def write_json_graph(structure: Structure, path: str) -> None:
    """Write ``structure`` (edges included) so :func:`read_json_graph` reads it back."""
    Path(path).write_text(json.dumps(structure.to_json(), indent=1) + "\n")


def _numbers(doc: dict, source: str) -> list[int]:
    """Atomic numbers from ``"numbers"``, or from ``"symbols"`` via ``ase.data``."""
    if "numbers" in doc:
        numbers = doc["numbers"]
        if not isinstance(numbers, list) or not all(
            isinstance(z, int) and not isinstance(z, bool) for z in numbers
        ):
            raise InputError(f'{source}: "numbers" must be a list of atomic numbers')
        return numbers
    if "symbols" in doc:
        from ase.data import atomic_numbers

        symbols = doc["symbols"]
        if not isinstance(symbols, list):
            raise InputError(f'{source}: "symbols" must be a list of element symbols')
        unknown = [s for s in symbols if not isinstance(s, str) or s not in atomic_numbers]
        if unknown:
            raise InputError(f"{source}: unknown element symbol {unknown[0]!r}")
        return [atomic_numbers[s] for s in symbols]
    raise InputError(f'{source}: the JSON graph needs "numbers" or "symbols"')
