"""Batched seeds against the field's loop: the same seeds and epochs, both ways.

On ``kchain-4`` and a QM9 torsion twin (a molecule of the shipped QM9
subset turned 120° about a non-ring bond), for the khop family (2 hops, body
order 3) and the equivariant one (TFN-style, lmax 2, K+1 = 5 layers on the
chain), it times: S seeds trained together (one vectorised step per epoch),
one seed alone, and the S seeds one after another. The model is constructed
once beforehand for every variant (``cached_encoder``) and one short untimed
run warms torch up, so the figures compare training, not e3nn's compilation
or first-call costs.
"""

from __future__ import annotations

import time

from eqgnn.config import config_from_options
from eqgnn.progress import Progress
from eqgnn.structure import Structure


def qm9_twin() -> tuple[Structure, Structure, str]:
    """The first shipped QM9 molecule with a bridge holding two heavy atoms on each side,
    turned 120° (a methyl turned by 120° would be the same molecule)."""
    from eqgnn.graph import bridges, build_edges, side_of_bond
    from eqgnn.io import qm9_subset
    from eqgnn.transforms import torsion

    for molecule in qm9_subset():
        edges = build_edges(molecule, "bonds")
        heavy, n = molecule.numbers > 1, len(molecule)
        for i, j in bridges(n, edges).tolist():
            sides = side_of_bond(n, edges, i, j), side_of_bond(n, edges, j, i)
            if all(heavy[side].sum() >= 2 for side in sides):
                return molecule, torsion(molecule, i, j, 120.0), f"{molecule.name} bond {i}-{j}"
    raise RuntimeError("no QM9 molecule with a turnable heavy-atom bond in the subset")


def bench_protocol(
    seeds: int = 10, epochs: int = 100, progress: Progress | None = None
) -> dict:
    """Seconds for batched, one-seed and sequential training, with their verdicts."""
    from eqgnn.gallery import load_case
    from eqgnn.models import cached_encoder
    from eqgnn.protocol import distinguish

    chain = load_case("kchain-4")
    twin_a, twin_b, twin_name = qm9_twin()
    pairs = {"kchain-4": (chain.a, chain.b, chain.graph), twin_name: (twin_a, twin_b, "bonds")}
    families = {"khop": dict(model="khop", hops=2, body_order=3),
                "equivariant": dict(preset="tfn", layers=5)}
    rows, total, done = [], len(pairs) * len(families), 0
    for pair_name, (a, b, graph) in pairs.items():
        for family, options in families.items():
            preset = options.get("preset")
            config = config_from_options(
                preset, graph=graph, **{k: v for k, v in options.items() if k != "preset"})
            with cached_encoder(config):
                pass  # constructed once, outside every timing
            distinguish(a, b, config, epochs=1, seed_list=[0, 1])  # warm-up, not timed

            def timed(seed_list, a=a, b=b, config=config):
                start = time.perf_counter()
                result = distinguish(a, b, config, epochs=epochs, seed_list=seed_list)
                return time.perf_counter() - start, result

            batched_s, batched = timed(list(range(seeds)))
            one_s, _ = timed([0])
            sequential = [timed([s]) for s in range(seeds)]
            sequential_s = sum(t for t, _ in sequential)
            accuracy = sum(r["accuracy"] for _, r in sequential) / seeds
            rows.append({
                "pair": pair_name, "family": family, "seeds": seeds, "epochs": epochs,
                "batched_seconds": batched_s, "one_seed_seconds": one_s,
                "sequential_seconds": sequential_s,
                "batched_over_one_seed": batched_s / one_s,
                "speedup_over_sequential": sequential_s / batched_s,
                "verdict_batched": batched["verdict"], "accuracy_batched": batched["accuracy"],
                "accuracy_sequential": accuracy,
            })
            done += 1
            if progress is not None:
                progress(done, total, f"{pair_name}, {family}")
    return {"rows": rows}


def protocol_table(result: dict) -> str:
    """Seconds and verdicts as a plain-text table for the CLI: one row per pair and family."""
    lines = [f"{'pair':<28}{'family':<13}{'batched s':>10}{'1 seed s':>10}{'loop s':>9}"
             f"{'batched/1':>11}{'loop/batched':>14}  verdict"]
    for r in result["rows"]:
        lines.append(
            f"{r['pair']:<28}{r['family']:<13}{r['batched_seconds']:>10.2f}"
            f"{r['one_seed_seconds']:>10.2f}{r['sequential_seconds']:>9.2f}"
            f"{r['batched_over_one_seed']:>11.2f}{r['speedup_over_sequential']:>14.1f}  "
            f"{r['verdict_batched']} ({r['accuracy_batched']:.0%}; "
            f"loop {r['accuracy_sequential']:.0%})")
    return "\n".join(lines)
