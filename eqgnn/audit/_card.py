"""An audit card: the battery's cells for one model, theory beside each, and its reach.

The battery (SCIENCE.md, "Auditing someone else's model") is the gallery's
cases and generated families: torsion twins on the bond graph and on
``radius:5``, k-chains 2-8, planar stars and pyramids of folds 2-12, the
body-order pairs, mirror pairs, the published trap and a control, each at
every depth asked for. Every cell and the card itself are stored, so a
second audit reads them and builds no model.
"""

from __future__ import annotations

import time
from dataclasses import replace

from eqgnn.audit._sources import ModelSource
from eqgnn.audit._theory import TORSIONS, case_theory, measured_group
from eqgnn.errors import InputError
from eqgnn.progress import Cancel, Progress
from eqgnn.specs import DEFAULTS

BATTERY = (
    *TORSIONS, *(f"{name}-r5" for name in TORSIONS),
    *(f"kchain-{k}" for k in range(2, 9)),
    *(f"star-{n}" for n in range(2, 13)), *(f"pyramid-{n}" for n in range(2, 13)),
    "body2", "body3", "body4", "body4-chiral", "enantiomers",
    "dojo-body4", "dojo-body4-chiral", "control",
)
AUDIT_SEEDS = 5
"""Seeds per cell: a card has some 180 cells; five seeds keep a SchNet-sized card in
minutes, and the verdict needs every seed blind (or 95 % of them right)."""
CARD_REVISION = 1
"""Bumped when a card's fields or their reading change: an older stored card is a miss."""


def battery(cases: list[str] | None = None) -> list[str]:
    """The cases to run: the whole battery, or the named gallery cases and family sizes."""
    from eqgnn.gallery import load_case

    if not cases:
        return list(BATTERY)
    for name in cases:
        load_case(name)  # an unknown name is one line naming the known ones
    return list(dict.fromkeys(cases))


def cell_spec(source: ModelSource, case: str, layers: int | None, protocol: dict) -> dict:
    """The job of one cell: a preset's ``distinguish`` run, else an ``audit`` job."""
    from eqgnn.config import PRESETS
    from eqgnn.specs import distinguish_spec

    pair = {"case": case}
    if source.kind == "preset":
        config = replace(PRESETS[source.source.split(":", 1)[1]].config, layers=layers)
        return distinguish_spec(pair, config, **protocol)
    return {"kind": "audit", "model": source.spec(layers), "pair": pair, **protocol}


def protocol_of(seeds: int = AUDIT_SEEDS, epochs: int = DEFAULTS["epochs"],
                lr: float = DEFAULTS["lr"]) -> dict:
    """The protocol options of a card (float64, pair normalisation, as every verdict)."""
    if seeds < 1 or epochs < 0:
        raise InputError(f"need --seeds >= 1 and --epochs >= 0 (got {seeds}, {epochs})")
    return {**DEFAULTS, "seeds": int(seeds), "epochs": int(epochs), "lr": float(lr)}


def card_spec(source: ModelSource, layers: list[int], cases: list[str], protocol: dict) -> dict:
    """What defines a card, the store's key for it."""
    return {"kind": "audit-card", "revision": CARD_REVISION, "model": source.spec(None),
            "layers": depths(source, layers), "cases": cases, **protocol}


def depths(source: ModelSource, layers: list[int]) -> list[int | None]:
    """The depths a card covers: ``layers``, or one unknown depth for a factory without it."""
    if not source.takes_layers:
        return [None]
    if not layers or any(not isinstance(x, int) or x < 1 for x in layers):
        raise InputError(f"--layers needs depths >= 1, got {layers}")
    return sorted(set(layers))


