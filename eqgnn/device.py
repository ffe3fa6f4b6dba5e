"""Where models run: the one rule every caller (a job, a Ray task, ``eqgnn info``) obeys.

``device``, else ``$EQGNN_DEVICE``, else cuda when a GPU is at hand, else cpu: the
product's "cuda when present". A Ray driver asks the same question of its cluster
rather than of its own process, so whether a GPU is at hand is a parameter.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from eqgnn.errors import InputError

if TYPE_CHECKING:
    import torch

DEVICE_ENV = "EQGNN_DEVICE"
"""Names the device models run on (``cpu``, ``cuda``, ``cuda:N``) when a call names none."""


def device_name(device: str | None = None, gpu: bool | None = None) -> str:
    """``device``, else ``$EQGNN_DEVICE``, else ``cuda`` when ``gpu`` (default: this
    process sees a CUDA GPU), else ``cpu``."""
    named = device or os.environ.get(DEVICE_ENV)
    if named:
        return str(named)
    if gpu is None:
        import torch

        gpu = torch.cuda.is_available()
    return "cuda" if gpu else "cpu"


def resolve_device(device: str | None = None) -> torch.device:
    """The :class:`torch.device` of :func:`device_name`; an unknown name, or cuda on a
    machine without a GPU, is one line."""
    import torch

    name = device_name(device)
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise InputError(f"unknown device {name!r}: use cpu, cuda or cuda:N") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"device {name!r} asked for, but no CUDA GPU is available")
    return dev
