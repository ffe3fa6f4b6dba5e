"""Butane anti vs a torsion twin on the bond graph (SCIENCE.md, Claim 1 and 2).

Turning one side of a C-C bridge keeps every 1-hop local structure congruent
(the Theorem: no 1-hop invariant model sees it); 2 hops at body order 3 see the
dihedral; an equivariant model carrying orientation sees it once it has had
3 rounds, the number a TFN-style model needs to combine three bond vectors.
"""

from __future__ import annotations

import pytest
import torch

from eqgnn.config import config_from_options
from eqgnn.models import build_model
from eqgnn.transforms import dihedral, torsion
from tests.test_equivariant import blind, sees


@pytest.fixture(scope="module")
def twins(butane):
    # Atoms 0-1-2-3 are the carbon chain of ASE's trans-butane; turn the
    # central bond 1-2 by 120 degrees: anti -> gauche.
    gauche = torsion(butane, 1, 2, 120.0)
    assert abs(abs(dihedral(gauche.positions, 0, 1, 2, 3)) - 60.0) < 1e-6
    return butane, gauche


def model(**options):
    return build_model(config_from_options(**options), seed=0, dtype=torch.float64)


def is_blind(twins, **options) -> bool:
    return blind(model(**options), *twins, graph="bonds")


def sees_it(twins, **options) -> bool:
    return sees(model(**options), *twins, graph="bonds")


def test_one_hop_khop_model_is_blind_to_torsion_twins(twins):
    assert is_blind(twins, model="khop", hops=1, body_order=3)


def test_two_hop_khop_model_sees_the_dihedral_at_body_order_3(twins):
    assert sees_it(twins, model="khop", hops=2, body_order=3)


def test_two_hop_khop_model_is_blind_at_body_order_2(twins):
    # Every distance to a centre within 2 hops involves an atom on the bond axis.
    assert is_blind(twins, model="khop", hops=2, body_order=2)


def test_three_hop_khop_model_sees_the_dihedral_at_body_order_2(twins):
    assert sees_it(twins, model="khop", hops=3, body_order=2)


def test_equivariant_model_sees_torsion_twins(twins):
    assert sees_it(twins, model="equivariant", lmax=1, layers=4, channels=4)


def test_tfn_style_model_needs_three_rounds_for_a_dihedral(twins):
    assert is_blind(twins, model="equivariant", lmax=1, layers=2, channels=4, correlation=1)