def audit_card(
    source: ModelSource,
    layers: list[int],
    cases: list[str] | None = None,
    protocol: dict | None = None,
    store=None,
    runner=None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> dict:
    """The card of ``source``: symmetry, every cell, the summary. Stored, and read back."""
    from eqgnn.jobs import cached_batch
    from eqgnn.store import open_store

    store = store if store is not None else open_store()
    protocol = protocol or protocol_of()
    names = battery(cases)
    key = card_spec(source, layers, names, protocol)
    if not force:
        stored = store.get(key)
        if stored is not None:
            return {**stored, "from_store": True}
    start = time.perf_counter()
    levels = depths(source, layers)
    symmetry_specs = [{"kind": "audit-symmetry", "model": source.spec(d)} for d in levels]
    cells = [(case, d) for d in levels for case in names]
    specs = symmetry_specs + [cell_spec(source, case, d, protocol) for case, d in cells]
    outcomes = cached_batch(specs, store, runner=runner, force=force, progress=progress,
                            cancel=cancel, label=cell_label)
    symmetry = merged_symmetry([r for r, _ in outcomes[:len(levels)]])
    rows = [read_cell(source, case, d, result, symmetry)
            for (case, d), (result, _) in zip(cells, outcomes[len(levels):])]
    from eqgnn.audit._summary import summarise
    from eqgnn.audit._symmetry import symmetry_meaning

    card = {
        "model": source.source,
        "options": source.options,
        "kind": source.kind,
        "layers": levels,
        "stated_reach": source.stated_reach(),
        "package": package_of(source),
        "symmetry": symmetry,
        "meaning": symmetry_meaning(symmetry),
        "protocol": protocol,
        "cells": rows,
        "summary": summarise(rows, source, symmetry),
        "seeds_vectorised": all(r.get("seeds_vectorised", True) for r, _ in outcomes[len(levels):]),
        "seconds": time.perf_counter() - start,
        "cells_from_store": sum(stored for _, stored in outcomes[len(levels):]),
    }
    store.put(key, card)
    return {**card, "from_store": False}


def cell_label(spec: dict) -> str:
    """A progress line: which cell (or which depth's symmetry) just finished."""
    depth = spec["model"]["layers"]
    where = "" if depth is None else f" at {depth} layer{'s' if depth != 1 else ''}"
    if spec["kind"] == "audit-symmetry":
        return f"symmetry{where} measured"
    return f"{spec['pair']['case']}{where} done"


def merged_symmetry(per_depth: list[dict]) -> dict:
    """One symmetry record over every depth: invariant only if invariant at each."""
    from eqgnn.audit._symmetry import SYMMETRIES

    out = {s: all(r[s] for r in per_depth) for s in SYMMETRIES}
    out["max_deviation"] = {s: max(r["max_deviation"][s] for r in per_depth)
                            for s in SYMMETRIES}
    out["tolerance"] = per_depth[0]["tolerance"]
    return out


def package_of(source: ModelSource) -> dict | None:
    """The package and version a published model comes from (None for ours and a user's)."""
    from importlib.metadata import version

    published = source.published
    if published is None:
        return None
    return {"name": published.package, "version": version(published.package),
            "class": published.adapter}


def read_cell(source: ModelSource, case: str, layers: int | None, result: dict,
              symmetry: dict) -> dict:
    """One row of the card: the verdict, the theory for this depth, whether they agree."""
    from eqgnn.audit._symmetry import invariant
    from eqgnn.gallery import load_case

    loaded = load_case(case)
    allows = theory_allows(source, loaded, layers, result, symmetry)
    verdict = result["verdict"]
    agrees = None if allows is None else (verdict == "distinguished") == allows
    row = {
        "case": case,
        "family": loaded.kind,
        "layers": layers,
        "theory_allows": allows,
        "verdict": verdict,
        "gap": result["embedding_gap"],
        "noise_floor": result["noise_floor"],
        "accuracy": result["accuracy"],
        "agrees_with_theory": agrees,
        "trained": result["trained"],
        "epochs_run": result["epochs_run"],
        "seconds": result.get("seconds"),
    }
    if not invariant(symmetry):
        row["caveat"] = "the model is not invariant: this verdict may be placement, not geometry"
    return row


def theory_allows(source: ModelSource, loaded, layers: int | None, result: dict,
                  symmetry: dict) -> bool | None:
    """What the model's class allows on this cell, or None where theory does not decide.

    A preset's own theory (its distinguish result); a published model's claimed
    class (:attr:`Published.claim`) at this depth; a user's model, the GWL bound
    of the group it was measured to respect. A model that is not invariant: None.
    """
    from eqgnn.audit._symmetry import invariant
    from eqgnn.protocol import theory_beside

    if not invariant(symmetry):
        return None
    if source.kind == "preset":
        return result["theory"]["allows"]
    group = measured_group(symmetry)
    claim = source.claim()
    if claim is not None and layers is not None:
        if claim.model != "dimenet":
            claim = replace(claim, group=group)
        config = replace(claim, layers=layers, graph=loaded.graph)
        return theory_beside(loaded.a, loaded.b, config)["allows"]
    bound = case_theory(loaded.name)["gwl_min_layers"][group]
    if bound is None:
        return False  # congruent: no invariant model separates it
    return None if layers is None else layers >= bound


def shipped_cards() -> list[dict]:
    """The cards shipped in ``data/results`` (``tools/audit_cards.sh``), by model name."""
    import json

    from eqgnn.paths import SHIPPED_RESULTS

    cards = [json.loads(path.read_text())["result"]
             for path in sorted(SHIPPED_RESULTS.glob("audit-card-*.json"))]
    return sorted(cards, key=lambda card: card["model"])
