"""Graph rules, k-hop neighbourhoods and bridges (SCIENCE.md, "Objects").

Pure numpy, so the oracle and the CLI answer without torch. Edges are
undirected (m, 2) arrays with i < j; models make them directed themselves.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from eqgnn.errors import InputError
from eqgnn.limits import limits
from eqgnn.structure import MAX_COORDINATE, Structure

BOND_TOLERANCE = 0.45  # Å added to r_i + r_j for the `bonds` rule
MAX_RADIUS = 2 * math.sqrt(3) * MAX_COORDINATE
"""The farthest two atoms of any accepted structure can lie apart (every coordinate
within ``MAX_COORDINATE``): a larger ``radius:R`` is no graph, only a typo."""


@dataclass(frozen=True)
class GraphRule:
    """A parsed graph rule: ``bonds``, ``radius:R``, ``knn:N``, ``full`` or ``explicit``."""

    kind: str
    value: float = 0.0

    def __str__(self) -> str:
        if self.kind == "radius":
            return f"radius:{self.value:g}"
        if self.kind == "knn":
            return f"knn:{int(self.value)}"
        return self.kind


def parse_rule(text: str | None) -> GraphRule | None:
    """Parse a rule string; ``None`` means "explicit edges, else bonds"."""
    if text is None or text == "":
        return None
    name, _, arg = text.strip().partition(":")
    name = name.lower()
    if name in ("bonds", "full", "explicit") and not arg:
        return GraphRule(name)
    if name in ("radius", "knn") and arg:
        try:
            value = float(arg)
        except ValueError:
            raise InputError(f"graph rule {text!r}: {arg!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"graph rule {text!r}: {arg!r} is not a finite number")
        if name == "radius" and not value > 0:
            raise InputError(f"graph rule {text!r}: the radius must be > 0 Å")
        if name == "radius" and value > MAX_RADIUS:
            raise InputError(f"graph rule {text!r}: the radius must be at most "
                             f"{MAX_RADIUS:.0f} Å, the farthest two atoms can lie apart")
        if name == "knn" and (value < 1 or value != int(value)):
            raise InputError(f"graph rule {text!r}: N must be a positive integer")
        if name == "knn" and value > (cap := limits().atoms):
            raise InputError(f"graph rule {text!r}: N must be at most {cap}, "
                             f"the most atoms a structure has here")
        return GraphRule(name, value)
    raise InputError(
        f"unknown graph rule {text!r}: use bonds, radius:R, knn:N, full or explicit"
    )


def resolve_rule(structure: Structure, rule: str | GraphRule | None) -> GraphRule:
    """The rule that applies: the given one, else explicit edges, else bonds."""
    parsed = parse_rule(rule) if isinstance(rule, str) or rule is None else rule
    if parsed is None:
        return GraphRule("explicit") if structure.edges is not None else GraphRule("bonds")
    if parsed.kind == "explicit" and structure.edges is None:
        raise InputError(
            f"{structure.source or structure.name}: graph rule 'explicit' needs a "
            "structure with edges (a JSON graph)"
        )
    return parsed


def distance_matrix(positions: np.ndarray) -> np.ndarray:
    diff = positions[:, None, :] - positions[None, :, :]
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))


def build_edges(structure: Structure, rule: str | GraphRule | None = None) -> np.ndarray:
    """Undirected edges (m, 2), i < j, of ``structure`` under ``rule``.

    ``bonds``: d_ij <= r_i + r_j + 0.45 Å with ASE's covalent radii;
    ``radius:R``: d_ij <= R; ``knn:N``: each atom to its N nearest (made
    symmetric); ``full``: every pair; ``explicit``: the structure's own edges.
    """
    rule = resolve_rule(structure, rule)
    n = len(structure)
    if rule.kind == "explicit":
        return structure.edges
    d = distance_matrix(structure.positions)
    if rule.kind == "bonds":
        from ase.data import covalent_radii

        radii = covalent_radii[structure.numbers]
        adjacent = d <= radii[:, None] + radii[None, :] + BOND_TOLERANCE
    elif rule.kind == "radius":
        adjacent = d <= rule.value
    elif rule.kind == "full":
        adjacent = np.ones((n, n), dtype=bool)
    else:  # knn
        k = min(int(rule.value), n - 1)
        order = np.argsort(d + np.diag(np.full(n, np.inf)), axis=1)[:, :k]
        adjacent = np.zeros((n, n), dtype=bool)
        adjacent[np.repeat(np.arange(n), k), order.reshape(-1)] = True
        adjacent |= adjacent.T
    i, j = np.nonzero(np.triu(adjacent, k=1))
    return np.stack([i, j], axis=1).astype(np.int64)


def check_edges(n: int, edges) -> np.ndarray:
    """``edges`` as an (m, 2) int64 array, refused with one line unless every index is an atom.

    Every function here that walks a graph takes (n, edges) and checks them
    here once, so a bad index is an :class:`InputError` naming the edge, never
    an ``IndexError`` deep inside a search.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise InputError(f"the number of atoms must be an integer >= 0, got {n!r}")
    e = np.asarray(edges)
    if e.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if e.ndim != 2 or e.shape[1] != 2 or not np.issubdtype(e.dtype, np.integer):
        raise InputError(f"edges must be an (m, 2) array of atom indices, got shape "
                         f"{e.shape} of {e.dtype}")
    bad = (e < 0) | (e >= n)
    if bad.any():
        i, j = e[np.nonzero(bad.any(axis=1))[0][0]].tolist()
        raise InputError(f"edge ({i}, {j}) names an atom out of range (0..{n - 1})")
    return e.astype(np.int64, copy=False)


