"""The k-hop invariant geometric Weisfeiler-Leman test (SCIENCE.md, Claim 1).

c_i^0 = z_i;  c_i^{t+1} = class of (c_i^t, what body order b sees of
{(c_j^t, x_j - x_i) : j in N_i^k}) up to the group. Both graphs are refined
together, so a colour means the same in each; colours are tolerance-aware
equivalence classes (``_local.equivalent``), never float hashes. The pair is
*indistinguishable* when the colour histograms agree at every iteration until
the partition stops refining. No node correspondence is assumed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from eqgnn.oracle._local import equivalent, local_view


@dataclass
class WLResult:
    """The outcome of one test: verdict, iterations, where it first differed, colours."""

    indistinguishable: bool
    iterations: int
    first_difference: dict | None
    colours_a: np.ndarray
    colours_b: np.ndarray


def _refine(
    graphs: list[tuple[np.ndarray, np.ndarray, list[np.ndarray]]],
    colours: list[np.ndarray],
    body_order: str,
    group: str,
    tol: float,
) -> list[np.ndarray]:
    """One round: new colours for every node of every graph, shared classes."""
    buckets: dict[tuple, list[tuple]] = {}
    next_id = 0
    out = []
    for (_, positions, hoods), col in zip(graphs, colours):
        new = np.empty(len(col), dtype=np.int64)
        for i, hood in enumerate(hoods):
            nbrs = hood[hood != i]
            view = local_view(int(col[i]), col[nbrs], positions[nbrs] - positions[i],
                              body_order, group)
            reps = buckets.setdefault(view.key, [])
            for rep, cid in reps:
                if equivalent(rep, view, body_order, group, tol):
                    new[i] = cid
                    break
            else:
                reps.append((view, next_id))
                new[i] = next_id
                next_id += 1
        out.append(new)
    return out


def _canonical(colours: list[np.ndarray]) -> list[np.ndarray]:
    """Initial colours: species, numbered the same way in both graphs."""
    values = {int(z): k for k, z in enumerate(sorted({int(z) for c in colours for z in c}))}
    return [np.array([values[int(z)] for z in c], dtype=np.int64) for c in colours]


def wl_test(
    numbers_a: np.ndarray,
    positions_a: np.ndarray,
    hoods_a: list[np.ndarray],
    numbers_b: np.ndarray,
    positions_b: np.ndarray,
    hoods_b: list[np.ndarray],
    body_order: str = "full",
    group: str = "O3",
    tol: float = 1e-3,
) -> WLResult:
    """Run the test on two graphs given their k-hop neighbourhoods (centres included)."""
    graphs = [(numbers_a, positions_a, hoods_a), (numbers_b, positions_b, hoods_b)]
    colours = _canonical([numbers_a, numbers_b])
    iteration = 0
    difference = _histogram_difference(colours, iteration)
    while difference is None:
        iteration += 1
        refined = _refine(graphs, colours, body_order, group, tol)
        difference = _histogram_difference(refined, iteration)
        stable = len(np.unique(np.concatenate(refined))) == len(np.unique(np.concatenate(colours)))
        colours = refined
        if stable:
            break
    return WLResult(difference is None, iteration, difference, colours[0], colours[1])


def _histogram_difference(colours: list[np.ndarray], iteration: int) -> dict | None:
    """Where the colour histograms disagree, or None when they agree."""
    count_a, count_b = Counter(colours[0].tolist()), Counter(colours[1].tolist())
    if count_a == count_b:
        return None
    odd = {c for c in count_a.keys() | count_b.keys() if count_a[c] != count_b[c]}
    return {
        "iteration": iteration,
        "nodes_a": [i for i, c in enumerate(colours[0].tolist()) if c in odd],
        "nodes_b": [i for i, c in enumerate(colours[1].tolist()) if c in odd],
    }


def witness(result: WLResult) -> list[list[int]]:
    """A node matching A -> B with equal final colours (for an indistinguishable pair)."""
    by_colour: dict[int, list[int]] = {}
    for j, c in enumerate(result.colours_b.tolist()):
        by_colour.setdefault(c, []).append(j)
    return [[i, by_colour[c].pop(0)] for i, c in enumerate(result.colours_a.tolist())]
