"""The L sweep's data: QM9 regression targets and a task whose baseline theory fixes.

Tasks (SCIENCE.md, Claim 3; Wang et al., ICLR 2024, Sec. 5):

- ``mu``: the dipole moment's magnitude (Debye), a scalar; radius:5 graph.
- ``gap``: the HOMO-LUMO gap (eV), a scalar; radius:5 graph.
- ``dipole``: the dipole vector of QM9's Mulliken charges, sum_i q_i (r_i - r_mean)
  (e Å), a type-1 target; radius:5 graph. qm9pack stores mu only as a magnitude,
  and its polarizability tensor is not in the frame of the stored coordinates,
  so neither can serve as an orientation-dependent target.
- ``twist``: QM9 molecules turned about random bridge bonds (both sides holding
  at least two heavy atoms) to random angles; the target is the radius of
  gyration (Å), a global invariant the turn changes. Every twin keeps the
  **bond graph of the untwisted molecule** as explicit edges (bonds recomputed
  from a clashing twist would break the 1-hop identity), so the members of a
  family (one molecule and its twins) are 1-hop identical and an lmax = 0
  network predicts one value per family: its within-family error sits exactly
  at the floor of predicting each family's mean.

The split is molecule-level, drawn once from a fixed seed over QM9's rows
(twins stay with their molecule), and its sizes are recorded with each result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqgnn.errors import InputError
from eqgnn.structure import Structure

TASKS = ("mu", "gap", "dipole", "twist")
UNITS = {"mu": "D", "gap": "eV", "dipole": "e Å", "twist": "Å"}
GRAPH = {"mu": "radius:5", "gap": "radius:5", "dipole": "radius:5", "twist": None}
"""The graph rule per task: QM9's standard 5 Å radius graph; the twist task's graphs
carry the untwisted bond graph as explicit edges (``None``: the structure's own)."""
SPLIT_SEED = 0
TWINS = 4
"""Members of a twist family: the molecule and three twins."""
MIN_CONTACT = 0.9
"""Å: a twist that brings two atoms closer is a clash and is drawn again."""


@dataclass(frozen=True)
class TaskData:
    """One split of a task: structures, targets (n,) or (n, 3), and family ids."""

    structures: list[Structure]
    targets: np.ndarray
    families: np.ndarray


def radius_of_gyration(positions: np.ndarray) -> float:
    """sqrt(mean |x_i - x_mean|^2) over the atoms (unweighted), in Å."""
    centred = positions - positions.mean(axis=0)
    return float(np.sqrt((centred**2).sum(axis=1).mean()))


def charge_dipole(positions: np.ndarray, charges: np.ndarray) -> np.ndarray:
    """sum_i q_i (r_i - r_mean): QM9's Mulliken dipole, e Å, in the stored frame."""
    return (charges[:, None] * (positions - positions.mean(axis=0))).sum(axis=0)


def split_rows(sizes: tuple[int, int, int], count: int, seed: int = SPLIT_SEED,
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Disjoint QM9 rows for train, validation and test, from a fixed permutation."""
    if min(sizes) < 1:
        raise InputError(f"--train, --val and --test must be >= 1, got {sizes}")
    order = np.random.default_rng(seed).permutation(count)
    train, val, test = sizes
    return order[:train], order[train:train + val], order[train + val:train + val + test]


def task_splits(task: str, sizes: tuple[int, int, int]) -> dict[str, TaskData]:
    """``{"train", "val", "test"}`` of ``task``; the twist task draws families, not rows."""
    from eqgnn.io import qm9_count

    if task not in TASKS:
        raise InputError(f"--task {task!r}: choose one of {', '.join(TASKS)}")
    if task == "twist":
        return _twist_splits(sizes)
    rows = split_rows(sizes, qm9_count())
    return {name: _molecules(task, part) for name, part in zip(("train", "val", "test"), rows)}


def _molecules(task: str, rows: np.ndarray) -> TaskData:
    from eqgnn.io import qm9_entry

    structures, targets = [], []
    for row in rows:
        structure, properties = qm9_entry(int(row))
        structures.append(structure)
        if task == "dipole":
            targets.append(charge_dipole(structure.positions, properties["charges"]))
        else:
            targets.append(properties[task])
    return TaskData(structures, np.asarray(targets, dtype=np.float64),
                    np.arange(len(structures)))


def _twist_splits(sizes: tuple[int, int, int]) -> dict[str, TaskData]:
    """Families of TWINS members from twistable molecules, walked in the fixed row order.

    ``sizes`` count molecules (families); each split holds TWINS times as many
    structures.
    """
    from eqgnn.io import qm9_count

    rng = np.random.default_rng(SPLIT_SEED)
    order = np.random.default_rng(SPLIT_SEED).permutation(qm9_count())
    out, cursor = {}, 0
    for name, size in zip(("train", "val", "test"), sizes):
        structures, targets, families = [], [], []
        while len(set(families)) < size:
            if cursor == len(order):
                raise InputError("twist task: QM9 has too few molecules with a turnable bond")
            family = _twist_family(int(order[cursor]), rng)
            cursor += 1
            if family is None:
                continue
            structures += family
            targets += [radius_of_gyration(s.positions) for s in family]
            families += [cursor] * len(family)
        out[name] = TaskData(structures, np.asarray(targets), np.asarray(families))
    return out


def _twist_family(row: int, rng: np.random.Generator) -> list[Structure] | None:
    """The molecule and TWINS-1 twins on its own bond graph, or None if none can turn."""
    from dataclasses import replace

    from eqgnn.graph import bridges, build_edges, side_of_bond
    from eqgnn.io import qm9_entry
    from eqgnn.structure import min_pair_distance
    from eqgnn.transforms import torsion

    molecule, _ = qm9_entry(row)
    edges = build_edges(molecule, "bonds")
    n, heavy = len(molecule), molecule.numbers > 1
    turnable = [(i, j) for i, j in bridges(n, edges).tolist()
                if heavy[side_of_bond(n, edges, i, j)].sum() >= 2
                and heavy[side_of_bond(n, edges, j, i)].sum() >= 2]
    if not turnable:
        return None
    fixed = replace(molecule, edges=edges)  # the untwisted bond graph, kept for every twin
    family = [fixed]
    for _ in range(100 * TWINS):
        if len(family) == TWINS:
            return family
        i, j = turnable[int(rng.integers(len(turnable)))]
        twin = torsion(fixed, i, j, float(rng.uniform(30.0, 330.0)))
        if min_pair_distance(twin.positions) >= MIN_CONTACT:
            family.append(twin)
    return None
