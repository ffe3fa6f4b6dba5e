"""The theory beside a verdict: what the oracle allows this model on this pair."""

from __future__ import annotations

from eqgnn.config import ModelConfig
from eqgnn.oracle import DEFAULT_TOL
from eqgnn.structure import Structure


def theory_beside(a: Structure, b: Structure, config: ModelConfig) -> dict:
    """What theory allows this model on this pair (SCIENCE.md, Claims 1-3).

    ``allows`` is the theory's ceiling, not a promise: khop: the k-hop test at
    the model's hops, body order and group (its exact ceiling). dimenet: True
    when the 1-hop body-order-3 test separates the pair (its lower bound),
    False when the 2-hop full test does not (its upper bound), else None:
    the pair lies between the bounds and theory does not decide. Equivariant,
    invariant readout: layers >= gwl_min_layers (the GWL bound; a TFN-style
    model may fall short of it, which is the lesson of the k-chains).
    Equivariant readout on two orientations of one structure: some type
    l <= lmax sees the orientation (the orientation test). lmax 0, invariant
    readout: a type-0-only network is an invariant 1-hop GNN of distances
    (SCIENCE.md, Claim 2), so the 1-hop body-order-2 test is its ceiling at
    any depth, below the GWL bound.
    """
    from eqgnn.oracle import compare, orientation_pair

    if config.model == "khop":
        v = compare(a, b, config.hops, str(config.body_order), config.group, config.graph)
        return {"test": f"{config.hops}-hop WL, body order {config.body_order}, {config.group}",
                "indistinguishable": v["indistinguishable"], "min_hops": v["min_hops"],
                "congruent": v["congruent"], "allows": not v["indistinguishable"],
                "graph": v["graph"]}
    if config.model == "dimenet":
        return _dimenet_theory(a, b, config)
    v = compare(a, b, 1, "full", config.group, config.graph)
    out = {"test": f"GWL bound, {config.group}", "congruent": v["congruent"], "graph": v["graph"],
           "gwl_min_layers": v["gwl_min_layers"],
           "allows": v["gwl_min_layers"] is not None and config.layers >= v["gwl_min_layers"]}
    if config.readout == "equivariant" and v["congruent"]:
        types = orientation_pair(a, b, lmax=config.lmax)["types"]
        out.update(test=f"orientation, types <= {config.lmax}",
                   types=types, allows=any(types.values()))
    elif config.lmax == 0:  # a type-0-only network is an invariant 1-hop GNN of distances
        scalar = compare(a, b, 1, "2", config.group, config.graph)
        out.update(test=f"lmax 0: 1-hop WL, body order 2, {config.group}",
                   allows=not scalar["indistinguishable"])
    return out


def _dimenet_theory(a: Structure, b: Structure, config: ModelConfig) -> dict:
    """DimeNet's reach lies between two tests (SCIENCE.md, "DimeNet's reach"); which decides."""
    from eqgnn.oracle import PairGraphs

    pair = PairGraphs(a, b, config.graph)
    lower = not pair.test(1, "3", "O3", DEFAULT_TOL).indistinguishable
    upper = not pair.test(2, "full", "O3", DEFAULT_TOL).indistinguishable
    congruent = pair.congruent("O3", DEFAULT_TOL)
    if lower:
        test, allows = "1-hop WL, body order 3, O3 (DimeNet's lower bound) separates it", True
    elif not upper:
        test, allows = "2-hop WL, body order full, O3 (DimeNet's upper bound) cannot", False
    else:
        test, allows = ("between DimeNet's bounds: the 1-hop body-order-3 test cannot, "
                        "the 2-hop full test can"), None
    return {"test": test, "congruent": congruent, "lower_bound_separates": lower,
            "upper_bound_separates": upper, "allows": allows, "graph": str(pair.rule_a)}
