"""A structure's graph as table rows: one atom's k-hop neighbourhood, the bonds that can turn.

The graph work is :mod:`eqgnn.graph`'s (``khop_neighbourhoods``, ``bridges``,
``side_of_bond``): these rows only name, measure and sort what it found.
"""

from __future__ import annotations

import numpy as np

from eqgnn.errors import InputError
from eqgnn.graph import bridges, build_edges, hop_distances, khop_neighbourhoods, side_of_bond
from eqgnn.structure import Structure


def neighbourhood_rows(
    structure: Structure, edges: np.ndarray, centre: int, hops: int
) -> list[dict]:
    """N_centre^hops as table rows: index, element, hop distance, distance in Å.

    These are the atoms whose geometry a ``hops``-hop invariant GNN sees from
    ``centre`` (SCIENCE.md, Claim 1), nearest in the graph first. The members
    are :func:`eqgnn.graph.khop_neighbourhoods`'; their hop distances
    :func:`eqgnn.graph.hop_distances`'.
    """
    n = len(structure)
    if not 0 <= centre < n:
        raise InputError(f"atom {centre} is out of range (atoms are 0..{n - 1})")
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    inside = khop_neighbourhoods(n, e, hops)[centre]
    hop = hop_distances(n, e)[centre]
    dist = np.linalg.norm(structure.positions[inside] - structure.positions[centre], axis=1)
    rows = [
        {"atom": int(i), "element": structure.symbols[i], "hops": int(hop[i]),
         "distance (Å)": round(float(d), 3)}
        for i, d in zip(inside, dist)
    ]
    return sorted(rows, key=lambda r: (r["hops"], r["distance (Å)"], r["atom"]))


def bridge_rows(structure: Structure, min_side: int = 2) -> list[dict]:
    """The bond graph's bridges (non-ring bonds) that a torsion can turn.

    Turning one side of a bridge about its axis makes a torsion twin
    (SCIENCE.md, Claim 1); the smaller side is the one worth turning. A bridge
    with fewer than ``min_side`` atoms on a side is left out: a terminal bond's
    lone atom sits on the axis, so turning it moves nothing. The bond graph is
    the structure's explicit edges when it has them.
    """
    edges = build_edges(structure, None)
    n = len(structure)
    symbols = structure.symbols
    rows = []
    for i, j in bridges(n, edges):
        turned = len(side_of_bond(n, edges, int(i), int(j)))
        if min(turned, n - turned) < min_side:
            continue
        length = np.linalg.norm(structure.positions[i] - structure.positions[j])
        rows.append({
            "bond": f"{i}-{j}", "elements": f"{symbols[i]}-{symbols[j]}",
            "length (Å)": round(float(length), 3),
            "atoms on the smaller side": min(turned, n - turned),
        })
    return rows
