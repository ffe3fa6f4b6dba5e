"""The classifier a verdict trains, and how its logits read: margins, accuracy, verdict."""

from __future__ import annotations

import torch
from torch import nn

from eqgnn.noise import ARITHMETIC_FLOOR, GuardedGaps

DISTINGUISHED = 0.95
NORMALISE = ("pair", "none")
DECIDED_MARGIN = 1.0
"""Logit margin (right minus wrong class) every seed must hold on both graphs to stop early."""
DECIDED_EPOCHS = 5
"""Epochs in a row that margin must hold before training stops early."""
STOPPED = ("blind before training", "decided", "epochs")
"""Why training ended: the blind short-cut, every seed decided, or the last epoch."""


class PairClassifier(nn.Module):
    """The model under test, then a linear head on its (standardised) embedding.

    ``normalise="pair"`` standardises each embedding feature over the two
    graphs (batch normalisation without running statistics): a real but faint
    difference (a correlation-2 model at its GWL bound) becomes O(1) for the
    head, in float64 where it stands far above noise. ``"none"`` feeds the raw
    embedding, and faint signals then stay "sighted, not learned".
    """

    def __init__(self, encoder: nn.Module, dim: int, normalise: str = "pair"):
        super().__init__()
        self.encoder = encoder
        self.normalise = normalise
        self.head = nn.Linear(dim, 2)

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        self.head.reset_parameters()

    def forward(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        embedding = self.encoder(batch).embedding
        features = embedding
        if self.normalise == "pair":
            centred = embedding - embedding.mean(dim=0, keepdim=True)
            # + tiny inside the root: a feature equal on both graphs gives 0, not NaN
            variance = centred.pow(2).mean(dim=0, keepdim=True)
            standard = centred / (variance + torch.finfo(variance.dtype).tiny).sqrt()
            # differences at float-noise level are not signal: never amplify them
            floor = ARITHMETIC_FLOOR * embedding.detach().abs().mean()
            features = torch.where(centred.detach().abs() > floor, standard, 0.0)
        return self.head(features), embedding


def margins(logits: torch.Tensor) -> torch.Tensor:
    """Per seed and graph (S, 2): the right class's logit minus the wrong one's (A: 0, B: 1)."""
    labels = torch.tensor([0, 1], device=logits.device)
    right = logits.gather(-1, labels.view(1, 2, 1).expand(logits.shape[0], 2, 1)).squeeze(-1)
    wrong = logits.gather(-1, (1 - labels).view(1, 2, 1).expand(logits.shape[0], 2, 1)).squeeze(-1)
    return right - wrong


def accuracies(logits: torch.Tensor) -> torch.Tensor:
    """Per seed: the fraction of the two graphs whose label wins strictly (ties wrong)."""
    return (margins(logits) > 0).to(logits.dtype).mean(dim=1)


def decided(logits: torch.Tensor) -> bool:
    """Every seed right on both graphs by at least :data:`DECIDED_MARGIN`."""
    return bool((margins(logits) >= DECIDED_MARGIN).all())


def verdict_of(guard: GuardedGaps, accuracy: float) -> str:
    if guard.blind:
        return "blind"
    return "distinguished" if accuracy >= DISTINGUISHED else "sighted, not learned"
