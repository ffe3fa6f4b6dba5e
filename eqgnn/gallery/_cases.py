"""The failure-case gallery: named pairs of geometric graphs and their theory verdicts.

Each case is a pair (A, B) that some models cannot tell apart (SCIENCE.md):
torsion twins, k-chains, n-fold stars, low body-order environments, mirror
images, and a congruent control. Titles, texts and graph rules live in
``data/cases/index.json``; stored geometries in ``data/cases/NAME.json``
(written by ``python -m eqgnn.gallery._build``); k-chains and stars are
generated for any size. Loading reads JSON and numpy only, so the oracle CLI
answers ``--case NAME`` in well under a second.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from eqgnn.errors import InputError
from eqgnn.gallery._kchains import kchain_pair
from eqgnn.gallery._stars import pyramid_pair, star_pair
from eqgnn.paths import CASES_DIR
from eqgnn.structure import Structure, make_structure

FAMILIES = {"kchain": kchain_pair, "star": star_pair, "pyramid": pyramid_pair}  # any size
HOW_TO_LIST = "`python -m eqgnn cases` lists them"


@dataclass(frozen=True)
class Case:
    """A gallery pair and how to read it.

    ``graph`` is the rule every verdict uses (``bonds``, ``radius:5``, or
    ``explicit`` for graphs that carry their edges). ``readout`` is the readout
    an experiment on the pair should use: ``invariant``, except for the stars,
    whose A and B are two orientations of one structure (SCIENCE.md, "Readout").
    """

    name: str
    title: str
    text: str
    a: Structure
    b: Structure
    graph: str | None
    readout: str
    kind: str


@lru_cache(maxsize=1)
def _index() -> tuple[dict, ...]:
    """The entries of ``data/cases/index.json``, in gallery order."""
    path = CASES_DIR / "index.json"
    try:
        return tuple(json.loads(path.read_text())["cases"])
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise InputError(f"{path}: the gallery index cannot be read ({exc})") from None


def case_names() -> list[str]:
    """The listed cases; a family (kchain, star, pyramid) is listed by its ``listed`` sizes.

    ``load_case`` takes any size of a family (``kchain-40``), not only these.
    """
    names: list[str] = []
    for entry in _index():
        if "family" in entry:
            names += [f"{entry['family']}-{n}" for n in entry["listed"]]
        else:
            names.append(entry["name"])
    return names


def load_case(name: str) -> Case:
    """The gallery case ``name``: a stored pair, ``kchain-K``, ``star-N`` or ``pyramid-N``.

    K and N start at 2; the stars stop where their arms would crowd (``_stars``).
    """
    for entry in _index():
        if entry.get("name") == name:
            a, b = _stored_pair(entry.get("file", name))
            return _case(entry, name, a, b, None)
        family = entry.get("family")
        match = re.fullmatch(rf"{family}-(\d+)", name) if family else None
        if match:
            size = int(match.group(1))
            if size < 2:
                raise InputError(f"case {name!r}: {family}-N needs N >= 2")
            a, b = FAMILIES[family](size)
            return _case(entry, name, a, b, {"n": size, "half": size // 2 + 1, "next": size + 1})
    raise InputError(f"unknown case {name!r}: {HOW_TO_LIST}")


def _case(entry: dict, name: str, a: Structure, b: Structure, sizes: dict | None) -> Case:
    """A :class:`Case` from an index entry; a family's title and text name its ``sizes``."""
    title, text = entry["title"], entry["text"]
    if sizes is not None:
        title, text = title.format(**sizes), text.format(**sizes)
    return Case(
        name=name,
        title=title,
        text=text,
        a=a,
        b=b,
        graph=entry["graph"],
        readout=entry["readout"],
        kind=entry["kind"],
    )


def _stored_pair(stem: str) -> tuple[Structure, Structure]:
    """Graphs A and B of ``data/cases/STEM.json``, validated like any loaded structure."""
    path = CASES_DIR / f"{stem}.json"
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the stored case ({exc})") from None
    source = f"data/cases/{stem}.json"
    return tuple(
        make_structure(
            doc[key]["numbers"],
            doc[key]["positions"],
            doc[key].get("edges"),
            name=doc[key].get("name", f"{stem} {key.upper()}"),
            source=f"{source}#{key}",
        )
        for key in ("a", "b")
    )


def theory(case: Case, max_hops: int | None = None) -> dict:
    """The pair's verdicts from the theory oracle, computed, never typed in.

    ``congruent`` per group; ``min_hops[body_order][group]``, the fewest hops at
    which the k-hop geometric WL test with that body order separates A and B
    on the case's graph (``None``: no hops up to the diameter, or up to
    ``max_hops`` when given, do); ``gwl_min_layers`` per group, the GWL bound
    on an equivariant GNN's layers: min_hops at body order full, ``None`` for a
    congruent pair, which no model separates (SCIENCE.md, Claim 2); for stars,
    which types see the orientation (Claim 3). JSON-able.
    """
    from eqgnn.config import GROUPS
    from eqgnn.oracle import BODY_ORDERS, DEFAULT_TOL, PairGraphs

    # graphs and hop distances built once for all six body order x group scans
    pair = PairGraphs(case.a, case.b, case.graph)
    is_congruent = {g: pair.congruent(g, DEFAULT_TOL) for g in GROUPS}
    needed = {
        b: {g: pair.min_hops(b, g, DEFAULT_TOL, max_hops) for g in GROUPS} for b in BODY_ORDERS
    }
    out: dict = {
        "graph": case.graph,
        "max_hops": max_hops,
        "congruent": is_congruent,
        "min_hops": needed,
        "gwl_min_layers": {
            g: None if is_congruent[g] else needed["full"][g] for g in GROUPS
        },
    }
    if case.kind == "star":
        from eqgnn.config import MAX_LMAX
        from eqgnn.oracle import orientation

        # every type a model can carry: the 10-fold star needs type 10
        out["orientation"] = orientation(case.a, lmax=MAX_LMAX)["types"]
    return out
