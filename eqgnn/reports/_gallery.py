"""The gallery page's numbers: theory verdicts, stored model verdicts, neighbourhoods.

Everything here is instant on a fresh checkout: the oracle is numpy-only and
model verdicts are read from the result store (``data/results/`` ships the
presets and sweeps, ``eqgnn.precompute``), never trained. :func:`gallery_report`
gathers every panel of the page (``python -m eqgnn report gallery``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from eqgnn.config import GROUPS, PRESETS, config_from_options
from eqgnn.gallery import Case, theory
from eqgnn.oracle import BODY_ORDERS, compare
from eqgnn.structure import Structure

GALLERY_CASE = "butane-torsion"
DEFAULT_PRESET = next(iter(PRESETS))
"""The page's first preset, whose training curves it offers first."""
MIN_TABLE_HOPS = 3
MAX_TABLE_HOPS = 6
NOT_COMPUTED = "not computed"


def oracle_verdicts(case: Case) -> dict:
    """The theory panel of the gallery: ``rows``, ``table`` and ``headline``, computed once.

    ``rows``: the k-hop geometric WL test on the pair for every hops, body
    order and group (SCIENCE.md, Claim 1), from 1 to the case's largest finite
    ``min_hops`` (at least 3, at most 6), the rows where the verdicts change;
    each with hops, body_order, group, indistinguishable, congruent, min_hops
    and the oracle's sentence ``reason``. ``table``: :func:`oracle_table`.
    ``headline``: :func:`oracle_headline`.
    """
    needed = theory(case)["min_hops"]
    finite = [k for order in needed.values() for k in order.values() if k is not None]
    last = min(max([MIN_TABLE_HOPS, *finite]), MAX_TABLE_HOPS)
    rows = []
    for hops in range(1, last + 1):
        for order in BODY_ORDERS:
            for group in GROUPS:
                v = compare(case.a, case.b, hops, order, group, case.graph)
                rows.append({"hops": hops, "body_order": order, "group": group,
                             "indistinguishable": v["indistinguishable"],
                             "congruent": v["congruent"], "min_hops": v["min_hops"],
                             "reason": v["reason"]})
    return {"rows": rows, "table": oracle_table(rows), "headline": oracle_headline(rows)}


def oracle_table(rows: list[dict]) -> list[dict]:
    """The oracle's rows as a small grid: one line per hops, one column per body order x group.

    A cell reads ``same`` (the test cannot tell A from B: every model of that
    kind is blind) or ``differ`` (the test separates them: a model of that
    kind may). A last line gives the fewest hops that separate, ``never`` when
    none do (congruent pairs, or the orientation-only stars).
    """
    grid: dict[int, dict] = {}
    fewest = {"hops": "fewest hops"}
    for row in rows:
        column = _column(row["body_order"], row["group"])
        line = grid.setdefault(row["hops"], {"hops": str(row["hops"])})
        line[column] = "same" if row["indistinguishable"] else "differ"
        fewest[column] = "never" if row["min_hops"] is None else str(row["min_hops"])
    return [*grid.values(), fewest]


def oracle_headline(rows: list[dict]) -> dict:
    """The one verdict worth reading first, as ``{"verdict", "reason", "blind"}``.

    The most telling row is the deepest one whose test is still blind while
    the pair is not congruent (the failure the case is about); for a
    congruent pair, or one the first test already separates, the 1-hop row.
    """
    blind = [r for r in rows if r["indistinguishable"] and not r["congruent"]
             and r["body_order"] == "full" and r["group"] == "O3"]
    row = blind[-1] if blind else rows[0]
    if row["congruent"]:
        verdict = "A and B are congruent: no invariant model can tell them apart"
    elif row["indistinguishable"]:
        hops = f"{row['hops']} hop{'s' if row['hops'] > 1 else ''}"
        verdict = f"Invariant models with {hops} are blind"
        if row["min_hops"]:
            verdict += f"; {row['min_hops']} hops see it"
    else:
        verdict = "A 1-hop invariant model can tell A from B"
    return {"verdict": verdict, "reason": row["reason"], "blind": row["indistinguishable"],
            "congruent": row["congruent"]}