def _check_hops(hops: int) -> None:
    if isinstance(hops, bool) or not isinstance(hops, (int, np.integer)):
        raise InputError(f"hops must be an integer >= 1, got {hops!r}")
    if hops < 1:
        raise InputError(f"hops must be >= 1, got {hops}")


def _check_atom(n: int, atom: int) -> None:
    if isinstance(atom, bool) or not isinstance(atom, (int, np.integer)):
        raise InputError(f"atom must be an integer index, got {atom!r}")
    if not 0 <= atom < n:
        raise InputError(f"atom {atom} out of range (0..{n - 1})")


def adjacency_lists(n: int, edges: np.ndarray) -> list[list[int]]:
    """Each atom's neighbours, in edge order (edges checked by :func:`check_edges`)."""
    adj: list[list[int]] = [[] for _ in range(n)]
    for i, j in check_edges(n, edges).tolist():
        adj[i].append(j)
        adj[j].append(i)
    return adj


def hop_distances(n: int, edges: np.ndarray) -> np.ndarray:
    """All-pairs graph distances (n, n) by BFS; unreachable pairs are -1."""
    adj = adjacency_lists(n, edges)
    out = np.full((n, n), -1, dtype=np.int64)
    for s in range(n):
        out[s, s] = 0
        queue = deque([s])
        while queue:
            u = queue.popleft()
            for v in adj[u]:
                if out[s, v] < 0:
                    out[s, v] = out[s, u] + 1
                    queue.append(v)
    return out


def khop_neighbourhoods(n: int, edges: np.ndarray, hops: int) -> list[np.ndarray]:
    """N_i^k for every i: the nodes within graph distance ``hops``, i included, sorted.

    SCIENCE.md, "Objects". The one k-hop rule of the project: the oracle's
    views, the pages and the k-hop model's index sets (``eqgnn.nn.khop_index``)
    all take their neighbourhoods from here. Reachability within k steps is
    the sparsity pattern of (A + I)^k, computed with ``hops`` sparse products
    (in C, so a batch of molecules costs a few milliseconds).
    """
    from scipy.sparse import csr_matrix, identity

    e = check_edges(n, edges)
    _check_hops(hops)
    if n == 0:
        return []
    step = csr_matrix((np.ones(2 * len(e), dtype=np.int32),
                       (np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]]))),
                      shape=(n, n))
    step = (step + identity(n, dtype=np.int32, format="csr")).tocsr()
    step.data[:] = 1
    reach = step
    for _ in range(hops - 1):
        reach = (reach @ step).tocsr()
        reach.data[:] = 1  # only the pattern counts; keeps the counts from overflowing
    reach.sort_indices()
    indices = reach.indices.astype(np.int64)
    return np.split(indices, reach.indptr[1:-1])


