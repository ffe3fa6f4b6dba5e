"""A card's summary: the model's reach read off its cells in the oracle's terms
(SCIENCE.md, "Auditing someone else's model"), and set against what it claims.

"Sees" a pair means a gap above its noise floor (any verdict but ``blind``):
reach is what the embedding can tell apart; whether training learned it is the
verdict's other half, and the cells where it did not are the card's headline.
"""

from __future__ import annotations

import math

from eqgnn.audit._sources import ModelSource


def sees(cell: dict) -> bool:
    return cell["verdict"] != "blind"


def summarise(cells: list[dict], source: ModelSource, symmetry: dict) -> dict:
    """body order, hops per layer, the GWL bound on chains, chirality, orientation,
    the trap, the headline cells and the claim checks."""
    from eqgnn.audit._theory import measured_group

    group = measured_group(symmetry)
    by_case: dict[str, list[dict]] = {}
    for cell in cells:
        by_case.setdefault(cell["case"], []).append(cell)
    depths = sorted({c["layers"] for c in cells if c["layers"] is not None})
    shallow = depths[0] if depths else None
    body_order, body_text = body_order_of(by_case, shallow)
    chains = chain_depths(by_case, group)
    out = {
        "body_order": body_order,
        "body_order_text": body_text,
        "hops_per_layer": hops_per_layer(cells, group),
        "local_invariant": local_invariant(by_case),
        "reaches_gwl_bound": reaches_gwl(chains, depths),
        "kchains": chains,
        "sees_chirality": any_seen(by_case, ("body4-chiral", "enantiomers")),
        "smallest_fold_not_oriented": smallest_fold(by_case),
        "trap_accuracy": trap_accuracy(by_case),
        "headline": [
            {k: c[k] for k in ("case", "layers", "verdict", "gap", "noise_floor")}
            for c in cells if c["theory_allows"] is True and c["verdict"] != "distinguished"
        ],
        "beyond_theory": [
            {k: c[k] for k in ("case", "layers", "verdict", "gap", "noise_floor")}
            for c in cells if c["theory_allows"] is False and c["verdict"] != "blind"
        ],
        "disagreements": sum(c["agrees_with_theory"] is False for c in cells),
        "group": group,
    }
    out["claims"] = claim_checks(out, source)
    return out


def body_order_of(by_case: dict, depth: int | None) -> tuple[int | None, str]:
    """From the body-order pairs at the shallowest depth: 2 when blind on the 2-body pair
    (equal distance multisets at the centre), 3 when it sees that one but not the 3-body
    pair (equal distances and angles), else at least 4 (SCIENCE.md)."""
    def seen(name):
        row = [c for c in by_case.get(name, []) if c["layers"] == depth]
        return sees(row[0]) if row else None

    where = "" if depth is None else f" at {depth} layer{'s' if depth != 1 else ''}"
    for name, order in (("body2", 2), ("body3", 3)):
        seen_it = seen(name)
        if seen_it is None:
            return None, f"not measured: the battery ran without {name}"
        if not seen_it:
            return order, f"{order}: blind on the {order}-body pair{where}"
    return 4, f"at least 4: sees the 2- and 3-body pairs{where}"


def hops_per_layer(cells: list[dict], group: str) -> int:
    """The most hops per layer the model shows: over the pairs it sees at depth L, the
    largest ceil(min_hops / L), min_hops the fewest hops the full test needs."""
    from eqgnn.audit._theory import case_theory

    most = 1
    for cell in cells:
        if cell["layers"] is None or not sees(cell):
            continue
        needed = case_theory(cell["case"])["gwl_min_layers"][group]
        if needed is not None:
            most = max(most, math.ceil(needed / cell["layers"]))
    return most


