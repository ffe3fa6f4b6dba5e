"""Build a model from a :class:`ModelConfig`, its weights drawn from a seed."""

from __future__ import annotations

import torch

from eqgnn.config import ModelConfig


def construct(config: ModelConfig) -> torch.nn.Module:
    """The model ``config`` describes, on the CPU in float64, weights not yet seeded.

    Building an e3nn model compiles its tensor products and can take a second;
    experiments construct once and draw every seed's weights into it.
    """
    config.validate()
    if config.model == "khop":
        from eqgnn.nn.khop import KHopGNN

        model = KHopGNN.from_config(config)
    elif config.model == "dimenet":
        from eqgnn.nn.dimenet import DimeNetStyle

        model = DimeNetStyle.from_config(config)
    else:
        from eqgnn.nn.equivariant import SteerableGNN

        model = SteerableGNN.from_config(config)
    return model.to(torch.float64)


def seed_parameters(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Redraw every weight of ``model`` from ``seed`` (torch's global RNG left as it was).

    Drawn on the CPU in float64, so a seed means the same weights on every
    device and in every dtype (up to the final rounding).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model.reset_parameters()
    return model


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
    model = seed_parameters(construct(config), seed)
    return model.to(device=device, dtype=dtype)