def hops_headline(rows: list[dict], hops: int) -> dict:
    """The verdict at the ``hops`` a visitor chose, like :func:`oracle_headline`'s.

    Read off each body order's fewest separating hops (O(3)), so it is exact
    for any ``hops``, beyond the table's last row too: at k = 2 on butane's
    bond graph, "2 hops see it from body order 3", never the 1-hop verdict.
    The reason is the oracle's sentence of the full-body-order row at ``hops``
    (the table's last row past its end).
    """
    o3 = {r["body_order"]: r for r in rows if r["group"] == "O3"
          and r["hops"] == min(hops, max(row["hops"] for row in rows))}
    full = o3["full"]
    sees = {order: row["min_hops"] is not None and hops >= row["min_hops"]
            for order, row in o3.items()}
    with_hops = f"{hops} hop{'s' if hops > 1 else ''}"
    if full["congruent"]:
        verdict = "A and B are congruent: no invariant model can tell them apart"
    elif not sees["full"]:
        verdict = f"Invariant models with {with_hops} are blind"
        if full["min_hops"]:
            verdict += f"; {full['min_hops']} hops see it"
    elif all(sees.values()):
        verdict = f"Invariant models with {with_hops} can tell A from B"
    else:
        lowest = next(order for order in BODY_ORDERS if sees[order])
        verdict = (f"Invariant models with {with_hops} can tell A from B from body order "
                   f"{lowest} up")
        if o3["2"]["min_hops"]:
            verdict += f"; body order 2 needs {o3['2']['min_hops']} hops"
    return {"verdict": verdict, "reason": full["reason"], "blind": not sees["full"],
            "congruent": full["congruent"], "hops": hops}


def _column(order: str, group: str) -> str:
    return f"body {order}, {group}"


def preset_spec(case_name: str, preset: str) -> dict:
    """The job spec of a preset's default verdict on a case, as ``precompute`` stores it."""
    from eqgnn.specs import distinguish_spec

    return distinguish_spec({"case": case_name}, config_from_options(preset))


def model_verdicts(case: Case, store) -> list[dict]:
    """Every model verdict the gallery ships for ``case``, read from ``store``, never trained.

    One row per preset (default protocol) and per default sweep cell of the
    case (``eqgnn.sweep.default_family``, sweep protocol): what ran (family,
    hops, body order, lmax, correlation, layers), its accuracy, its untrained
    embedding gap beside its noise floor (``eqgnn.noise``), its verdict, and
    whether theory allows it to see the difference. A result not in the
    store reads ``not computed``.
    """
    from eqgnn.specs import distinguish_spec
    from eqgnn.sweep import SWEEP_PROTOCOL, default_family, sweep_cells

    runs = [(f"preset {name}", preset_spec(case.name, name)) for name in PRESETS]
    for family in default_family(case.kind):
        runs += [(f"sweep {family}",
                  distinguish_spec({"case": case.name}, config, **SWEEP_PROTOCOL))
                 for config in sweep_cells(family)]
    return [_verdict_row(source, spec, store.get(spec)) for source, spec in runs]


def _verdict_row(source: str, spec: dict, result: dict | None) -> dict:
    """One line of :func:`model_verdicts`; a model's unused settings are left blank."""
    model = spec["model"]
    khop, steerable = model["model"] == "khop", model["model"] == "equivariant"
    return {
        "run": source,
        "family": model["model"],
        "hops": model["hops"] if khop else None,
        "body order": model["body_order"] if khop else None,
        "lmax": model["lmax"] if steerable else None,
        "correlation": model["correlation"] if steerable else None,
        "layers": model["layers"],
        "accuracy": None if result is None else round(result["accuracy"], 3),
        "gap": None if result is None else f"{result['embedding_gap']:.1e}",
        "noise floor": None if result is None else f"{result['noise_floor']:.1e}",
        "verdict": NOT_COMPUTED if result is None else result["verdict"],
        "theory allows": None if result is None else result["theory"]["allows"],
    }


def neighbourhood(case: Case, side: str, atom: int, hops: int) -> list[int]:
    """The atoms within ``hops`` of ``atom`` in graph ``side`` (``"a"`` or ``"b"``), sorted.

    This is N_atom^hops, all a ``hops``-hop invariant model sees from that
    atom (SCIENCE.md, Claim 1).
    """
    from eqgnn.errors import InputError
    from eqgnn.graph import build_edges, khop_neighbourhoods

    structure = {"a": case.a, "b": case.b}.get(side.lower())
    if structure is None:
        raise InputError(f"side {side!r}: choose a or b")
    if not 0 <= atom < len(structure):
        raise InputError(f"atom {atom} is out of range (atoms are 0..{len(structure) - 1})")
    hood = khop_neighbourhoods(len(structure), build_edges(structure, case.graph), hops)[atom]
    return [int(i) for i in hood]


def congruence(case: Case) -> dict | None:
    """The oracle's proof that B is A moved; None when no rigid motion is. JSON-able.

    Tried under SO(3) first (a rotation is the stronger statement), then O(3).
    ``witness``: :func:`eqgnn.oracle.congruence_witness`; ``sentence``;
    ``pairs``: rows A atom -> B atom. :func:`moved_by` carries A onto B by it.
    """
    from eqgnn.oracle import congruence_witness, describe_witness

    for group in ("SO3", "O3"):
        witness = congruence_witness(case.a, case.b, group)
        if witness is not None:
            break
    else:
        return None
    sym_a, sym_b = case.a.symbols, case.b.symbols
    pairs = [{"A atom": f"{i}: {sym_a[i]}", "B atom": f"{j}: {sym_b[j]}"}
             for i, j in enumerate(witness["permutation"])]
    return {"witness": witness, "sentence": describe_witness(witness) + ".", "pairs": pairs}


