"""Model configuration and the named presets (no torch: the CLI parses it fast).

One *layer* is one message-passing round, everywhere in the product.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from eqgnn.errors import InputError

MODELS = ("khop", "equivariant", "dimenet")
MAX_LMAX = 12
"""The largest type a model accepts. A tensor-product message's cost grows as
about lmax^4 (the Clebsch-Gordan paths between types up to lmax) and the
harmonics as lmax^2; ``python -m eqgnn bench models`` prints the figures."""
CORRELATIONS = (1, 2, 3, 4)
"""MACE-style correlation orders: a product of nu aggregated features at a node
has body order nu + 1 (Pozdnyakov's 3-body pair needs nu = 3)."""
GROUPS = ("O3", "SO3")
MODEL_GROUPS = {"khop": GROUPS, "equivariant": GROUPS, "dimenet": ("O3",)}
"""The groups each family can be invariant under: DimeNet reads distances and
angles only, which carry no handedness."""
READOUTS = ("invariant", "equivariant")
ENCODER_CACHE_SIZE = 8
"""Constructed models a process keeps by config (:func:`eqgnn.protocol.cached_encoder`;
the warm workers' parent mirrors what each holds with the same bound)."""


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a model's function (not where it runs).

    ``khop`` uses hops, body_order, width; ``equivariant`` uses lmax and one of
    channels / dim / irreps_hidden, and correlation; ``dimenet`` uses width.
    All use layers and the graph rule (``None``: explicit edges, else bonds);
    khop and equivariant also group and readout (dimenet is O3, invariant).
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
        if not 0 <= self.lmax <= MAX_LMAX:
            raise InputError(f"--lmax must lie in 0..{MAX_LMAX}, got {self.lmax}")
        if self.correlation not in CORRELATIONS:
            raise InputError(f"--correlation must be 1, 2, 3 or 4, got {self.correlation}")
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
        if self.model != "equivariant" and self.readout == "equivariant":
            raise InputError("--readout equivariant needs --model equivariant")
        if self.group not in MODEL_GROUPS[self.model]:
            raise InputError(f"--model {self.model} is O3-invariant only (angles carry no "
                             "handedness): drop --group SO3")
        if self.graph is not None:
            from eqgnn.graph import parse_rule

            parse_rule(self.graph)
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """The options that define this model, in words (none that do not apply)."""
        layers = f"{self.layers} layer{'s' if self.layers != 1 else ''}"
        if self.model == "khop":
            return f"khop, {layers}, hops {self.hops}, body order {self.body_order}, {self.group}"
        if self.model == "dimenet":
            blocks = f"{self.layers} block{'s' if self.layers != 1 else ''}"
            return f"dimenet, {blocks}, width {self.width}, O3"
        return (f"equivariant, {layers}, lmax {self.lmax}, correlation {self.correlation}, "
                f"{self.group}, readout {self.readout}")


@dataclass(frozen=True)
class Preset:
    """A named configuration with the reach of a published architecture.

    ``reach`` states what one layer sees in the oracle's terms (hops per
    layer, body order, group), so a verdict can be read against theory;
    ``description`` cites the paper and says what is kept and what dropped.
    """

    name: str
    config: ModelConfig
    reach: str
    description: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "schnet",
            ModelConfig(model="khop", hops=1, body_order=2),
            "1 hop per layer, body order 2 (distances to the centre), O(3)",
            "SchNet (Schütt et al., NeurIPS 2017): continuous-filter messages from "
            "neighbour features and distances. Keeps: radial-basis filters on 1-hop "
            "distances; drops: the cosine cutoff and the interaction-block layout.",
        ),
        Preset(
            "dimenet",
            ModelConfig(model="dimenet"),
            "between the 1-hop body-order-3 test (a lower bound) and the 2-hop full "
            "test (an upper bound): each block reads, per directed edge j->i, the "
            "angles at j between i and j's other neighbours; O(3)",
            "DimeNet (Gasteiger et al., ICLR 2020): directional messages on edges, "
            "updated over the walks k->j->i with d_kj and the angle at j. Keeps: "
            "messages on directed edges and their angular update; drops: the "
            "spherical Bessel basis (a Gaussian basis on cos(angle) instead) and "
            "DimeNet++'s bilinear down-projections.",
        ),
        Preset(
            "tfn",
            ModelConfig(model="equivariant", lmax=2, correlation=1),
            "1 hop per layer, body order 2 per message (linear in the neighbour's "
            "features), steerable types up to 2; orientations combine only along "
            "walks of edges, so it may need more layers than the GWL bound",
            "Tensor Field Network (Thomas et al., 2018): messages h_j x Y(x_j - x_i) "
            "with radial weights, then a gate. Keeps: the message form and irreps up "
            "to l=2; drops: TFN's original norm nonlinearity (a gate here, as in e3nn).",
        ),
        Preset(
            "mace",
            ModelConfig(model="equivariant", lmax=2, correlation=3),
            "1 hop per layer, body order correlation + 1 = 4 in one layer (products "
            "of 3 aggregated features at a node), types up to 2; reaches the GWL "
            "bound",
            "MACE (Batatia et al., NeurIPS 2022): TFN-style messages, then products "
            "of the aggregated features at each node up to correlation order 3, as "
            "published. Keeps: the body order of its symmetric contractions "
            "(--correlation 1-4 changes it); drops: per-channel contraction weights "
            "(every channel pair has its own here) and the per-layer readouts.",
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
