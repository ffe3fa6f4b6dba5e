"""``info``: versions, the compute device, models and presets."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser("info", help="version, device, torch/e3nn versions, models and presets")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import e3nn
    import torch

    from eqgnn import __version__
    from eqgnn.config import MODELS, PRESETS
    from eqgnn.device import resolve_device

    device = resolve_device(None)
    payload = {
        "version": __version__,
        "device": str(device),
        "cuda_available": torch.cuda.is_available(),
        "torch": torch.__version__,
        "e3nn": e3nn.__version__,
        "models": list(MODELS),
        "presets": {
            name: {"config": p.config.to_dict(), "reach": p.reach,
                   "description": p.description}
            for name, p in PRESETS.items()
        },
    }
    lines = [
        f"eqgnn {__version__}  device {device}  torch {torch.__version__}  e3nn {e3nn.__version__}",
        f"models: {', '.join(MODELS)}",
        "presets:",
    ]
    for name, p in PRESETS.items():
        lines += [f"  {name:8s} {p.description}", f"  {'':8s} reach: {p.reach}"]
    emit(args, payload, "\n".join(lines))
    return 0
