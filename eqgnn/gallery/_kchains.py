"""The k-chains of Joshi et al., *On the Expressive Power of Geometric GNNs* (ICML 2023).

K nodes on a line, 5 Å apart along y, and one end node at each end. The two
graphs differ only in how the end nodes are turned: in A they point to
opposite sides of the line, in B to the same side. Every local structure
short of the whole chain is congruent between A and B, so a test must reach
from one end towards the other before it can tell them apart (SCIENCE.md,
Claim 1): floor(K/2)+1 hops at body order 3 or full, K+1 at body order 2,
whose only differing distance is the end-to-end one. Generated, not stored:
any K >= 2 is a few lines of numpy.
"""

from __future__ import annotations

import numpy as np

from eqgnn.errors import InputError
from eqgnn.structure import Structure, make_structure

SPACING = 5.0  # Å between neighbouring chain nodes
CARBON = 6  # one species for every node: only geometry may tell A from B


def kchain_pair(k: int) -> tuple[Structure, Structure]:
    """The K-chain pair (A, B): K + 2 nodes, path edges 0-1-...-(K+1), centred.

    Node 0 and node K+1 are the end nodes, nodes 1..K the chain. A's end
    nodes sit at (-4, -3, 0) and (4, 5(K-1)+3, 0); B's at (4, -3, 0) and
    (4, 5(K-1)+3, 0), so each end node is 5 Å from its chain node in both.
    Each graph's centre of mass is moved to the origin.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise InputError(f"kchain-K needs an integer K >= 2, got {k!r}")
    k = int(k)
    chain = np.stack([np.zeros(k), SPACING * np.arange(k), np.zeros(k)], axis=1)
    far_end = np.array([[4.0, SPACING * (k - 1) + 3.0, 0.0]])
    edges = np.stack([np.arange(k + 1), np.arange(1, k + 2)], axis=1)
    numbers = np.full(k + 2, CARBON)

    def graph(near_x: float, label: str) -> Structure:
        near_end = np.array([[near_x, -3.0, 0.0]])
        positions = np.concatenate([near_end, chain, far_end])
        positions -= positions.mean(axis=0)
        return make_structure(
            numbers, positions, edges, name=f"{k}-chain {label}", source=f"case:kchain-{k}"
        )

    return graph(-4.0, "A"), graph(4.0, "B")
