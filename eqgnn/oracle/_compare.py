"""The theory verdict on a pair: k-hop indistinguishability, congruence, the GWL bound."""

from __future__ import annotations

import numpy as np

from eqgnn.errors import InputError
from eqgnn.graph import build_edges, hop_distances, resolve_rule
from eqgnn.oracle._clouds import structures_alignment
from eqgnn.oracle._wl import WLResult, witness, wl_test
from eqgnn.precision import coarser
from eqgnn.structure import Structure
from eqgnn.transforms import dihedral
from eqgnn.units import read_pair

BODY_ORDERS = ("2", "3", "full")
DEFAULT_TOL = 1e-3  # Å
ROUNDING_REACH = 4.0
"""A distance between two points each known to p moves by up to 2 sqrt(3) p < 4 p: the
tolerance never goes below that, so a file's rounding is not read as geometry."""


def normalise_body_order(body_order: int | str) -> str:
    text = str(body_order).lower()
    if text not in BODY_ORDERS:
        raise InputError(f"body order {body_order!r}: choose 2, 3 or full")
    return text


def _check(group: str, tol: float) -> None:
    if group not in ("O3", "SO3"):
        raise InputError(f"group {group!r}: choose O3 or SO3")
    if not tol > 0:
        raise InputError(f"tolerance must be > 0 Å, got {tol}")


class PairGraphs:
    """Two structures with their graphs and hop distances, computed once per pair.

    Use it for many tests on one pair (every body order and group, say);
    :func:`compare` and :func:`min_hops` are one-shot wrappers around it. A
    pair in abstract units is read in Å first (:mod:`eqgnn.units`), so every
    tolerance below is in Å of that reading: the tolerance follows the
    structure's scale. Every tolerance is raised to what the coordinates'
    precision allows (:meth:`tolerance`): a PDB file's 3 decimals move its
    distances by more than 1e-3 Å.
    """

    def __init__(self, a: Structure, b: Structure, graph: str | None = None):
        self.a, self.b, self.reading = read_pair(a, b, graph)
        self.rounding = ROUNDING_REACH * coarser(self.a.known_to, self.b.known_to).angstrom
        self.rule_a, self.rule_b = resolve_rule(self.a, graph), resolve_rule(self.b, graph)
        self.edges_a, self.edges_b = build_edges(a, self.rule_a), build_edges(b, self.rule_b)
        self.hops_a = hop_distances(len(a), self.edges_a)
        self.hops_b = hop_distances(len(b), self.edges_b)
        self._witnesses: dict[tuple[str, float], dict | None] = {}

    @property
    def diameter(self) -> int:
        """The largest finite hop distance in either graph (at least 1)."""
        return int(max(self.hops_a.max(), self.hops_b.max(), 1))

    def tolerance(self, tol: float) -> float:
        """``tol``, or what the coordinates' rounding can move a distance by, if that is more."""
        return max(tol, self.rounding)

    def test(self, hops: int, body_order: str, group: str, tol: float) -> WLResult:
        if hops < 1:
            raise InputError(f"hops must be >= 1, got {hops}")
        return wl_test(
            self.a.numbers, self.a.positions, _hoods(self.hops_a, hops),
            self.b.numbers, self.b.positions, _hoods(self.hops_b, hops),
            body_order, group, self.tolerance(tol),
        )

    def congruence_witness(self, group: str, tol: float) -> dict | None:
        """:func:`congruence_witness` of the pair, found once per group and tolerance."""
        key = (group, self.tolerance(tol))
        if key not in self._witnesses:
            self._witnesses[key] = congruence_witness(self.a, self.b, *key)
        return self._witnesses[key]

    def congruent(self, group: str, tol: float) -> bool:
        return self.congruence_witness(group, tol) is not None

    def min_hops(
        self, body_order: str, group: str, tol: float, max_hops: int | None = None
    ) -> int | None:
        """The first hops, up to the diameter (or ``max_hops``), that separate the pair.

        No test separates congruent graphs, so they are answered at once.
        """
        if str(self.rule_a) == str(self.rule_b) and self.congruent(group, tol):
            return None
        last = self.diameter if max_hops is None else min(max_hops, self.diameter)
        for k in range(1, last + 1):
            if not self.test(k, body_order, group, tol).indistinguishable:
                return k
        return None


