"""Write the gallery's stored pairs, ``data/cases/NAME.json``, from their real sources.

Run ``python -m eqgnn.gallery._build``. Molecules come from ASE's G2
collection and RDKit (SMILES), twins from ``eqgnn.transforms``, the
low body-order environments from Pozdnyakov et al., PRL 125, 166001 (2020),
with the coordinates of Joshi et al.'s geometric-gnn-dojo. Each file says
what made it, so a reader can check a pair without trusting it. ``load_case``
then reads JSON and numpy only: ASE's readers and RDKit cost seconds, and the
oracle CLI must answer in one.

The k-chains and the stars are generated on demand and not stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from eqgnn.gallery._cases import CASES_DIR
from eqgnn.gallery._kchains import CARBON  # one species: only geometry tells A from B
from eqgnn.structure import Structure, make_structure
from eqgnn.transforms import dihedral, permute, random_rotation, reflect, rotate, torsion, translate

MADE_BY = "python -m eqgnn.gallery._build"
CONTROL_SEED = 7  # the control's rotation, shift and shuffle


def _g2(name: str) -> Structure:
    from eqgnn.io import load_structure

    return load_structure(f"g2:{name}")


def _twin(
    molecule: str, i: int, j: int, angle: float, quad: tuple[int, int, int, int],
    names: tuple[str, str],
) -> tuple[Structure, Structure, str]:
    """A G2 molecule and its torsion twin: j's side of bridge i-j turned by ``angle``°.

    ``names`` say what A and B are (anti and gauche, s-trans and s-cis), the
    words a lecture uses, not "A" and "B"."""
    a = _g2(molecule)
    b = torsion(a, i, j, angle, graph="bonds")
    before, after = (round(dihedral(s.positions, *quad), 1) + 0.0 for s in (a, b))  # no -0.0
    how = (
        f"A = g2:{molecule} (ASE G2 geometry); B = torsion(A, {i}, {j}, {angle:g}) on the bond "
        f"graph: the side of bond {i}-{j} holding atom {j} turned about the bond axis; "
        f"dihedral {'-'.join(map(str, quad))} {before:.1f}° in A, {after:.1f}° in B"
    )
    return _named(a, b, *names) + (how,)


def _named(a: Structure, b: Structure, name_a: str, name_b: str) -> tuple[Structure, Structure]:
    return (
        make_structure(a.numbers, a.positions, a.edges, name=name_a),
        make_structure(b.numbers, b.positions, b.edges, name=name_b),
    )


def butane() -> tuple[Structure, Structure, str]:
    """trans-butane, anti (C-C-C-C 180°) vs gauche (-60°): the central bond turned by 120°."""
    return _twin("trans-butane", 1, 2, 120.0, (0, 1, 2, 3), ("anti-butane", "gauche-butane"))


def h2o2() -> tuple[Structure, Structure, str]:
    """Hydrogen peroxide with its H-O-O-H dihedral changed by a generic 50°."""
    return _twin("H2O2", 0, 1, -50.0, (2, 0, 1, 3),
                 ("H2O2, dihedral 121°", "H2O2, dihedral 71°"))


def ethanol() -> tuple[Structure, Structure, str]:
    """Ethanol, OH anti to the methyl vs gauche: a 120° turn of the C-O bond.

    Not a symmetry, unlike turning a CH3 by 120°, which gives the same molecule.
    """
    return _twin("CH3CH2OH", 1, 2, 120.0, (0, 1, 2, 3), ("ethanol, OH anti", "ethanol, OH gauche"))


def butadiene() -> tuple[Structure, Structure, str]:
    """1,3-butadiene, s-trans vs s-cis: the central single bond turned by 180°."""
    return _twin("butadiene", 1, 2, 180.0, (0, 1, 2, 3),
                 ("s-trans-butadiene", "s-cis-butadiene"))


def _star_graph(centre_and_leaves: np.ndarray, name: str) -> Structure:
    """A one-species star: node 0 the centre, joined to every other node."""
    n = len(centre_and_leaves)
    edges = [[0, j] for j in range(1, n)]
    return make_structure(np.full(n, CARBON), centre_and_leaves, edges, name=name)


def _environments(
    leaves: np.ndarray, c_a: tuple, c_b: tuple, label: str
) -> tuple[Structure, Structure]:
    """Centre at the origin, the shared ``leaves``, then the leaf c that tells A from B."""
    origin = np.zeros((1, 3))
    a = np.concatenate([origin, leaves, [c_a]])
    b = np.concatenate([origin, leaves, [c_b]])
    return _star_graph(a, f"{label} A"), _star_graph(b, f"{label} B")


def _above_or_below(leaves: list, label: str, how: str) -> tuple[Structure, Structure, str]:
    """Three leaves in the plane y = 0, and c = (0, 5, 0) in A, (0, -5, 0) in B."""
    a, b = _environments(np.array(leaves, dtype=float), (0, 5, 0), (0, -5, 0), label)
    return a, b, how


def body2() -> tuple[Structure, Structure, str]:
    """Two leaves at 5 Å: an angle of 53° vs 180°. Equal centre distance multisets."""
    a = _star_graph(np.array([[0, 0, 0], [5, 0, 0], [3, 0, 4]], dtype=float), "body2 A")
    b = _star_graph(np.array([[0, 0, 0], [5, 0, 0], [-5, 0, 0]], dtype=float), "body2 B")
    how = (
        "centre (0,0,0) joined to (5,0,0),(3,0,4) in A and to (5,0,0),(-5,0,0) in B: "
        "the same distances from the centre, different angles"
    )
    return a, b, how


def body3() -> tuple[Structure, Structure, str]:
    """Pozdnyakov et al. (2020), Fig. 1(b): equal distance and angle multisets."""
    leaves = np.array([[5, 0, 5], [5, 5, 5], [-5, -5, 5]], dtype=float)
    a, b = _environments(leaves, (0, 5, 5), (0, -5, 5), "body3")
    how = (
        "Pozdnyakov et al., PRL 125, 166001 (2020), Fig. 1(b): centre at the origin, "
        "a=(5,0,5), b+=(5,5,5), b-=(-5,-5,5), and c=(0,5,5) in A, c=(0,-5,5) in B; "
        "star edges from the centre"
    )
    return a, b, how


def body4() -> tuple[Structure, Structure, str]:
    """Pozdnyakov et al. (2020), Fig. 2(f): a non-chiral pair that 3-body terms miss.

    The b points are the mirror images (y -> -y) of the a points, turned about
    y by π/10 as row vectors times e3nn's ``matrix_y``: the coordinates of
    Joshi et al.'s geometric-gnn-dojo (``experiments/incompleteness.ipynb``).
    """
    t = np.pi / 10
    q = np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])
    a_points = np.array([[3, 2, -4], [0, 2, 5], [0, 2, -5]], dtype=float)
    b_points = (a_points * [1, -1, 1]) @ q
    a, b = _environments(np.concatenate([a_points, b_points]), (0, 5, 0), (0, -5, 0), "body4")
    how = (
        "Pozdnyakov et al., PRL 125, 166001 (2020), Fig. 2(f), with the coordinates of Joshi "
        "et al.'s geometric-gnn-dojo: centre at the origin, a1=(3,2,-4), a2=(0,2,5), "
        "a3=(0,2,-5), b_i = (a_i with y negated) @ Q with Q = e3nn matrix_y(π/10) "
        "(row vectors), and c=(0,5,0) in A, c=(0,-5,0) in B; star edges from the centre"
    )
    return a, b, how


def body4_chiral() -> tuple[Structure, Structure, str]:
    """A chiral environment and its mirror image: Pozdnyakov et al. (2020), Fig. 2(e).

    Three leaves in the plane y = 0 and a fourth above it (A) or below it (B);
    two of the three are opposite each other and the third is off their line
    and off its perpendicular, so A has no mirror plane and B is its mirror image.
    """
    return _above_or_below([[3, 0, -4], [0, 0, 5], [0, 0, -5]], "body4-chiral", (
        "Pozdnyakov et al., PRL 125, 166001 (2020), Fig. 2(e), with the coordinates of Joshi "
        "et al.'s geometric-gnn-dojo: centre at the origin, a1=(3,0,-4), a2=(0,0,5), "
        "a3=(0,0,-5) and c=(0,5,0) in A, c=(0,-5,0) in B: B is A mirrored in the plane y=0"
    ))


def _dojo_matrix_y(angle: float) -> np.ndarray:
    """e3nn's ``o3.matrix_y``: a rotation about y, used by the Dojo on row vectors."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def dojo_body4() -> tuple[Structure, Structure, str]:
    """The Dojo's "4-body non-chiral counterexample", exactly as its notebook builds it.

    Joshi et al.'s geometric-gnn-dojo, ``experiments/incompleteness.ipynb``:
    a1..a3 an isosceles triangle at y = 2, b_i the points (x, -2, z) of the
    same triangle times matrix_y(2π/10), c = (0, ±5, 0). The triangle is
    symmetric under x -> -x, so the turn by π about z, (x, y, z) -> (-x, -y, z),
    carries A onto B with like atoms swapped: the pair is congruent.
    """
    q = _dojo_matrix_y(2 * np.pi / 10)
    a_points = np.array([[3, 2, -4], [0, 2, 5], [-3, 2, -4]], dtype=float)
    b_points = (a_points * [1, -1, 1]) @ q
    a, b = _environments(np.concatenate([a_points, b_points]), (0, 5, 0), (0, -5, 0),
                         "dojo-body4")
    how = (
        "Joshi et al.'s geometric-gnn-dojo, experiments/incompleteness.ipynb, "
        "create_four_body_nonchiral_envs, in float64: centre at the origin, a1=(3,2,-4), "
        "a2=(0,2,5), a3=(-3,2,-4), b1=(3,-2,-4)@Q, b2=(0,-2,5)@Q, b3=(-3,-2,-4)@Q with "
        "Q = e3nn matrix_y(2π/10) (row vectors), and c=(0,5,0) in A, c=(0,-5,0) in B; "
        "star edges from the centre"
    )
    return a, b, how


