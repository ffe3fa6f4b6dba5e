"""Build a model from a :class:`ModelConfig`, its weights drawn from a seed, and keep
the models a process built (:func:`cached_encoder`): construction is the slow part."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import torch

from eqgnn.config import ENCODER_CACHE_SIZE, ModelConfig


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


_ENCODERS: OrderedDict[ModelConfig, tuple[torch.nn.Module, threading.Lock]] = OrderedDict()
_ENCODERS_LOCK = threading.Lock()
_ENCODER_BUILDS = 0  # constructions by cached_encoder in this process (see encoder_builds)


def encoder_builds() -> int:
    """How many models :func:`cached_encoder` has constructed in this process so far.

    A warm worker (``eqgnn.jobs.WarmPoolRunner``) reports the difference across
    a job, so a caller can tell a run that reused a built model from one that paid
    for construction.
    """
    return _ENCODER_BUILDS


@contextmanager
def cached_encoder(config: ModelConfig) -> Iterator[torch.nn.Module]:
    """The constructed (unseeded) model of ``config``, held for exclusive use.

    Constructing an e3nn model compiles its tensor products (up to seconds), and
    a sweep asks for the same config on many pairs. Every run redraws all
    weights, so reuse changes no result; the lock keeps two threads (two
    dashboard sessions) from drawing into one module at once.
    """
    global _ENCODER_BUILDS
    with _ENCODERS_LOCK:
        if config not in _ENCODERS:
            _ENCODERS[config] = (construct(config), threading.Lock())
            _ENCODER_BUILDS += 1
            while len(_ENCODERS) > ENCODER_CACHE_SIZE:
                _ENCODERS.popitem(last=False)
        _ENCODERS.move_to_end(config)
        module, lock = _ENCODERS[config]
    with lock:
        yield module
