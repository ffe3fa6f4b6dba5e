"""The training loop of a verdict: every seed at once, guarded first, stopped when decided."""

from __future__ import annotations

import torch
from torch import nn

from eqgnn.batch import collate
from eqgnn.noise import GuardedGaps, guarded_gaps
from eqgnn.progress import Cancelled
from eqgnn.protocol._classifier import (
    DECIDED_EPOCHS,
    DECIDED_MARGIN,
    PairClassifier,
    accuracies,
    decided,
)
from eqgnn.seeds import StackedSeeds


def train_pair(
    encoder, a, b, batch, graph, seed_list, epochs, lr, normalise, dev, torch_dtype,
    progress, cancel, early_stop,
) -> tuple[list[float], GuardedGaps, dict, str, bool]:
    """Stack the seeds, guard the untrained gaps against noise, train until decided.

    Returns the final accuracies, the guard, the curves, why training ended
    (one of :data:`~eqgnn.protocol.STOPPED`) and whether the seeds ran as one
    vectorised call (:class:`~eqgnn.seeds.StackedSeeds`).
    """
    with torch.no_grad():
        dim = encoder(collate([a], graph=graph, dtype=torch.float64)).embedding.shape[-1]
    stacked = StackedSeeds(PairClassifier(encoder, dim, normalise), seed_list, dev, torch_dtype)

    def embed(structures):
        many = collate(structures, graph=graph, dtype=torch_dtype, device=dev)
        return stacked(many)[1]

    with torch.no_grad():
        guard = guarded_gaps(embed, a, b)
    curves: dict = {"loss": [], "accuracy": [], "seed_loss": [[] for _ in seed_list]}
    if early_stop and guard.blind:
        with torch.no_grad():
            untrained = accuracies(stacked(batch)[0]).tolist()
        if progress is not None:
            progress(epochs, epochs, "blind before training: no seed's gap rises above its floor")
        return untrained, guard, curves, "blind before training", bool(stacked.vectorised)
    optimiser = torch.optim.Adam(stacked.params.values(), lr=lr)
    labels = torch.tensor([0, 1], device=dev).repeat(len(seed_list))
    stopped, held = "epochs", 0
    for epoch in range(epochs):
        if cancel is not None and cancel():
            raise Cancelled(f"cancelled at epoch {epoch} of {epochs}")
        logits, _ = stacked(batch)
        loss = nn.functional.cross_entropy(logits.reshape(-1, 2), labels, reduction="none")
        per_seed = loss.view(len(seed_list), 2).mean(dim=1)
        optimiser.zero_grad(set_to_none=True)
        per_seed.sum().backward()
        optimiser.step()
        for seed_curve, value in zip(curves["seed_loss"], per_seed.detach().tolist()):
            seed_curve.append(value)
        curves["loss"].append(float(per_seed.detach().mean()))
        curves["accuracy"].append(float(accuracies(logits.detach()).mean()))
        held = held + 1 if decided(logits.detach()) else 0
        if progress is not None:
            progress(epoch + 1, epochs,
                     f"epoch {epoch + 1}/{epochs}, loss {curves['loss'][-1]:.3g}")
        if early_stop and held >= DECIDED_EPOCHS:
            stopped = "decided"
            if progress is not None:
                progress(epochs, epochs, f"decided after {epoch + 1} epochs: every seed right "
                                         f"by a margin of {DECIDED_MARGIN:g} for {held} epochs")
            break
    with torch.no_grad():
        final = accuracies(stacked(batch)[0]).tolist()
    return final, guard, curves, stopped, bool(stacked.vectorised)
