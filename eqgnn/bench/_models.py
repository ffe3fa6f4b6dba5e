"""Speed of the models side by side: molecules per second, forward + backward.

Each model embeds batches of real QM9 molecules (the shipped subset,
``eqgnn.io.qm9_subset``) on ``radius:5`` graphs and back-propagates the sum
of the embeddings, as one training step would (without the optimiser).
Three models run in one call so their figures are comparable:

- ``khop``: the k-hop invariant family at its defaults (``ModelConfig(model="khop")``);
- ``equivariant``: our :class:`~eqgnn.nn.equivariant.SteerableGNN` at ``lmax``,
  ``layers`` rounds and the default hidden irreps;
- ``e3nn_reference``: e3nn's ``gate_points_2101.Network`` with the same hidden
  irreps, radial basis size and radial MLP, species one-hot as its input
  features. Its ``layers`` counts gates and it adds an ungated output
  convolution that computes scalars only, so ``layers - 1`` gates give the
  same number of message-passing rounds as ours (``e3nn_reference``) and
  ``layers`` gates the same number of gated rounds plus one
  (``e3nn_reference_all_gated``). It builds its edges itself with its own torch-only radius
  graph (``torch.cdist``, no torch_cluster), timed with it; ours are built
  once by ``collate``, outside the timing, as in training.

Graph building and batching are not timed for our models; timings start
after one warm-up batch.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from eqgnn.config import ModelConfig
from eqgnn.progress import Progress

if TYPE_CHECKING:  # torch loads when a benchmark runs, not when eqgnn.bench is imported
    import torch

    from eqgnn.batch import GraphBatch

GRAPH = "radius:5"
QM9_SPECIES = (1, 6, 7, 8, 9)


def bench_models(
    batch_size: int = 64,
    batches: int = 4,
    lmax: int = 2,
    layers: int = 3,
    device: str | None = None,
    progress: Progress | None = None,
) -> dict:
    """Molecules per second of each model; a JSON-able dict (module docstring).

    ``progress(done, total, label)`` is called after every batch; without it a
    tqdm bar on stderr shows progress.
    """
    import torch

    from eqgnn.batch import collate
    from eqgnn.device import resolve_device
    from eqgnn.io import qm9_subset

    dev = resolve_device(device)
    molecules = qm9_subset()
    if batch_size < 1 or batch_size > len(molecules):
        raise ValueError(f"batch_size must lie in 1..{len(molecules)}, got {batch_size}")
    groups = [molecules[k:k + batch_size] for k in range(0, len(molecules), batch_size)]
    groups = [g for g in groups if len(g) == batch_size]
    data = [collate(groups[k % len(groups)], graph=GRAPH, device=dev) for k in range(batches + 1)]

    ours = ModelConfig(model="equivariant", lmax=lmax, layers=layers, graph=GRAPH)
    models: dict[str, tuple[torch.nn.Module, Callable[[GraphBatch], torch.Tensor], str]] = {
        "khop": _ours(ModelConfig(model="khop", graph=GRAPH), dev),
        "equivariant": _ours(ours, dev),
        "e3nn_reference": _reference(ours, layers - 1, dev),
        "e3nn_reference_all_gated": _reference(ours, layers, dev),
    }
    total = len(models) * len(data)
    done = 0
    bar = None
    if progress is None:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="bench models", unit="batch", leave=False, disable=None)
    results = {}
    for name, (model, step, description) in models.items():
        times = []
        for batch in data:
            start = time.perf_counter()
            step(batch).sum().backward()
            if dev.type == "cuda":
                torch.cuda.synchronize(dev)
            times.append(time.perf_counter() - start)
            model.zero_grad(set_to_none=True)
            done += 1
            if bar is not None:
                bar.set_postfix_str(name)
                bar.update(1)
            else:
                progress(done, total, name)
        timed = sum(times[1:])
        results[name] = {
            "model": description,
            "parameters": sum(p.numel() for p in model.parameters()),
            "seconds_per_batch": timed / batches,
            "molecules_per_second": batch_size * batches / timed,
        }
    if bar is not None:
        bar.close()
    return {
        "batch_size": batch_size,
        "batches": batches,
        "graph": GRAPH,
        "mean_atoms": sum(b.num_nodes for b in data[1:]) / (batches * batch_size),
        "mean_directed_edges_per_atom": sum(
            b.edge_index.shape[1] / b.num_nodes for b in data[1:]
        ) / batches,
        "device": str(dev),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "models": results,
    }


def _ours(config: ModelConfig, dev: torch.device):
    from eqgnn.models import build_model

    model = build_model(config, device=dev)
    used = ("hops", "body_order", "width") if config.model == "khop" else ("lmax", "correlation")
    label = ", ".join(
        [f"{config.model}"] + [f"{k}={getattr(config, k)}" for k in (*used, "layers", "group")]
    )
    if config.model == "equivariant":
        label += f", irreps_hidden={model.irreps_hidden}"
    return model, lambda batch: model(batch).embedding, label


def _reference(config: ModelConfig, gates: int, dev: torch.device):
    """e3nn's gate_points_2101 Network at our model's irreps and radial sizes.

    ``gates`` gated convolutions, then e3nn's ungated output convolution.
    """
    import torch
    from e3nn.nn.models.gate_points_2101 import Network

    from eqgnn.nn.blocks import typical_neighbours
    from eqgnn.nn.equivariant import SteerableGNN

    ours = SteerableGNN.from_config(config)
    requested = ours.irreps_hidden
    embedding_dim = ours.head[-1].out_features
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = Network(
            irreps_in=f"{len(QM9_SPECIES)}x0e",
            irreps_hidden=requested,
            irreps_out=f"{embedding_dim}x0e",
            irreps_node_attr=None,
            irreps_edge_attr=ours.irreps_sh,
            layers=gates,
            max_radius=5.0,
            number_of_basis=ours.radial_basis.num_basis,
            radial_layers=1,
            radial_neurons=ours.interactions[0].radial.hs[1],
            num_neighbors=typical_neighbours(config.graph),
            num_nodes=18.0,
        ).to(dev)
    lookup = torch.full((max(QM9_SPECIES) + 1,), -1, dtype=torch.long, device=dev)
    lookup[list(QM9_SPECIES)] = torch.arange(len(QM9_SPECIES), device=dev)

    def step(batch: GraphBatch) -> torch.Tensor:
        x = torch.nn.functional.one_hot(lookup[batch.numbers], len(QM9_SPECIES))
        pos = batch.positions
        return model({"pos": pos, "x": x.to(pos.dtype), "batch": batch.batch})

    label = (
        f"e3nn gate_points_2101.Network, irreps_hidden={requested}, lmax={ours.lmax}, "
        f"layers={gates} gated + 1 output convolution ({gates + 1} rounds)"
    )
    return model, step, label


def models_table(result: dict) -> str:
    """The figures as a plain-text table for the CLI."""
    lines = [
        f"batches of {result['batch_size']} QM9 molecules on {result['graph']} graphs "
        f"({result['mean_atoms']:.1f} atoms, {result['mean_directed_edges_per_atom']:.1f} "
        f"directed edges per atom), {result['device']}, {result['torch_threads']} threads; "
        "forward + backward:",
    ]
    width = max(len(name) for name in result["models"])
    for name, r in result["models"].items():
        lines.append(
            f"  {name:<{width}}  {r['molecules_per_second']:8.1f} molecules/s  "
            f"({r['seconds_per_batch'] * 1000:.0f} ms/batch, {r['parameters']} parameters)"
        )
        lines.append(f"  {'':<{width}}  {r['model']}")
    return "\n".join(lines)
