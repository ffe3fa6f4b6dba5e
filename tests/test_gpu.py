"""Both model families run forward and backward on a CUDA GPU (skipped without one)."""

from __future__ import annotations

import pytest
import torch

from eqgnn.batch import collate
from eqgnn.config import config_from_options
from eqgnn.models import build_model

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")


@pytest.mark.parametrize("preset", ["schnet", "dimenet", "tfn", "mace"])
def test_forward_and_backward_on_cuda(butane, alanine, preset):
    model = build_model(config_from_options(preset, group="SO3"), device="cuda")
    batch = collate([butane, alanine], graph="radius:5", device="cuda")
    out = model(batch)
    assert out.embedding.is_cuda and torch.isfinite(out.embedding).all()
    out.embedding.square().sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
