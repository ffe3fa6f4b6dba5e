"""Build a model from a :class:`ModelConfig`, deterministically from a seed."""

from __future__ import annotations

import torch

from eqgnn.config import ModelConfig


def build_model(
    config: ModelConfig,
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> torch.nn.Module:
    """The model ``config`` describes, its weights drawn from ``seed``.

    Two calls with the same config and seed give the same weights, so the
    embeddings of two structures from two calls are comparable.
    """
    config.validate()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if config.model == "khop":
            from eqgnn.nn.khop import KHopGNN

            model = KHopGNN.from_config(config)
        else:
            from eqgnn.nn.equivariant import SteerableGNN

            model = SteerableGNN.from_config(config)
    return model.to(device=device, dtype=dtype)
