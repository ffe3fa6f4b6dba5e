"""Butane anti vs a torsion twin on the bond graph (SCIENCE.md, Claim 1 and 2).

Turning one side of a C-C bridge keeps every 1-hop local structure congruent
(the Theorem: no 1-hop invariant model sees it); 2 hops at body order 3 see the
dihedral; an equivariant model carrying orientation sees it once it has had
3 rounds, the number a TFN-style model needs to combine three bond vectors.
"""

from __future__ import annotations

import pytest
import torch

from eqgnn.batch import collate
from eqgnn.config import config_from_options
from eqgnn.embed import embedding_gap
from eqgnn.models import build_model
from eqgnn.transforms import dihedral, torsion

NOISE = 1e-12


@pytest.fixture(scope="module")
def twins(butane):
    # Atoms 0-1-2-3 are the carbon chain of ASE's trans-butane; turn the
    # central bond 1-2 by 120 degrees: anti -> gauche.
    gauche = torsion(butane, 1, 2, 120.0)
    assert abs(abs(dihedral(gauche.positions, 0, 1, 2, 3)) - 60.0) < 1e-6
    return butane, gauche


def gap(twins, **options) -> float:
    model = build_model(config_from_options(**options), seed=0, dtype=torch.float64)
    with torch.no_grad():
        e = model(collate(list(twins), graph="bonds", dtype=torch.float64)).embedding
    return embedding_gap(e[0].tolist(), e[1].tolist())


def test_one_hop_khop_model_is_blind_to_torsion_twins(twins):
    assert gap(twins, model="khop", hops=1, body_order=3) < NOISE


def test_two_hop_khop_model_sees_the_dihedral_at_body_order_3(twins):
    assert gap(twins, model="khop", hops=2, body_order=3) > 1e-6


def test_two_hop_khop_model_is_blind_at_body_order_2(twins):
    # Every distance to a centre within 2 hops involves an atom on the bond axis.
    assert gap(twins, model="khop", hops=2, body_order=2) < NOISE


def test_three_hop_khop_model_sees_the_dihedral_at_body_order_2(twins):
    assert gap(twins, model="khop", hops=3, body_order=2) > 1e-6


def test_equivariant_model_sees_torsion_twins(twins):
    assert gap(twins, model="equivariant", lmax=1, layers=4, channels=4) > 1e-6


def test_tfn_style_model_needs_three_rounds_for_a_dihedral(twins):
    assert gap(twins, model="equivariant", lmax=1, layers=2, channels=4, correlation=1) < NOISE
