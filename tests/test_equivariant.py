"""The steerable model: its symmetries and what it can see (SCIENCE.md, Claims 2 and 3)."""

from __future__ import annotations

import pytest
import torch

from eqgnn.batch import collate
from eqgnn.config import ModelConfig
from eqgnn.errors import InputError
from eqgnn.io import load_structure
from eqgnn.models import build_model
from eqgnn.nn.irreps import describe_hidden_irreps, hidden_irreps
from eqgnn.noise import ARITHMETIC_FLOOR, GuardedGaps, guarded_gaps
from eqgnn.transforms import reflect, torsion
from tests.equivariance import assert_equivariant, assert_invariant


def molecules(*names: str):
    return [load_structure(f"g2:{name}") for name in names]


def equivariant(**options) -> ModelConfig:
    """A tiny steerable model: few channels so every test runs in seconds."""
    return ModelConfig(model="equivariant", **{"channels": 2, "layers": 2, **options})


def pair_guard(model, a, b, graph: str | None = None) -> GuardedGaps:
    """The product's blind guard (eqgnn.noise) on an untrained float64 model: the pair's
    gap (eqgnn.noise.relative_gaps) beside its noise floor at the pair's precision."""
    def embed(structures):
        with torch.no_grad():
            batch = collate(list(structures), graph=graph, dtype=torch.float64)
            return model(batch).embedding[None]  # one seed

    return guarded_gaps(embed, a, b)


def blind(model, a, b, graph: str | None = None) -> bool:
    """Blind by construction: the gap is float64 arithmetic, within ARITHMETIC_FLOOR."""
    return max(pair_guard(model, a, b, graph).gaps) <= ARITHMETIC_FLOOR


def sees(model, a, b, graph: str | None = None) -> bool:
    """The gap rises above the pair's noise floor: what the protocol calls not blind."""
    return not pair_guard(model, a, b, graph).blind


def untrained(config: ModelConfig, seed: int = 0):
    return build_model(config, seed=seed, dtype=torch.float64)


def embedding_blind(config: ModelConfig, a, b) -> bool:
    return blind(untrained(config), a, b, config.graph)


def embedding_sees(config: ModelConfig, a, b) -> bool:
    return sees(untrained(config), a, b, config.graph)


@pytest.mark.parametrize("group", ["O3", "SO3"])
@pytest.mark.parametrize("lmax", [1, 2, 3])
@pytest.mark.parametrize("correlation", [1, 2, 3, 4])
def test_hidden_features_are_steerable(group, lmax, correlation):
    config = equivariant(group=group, lmax=lmax, correlation=correlation, readout="equivariant")
    model = build_model(config, dtype=torch.float64)
    assert model.irreps_node_features == model.irreps_hidden
    assert_equivariant(model, molecules("CH3CH2OH", "H2O2"), model.irreps_hidden)


def test_equivariant_readout_embedding_is_steerable():
    model = build_model(equivariant(readout="equivariant"), dtype=torch.float64)
    assert_equivariant(model, molecules("CH3CH2OH", "H2O2"), model.irreps_hidden,
                       output="embedding")


@pytest.mark.parametrize("correlation", [3, 4])
@pytest.mark.parametrize("group", ["O3", "SO3"])
def test_higher_correlation_embedding_is_invariant(group, correlation):
    model = build_model(equivariant(group=group, correlation=correlation), dtype=torch.float64)
    kinds = ("rotate", "translate", "permute") + (("reflect",) if group == "O3" else ())
    assert_invariant(model, molecules("CH3CH2OH", "H2O2"), kinds=kinds)


@pytest.mark.parametrize("group", ["O3", "SO3"])
def test_invariant_readout_last_round_makes_only_the_scalars_it_reads(group):
    model = build_model(equivariant(group=group, layers=3), dtype=torch.float64)
    assert {str(ir) for _, ir in model.irreps_node_features} == (
        {"0e"} if group == "O3" else {"0e", "0o"})
    assert_equivariant(model, molecules("CH3CH2OH", "H2O2"), model.irreps_node_features)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("correlation", [1, 2])
def test_o3_embedding_is_e3_and_permutation_invariant(dtype, correlation):
    model = build_model(equivariant(correlation=correlation, layers=3), dtype=dtype)
    assert_invariant(model, molecules("CH3CH2OH", "H2O2", "C6H6"), dtype=dtype)


