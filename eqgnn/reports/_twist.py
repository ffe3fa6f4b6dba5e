"""The Explorer's torsion panel: turn one side of a bond and ask who notices.

Turning one side of a bridge of the bond graph about the bond axis makes a
torsion twin (SCIENCE.md, Claim 1): on the bond graph every 1-hop local
structure stays congruent, so a 1-hop invariant GNN is blind, while 2 hops
at body order 3 and an equivariant GNN with enough layers see the change.
:func:`twist_report` puts the two sides of that statement next to each other
for any molecule, bond and angle: the untrained embedding gaps of a small,
fixed set of models (:data:`TWIST_MODELS`, float64, one seed) and the
oracle's verdict at the chosen hops, body order and group on the chosen
graph rule. Everything returned is JSON-able; :func:`explorer_report` gathers
the page's panels (``python -m eqgnn report twist``).

Models are built by :func:`build_twist_models` (torch, e3nn: seconds), once
per graph rule and device in a process (the server builds the default rule's
at start, :mod:`eqgnn.warmup`), and passed in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eqgnn import background
from eqgnn.config import ModelConfig, config_from_options
from eqgnn.oracle import DEFAULT_TOL, compare
from eqgnn.reports._structure import bridge_rows, neighbourhood_rows
from eqgnn.structure import Structure
from eqgnn.transforms import parse_bond, torsion

if TYPE_CHECKING:
    import torch

    Models = dict[tuple[str, str], torch.nn.Module]  # (family, label) -> seeded model

SEED = 0
TWIST_DEFAULTS = {"molecule": "g2:trans-butane", "atom": 0, "hops": 1, "body_order": "3",
                  "group": "O3", "angle": 120}
"""The Explorer's first view (and ``report twist``'s defaults): butane's middle bond turned
by 120 degrees, anti to gauche; the oracle at 1 hop, body order 3, O3."""
DTYPE = "float64"  # float32 noise (~1e-7) would hide the faint gaps (SCIENCE.md)


@dataclass(frozen=True)
class TwistModel:
    """One model of the panel: its family and label in the paper's words, and its options.

    Labels are unique within a family; the page groups the models by family.
    """

    label: str
    family: str
    options: dict

    def config(self, graph: str | None) -> ModelConfig:
        """The validated config on ``graph`` (equivariant messages are normalised per rule)."""
        return config_from_options(**self.options, graph=graph)


TWIST_MODELS: tuple[TwistModel, ...] = (
    TwistModel("1 hop", "k-hop invariant, body order 3",
               {"model": "khop", "hops": 1, "body_order": 3, "layers": 2}),
    TwistModel("2 hops", "k-hop invariant, body order 3",
               {"model": "khop", "hops": 2, "body_order": 3, "layers": 2}),
    TwistModel("2 layers", "equivariant, TFN-style, lmax 1",
               {"preset": "tfn", "lmax": 1, "layers": 2}),
    TwistModel("4 layers", "equivariant, TFN-style, lmax 1",
               {"preset": "tfn", "lmax": 1, "layers": 4}),
)
"""A small informative set: the 1-hop model is blind on the bond graph, 2 hops
see the twist; the TFN-style model needs more layers than the GWL bound of 2
(it combines orientations only along an edge, SCIENCE.md, Claim 2)."""


def twistable_bonds(structure: Structure) -> list[str]:
    """The bridges of the bond graph worth turning, as ``"I-J"``.

    Only bridges with more than one atom on each side: a terminal bond's lone
    atom sits on the axis, so turning it moves nothing.
    """
    return [row["bond"] for row in bridge_rows(structure)]


def default_bond(structure: Structure) -> str | None:
    """The most central twistable bond (largest smaller side): butane's C1-C2, say."""
    rows = bridge_rows(structure)
    if not rows:
        return None
    return max(rows, key=lambda row: row["atoms on the smaller side"])["bond"]


def turn(structure: Structure, bond: str, angle_deg: float) -> Structure:
    """``structure`` with the side of ``bond`` that holds its second atom turned by ``angle_deg``.

    The bond graph (or the structure's explicit edges) decides the sides,
    whatever rule the models then see.
    """
    i, j = parse_bond(bond)
    return torsion(structure, i, j, angle_deg)