def _hoods(dist: np.ndarray, hops: int) -> list[np.ndarray]:
    return [np.nonzero((row >= 0) & (row <= hops))[0] for row in dist]


def congruent(a: Structure, b: Structure, group: str = "O3", tol: float = DEFAULT_TOL) -> bool:
    """Is B a permutation and a rigid motion of A (reflections allowed under O3)?

    Edges from a graph rule follow from the geometry; explicit edges (JSON
    graphs) must be carried onto each other too. A matching is sought among
    those the alignment finds; in the rare symmetric case where only another
    one would carry the edges, the answer is a conservative False.
    """
    return congruence_witness(a, b, group, tol) is not None


def congruence_witness(
    a: Structure, b: Structure, group: str = "O3", tol: float = DEFAULT_TOL
) -> dict | None:
    """The proof that B is A moved, or None: B = g A up to a permutation of like atoms.

    ``permutation[i]``: the atom of B that atom i of A becomes; ``matrix`` R
    (3x3, rows) and ``translation`` t with x_B[permutation[i]] ~ R x_A[i] + t;
    ``proper`` (det R = +1: a rotation; else a rotation times the inversion),
    ``angle_deg`` and ``axis`` of that rotation, and ``deviation``: the
    largest distance, in Å, between a moved atom of A and its partner in B.
    """
    _check(group, tol)
    a, b, _ = read_pair(a, b)
    found = structures_alignment(a.positions, a.numbers, b.positions, b.numbers, group, tol,
                                 a.edges, b.edges)
    if found is None:
        return None
    partner, r = found
    t = b.positions.mean(axis=0) - r @ a.positions.mean(axis=0)
    moved = a.positions @ r.T + t
    proper = bool(np.linalg.det(r) > 0)
    rotation = r if proper else -r
    angle = float(np.degrees(np.arccos(np.clip((np.trace(rotation) - 1) / 2, -1.0, 1.0))))
    axis = np.array([rotation[2, 1] - rotation[1, 2], rotation[0, 2] - rotation[2, 0],
                     rotation[1, 0] - rotation[0, 1]])
    if np.linalg.norm(axis) < 1e-9:  # 0° (any axis) or 180° (the eigenvector of +1)
        values, vectors = np.linalg.eigh(rotation + rotation.T)
        axis = vectors[:, np.argmax(values)]
    return {
        "permutation": [int(i) for i in partner],
        "matrix": r.tolist(),
        "translation": t.tolist(),
        "proper": proper,
        "angle_deg": angle,
        "axis": (axis / np.linalg.norm(axis)).tolist(),
        "deviation": float(np.max(np.linalg.norm(moved - b.positions[partner], axis=1))),
        "group": group,
    }


def describe_witness(witness: dict) -> str:
    """The witness in a sentence: which motion, which atoms go where, how close."""
    kind = "rotation" if witness["proper"] else "rotation combined with the inversion"
    axis = ", ".join(f"{x:.2f}" for x in witness["axis"])
    moves = ", ".join(f"{i}->{j}" for i, j in enumerate(witness["permutation"]) if i != j)
    return (f"B is A under a {kind} by {witness['angle_deg']:.1f}° about ({axis}), "
            f"atoms relabelled {moves or 'not at all'}; largest deviation "
            f"{witness['deviation']:.1e} Å")


def min_hops(
    a: Structure,
    b: Structure,
    body_order: int | str = "full",
    group: str = "O3",
    graph: str | None = None,
    tol: float = DEFAULT_TOL,
) -> int | None:
    """The fewest hops at which the k-hop test separates A and B (None: no hops do)."""
    _check(group, tol)
    return PairGraphs(a, b, graph).min_hops(normalise_body_order(body_order), group, tol)


