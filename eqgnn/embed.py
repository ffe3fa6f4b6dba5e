"""Embeddings of structures by seeded, untrained models."""

from __future__ import annotations

from collections.abc import Sequence

from eqgnn.config import ModelConfig
from eqgnn.structure import Structure


def describe_model(model, config: ModelConfig) -> dict:
    """The config plus what the model chose itself (the hidden irreps)."""
    out = config.to_dict()
    irreps = getattr(model, "irreps_hidden", None)
    if irreps is not None:
        from eqgnn.nn.irreps import describe_hidden_irreps

        out["irreps_hidden"] = str(irreps)
        out["dim"] = irreps.dim
        out["irreps_choice"] = describe_hidden_irreps(
            config.lmax, config.group, config.channels, config.dim, config.irreps_hidden
        )
    return out


def embed_many(
    structures: Sequence[Structure],
    config: ModelConfig,
    seed: int = 0,
    device: str | None = None,
    dtype: str = "float32",
) -> dict:
    """Embeddings of ``structures`` by one model drawn from ``seed``.

    Returns ``{"embeddings": [[...], ...], "model": {...}, "device", "dtype"}``.
    """
    import torch

    from eqgnn.batch import collate, resolve_dtype
    from eqgnn.device import resolve_device
    from eqgnn.models import build_model

    dev = resolve_device(device)
    model = build_model(config, seed=seed, dtype=resolve_dtype(dtype), device=dev)
    batch = collate(structures, graph=config.graph, dtype=dtype, device=dev)
    with torch.no_grad():
        out = model(batch).embedding
    return {
        "embeddings": out.double().cpu().tolist(),
        "model": describe_model(model, config),
        "device": str(dev),
        "dtype": dtype,
    }


def embed(
    structure: Structure,
    config: ModelConfig,
    seed: int = 0,
    device: str | None = None,
    dtype: str = "float32",
) -> dict:
    """One structure's embedding: ``{"embedding": [...], "model", "device", "dtype"}``, and
    the ``units`` and ``scale`` the model read it at (:mod:`eqgnn.units`)."""
    from eqgnn.units import read_one

    read, reading = read_one(structure, config.graph)
    result = embed_many([read], config, seed, device, dtype)
    result["embedding"] = result.pop("embeddings")[0]
    return {**result, **reading.to_dict()}