_TWIST_BUILT: OrderedDict[tuple[str | None, str], Models] = OrderedDict()
_TWIST_LOCKS: dict[tuple[str | None, str], threading.Lock] = {}
_TWIST_LOCK = threading.Lock()
TWIST_CACHE_SIZE = 8
"""Graph rules (with devices) whose built models are kept, least recently used dropped."""


def build_twist_models(graph: str | None, device: str | None = None) -> Models:
    """The :data:`TWIST_MODELS`, weights drawn from :data:`SEED`, in float64 on ``device``.

    Slow (imports torch, compiles e3nn tensor products), so built once per
    (graph rule, device) per process and shared: the server's warm-up thread
    (:func:`eqgnn.warmup.warm_server`) and the Explorer get the same models,
    and a caller asking while another thread builds them waits for that build.
    The models are seeded and never trained, so sharing changes no number.
    At shutdown the build stops between models (:class:`eqgnn.background.Stopped`),
    so no thread is inside torch when the interpreter finalises.
    """
    from eqgnn.batch import resolve_dtype
    from eqgnn.device import resolve_device
    from eqgnn.models import build_model

    dev = resolve_device(device)
    key = (graph, str(dev))
    with _TWIST_LOCK:
        lock = _TWIST_LOCKS.setdefault(key, threading.Lock())
    with lock:  # one build per key; other keys build side by side
        with _TWIST_LOCK:
            if key in _TWIST_BUILT:
                _TWIST_BUILT.move_to_end(key)
                return _TWIST_BUILT[key]
        dtype = resolve_dtype(DTYPE)
        models = {}
        for m in TWIST_MODELS:
            background.check()  # at shutdown, stop between models, never inside torch
            models[m.family, m.label] = build_model(m.config(graph), seed=SEED, dtype=dtype,
                                                    device=dev)
        with _TWIST_LOCK:
            _TWIST_BUILT[key] = models
            while len(_TWIST_BUILT) > TWIST_CACHE_SIZE:
                _TWIST_LOCKS.pop(_TWIST_BUILT.popitem(last=False)[0], None)
        return models


def twist_models_ready(graph: str | None, device: str | None = None) -> bool:
    """Whether :func:`build_twist_models` would answer at once; if not, it starts.

    A page that must not wait for the build (a visitor's first view after a
    restart) asks here, draws everything else, and comes back: the models are
    built in a background thread meanwhile, into the same per-process cache.
    """
    from eqgnn.device import resolve_device

    key = (graph, str(resolve_device(device)))
    with _TWIST_LOCK:
        if key in _TWIST_BUILT:
            return True
        building = key in _TWIST_LOCKS and _TWIST_LOCKS[key].locked()
    if not building:  # a page polls while they build: one build thread, not one per poll
        background.start(build_twist_models, f"eqgnn-twist-models-{graph}", graph, device)
    return False


def model_gaps(
    a: Structure, b: Structure, graph: str | None, models: Models
) -> list[dict]:
    """One row per model: its untrained embedding gap between A and B on ``graph``.

    Beside each gap its noise floor (:mod:`eqgnn.noise`): the gap the model
    shows between a structure and itself perturbed at the coordinates'
    precision. At or below it the model is blind to the change (SCIENCE.md,
    "What distinguished means"). A pair in abstract units is read at its
    scale first (:mod:`eqgnn.units`), as in every experiment.
    """
    import torch

    from eqgnn.batch import collate
    from eqgnn.noise import guarded_gaps
    from eqgnn.units import read_pair

    a, b, _ = read_pair(a, b, graph)
    rows = []
    for spec in TWIST_MODELS:
        model = models[spec.family, spec.label]
        device = next(model.parameters()).device

        def embed(structures, model=model, device=device):
            batch = collate(structures, graph=graph, dtype=DTYPE, device=device)
            return model(batch).embedding.double()[None]

        with torch.no_grad():
            guard = guarded_gaps(embed, a, b)
        rows.append({"model": spec.label, "family": spec.family, "gap": guard.gaps[0],
                     "noise_floor": guard.floors[0], "sees": guard.sees[0]})
    return rows