def dojo_body4_chiral() -> tuple[Structure, Structure, str]:
    """The Dojo's "4-body chiral counterexample", exactly as its notebook builds it.

    a1=(3,0,-4), a2=(0,0,5), a3=(-3,0,-4) is isosceles (symmetric under
    x -> -x), so B, the mirror image of A in y = 0, is also A turned by π
    about z with a1 and a3 swapped: congruent even under rotations alone.
    """
    return _above_or_below([[3, 0, -4], [0, 0, 5], [-3, 0, -4]], "dojo-body4-chiral", (
        "Joshi et al.'s geometric-gnn-dojo, experiments/incompleteness.ipynb, "
        "create_four_body_chiral_envs, in float64: centre at the origin, a1=(3,0,-4), "
        "a2=(0,0,5), a3=(-3,0,-4) and c=(0,5,0) in A, c=(0,-5,0) in B; star edges from "
        "the centre"
    ))


def enantiomers() -> tuple[Structure, Structure, str]:
    """L-alanine (RDKit conformer) and its mirror image, D-alanine."""
    from eqgnn.io import load_structure

    smiles = "N[C@@H](C)C(=O)O"
    a = load_structure(f"smiles:{smiles}")
    b = reflect(a, normal=(1.0, 0.0, 0.0))
    how = (
        f"A = smiles:{smiles} (L-alanine; RDKit ETKDGv3 embedding with eqgnn's fixed seed, "
        f"{'MMFF relaxed' if a.info.get('mmff') else 'not relaxed: no MMFF parameters'}); "
        "B = A mirrored in the plane x=0 (D-alanine)"
    )
    return _named(a, b, "L-alanine", "D-alanine") + (how,)