def moved_by(structure: Structure, witness: dict) -> Structure:
    """``structure`` carried by the witness's rigid motion x -> M x + t (atom i of A lands
    on its partner's place in B)."""
    matrix, shift = np.array(witness["matrix"]), np.array(witness["translation"])
    moved = structure.with_positions(structure.positions @ matrix.T + shift)
    return replace(moved, name=f"{structure.name} moved by the witness")


def matched_neighbourhoods(case: Case, atom: int, hops: int) -> dict:
    """Atom ``atom`` of A, its partner in B, and both ``hops``-hop neighbourhoods.

    The partner comes from the oracle's witness: when the ``hops``-hop test
    (body order full, O3) cannot separate A and B, it matches every atom of A
    to one of B with the same colour, i.e. a congruent neighbourhood; that is
    the pairing a blind model cannot break. When the test separates the pair
    there is no such matching, and the partner is the atom with the same index
    (the gallery stores A and B in one atom order). Returns ``atom_a``,
    ``atom_b``, ``hood_a``, ``hood_b``, ``matched_by`` (``witness`` or
    ``index``), ``pairs`` (rows A atom -> B atom for the neighbourhood of
    ``atom``) and ``text``, a sentence saying which is which.
    """
    verdict = compare(case.a, case.b, hops, "full", "O3", case.graph)
    witness = verdict["witness"]
    if witness is not None:
        to_b = dict((int(i), int(j)) for i, j in witness)
        matched_by = "witness"
    else:
        to_b = {i: i for i in range(min(len(case.a), len(case.b)))}
        matched_by = "index"
    partner = to_b.get(atom, min(atom, len(case.b) - 1))
    hood_a = neighbourhood(case, "a", atom, hops)
    hood_b = neighbourhood(case, "b", partner, hops)
    sym_a, sym_b = case.a.symbols, case.b.symbols
    pairs = [{"A atom": f"{i}: {sym_a[i]}", "B atom": f"{to_b[i]}: {sym_b[to_b[i]]}"
              if i in to_b else "-"} for i in hood_a]
    plural = "s" if hops > 1 else ""
    if matched_by == "witness":
        text = (f"Atom {atom} ({sym_a[atom]}) of A corresponds to atom {partner} "
                f"({sym_b[partner]}) of B: the {hops}-hop test gives them the same colour, "
                f"so their {hops}-hop neighbourhoods are congruent and a {hops}-hop "
                "invariant model sees the same thing from both.")
    else:
        text = (f"At {hops} hop{plural} the test separates A and B, so no atom-by-atom "
                f"matching hides the difference; B's atom {partner} is shown as the one "
                "with the same index.")
    return {"atom_a": atom, "atom_b": partner, "hood_a": hood_a, "hood_b": hood_b,
            "matched_by": matched_by, "pairs": pairs, "text": text}


def training_result(case_name: str, preset: str, store) -> dict | None:
    """The stored default-protocol run of ``preset`` on the case (its verdict, accuracy and
    curves), or None when it was not computed; never trains."""
    result = store.get(preset_spec(case_name, preset))
    if result is None:
        return None
    return {"verdict": result["verdict"], "accuracy": result["accuracy"],
            "curves": result["curves"]}


def gallery_report(case: Case, store, atom: int = 0, hops: int = 1,
                   preset: str = DEFAULT_PRESET) -> dict:
    """Every number the gallery page shows for ``case``, JSON-able, read from ``store``.

    One key per panel, each the function the page calls for it:
    ``oracle`` (:func:`oracle_verdicts`), ``headline`` (the banner at
    ``hops``: :func:`hops_headline`), ``neighbourhood``
    (:func:`matched_neighbourhoods` at ``atom``, ``hops``), ``congruence``
    (:func:`congruence`, shown for congruent pairs), ``models``
    (:func:`model_verdicts`) and ``training`` (:func:`training_result` of ``preset``).
    """
    from eqgnn.errors import InputError

    if preset not in PRESETS:
        raise InputError(f"preset {preset!r}: choose one of {', '.join(PRESETS)}")
    oracle = oracle_verdicts(case)
    return {
        "case": case.name, "title": case.title, "graph": case.graph,
        "oracle": oracle,
        "headline": hops_headline(oracle["rows"], hops),
        "neighbourhood": matched_neighbourhoods(case, atom, hops),
        "congruence": congruence(case) if oracle["headline"]["congruent"] else None,
        "models": model_verdicts(case, store),
        "training": {"preset": preset, "result": training_result(case.name, preset, store)},
    }
