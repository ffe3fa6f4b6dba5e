"""Job specs for experiments, without torch: pages and the CLI build them in a blink.

A spec is everything that defines a result (the store's key); ``eqgnn.protocol``
runs it.
"""

from __future__ import annotations

from eqgnn.config import ModelConfig
from eqgnn.errors import InputError
from eqgnn.structure import Structure

DEFAULTS = {"seeds": 10, "epochs": 100, "lr": 1e-2, "normalise": "pair", "dtype": "float64"}
"""The protocol's defaults (SCIENCE.md, "What distinguished means"): float64, 10 seeds."""


def resolve_pair(pair: dict) -> tuple[Structure, Structure, str | None, str | None]:
    """(A, B, graph rule, the case's readout) from a job's ``pair`` entry.

    ``{"case": NAME}`` names a gallery case; ``{"a": ..., "b": ..., "graph": RULE}``
    gives each structure as a spec string (``g2:…``, ``smiles:…``, a path) or
    as a JSON geometric graph (a dict), so a job carries its own data. A
    ``precision`` entry (``--precision``) says how well both are known.
    """
    from eqgnn.io import load_structure, structure_from_json, with_said_precision

    said = pair.get("precision")
    if "case" in pair:
        from eqgnn.gallery import load_case

        case = load_case(pair["case"])
        a, b = (with_said_precision(s, said) for s in (case.a, case.b))
        return a, b, case.graph, case.readout

    def one(item, label):
        if isinstance(item, dict):
            structure = structure_from_json(item, label, label)
        else:
            structure = load_structure(item)
        return with_said_precision(structure, said)

    return one(pair["a"], "pair A"), one(pair["b"], "pair B"), pair.get("graph"), None


def distinguish_spec(
    pair: dict, config: ModelConfig, case_readout: bool = True, **protocol
) -> dict:
    """The job spec of one distinguish run: everything that defines its result.

    The pair's graph rule fills an open ``config.graph``, and (``case_readout``,
    for equivariant models) a gallery case's readout replaces the config's: the
    stars are two orientations of one structure, read out equivariantly. The
    spec alone determines the result.
    """
    from dataclasses import replace

    unknown = set(protocol) - set(DEFAULTS)
    if unknown:
        raise InputError(f"unknown protocol option(s): {', '.join(sorted(unknown))}")
    _, _, graph, readout = resolve_pair(pair)
    if config.graph is None and graph is not None:
        config = replace(config, graph=graph)
    if case_readout and readout == "equivariant" and config.model == "equivariant":
        config = replace(config, readout=readout)
    options = {k: type(v)(protocol.get(k, v)) for k, v in DEFAULTS.items()}  # 10 and 10.0: one key
    return {"kind": "distinguish", "pair": pair, "model": config.validate().to_dict(), **options}