def control() -> tuple[Structure, Structure, str]:
    """Acetic acid and a rigid motion of it with its atoms shuffled: one molecule twice."""
    rng = np.random.default_rng(CONTROL_SEED)
    a = _g2("CH3COOH")
    rotation = random_rotation(rng)
    shift = rng.normal(scale=3.0, size=3)
    order = rng.permutation(len(a))
    b = permute(translate(rotate(a, rotation), shift), order)
    how = (
        "A = g2:CH3COOH (ASE G2); B = A rotated by random_rotation, shifted and its atoms "
        f"reordered, from numpy default_rng({CONTROL_SEED}): "
        f"rotation {np.round(rotation, 6).tolist()}, "
        f"shift {np.round(shift, 6).tolist()} Å, new atom k = old atom order[k], "
        f"order {order.tolist()}"
    )
    return _named(a, b, "acetic acid", "acetic acid, moved and renumbered") + (how,)


BUILDERS: dict[str, Callable[[], tuple[Structure, Structure, str]]] = {
    "butane-torsion": butane,
    "h2o2-torsion": h2o2,
    "ethanol-torsion": ethanol,
    "butadiene-torsion": butadiene,
    "body2": body2,
    "body3": body3,
    "body4": body4,
    "body4-chiral": body4_chiral,
    "dojo-body4": dojo_body4,
    "dojo-body4-chiral": dojo_body4_chiral,
    "enantiomers": enantiomers,
    "control": control,
}


def build(name: str) -> dict:
    """The JSON document of stored pair ``name``: both graphs and how they were made."""
    a, b, how = BUILDERS[name]()
    return {"name": name, "made_by": MADE_BY, "how": how, "a": a.to_json(), "b": b.to_json()}


def dump(doc: dict) -> str:
    """JSON text with every list of numbers on one line: a coordinate per line, readable."""
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    return re.sub(r"\[[^\[\]{}\"]*\]", lambda m: " ".join(m.group(0).split()), text) + "\n"


def main(out_dir: Path = CASES_DIR) -> list[Path]:
    """Write every stored pair to ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in BUILDERS:
        path = out_dir / f"{name}.json"
        path.write_text(dump(build(name)))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main():
        print(f"wrote {written_path}")
