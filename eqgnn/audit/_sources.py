"""What ``eqgnn audit MODEL`` can audit, and how each is built: a spec a job can carry.

MODEL is one of

- ``PATH.py:FACTORY``: ``FACTORY(**options)`` returns a module with
  ``forward(z, pos, edge_index, batch)`` (the audit's contract, see
  :mod:`eqgnn.audit`); the spec keeps the file's SHA-256, so an edited file is
  a new model and a stored cell never answers for it;
- ``pyg:schnet``, ``pyg:dimenet++``, ``pyg:visnet``, ``mace:mace``: the
  field's implementations from their own packages (:mod:`eqgnn.audit._published`);
- ``preset:NAME``: the product's presets, run by the protocol as they always are.

No torch here: the CLI checks a MODEL and its options before anything loads.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

from eqgnn.config import PRESETS, ModelConfig
from eqgnn.errors import InputError

DEFAULT_LAYERS = (1, 2, 3, 4)
NEQUIP_NOTE = (
    "nequip:nequip is not offered: NequIP 0.19's model cannot be built without its "
    "training framework (`import nequip.model` imports hydra, and `nequip.data` imports "
    "lightning and matscipy), so auditing it would install that framework for one class"
)


@dataclass(frozen=True)
class Published:
    """A published implementation: where its class lives and what its paper claims.

    ``claim`` is the paper's stated reach as the product's model config (the
    oracle then says what that class allows on every cell); ``bounds`` caps
    each option a public server lets a visitor choose.
    """

    name: str
    adapter: str  # "module:class" in eqgnn.audit._published
    package: str  # its PyPI distribution
    paper: str
    reach: str
    claim: ModelConfig
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Every argument of the adapter (``layers`` included) and its public-mode range: the
    CLI checks options against these names without importing the package."""


PUBLISHED: dict[str, Published] = {p.name: p for p in (
    Published(
        "pyg:schnet", "PygSchNet", "torch-geometric",
        "SchNet (Schütt et al., NeurIPS 2017)",
        "1 hop per layer, body order 2 (distances to the centre), O(3)",
        ModelConfig(model="khop", hops=1, body_order=2),
        {"layers": (1, 6), "hidden_channels": (1, 128), "num_filters": (1, 128),
         "num_gaussians": (1, 64), "cutoff": (1.0, 20.0)}),
    Published(
        "pyg:dimenet++", "PygDimeNetPlusPlus", "torch-geometric",
        "DimeNet++ (Gasteiger et al., NeurIPS-W 2020)",
        "per block, the angles at each neighbour j between i and j's other neighbours: "
        "between the 1-hop body-order-3 test and the 2-hop full test; O(3)",
        ModelConfig(model="dimenet"),
        {"layers": (1, 6), "hidden_channels": (1, 128), "int_emb_size": (1, 64),
         "basis_emb_size": (1, 8), "out_emb_channels": (1, 256), "num_spherical": (2, 7),
         "num_radial": (1, 8), "cutoff": (1.0, 20.0)}),
    Published(
        "pyg:visnet", "PygViSNet", "torch-geometric",
        "ViSNet (Wang et al., Nature Communications 2024)",
        "equivariant vector features with runtime angles and dihedrals: the GWL bound, O(3)",
        ModelConfig(model="equivariant", lmax=1, correlation=2),
        {"layers": (1, 6), "lmax": (1, 2), "hidden_channels": (8, 128), "num_heads": (1, 8),
         "num_rbf": (1, 32), "cutoff": (1.0, 20.0)}),
    Published(
        "mace:mace", "MaceMACE", "mace-torch",
        "MACE (Batatia et al., NeurIPS 2022)",
        "body order correlation + 1 at each node per layer, features up to type max_L, "
        "the GWL bound over layers; O(3)",
        ModelConfig(model="equivariant", lmax=1, correlation=3),
        {"layers": (1, 4), "channels": (1, 128), "max_L": (0, 2), "max_ell": (1, 3),
         "max_z": (1, 36),
         "correlation": (1, 3), "num_bessel": (1, 8), "num_polynomial_cutoff": (1, 6),
         "r_max": (1.0, 20.0)}),
)}


