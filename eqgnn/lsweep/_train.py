"""One L-sweep run: a steerable regressor at one lmax, S seeds trained together.

Targets are standardised on the training split (scalars: mean and standard
deviation; vectors: scaled by their RMS length, never shifted, so the target
stays equivariant), the loss is the mean squared error of the standardised
target, and every seed's weights train in one vectorised step per minibatch
(:class:`eqgnn.seeds.StackedSeeds`: each seed's loss and Adam state its own).
MAE is in the target's units: |error| for scalars, the length of the error
vector for vectors. The model after the last epoch is the one tested.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import torch

from eqgnn.config import ModelConfig
from eqgnn.lsweep._tasks import GRAPH, UNITS, TaskData, task_splits
from eqgnn.progress import Cancel, Cancelled, Progress


def run_lsweep(spec: dict, progress: Progress | None = None,
               cancel: Cancel | None = None) -> dict:
    """The job: a pure function of its spec (:func:`eqgnn.lsweep.lsweep_spec`)."""
    from eqgnn.device import resolve_device
    from eqgnn.nn.property import HEADS, PropertyModel
    from eqgnn.seeds import StackedSeeds

    start = time.perf_counter()
    task = spec["task"]
    sizes = (spec["train"], spec["val"], spec["test"])
    splits = task_splits(task, sizes)
    kind = "vector" if task == "dipole" else "scalar"
    config = ModelConfig(**spec["model"]).validate()
    device = resolve_device(spec.get("device"))
    model = PropertyModel(config, kind)
    params = sum(p.numel() for p in model.parameters())
    seeds = list(range(spec["seeds"]))
    stacked = StackedSeeds(model, seeds, device, torch.float32)
    scale = _standardiser(splits["train"].targets, kind)
    batches = {name: _batches(data, GRAPH[task], spec["batch_size"], device)
               for name, data in splits.items()}
    optimiser = torch.optim.Adam(stacked.params.values(), lr=spec["lr"])
    rng = np.random.default_rng(0)
    curves: dict[str, list[float]] = {"train_loss": [], "val_mae": []}
    epoch_seconds = []
    for epoch in range(spec["epochs"]):
        if cancel is not None and cancel():
            raise Cancelled(f"cancelled at epoch {epoch} of {spec['epochs']}")
        tick = time.perf_counter()
        losses = []
        for index in rng.permutation(len(batches["train"])):
            batch, target = batches["train"][index]
            predicted = stacked(batch)
            loss = ((scale.forward(target) - predicted) ** 2).reshape(len(seeds), -1).mean(1)
            optimiser.zero_grad(set_to_none=True)
            loss.sum().backward()
            optimiser.step()
            losses.append(float(loss.detach().mean()))
        epoch_seconds.append(time.perf_counter() - tick)
        curves["train_loss"].append(float(np.mean(losses)))
        curves["val_mae"].append(float(_errors(stacked, batches["val"], scale, kind).mean()))
        if progress is not None:
            progress(epoch + 1, spec["epochs"],
                     f"epoch {epoch + 1}: validation MAE {curves['val_mae'][-1]:.4g}")
    test = _predictions(stacked, batches["test"], scale)
    maes = _errors_of(test, splits["test"].targets, kind).mean(axis=1)
    result = {
        "task": task, "units": UNITS[task], "lmax": config.lmax, "series": spec["series"],
        "allocation": spec.get("allocation", "share" if spec["series"] == "fixed" else "channels"),
        "hidden_irreps": str(model.encoder.irreps_hidden),
        "hidden_dim": model.encoder.irreps_hidden.dim, "params": params,
        "seeds": len(seeds), "epochs": spec["epochs"],
        "train_size": len(splits["train"].structures), "val_size": len(splits["val"].structures),
        "test_size": len(splits["test"].structures),
        "test_mae": float(maes.mean()), "test_mae_std": float(maes.std()),
        "test_maes": maes.tolist(), "head": HEADS[kind], "curves": curves,
        "seconds": time.perf_counter() - start,
        "seconds_per_epoch": float(np.mean(epoch_seconds)) if epoch_seconds else 0.0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "device": str(device), "graph": GRAPH[task] or "bonds of the untwisted molecule",
    }
    if task == "twist":
        result.update(_within_family(test, splits["test"]))
    return result


class _Standardiser:
    """Target <-> standardised target, fitted on the training split."""

    def __init__(self, shift: float, scale: float):
        self.shift, self.scale = shift, scale

    def forward(self, target: torch.Tensor) -> torch.Tensor:
        return (target - self.shift) / self.scale

    def inverse(self, value: np.ndarray) -> np.ndarray:
        return value * self.scale + self.shift


def _standardiser(targets: np.ndarray, kind: str) -> _Standardiser:
    if kind == "vector":
        return _Standardiser(0.0, float(np.sqrt((targets**2).sum(axis=1).mean())) or 1.0)
    return _Standardiser(float(targets.mean()), float(targets.std()) or 1.0)


def _batches(data: TaskData, graph: str | None, size: int, device) -> list[tuple]:
    """Minibatches in a fixed order, collated once (graphs built once for every epoch)."""
    from eqgnn.batch import collate

    out = []
    for start in range(0, len(data.structures), size):
        chunk = data.structures[start:start + size]
        target = torch.as_tensor(data.targets[start:start + size], dtype=torch.float32,
                                 device=device)
        out.append((collate(chunk, graph=graph, dtype="float32", device=device), target))
    return out


def _predictions(stacked, batches: list[tuple], scale: _Standardiser) -> np.ndarray:
    """Every seed's predictions in target units: (S, n) or (S, n, 3)."""
    with torch.no_grad():
        parts = [stacked(batch).double().cpu().numpy() for batch, _ in batches]
    return scale.inverse(np.concatenate(parts, axis=1))


def _errors_of(predicted: np.ndarray, targets: np.ndarray, kind: str) -> np.ndarray:
    """(S, n) absolute errors: |e| for scalars, the error vector's length for vectors."""
    diff = predicted - targets[None]
    return np.linalg.norm(diff, axis=-1) if kind == "vector" else np.abs(diff)


def _errors(stacked, batches: list[tuple], scale: _Standardiser, kind: str) -> np.ndarray:
    targets = np.concatenate([target.double().cpu().numpy() for _, target in batches])
    return _errors_of(_predictions(stacked, batches, scale), targets, kind)


def _within_family(predicted: np.ndarray, data: TaskData) -> dict:
    """The twist task's within-family MAE per seed, and the floor lmax = 0 cannot beat.

    Within-family part of a value: the value minus its family's mean. The floor
    is the MAE of predicting each family's mean, i.e. a within-family part of 0.
    """
    families = data.families
    unique, inverse = np.unique(families, return_inverse=True)

    def centred(values: np.ndarray) -> np.ndarray:
        means = np.zeros((values.shape[0], len(unique)))
        for k in range(len(unique)):
            means[:, k] = values[:, inverse == k].mean(axis=1)
        return values - means[:, inverse]

    target = centred(data.targets[None])
    errors = np.abs(centred(predicted) - target).mean(axis=1)
    return {"within_family_mae": float(errors.mean()),
            "within_family_mae_std": float(errors.std()),
            "within_family_floor": float(np.abs(target).mean())}
