"""What reach costs: seconds per epoch by correlation order and type, and the blind guard.

On ``kchain-4`` with the protocol's defaults (float64, S seeds batched), for
TFN-style and MACE-style models at correlation 1-4 (lmax 2, 3 layers), for
TFN-style models with types up to 2, 8 and 12 (3 layers, 2 channels a type:
every type carried through every layer but the last), and for the
DimeNet-style and k-hop presets: the seconds of
one training epoch, ``(t(E epochs) - t(0 epochs)) / E`` with the model built
and torch warmed up beforehand, and the seconds of the blind guard (one
forward pass of every seed on the pair and its noise copies,
``eqgnn.noise.guarded_gaps``) beside the whole ``distinguish`` call.
"""

from __future__ import annotations

import time

from eqgnn.config import config_from_options
from eqgnn.progress import Progress

CONFIGS = {
    "tfn (correlation 1)": dict(preset="tfn"),
    "mace, correlation 2": dict(preset="mace", correlation=2),
    "mace, correlation 3": dict(preset="mace", correlation=3),
    "mace, correlation 4": dict(preset="mace", correlation=4),
    "tfn lmax 2, 2 channels": dict(preset="tfn", lmax=2, channels=2),
    "tfn lmax 8, 2 channels": dict(preset="tfn", lmax=8, channels=2),
    "tfn lmax 12, 2 channels": dict(preset="tfn", lmax=12, channels=2),
    "dimenet": dict(preset="dimenet"),
    "schnet (khop)": dict(preset="schnet"),
}


def _guard_seconds(a, b, config, seeds: int) -> float:
    """The blind guard alone: every seed's embeddings of A, B and their noise copies."""
    import torch

    from eqgnn.batch import collate
    from eqgnn.device import resolve_device
    from eqgnn.models import cached_encoder
    from eqgnn.noise import guarded_gaps
    from eqgnn.protocol import PairClassifier
    from eqgnn.seeds import StackedSeeds

    dev = resolve_device(None)
    with cached_encoder(config) as encoder:
        encoder.to(device="cpu", dtype=torch.float64)
        with torch.no_grad():
            dim = encoder(collate([a], graph=config.graph, dtype=torch.float64)).embedding
        stacked = StackedSeeds(PairClassifier(encoder, dim.shape[-1]), list(range(seeds)), dev,
                               torch.float64)
        start = time.perf_counter()
        with torch.no_grad():
            guarded_gaps(lambda structures: stacked(collate(
                structures, graph=config.graph, dtype=torch.float64, device=dev))[1], a, b)
        return time.perf_counter() - start


def bench_reach(seeds: int = 10, epochs: int = 20,
                progress: Progress | None = None) -> dict:
    """Per config: seconds per epoch, the guard's seconds and a whole run's, and the verdict."""
    from eqgnn.gallery import load_case
    from eqgnn.protocol import distinguish

    case = load_case("kchain-4")
    rows = []
    for done, (label, options) in enumerate(CONFIGS.items(), start=1):
        preset = options.get("preset")
        config = config_from_options(
            preset, graph=case.graph, **{k: v for k, v in options.items() if k != "preset"})
        distinguish(case.a, case.b, config, epochs=1, seed_list=[0, 1])  # build + warm-up

        def timed(count: int, config=config):
            start = time.perf_counter()
            result = distinguish(case.a, case.b, config, seeds=seeds, epochs=count)
            return time.perf_counter() - start, result

        idle, _ = timed(0)
        full, result = timed(epochs)
        rows.append({
            "model": label, "config": config.to_dict(), "seeds": seeds, "epochs": epochs,
            "seconds_per_epoch": (full - idle) / epochs,
            "guard_seconds": _guard_seconds(case.a, case.b, config, seeds),
            "run_seconds": full, "verdict": result["verdict"],
        })
        if progress is not None:
            progress(done, len(CONFIGS), label)
    return {"pair": "kchain-4", "rows": rows}


def reach_table(result: dict) -> str:
    """Seconds as a plain-text table for the CLI: one row per model."""
    lines = [f"{'model on ' + result['pair']:<24}{'s/epoch':>9}{'guard s':>9}{'run s':>8}"
             f"{'guard/run':>11}  verdict"]
    for r in result["rows"]:
        lines.append(f"{r['model']:<24}{r['seconds_per_epoch']:>9.4f}{r['guard_seconds']:>9.4f}"
                     f"{r['run_seconds']:>8.2f}{r['guard_seconds'] / r['run_seconds']:>11.1%}  "
                     f"{r['verdict']}")
    return "\n".join(lines)
