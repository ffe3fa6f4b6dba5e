"""Model configuration and the named presets (no torch: the CLI parses it fast).

One *layer* is one message-passing round, everywhere in the product.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from eqgnn.errors import InputError

MODELS = ("khop", "equivariant")
GROUPS = ("O3", "SO3")
READOUTS = ("invariant", "equivariant")


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a model's function (not where it runs).

    ``khop`` uses hops, body_order, width; ``equivariant`` uses lmax and one of
    channels / dim / irreps_hidden, and correlation. Both use layers, group,
    readout and the graph rule (``None``: explicit edges, else bonds).
    """

    model: str = "khop"
    hops: int = 1
    body_order: int = 3
    width: int = 32
    lmax: int = 2
    channels: int | None = None
    dim: int | None = None
    irreps_hidden: str | None = None
    correlation: int = 1
    layers: int = 3
    group: str = "O3"
    readout: str = "invariant"
    graph: str | None = None

    def validate(self) -> ModelConfig:
        """Check every field; raise :class:`InputError` naming the bad option."""
        if self.model not in MODELS:
            raise InputError(f"--model {self.model!r}: choose one of {', '.join(MODELS)}")
        if self.group not in GROUPS:
            raise InputError(f"--group {self.group!r}: choose O3 or SO3")
        if self.readout not in READOUTS:
            raise InputError(f"--readout {self.readout!r}: choose invariant or equivariant")
        if self.layers < 1:
            raise InputError(f"--layers must be >= 1, got {self.layers}")
        if self.hops < 1:
            raise InputError(f"--hops must be >= 1, got {self.hops}")
        if self.body_order not in (2, 3):
            raise InputError(f"--body-order must be 2 or 3, got {self.body_order}")
        if self.width < 1:
            raise InputError(f"--width must be >= 1, got {self.width}")
        if not 0 <= self.lmax <= 8:
            raise InputError(f"--lmax must lie in 0..8, got {self.lmax}")
        if self.correlation not in (1, 2):
            raise InputError(f"--correlation must be 1 or 2, got {self.correlation}")
        given = [n for n in ("channels", "dim", "irreps_hidden") if getattr(self, n) is not None]
        if len(given) > 1:
            raise InputError(
                "give at most one of --channels, --dim, --irreps-hidden "
                f"(got {', '.join('--' + g.replace('_', '-') for g in given)})"
            )
        if self.channels is not None and self.channels < 1:
            raise InputError(f"--channels must be >= 1, got {self.channels}")
        if self.dim is not None and self.dim < 1:
            raise InputError(f"--dim must be >= 1, got {self.dim}")
        if self.model == "khop" and self.readout == "equivariant":
            raise InputError("--readout equivariant needs --model equivariant")
        if self.graph is not None:
            from eqgnn.graph import parse_rule

            parse_rule(self.graph)
        return self

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Preset:
    """A named configuration after an architecture of the expressivity tables."""

    name: str
    config: ModelConfig
    description: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "schnet",
            ModelConfig(model="khop", hops=1, body_order=2),
            "SchNet (Schütt et al. 2017): 1-hop messages from neighbour features "
            "and distances (body order 2). Keeps: continuous-filter messages on "
            "radial bases; drops: SchNet's cosine cutoff and interaction-block layout.",
        ),
        Preset(
            "dimenet",
            ModelConfig(model="khop", hops=1, body_order=3),
            "DimeNet (Gasteiger et al. 2020): 1-hop with angles, i.e. distances "
            "between pairs of neighbours (body order 3). Keeps: what it sees; "
            "drops: directional messages on edges and spherical Bessel bases.",
        ),
        Preset(
            "tfn",
            ModelConfig(model="equivariant", lmax=2, correlation=1),
            "Tensor Field Network (Thomas et al. 2018): messages linear in the "
            "neighbour's features, h_j x Y(x_j - x_i) with radial weights, then "
            "gate. Keeps: the message form and irreps up to l=2; drops: TFN's "
            "original norm nonlinearity (a gate here, as in e3nn).",
        ),
        Preset(
            "mace",
            ModelConfig(model="equivariant", lmax=2, correlation=2),
            "MACE (Batatia et al. 2022): TFN-style messages plus a tensor product "
            "of the aggregated features with themselves at each node "
            "(correlation order 2). Keeps: higher body order through node "
            "products; drops: symmetric contractions to order 3 and the "
            "per-layer readouts.",
        ),
    )
}


def config_from_options(preset: str | None = None, **options) -> ModelConfig:
    """A validated config: the preset's values, overridden by explicit options.

    Options whose value is ``None`` are "not given" and leave the preset's.
    """
    if preset is not None:
        if preset not in PRESETS:
            raise InputError(
                f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}"
            )
        base = PRESETS[preset].config
    else:
        base = ModelConfig(model=options.get("model") or "khop")
    known = {f.name for f in fields(ModelConfig)}
    unknown = set(options) - known
    if unknown:
        raise InputError(f"unknown model option(s): {', '.join(sorted(unknown))}")
    given = {k: v for k, v in options.items() if v is not None}
    sizing = {"channels", "dim", "irreps_hidden"}
    if sizing & given.keys():
        base = replace(base, channels=None, dim=None, irreps_hidden=None)
    return replace(base, **given).validate()
