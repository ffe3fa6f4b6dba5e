"""The k-hop invariant GNN: invariant by construction, blind where the Theorem says."""

from __future__ import annotations

import pytest
import torch

from eqgnn.batch import collate
from eqgnn.config import config_from_options
from eqgnn.models import build_model
from eqgnn.transforms import reflect
from tests.equivariance import assert_invariant
from tests.test_equivariant import blind, sees


def khop(**options):
    return build_model(config_from_options(model="khop", width=16, **options),
                       seed=0, dtype=torch.float64)


@pytest.mark.parametrize("body_order", [2, 3])
@pytest.mark.parametrize("hops", [1, 2])
def test_khop_embedding_is_o3_and_permutation_invariant(butane, alanine, hops, body_order):
    assert_invariant(khop(hops=hops, body_order=body_order), [butane, alanine])


def test_khop_embedding_is_invariant_in_float32(butane, alanine):
    model = khop(hops=2).to(torch.float32)
    assert_invariant(model, [butane, alanine], dtype=torch.float32)


def test_so3_khop_is_rotation_invariant(butane, alanine):
    assert_invariant(khop(hops=2, group="SO3"), [butane, alanine],
                     kinds=("rotate", "translate", "permute"))


def test_so3_khop_with_body_order_3_sees_mirror_images(alanine):
    # The signed volumes of neighbour triples are pseudoscalars (SCIENCE.md).
    assert sees(khop(group="SO3", body_order=3), alanine, reflect(alanine))


@pytest.mark.parametrize("body_order", [2, 3])
def test_o3_khop_is_blind_to_mirror_images(alanine, body_order):
    assert blind(khop(group="O3", body_order=body_order), alanine, reflect(alanine))


def test_so3_khop_with_body_order_2_is_blind_to_mirror_images(alanine):
    # Distances carry no handedness: body order 2 is the same under O3 and SO3.
    assert blind(khop(group="SO3", body_order=2), alanine, reflect(alanine))


def test_khop_forward_and_backward_run_on_a_batch(butane, alanine):
    model = khop(hops=2, group="SO3").to(torch.float32)
    batch = collate([butane, alanine, butane], graph="radius:4")
    out = model(batch)
    assert out.embedding.shape == (3, 16)
    assert out.node_features.shape == (len(butane) * 2 + len(alanine), 16)
    out.embedding.sum().backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_the_model_sees_exactly_the_graph_neighbourhoods(butane, alanine, hops):
    # the index sets are eqgnn.graph's N_c^k (without c), offset per graph of the batch
    import numpy as np

    from eqgnn.graph import build_edges, khop_neighbourhoods
    from eqgnn.nn.khop_index import khop_index

    batch = collate([butane, alanine, butane], graph="bonds")
    pairs = khop_index(batch, hops, with_pairs=False, with_triples=False).pairs.numpy()
    seen = {(int(c), int(j)) for c, j in pairs.T}
    expected, offset = set(), 0
    for s in (butane, alanine, butane):
        for c, hood in enumerate(khop_neighbourhoods(len(s), build_edges(s, "bonds"), hops)):
            expected |= {(offset + c, offset + int(j)) for j in hood if j != c}
        offset += len(s)
    assert seen == expected and len(seen) == pairs.shape[1]
    assert np.all(np.diff(pairs[0]) >= 0)

