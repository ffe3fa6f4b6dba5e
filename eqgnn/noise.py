"""The blind guard: is an embedding gap geometry, or the inputs' rounding?

SCIENCE.md, "What distinguished means": a model is *blind* on a pair when its
embedding gap is within the **noise floor**, the gap the same model shows
between a structure and itself perturbed at the inputs' precision. Here,
per seed:

    floor = max(ARITHMETIC_FLOOR, SAFETY * max_{X in {A, B}, j} gap(X, X + e_j)),

with e_j independent uniform errors at the pair's coordinate precision
(:mod:`eqgnn.precision`: the coarser of the two structures'), ``DRAWS`` draws
per structure from a fixed seed. A theory-blind pair differs only by such
errors, in both structures at once, so its gap is of the order of one draw's;
``SAFETY`` covers the spread between draws and the two-sided difference.
``ARITHMETIC_FLOOR`` is float64 arithmetic itself: summation order and
rotations of exact inputs leave ~1e-16 relative, and below 1e-12 nothing is
signal. A gap is evidence of sight only above the floor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from eqgnn.precision import Precision, coarser, jitter
from eqgnn.structure import Structure

ARITHMETIC_FLOOR = 1e-12
SAFETY = 10.0
DRAWS = 2
NOISE_SEED = 0


@dataclass(frozen=True)
class GuardedGaps:
    """Per seed: the pair's embedding gap and its noise floor; the precision behind them."""

    gaps: list[float]
    floors: list[float]
    precision: Precision

    @property
    def sees(self) -> list[bool]:
        return [g > f for g, f in zip(self.gaps, self.floors)]

    @property
    def blind(self) -> bool:
        """Blind when no seed's gap rises above its floor."""
        return not any(self.sees)


def noise_copies(a: Structure, b: Structure, draws: int = DRAWS) -> tuple[list[Structure],
                                                                        Precision]:
    """[A_1..A_d, B_1..B_d]: each structure jittered at the pair's precision, reproducibly."""
    precision = coarser(a.known_to, b.known_to)
    rng = np.random.default_rng(NOISE_SEED)
    copies = [s.with_positions(jitter(s.positions, precision.angstrom, rng))
              for s in (a, b) for _ in range(draws)]
    return copies, precision


def relative_gaps(e1, e2):
    """|e1 - e2| / (|e1| + |e2|) along the last axis (torch tensors, any leading shape)."""
    import torch

    denom = e1.norm(dim=-1) + e2.norm(dim=-1)
    return (e1 - e2).norm(dim=-1) / denom.clamp(min=torch.finfo(denom.dtype).tiny)


def guarded_gaps(
    embed: Callable[[Sequence[Structure]], object], a: Structure, b: Structure,
    draws: int = DRAWS,
) -> GuardedGaps:
    """The pair's gaps and floors from one call of ``embed``.

    ``embed(structures)`` returns embeddings (S, len(structures), D) for S
    seeds (a torch tensor); it is called once, on [A, B] and the noise copies.
    """
    copies, precision = noise_copies(a, b, draws)
    e = embed([a, b, *copies])
    gaps = relative_gaps(e[:, 0], e[:, 1])
    noisy_a = relative_gaps(e[:, :1], e[:, 2:2 + draws])
    noisy_b = relative_gaps(e[:, 1:2], e[:, 2 + draws:])
    worst = np.maximum(noisy_a.max(dim=1).values.detach().cpu().numpy(),
                       noisy_b.max(dim=1).values.detach().cpu().numpy())
    floors = np.maximum(ARITHMETIC_FLOOR, SAFETY * worst)
    return GuardedGaps(gaps.detach().cpu().tolist(), floors.tolist(), precision)
