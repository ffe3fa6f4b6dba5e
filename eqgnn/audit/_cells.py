"""The audit's jobs: a model's symmetry, and its verdict on one pair at one depth.

Each is a pure function of a JSON-able spec (:mod:`eqgnn.jobs`), so every cell
is stored and a second audit answers from the store. A preset's cell is the
ordinary ``distinguish`` job; a published or a user's model runs here, through
the same protocol (:func:`eqgnn.protocol.pair_verdict`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from eqgnn.progress import Cancel, Progress
from eqgnn.specs import DEFAULTS

KEPT_MODELS = 4
"""Audited models a process keeps built: building DimeNet++ takes seconds."""
_MODELS: OrderedDict[str, tuple[object, threading.Lock]] = OrderedDict()
_MODELS_LOCK = threading.Lock()


def build(model: dict):
    """The module a model spec names (published adapter or a user's factory), unwrapped."""
    from eqgnn.audit._sources import PUBLISHED, adapter_class, load_factory
    from eqgnn.errors import InputError

    options = dict(model["options"])
    if model["layers"] is not None:
        options["layers"] = model["layers"]
    source = model["source"]
    from eqgnn.nn import float64_default

    factory = adapter_class(PUBLISHED[source]) if source in PUBLISHED else load_factory(source)
    try:
        with float64_default():  # constants (e3nn's Clebsch-Gordan, MACE's U) built exact
            module = factory(**options)
    except InputError:
        raise
    except Exception as exc:  # a factory's own error, in one line
        raise InputError(f"{source}: building the model failed: {type(exc).__name__}: "
                         f"{exc}") from exc
    import torch

    if not isinstance(module, torch.nn.Module):
        raise InputError(f"{source}: the factory returned {type(module).__name__}, "
                         "not a torch.nn.Module")
    return module


@contextmanager
def audited(model: dict) -> Iterator[object]:
    """The :class:`~eqgnn.audit.AuditedModel` of a model spec, built once per process
    and held for exclusive use (two dashboard sessions never draw into one at once)."""
    from eqgnn.audit._encoder import AuditedModel

    if model["source"].startswith("preset:"):
        with preset_encoder(model) as encoder:
            yield encoder
        return
    key = json.dumps(model, sort_keys=True)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = (AuditedModel(lambda: build(model), model["source"]),
                            threading.Lock())
            while len(_MODELS) > KEPT_MODELS:
                _MODELS.popitem(last=False)
        _MODELS.move_to_end(key)
        module, lock = _MODELS[key]
    with lock:
        yield module


@contextmanager
def preset_encoder(model: dict) -> Iterator[object]:
    """A preset's own model at the spec's depth, from the product's model cache."""
    from dataclasses import replace

    from eqgnn.config import PRESETS
    from eqgnn.models import cached_encoder

    config = replace(PRESETS[model["source"].split(":", 1)[1]].config, layers=model["layers"])
    with cached_encoder(config) as encoder:
        yield encoder


def run_audit_cell(spec: dict, progress: Progress | None = None,
                   cancel: Cancel | None = None) -> dict:
    """The verdict of ``spec["model"]`` on ``spec["pair"]`` (the protocol, float64)."""
    from eqgnn.protocol import pair_verdict
    from eqgnn.specs import resolve_pair

    start = time.perf_counter()
    a, b, graph, _ = resolve_pair(spec["pair"])
    options = {k: spec[k] for k in DEFAULTS}
    with audited(spec["model"]) as model:
        result = pair_verdict(model, a, b, graph, progress=progress, cancel=cancel, **options)
    return {**result, "graph": graph, "seconds": time.perf_counter() - start}


def run_audit_symmetry(spec: dict, progress: Progress | None = None,
                       cancel: Cancel | None = None) -> dict:
    """The four symmetries of ``spec["model"]``, measured (:mod:`eqgnn.audit._symmetry`)."""
    from eqgnn.audit._symmetry import measure_symmetry

    start = time.perf_counter()
    with audited(spec["model"]) as model:
        result = measure_symmetry(model)
    return {**result, "seconds": time.perf_counter() - start}