def compare(
    a: Structure,
    b: Structure,
    hops: int = 1,
    body_order: int | str = "full",
    group: str = "O3",
    graph: str | None = None,
    tol: float = DEFAULT_TOL,
) -> dict:
    """The oracle's whole verdict on a pair, JSON-able (the ``oracle`` command's output).

    ``gwl_min_layers`` is min_hops at body order full: the fewest layers any
    equivariant GNN needs to separate a non-congruent pair (null if congruent).
    """
    _check(group, tol)
    order = normalise_body_order(body_order)
    pair = PairGraphs(a, b, graph)
    result = pair.test(hops, order, group, tol)
    is_congruent = pair.congruent(group, tol)
    least = pair.min_hops(order, group, tol)
    if is_congruent:
        gwl = None
    elif order == "full":
        gwl = least
    else:
        gwl = pair.min_hops("full", group, tol)
    out = {
        "indistinguishable": result.indistinguishable,
        "congruent": is_congruent,
        "min_hops": least,
        "gwl_min_layers": gwl,
        "iterations": result.iterations,
        "first_difference": result.first_difference,
        "witness": witness(result) if result.indistinguishable else None,
        "congruence_witness": pair.congruence_witness(group, tol),
        "hops": hops,
        "body_order": order,
        "group": group,
        "graph": str(pair.rule_a),
        "tol": pair.tolerance(tol),
        **pair.reading.to_dict(),
    }
    out["reason"] = explain(pair, out)
    return out


COMPARED = {
    "2": ("the same distances from the centre to its neighbours",
          "the angles between neighbours, which body order 2 does not compare"),
    "3": ("the same distances from the centre and the same angles between neighbours "
          "(the distance of every pair of neighbours)",
          "the neighbourhoods' shape beyond distances and angles, or their relative "
          "orientation"),
    "full": ("a neighbourhood of the same shape (congruent to it under the group)",
             "the relative orientation of the local structures"),
}
"""Per body order: what an atom's partner shares at an indistinguishable verdict, and what
may still differ (SCIENCE.md, Claim 1: b = 2 sees distances from the centre, b = 3
distances and angles, full the shape up to the group)."""


def compared(body_order: str, group: str) -> str:
    """What the k-hop test of this body order compares of a neighbourhood, in words."""
    shared = COMPARED[body_order][0]
    if body_order == "3" and group == "SO3":
        shared += " and the same signed volumes of neighbour triples"
    return shared


def explain(pair: PairGraphs, verdict: dict) -> str:
    """A short sentence a student can read: the verdict and why, in the body order's terms."""
    k, order, group = verdict["hops"], verdict["body_order"], verdict["group"]
    seen = f"{k} hop{'s' if k > 1 else ''}, body order {order}, {group}"
    if verdict["congruent"]:
        proof = verdict.get("congruence_witness")
        return (f"A and B are congruent under {group}: one is the other up to a permutation "
                "and a rigid motion, so no model can tell them apart"
                + (f". {describe_witness(proof)}." if proof else "."))
    if verdict["indistinguishable"]:
        hidden = COMPARED[order][1]
        text = (f"At {seen}, every atom of A has a partner in B with {compared(order, group)} "
                f"within {k} hop{'s' if k > 1 else ''}, yet A and B are not congruent: "
                f"what differs is {hidden}")
        twist = _largest_dihedral_change(pair, verdict["witness"])
        if twist is not None:
            (i, j), change = twist
            text += f"; the dihedral about bond {i}-{j} differs by {change:.0f}°"
        needed = verdict["min_hops"]
        more = f" {needed} hops see it." if needed else " No number of hops sees it."
        return text + "." + more
    diff = verdict["first_difference"]
    nodes = ", ".join(str(i) for i in diff["nodes_a"][:6])
    if diff["iteration"] == 0:
        return "A and B differ in their atoms (species counts), before any geometry."
    return (f"At {seen}, the test separates A and B at iteration {diff['iteration']}: "
            f"atom(s) {nodes} of A have no partner in B with {compared(order, group)}.")


def _largest_dihedral_change(pair: PairGraphs, matching) -> tuple[tuple[int, int], float] | None:
    """The bridge of A whose dihedral changes most under the witness matching."""
    from eqgnn.graph import adjacency_lists, bridges

    to_b = dict(matching)
    adj = adjacency_lists(len(pair.a), pair.edges_a)
    best = None
    for i, j in bridges(len(pair.a), pair.edges_a).tolist():
        ends_i = [x for x in adj[i] if x != j]
        ends_j = [x for x in adj[j] if x != i]
        for x in ends_i[:1]:
            for y in ends_j:
                da = dihedral(pair.a.positions, x, i, j, y)
                db = dihedral(pair.b.positions, to_b[x], to_b[i], to_b[j], to_b[y])
                change = min(abs(abs(da) - abs(db)), 360 - abs(abs(da) - abs(db)))
                if change > 1.0 and (best is None or change > best[1]):
                    best = ((i, j), change)
    return best