def test_so3_embedding_is_se3_and_permutation_invariant():
    model = build_model(equivariant(group="SO3", layers=3), dtype=torch.float64)
    assert_invariant(
        model, molecules("CH3CH2OH", "H2O2"), kinds=("rotate", "translate", "permute")
    )


def test_so3_model_tells_mirror_images_apart():
    (h2o2,) = molecules("H2O2")  # C2 symmetry: chiral
    mirror = reflect(h2o2)
    assert embedding_sees(equivariant(group="SO3", layers=4), h2o2, mirror)
    assert embedding_blind(equivariant(group="O3", layers=4), h2o2, mirror)


def test_pseudoscalar_needs_three_rounds():
    """A triple product needs a 1e (a cross product, round two) dotted with a 1o."""
    (h2o2,) = molecules("H2O2")
    mirror = reflect(h2o2)
    assert embedding_blind(equivariant(group="SO3", layers=2), h2o2, mirror)
    assert embedding_sees(equivariant(group="SO3", layers=3), h2o2, mirror)


def test_natural_parities_alone_are_blind_to_mirror_images():
    (h2o2,) = molecules("H2O2")
    config = ModelConfig(
        model="equivariant", group="SO3", irreps_hidden="2x0e+2x1o+2x2e", layers=4
    )
    assert embedding_blind(config, h2o2, reflect(h2o2))


def butane_twins():
    (anti,) = molecules("trans-butane")  # C0-C1-C2-C3, dihedral 180 degrees
    return anti, torsion(anti, 1, 2, 60.0)


def test_tfn_needs_three_rounds_for_a_dihedral():
    anti, twin = butane_twins()
    assert embedding_blind(equivariant(lmax=2, layers=2), anti, twin)
    assert embedding_sees(equivariant(lmax=1, layers=3), anti, twin)
    assert embedding_sees(equivariant(lmax=1, layers=4), anti, twin)


def test_node_products_see_a_dihedral_in_two_rounds():
    """Correlation 2 combines orientations arriving from different neighbours."""
    anti, twin = butane_twins()
    assert embedding_blind(equivariant(correlation=2, layers=1), anti, twin)
    assert embedding_sees(equivariant(correlation=2, layers=2), anti, twin)


@pytest.mark.parametrize("group", ["O3", "SO3"])
@pytest.mark.parametrize("lmax", [0, 1, 2, 4])
def test_fixed_dimension_is_met_exactly(group, lmax):
    for dim in (90, 128, 257):
        irreps = hidden_irreps(lmax, group, dim=dim)
        assert irreps.dim == dim
        assert irreps.lmax == lmax
        assert len(irreps) == (lmax + 1) * (1 if group == "O3" else 2)


def test_so3_hidden_types_carry_both_parities():
    assert str(hidden_irreps(2, "SO3", channels=3)) == "3x0e+3x0o+3x1o+3x1e+3x2e+3x2o"
    assert str(hidden_irreps(2, "O3", channels=3)) == "3x0e+3x1o+3x2e"


def test_too_small_dimension_names_the_minimum():
    with pytest.raises(InputError, match="minimum is 15"):
        hidden_irreps(2, "O3", dim=14)
    with pytest.raises(InputError, match="minimum is 30"):
        hidden_irreps(2, "SO3", dim=29)


@pytest.mark.parametrize("text", ["8x9q", "eight", "4x1o+4x2e"])
def test_unusable_irreps_string_is_an_input_error(text):
    with pytest.raises(InputError, match="irreps-hidden"):
        hidden_irreps(2, "O3", irreps_hidden=text)


def test_irreps_choice_is_described():
    text = describe_hidden_irreps(2, "O3", dim=100)
    assert "dim 100" in text and "0e" in text


def test_rounds_keep_only_reachable_types():
    """After one round from scalars only natural parities exist; the attribute says so."""
    model = build_model(equivariant(group="SO3", layers=1))
    assert str(model.irreps_hidden) == "2x0e+2x1o+2x2e"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.gpu
def test_runs_forward_and_backward_on_gpu():
    model = build_model(equivariant(correlation=2), device="cuda")
    out = model(collate(molecules("CH3CH2OH", "C6H6"), device="cuda"))
    out.embedding.sum().backward()
    assert out.embedding.is_cuda and torch.isfinite(out.embedding).all()