def local_invariant(by_case: dict) -> bool | None:
    """Blind on every torsion twin of the bond graph at every depth: the mark of a 1-hop
    invariant model (message passing on invariants is 1-hop at any depth)."""
    from eqgnn.audit._theory import TORSIONS

    rows = [c for name in TORSIONS for c in by_case.get(name, [])]
    return None if not rows else not any(sees(c) for c in rows)


def chain_depths(by_case: dict, group: str) -> dict:
    """Per k-chain: the first depth it is seen and learned, against floor(k/2)+1 (the GWL
    bound) and k+1 (TFN-style linear messages)."""
    from eqgnn.audit._theory import case_theory

    out = {}
    for name, rows in sorted(by_case.items()):
        if not name.startswith("kchain-"):
            continue
        k = int(name.split("-")[1])
        seen = [c["layers"] for c in rows if sees(c) and c["layers"] is not None]
        learned = [c["layers"] for c in rows if c["verdict"] == "distinguished"
                   and c["layers"] is not None]
        out[str(k)] = {"first_seen": min(seen, default=None),
                       "first_distinguished": min(learned, default=None),
                       "gwl_bound": case_theory(name)["gwl_min_layers"][group],
                       "tfn_style": k + 1,
                       "depths": sorted(c["layers"] for c in rows if c["layers"] is not None)}
    return out


def reaches_gwl(chains: dict, depths: list[int]) -> bool | None:
    """Seen at its GWL bound for every k-chain whose bound lies within the depths run."""
    tested = [c for c in chains.values() if c["gwl_bound"] in depths]
    if not tested:
        return None
    return all(c["first_seen"] is not None and c["first_seen"] <= c["gwl_bound"]
               for c in tested)


def any_seen(by_case: dict, names: tuple[str, ...]) -> bool | None:
    rows = [c for name in names for c in by_case.get(name, [])]
    return None if not rows else any(sees(c) for c in rows)


def smallest_fold(by_case: dict) -> int | None:
    """The smallest n whose planar star (or pyramid) no depth orients; None: all seen."""
    folds = []
    for name, rows in by_case.items():
        family, _, n = name.partition("-")
        if family in ("star", "pyramid") and n.isdigit() and not any(sees(c) for c in rows):
            folds.append(int(n))
    return min(folds, default=None)


def trap_accuracy(by_case: dict) -> float | None:
    """Mean accuracy on the published trap (congruent pairs): 0.5 is the only honest score."""
    rows = [c for name in ("dojo-body4", "dojo-body4-chiral") for c in by_case.get(name, [])]
    return None if not rows else sum(c["accuracy"] for c in rows) / len(rows)


def claim_checks(summary: dict, source: ModelSource) -> list[dict]:
    """The stated reach against the measured one, claim by claim."""
    claim = source.claim()
    if claim is None:
        return []
    checks = []

    def check(what: str, expected, measured, holds: bool | None):
        checks.append({"claim": what, "expected": expected, "measured": measured,
                       "holds": holds})

    if claim.model == "khop":
        check("body order", claim.body_order, summary["body_order"],
              None if summary["body_order"] is None else summary["body_order"] == claim.body_order)
        if claim.hops == 1:
            check("1-hop invariant: blind on bond-graph torsions at every depth", True,
                  summary["local_invariant"], summary["local_invariant"])
    elif claim.model == "dimenet":
        seen = summary["body_order"]
        check("separates the 3-body pair in one block (body order above 3)", ">= 4", seen,
              None if seen is None else seen >= 4)
    else:
        expected = min(claim.correlation + 1, 4)
        check("body order correlation + 1 at one layer", expected, summary["body_order"],
              None if summary["body_order"] is None else summary["body_order"] >= expected)
        if claim.correlation >= 2:
            check("reaches the GWL bound on k-chains", True, summary["reaches_gwl_bound"],
                  summary["reaches_gwl_bound"])
    if claim.group == "O3":
        seen = summary["sees_chirality"]
        check("O(3): blind to mirror images", False, seen, None if seen is None else not seen)
    return checks