def khop_neighbourhood(
    n: int, edges: np.ndarray, atom: int, hops: int
) -> tuple[np.ndarray, np.ndarray]:
    """N_atom^k alone: (nodes sorted, each node's hop distance from ``atom``).

    The same neighbourhood as :func:`khop_neighbourhoods` (``[atom]``), by one
    breadth-first search from the centre, with the hop distances a page colours
    the nodes by.
    """
    adj = adjacency_lists(n, edges)
    _check_atom(n, atom)
    _check_hops(hops)
    distance = {int(atom): 0}
    queue = deque([int(atom)])
    while queue:
        u = queue.popleft()
        if distance[u] == hops:
            continue
        for v in adj[u]:
            if v not in distance:
                distance[v] = distance[u] + 1
                queue.append(v)
    nodes = np.array(sorted(distance), dtype=np.int64)
    return nodes, np.array([distance[v] for v in nodes.tolist()], dtype=np.int64)


def bridges(n: int, edges: np.ndarray) -> np.ndarray:
    """The bridges (non-ring edges) as (b, 2), i < j: removing one disconnects.

    The one bridge rule of the project (torsions turn about bridges,
    SCIENCE.md "Torsion twins"); :func:`side_of_bond` refuses any other bond.
    Tarjan's low-link algorithm, iterative so big molecules do not hit the
    recursion limit.
    """
    adj = adjacency_lists(n, edges)
    disc = [-1] * n
    low = [0] * n
    found: list[tuple[int, int]] = []
    timer = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        disc[root] = low[root] = timer
        timer += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            u, parent, it = stack[-1]
            advanced = False
            for v in it:
                if v == parent:
                    continue
                if disc[v] < 0:
                    disc[v] = low[v] = timer
                    timer += 1
                    stack.append((v, u, iter(adj[v])))
                    advanced = True
                    break
                low[u] = min(low[u], disc[v])
            if advanced:
                continue
            stack.pop()
            if parent >= 0:
                low[parent] = min(low[parent], low[u])
                if low[u] > disc[parent]:
                    found.append((min(u, parent), max(u, parent)))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.array(sorted(found), dtype=np.int64)


def side_of_bond(n: int, edges: np.ndarray, i: int, j: int) -> np.ndarray:
    """The atoms on j's side of the bridge (i, j): reachable from j without the bond.

    The bond must be one of :func:`bridges`; a ring bond is refused, since
    turning one side would tear the ring.
    """
    adj = adjacency_lists(n, edges)
    _check_atom(n, i)
    _check_atom(n, j)
    i, j = int(i), int(j)
    if j not in adj[i]:
        raise InputError(f"atoms {i} and {j} are not bonded in this graph")
    if not any(a == min(i, j) and b == max(i, j) for a, b in bridges(n, edges).tolist()):
        raise InputError(
            f"bond {i}-{j} lies in a ring: turning one side would break the ring"
        )
    seen = {j}
    queue = deque([j])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if v not in seen and not (u == j and v == i):
                seen.add(v)
                queue.append(v)
    return np.array(sorted(seen), dtype=np.int64)


def describe_graph(
    structure: Structure, rule: str | None = None, atom: int | None = None, hops: int = 1
) -> dict:
    """Edges, bridges and (for ``atom``) the k-hop neighbourhood, JSON-able.

    The neighbourhood lists its nodes (the centre included) with their hop
    distance, as the Explorer page highlights them.
    """
    n = len(structure)
    resolved = resolve_rule(structure, rule)
    edges = build_edges(structure, resolved)
    out: dict = {
        "name": structure.name,
        "num_atoms": n,
        "rule": str(resolved),
        "edges": edges.tolist(),
        "bridges": bridges(n, edges).tolist(),
    }
    if atom is not None:
        try:
            _check_atom(n, atom)
        except InputError as exc:  # name the structure the index was meant for
            raise InputError(f"{structure.name}: {exc}") from None
        nodes, distance = khop_neighbourhood(n, edges, atom, hops)
        out["neighbourhood"] = {
            "atom": atom,
            "hops": hops,
            "nodes": nodes.tolist(),
            "hop_distance": distance.tolist(),
        }
    return out
