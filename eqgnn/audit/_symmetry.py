"""Is the model invariant? Measured before any verdict (SCIENCE.md, "Auditing someone
else's model").

A verdict about a model means something only if the model is invariant: one
that reads raw coordinates tells two placements of one molecule apart, and
the oracle bounds nothing it does. Each of the four symmetries is measured on
chiral structures (a mirror image of an achiral one is a rotation of it, which
would hide a model that is not reflection invariant), under several random
group elements, as the largest relative embedding change
|e(X) - e(gX)| / (|e(X)| + |e(gX)|) over a few seeds' weights.
"""

from __future__ import annotations

import numpy as np
import torch

from eqgnn.batch import collate
from eqgnn.models import seed_parameters
from eqgnn.noise import relative_gaps
from eqgnn.structure import Structure
from eqgnn.transforms import permute, random_rotation, reflect, rotate, translate

SYMMETRIES = ("translation", "rotation", "reflection", "permutation")
SYMMETRY_TOL = 1e-9
"""Relative change above which a model is not invariant: float64 rounding leaves about
1e-16, and a model that reads coordinates changes by O(1)."""
PROBES = ("enantiomers", "body4-chiral")
"""Chiral gallery structures (one on the bond graph, one with explicit edges)."""
DRAWS = 3
SEEDS = (0, 1)
SYMMETRY_SEED = 0


def transformed(s: Structure, symmetry: str, rng: np.random.Generator) -> Structure:
    """``s`` under a random element of ``symmetry`` (a reflection is a rotation too)."""
    if symmetry == "translation":
        return translate(s, rng.normal(size=3) * 5.0)
    if symmetry == "rotation":
        return rotate(s, random_rotation(rng))
    if symmetry == "reflection":
        return rotate(reflect(s, rng.normal(size=3)), random_rotation(rng))
    return permute(s, rng.permutation(len(s)))


def measure_symmetry(model: torch.nn.Module) -> dict:
    """Per symmetry, whether ``model`` is invariant and the largest deviation measured."""
    from eqgnn.gallery import load_case

    rng = np.random.default_rng(SYMMETRY_SEED)
    probes = [(load_case(name).a, load_case(name).graph) for name in PROBES]
    worst = dict.fromkeys(SYMMETRIES, 0.0)
    model.to(device="cpu", dtype=torch.float64)
    for seed in SEEDS:
        seed_parameters(model, seed)
        for structure, graph in probes:
            moved = {sym: [transformed(structure, sym, rng) for _ in range(DRAWS)]
                     for sym in SYMMETRIES}
            everything = [structure] + [m for sym in SYMMETRIES for m in moved[sym]]
            with torch.no_grad():
                e = model(collate(everything, graph=graph, dtype=torch.float64)).embedding
            gaps = relative_gaps(e[:1], e[1:]).view(len(SYMMETRIES), DRAWS)
            for row, sym in enumerate(SYMMETRIES):
                value = float(gaps[row].max())
                worst[sym] = max(worst[sym], value if np.isfinite(value) else float("inf"))
    out = {sym: worst[sym] <= SYMMETRY_TOL for sym in SYMMETRIES}
    out["max_deviation"] = worst
    out["tolerance"] = SYMMETRY_TOL
    return out


def symmetry_meaning(symmetry: dict) -> str:
    """What the card's verdicts mean, given the measured symmetry, in one sentence."""
    broken = [s for s in SYMMETRIES if s != "reflection" and not symmetry[s]]
    if broken:
        return (f"not invariant under {' or '.join(broken)}: a gap may come from how a "
                "structure is placed or numbered, not from its geometry, so no cell is "
                "compared with theory")
    if not symmetry["reflection"]:
        return ("invariant under rotations, translations and permutations but not "
                "reflections: an SO(3) model, read against the SO(3) tests (it may see "
                "mirror images)")
    return "invariant under all four: an O(3) model, read against the O(3) tests"


def invariant(symmetry: dict) -> bool:
    """Translations, rotations and permutations: what any verdict needs."""
    return all(symmetry[s] for s in SYMMETRIES if s != "reflection")