def parse_option(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` -> (key, value), the value read as JSON where it can be (3, 2.5,
    true), else kept as text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"--option {text!r}: write KEY=VALUE, e.g. correlation=3")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip().replace("-", "_"), value


@dataclass(frozen=True)
class ModelSource:
    """A MODEL argument, checked: what to build and the spec that names it."""

    source: str
    kind: str  # "file", "published" or "preset"
    options: dict
    takes_layers: bool
    file_sha256: str | None = None

    def spec(self, layers: int | None) -> dict:
        """The JSON spec of this model at ``layers`` (None: a factory without depth)."""
        out = {"source": self.source, "options": dict(sorted(self.options.items())),
               "layers": layers}
        if self.file_sha256 is not None:
            out["file_sha256"] = self.file_sha256
        return out

    @property
    def published(self) -> Published | None:
        return PUBLISHED.get(self.source)

    def claim(self) -> ModelConfig | None:
        """The reach this model states, as a model config (None: a user's own model)."""
        if self.kind == "preset":
            return PRESETS[self.source.split(":", 1)[1]].config
        published = self.published
        if published is None:
            return None
        if self.source == "mace:mace":
            from dataclasses import replace

            return replace(published.claim, lmax=int(self.options.get("max_L", 1)),
                           correlation=int(self.options.get("correlation", 3)))
        return published.claim

    def stated_reach(self) -> str | None:
        if self.kind == "preset":
            return PRESETS[self.source.split(":", 1)[1]].reach
        published = self.published
        return f"{published.paper}: {published.reach}" if published else None


def model_source(model: str, options: dict | None = None) -> ModelSource:
    """Check MODEL and its options; an InputError names what is wrong."""
    options = dict(options or {})
    if "layers" in options:
        raise InputError("give depths with --layers, not --option layers=")
    if model.startswith("preset:"):
        name = model.split(":", 1)[1]
        if name not in PRESETS:
            raise InputError(f"{model}: no such preset; choose one of "
                             f"{', '.join('preset:' + p for p in PRESETS)}")
        if options:
            raise InputError(f"{model} takes no --option: a preset is fixed")
        return ModelSource(model, "preset", {}, True)
    if model == "nequip:nequip":
        raise InputError(NEQUIP_NOTE)
    if model in PUBLISHED:
        known = [k for k in PUBLISHED[model].bounds if k != "layers"]
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise InputError(f"{model}: unknown option(s) {', '.join(unknown)}; it takes "
                             f"{', '.join(known)}")
        return ModelSource(model, "published", options, True)
    path, sep, factory = model.rpartition(":")
    if not sep or not path.endswith(".py"):
        raise InputError(f"MODEL {model!r}: give PATH.py:FACTORY, one of "
                         f"{', '.join(PUBLISHED)}, or preset:NAME")
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such model file")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    source = f"{file.resolve()}:{factory}"
    built = load_factory(source)
    _check_arguments(model, built, options)
    return ModelSource(source, "file", options, _takes(built, "layers"), digest)


def adapter_class(published: Published):
    """The adapter's class (imports torch and the package; only when building or checking)."""
    import eqgnn.audit._published as adapters

    return getattr(adapters, published.adapter)


def load_factory(source: str):
    """The factory ``PATH.py:FACTORY`` names, its module loaded from the file.

    Running a file is running its code: public mode never gets here
    (:func:`eqgnn.audit.check_public`).
    """
    import importlib.util

    path, _, name = source.rpartition(":")
    module_name = f"eqgnn_audited_{hashlib.sha256(path.encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: any error is theirs, said in one line
        raise InputError(f"{path}: loading it failed: {type(exc).__name__}: {exc}") from exc
    factory = getattr(module, name, None)
    if not callable(factory):
        raise InputError(f"{path} has no callable {name!r}")
    return factory


def _takes(function, name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _check_arguments(model: str, function, options: dict) -> None:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(options) - set(parameters))
    if unknown:
        known = [n for n in parameters if n not in ("self", "layers")]
        raise InputError(f"{model}: unknown option(s) {', '.join(unknown)}; it takes "
                         f"{', '.join(known) or 'none'}")


def check_bounds(source: ModelSource, layers: list[int]) -> None:
    """A public server's bounds on a published model's options and depth."""
    published = source.published
    if published is None:
        return
    for key, value in {**source.options, "layers": max(layers)}.items():
        low, high = published.bounds.get(key, (None, None))
        if low is None:
            raise InputError(f"{source.source}: option {key} cannot be set on a public "
                             "server (only: " + ", ".join(published.bounds) + ")")
        if not isinstance(value, (int, float)) or not low <= value <= high:
            raise InputError(f"{source.source}: {key} must lie in {low:g}..{high:g} on a "
                             f"public server, got {value!r}")
