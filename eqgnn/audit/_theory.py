"""The oracle's side of a card: the battery's torsion twins, each case's verdicts (kept),
and the group a model is read against."""

from __future__ import annotations

TORSIONS = ("butane-torsion", "h2o2-torsion", "ethanol-torsion", "butadiene-torsion")
_THEORY: dict[str, dict] = {}


def case_theory(case: str) -> dict:
    """The oracle's verdicts on a battery case (:func:`eqgnn.gallery.theory`), kept."""
    from eqgnn.gallery import load_case, theory

    if case not in _THEORY:
        _THEORY[case] = theory(load_case(case))
    return _THEORY[case]


def measured_group(symmetry: dict) -> str:
    """O3 for a model measured reflection invariant, else SO3."""
    return "O3" if symmetry["reflection"] else "SO3"