def oracle_verdict(
    a: Structure, b: Structure, graph: str | None, hops: int, body_order: int | str, group: str,
) -> dict:
    """The k-hop geometric WL test on the pair: the model family's ceiling, in a sentence."""
    verdict = compare(a, b, hops=hops, body_order=body_order, group=group, graph=graph,
                      tol=DEFAULT_TOL)
    keys = ("indistinguishable", "congruent", "min_hops", "gwl_min_layers", "hops",
            "body_order", "group", "graph", "reason")
    return {key: verdict[key] for key in keys}


def twist_oracle(
    structure: Structure, bond: str, angle_deg: float, graph: str | None,
    hops: int, body_order: int | str, group: str,
) -> dict:
    """The oracle's verdict on (original, turned): fast and torch-free, for every slider move."""
    return oracle_verdict(structure, turn(structure, bond, angle_deg), graph, hops, body_order,
                          group)


def twist_gaps(
    structure: Structure, bond: str, angle_deg: float, graph: str | None,
    models: Models,
) -> list[dict]:
    """The models' untrained gaps between the original and the turned molecule on ``graph``.

    ``models`` from :func:`build_twist_models` on the same ``graph``.
    """
    return model_gaps(structure, turn(structure, bond, angle_deg), graph, models)


def twist_pair_spec(
    structure: Structure, bond: str, angle_deg: float, graph: str | None,
    config: ModelConfig, **protocol,
) -> dict:
    """The ``distinguish`` job spec of a trained ``config`` on (original, turned) on ``graph``.

    Both structures travel as JSON geometric graphs (:meth:`Structure.to_json`),
    so the spec is the one ``python -m eqgnn distinguish A.json B.json --graph
    RULE`` builds from the two files saved as JSON, and its result is stored and
    shared under that one key. ``protocol``: seeds, epochs, ... (``eqgnn.specs.DEFAULTS``).
    """
    from eqgnn.specs import distinguish_spec

    pair = {"a": structure.to_json(), "b": turn(structure, bond, angle_deg).to_json(),
            "graph": graph}
    return distinguish_spec(pair, config, **protocol)


def twist_report(
    structure: Structure,
    bond: str,
    angle_deg: float,
    graph: str | None,
    hops: int,
    body_order: int | str,
    group: str,
    models: Models,
) -> dict:
    """Who notices the torsion: the oracle at (hops, body order, group) and the models' gaps.

    The two halves are :func:`twist_oracle` and :func:`twist_gaps`; a page
    draws the fast one first. JSON-able.
    """
    return {
        "molecule": structure.name,
        "bond": bond,
        "angle": angle_deg,
        "graph": graph,
        "oracle": twist_oracle(structure, bond, angle_deg, graph, hops, body_order, group),
        "gaps": twist_gaps(structure, bond, angle_deg, graph, models),
    }


def explorer_report(
    structure: Structure,
    graph: str | None = None,
    atom: int = TWIST_DEFAULTS["atom"],
    hops: int = TWIST_DEFAULTS["hops"],
    body_order: int | str = TWIST_DEFAULTS["body_order"],
    group: str = TWIST_DEFAULTS["group"],
    bond: str | None = None,
    angle_deg: float = TWIST_DEFAULTS["angle"],
    models: Models | None = None,
) -> dict:
    """Every number the Explorer shows for ``structure``, JSON-able, with the page's defaults.

    ``graph`` None is the page's default rule (explicit edges, else bonds);
    ``bond`` None its :func:`default_bond`. Keys, one per panel and each the
    function the page calls: ``neighbourhood`` (:func:`neighbourhood_rows` of
    ``atom`` at ``hops``), ``bridges`` (:func:`bridge_rows`) and, when a bond
    can turn, ``twist`` (:func:`twist_report`; ``models`` built when not
    given: torch, seconds); else ``twist`` is None.
    """
    from eqgnn.graph import build_edges, resolve_rule

    rule = str(resolve_rule(structure, graph))
    edges = build_edges(structure, rule)
    turnable = bridge_rows(structure)
    out = {
        "molecule": structure.name, "num_atoms": len(structure), "graph": rule,
        "num_edges": len(edges), "atom": atom, "hops": hops,
        "neighbourhood": neighbourhood_rows(structure, edges, atom, hops),
        "bridges": turnable, "twist": None,
    }
    if turnable:
        bond = bond if bond is not None else default_bond(structure)
        models = models if models is not None else build_twist_models(rule)
        out["twist"] = twist_report(structure, bond, angle_deg, rule, hops, body_order, group,
                                    models)
    return out
