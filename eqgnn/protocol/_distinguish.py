"""A verdict on a pair: train the seeds, read the verdict, put the theory beside it; and
the job that runs one from its spec."""

from __future__ import annotations

import time

import torch

from eqgnn.batch import collate, resolve_dtype
from eqgnn.config import ModelConfig
from eqgnn.device import resolve_device
from eqgnn.errors import InputError
from eqgnn.models import cached_encoder
from eqgnn.progress import Cancel, Progress
from eqgnn.protocol._classifier import NORMALISE, verdict_of
from eqgnn.protocol._theory import theory_beside
from eqgnn.protocol._train import train_pair
from eqgnn.specs import DEFAULTS, resolve_pair
from eqgnn.structure import Structure
from eqgnn.units import read_pair


def distinguish(
    a: Structure,
    b: Structure,
    config: ModelConfig,
    seeds: int = DEFAULTS["seeds"],
    epochs: int = DEFAULTS["epochs"],
    lr: float = DEFAULTS["lr"],
    normalise: str = DEFAULTS["normalise"],
    dtype: str = DEFAULTS["dtype"],
    device: str | None = None,
    seed_list: list[int] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    early_stop: bool = True,
) -> dict:
    """Train S seeds together on the pair (A: 0, B: 1); the verdict of :mod:`eqgnn.protocol`.

    ``config.graph`` is the graph rule. Returns a JSON-able dict: distinguished,
    verdict, accuracy (+ std, per seed), embedding gaps, per-epoch curves,
    whether it trained and the epochs it ran (``trained``, ``epochs_run``,
    ``stopped``), seconds, device, and the theory beside it
    (:func:`theory_beside`). ``early_stop=False`` turns both short-cuts off:
    every epoch runs (the tests compare the verdicts both ways).
    """
    start = time.perf_counter()
    with cached_encoder(config) as encoder:
        result = pair_verdict(encoder, a, b, config.graph, seeds, epochs, lr, normalise, dtype,
                              device, seed_list, progress, cancel, early_stop)
    result.pop("seeds_vectorised")  # the product's models always vectorise
    return {
        **result,
        "seconds": time.perf_counter() - start,
        "config": {"model": config.to_dict(), "seeds": result.pop("seeds"), "epochs": epochs,
                   "lr": lr, "normalise": normalise, "dtype": dtype},
        "theory": theory_beside(*read_pair(a, b, config.graph)[:2], config),
    }


def pair_verdict(
    encoder: torch.nn.Module,
    a: Structure,
    b: Structure,
    graph: str | None,
    seeds: int = DEFAULTS["seeds"],
    epochs: int = DEFAULTS["epochs"],
    lr: float = DEFAULTS["lr"],
    normalise: str = DEFAULTS["normalise"],
    dtype: str = DEFAULTS["dtype"],
    device: str | None = None,
    seed_list: list[int] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    early_stop: bool = True,
) -> dict:
    """The protocol's verdict for any encoder (``encoder(batch).embedding``, redrawn by
    ``reset_parameters``) on the pair, on graph rule ``graph``: what :func:`distinguish`
    reports but the model's config and the theory (an audit brings its own)."""
    if seeds < 1 or epochs < 0:
        raise InputError(f"need seeds >= 1 and epochs >= 0 (got {seeds}, {epochs})")
    if normalise not in NORMALISE:
        raise InputError(f"normalise {normalise!r}: choose pair or none")
    if not lr > 0:
        raise InputError(f"learning rate must be > 0, got {lr}")
    a, b, reading = read_pair(a, b, graph)
    dev, torch_dtype = resolve_device(device), resolve_dtype(dtype)
    seed_list = list(range(seeds)) if seed_list is None else list(seed_list)
    batch = collate([a, b], graph=graph, dtype=torch_dtype, device=dev)
    encoder.to(device="cpu", dtype=torch.float64)
    final, guard, curves, stopped, vectorised = train_pair(
        encoder, a, b, batch, graph, seed_list, epochs, lr, normalise, dev, torch_dtype,
        progress, cancel, early_stop)
    accuracy = sum(final) / len(final)
    verdict = verdict_of(guard, accuracy)
    return {
        "distinguished": verdict == "distinguished",
        "verdict": verdict,
        "accuracy": accuracy,
        "accuracy_std": float(torch.tensor(final, dtype=torch.float64).std(unbiased=False)),
        "accuracies": final,
        "embedding_gap": sum(guard.gaps) / len(guard.gaps),
        "embedding_gaps": guard.gaps,
        "noise_floor": max(guard.floors),
        "noise_floors": guard.floors,
        "precision": guard.precision.to_dict(),
        **reading.to_dict(),
        "curves": curves,
        "trained": stopped != "blind before training",
        "epochs_run": len(curves["loss"]),
        "stopped": stopped,
        "seeds_vectorised": vectorised,
        "device": str(dev),
        "seeds": seed_list,
    }


def run_distinguish(
    spec: dict, progress: Progress | None = None, cancel: Cancel | None = None
) -> dict:
    """The job: a pure function of its spec (see :func:`distinguish_spec`)."""
    a, b, _, _ = resolve_pair(spec["pair"])
    config = ModelConfig(**spec["model"]).validate()
    options = {k: spec[k] for k in DEFAULTS}
    return distinguish(a, b, config, progress=progress, cancel=cancel, **options)
