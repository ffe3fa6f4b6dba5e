"""Can a real model, trained, tell a pair apart? (SCIENCE.md, "What distinguished means")

The standard protocol, in float64: for S seeds, the untrained embedding gap
|e(G1) - e(G2)| / (|e(G1)| + |e(G2)|), then a classifier (the model, a
per-feature standardisation over the pair, a linear head) trained to label
G1 as 0 and G2 as 1. All seeds train together: their weights are stacked and
one vectorised forward (``torch.func.vmap``) and one backward serve every
seed, each seed's loss and Adam state its own, so a seed trains exactly as it
would alone.

Verdicts: ``blind`` when no seed's gap rises above its noise floor (the gap
the same seed shows between a structure and itself perturbed at the inputs'
precision, :mod:`eqgnn.noise`: a classifier must not win by amplifying
rounding), ``distinguished`` when the final accuracy (argmax on both graphs,
ties wrong, mean over seeds) reaches 95 %, else ``sighted, not learned``.

Two short-cuts, neither of which can change a verdict:

- **blind before training**: the guard reads the untrained embeddings, and
  training cannot lift a verdict out of ``blind`` (the verdict is blind
  whatever the accuracy), so a blind pair is not trained at all. Its result
  says ``trained: false``; accuracy is the untrained classifier's, curves empty.
- **stopped when decided**: training ends once every seed has classified both
  graphs right with a logit margin of at least :data:`DECIDED_MARGIN` for
  :data:`DECIDED_EPOCHS` epochs in a row. A seed there has learned the pair;
  more epochs only widen its margin. ``epochs_run`` says how many ran.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from eqgnn.config import ENCODER_CACHE_SIZE, ModelConfig
from eqgnn.errors import InputError
from eqgnn.noise import ARITHMETIC_FLOOR, GuardedGaps, guarded_gaps
from eqgnn.oracle import DEFAULT_TOL
from eqgnn.specs import DEFAULTS, resolve_pair
from eqgnn.structure import Structure
from eqgnn.units import read_pair

DISTINGUISHED = 0.95
NORMALISE = ("pair", "none")
DECIDED_MARGIN = 1.0
"""Logit margin (right minus wrong class) every seed must hold on both graphs to stop early."""
DECIDED_EPOCHS = 5
"""Epochs in a row that margin must hold before training stops early."""
STOPPED = ("blind before training", "decided", "epochs")
"""Why training ended: the blind short-cut, every seed decided, or the last epoch."""

Progress = Callable[[int, int, str], None]


class PairClassifier(nn.Module):
    """The model under test, then a linear head on its (standardised) embedding.

    ``normalise="pair"`` standardises each embedding feature over the two
    graphs (batch normalisation without running statistics): a real but faint
    difference (a correlation-2 model at its GWL bound) becomes O(1) for the
    head, in float64 where it stands far above noise. ``"none"`` feeds the raw
    embedding, and faint signals then stay "sighted, not learned".
    """

    def __init__(self, encoder: nn.Module, dim: int, normalise: str = "pair"):
        super().__init__()
        self.encoder = encoder
        self.normalise = normalise
        self.head = nn.Linear(dim, 2)

    def reset_parameters(self) -> None:
        self.encoder.reset_parameters()
        self.head.reset_parameters()

    def forward(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        embedding = self.encoder(batch).embedding
        features = embedding
        if self.normalise == "pair":
            centred = embedding - embedding.mean(dim=0, keepdim=True)
            # + tiny inside the root: a feature equal on both graphs gives 0, not NaN
            variance = centred.pow(2).mean(dim=0, keepdim=True)
            standard = centred / (variance + torch.finfo(variance.dtype).tiny).sqrt()
            # differences at float-noise level are not signal: never amplify them
            floor = ARITHMETIC_FLOOR * embedding.detach().abs().mean()
            features = torch.where(centred.detach().abs() > floor, standard, 0.0)
        return self.head(features), embedding


def margins(logits: torch.Tensor) -> torch.Tensor:
    """Per seed and graph (S, 2): the right class's logit minus the wrong one's (A: 0, B: 1)."""
    labels = torch.tensor([0, 1], device=logits.device)
    right = logits.gather(-1, labels.view(1, 2, 1).expand(logits.shape[0], 2, 1)).squeeze(-1)
    wrong = logits.gather(-1, (1 - labels).view(1, 2, 1).expand(logits.shape[0], 2, 1)).squeeze(-1)
    return right - wrong


def accuracies(logits: torch.Tensor) -> torch.Tensor:
    """Per seed: the fraction of the two graphs whose label wins strictly (ties wrong)."""
    return (margins(logits) > 0).to(logits.dtype).mean(dim=1)


def decided(logits: torch.Tensor) -> bool:
    """Every seed right on both graphs by at least :data:`DECIDED_MARGIN`."""
    return bool((margins(logits) >= DECIDED_MARGIN).all())


def verdict_of(guard: GuardedGaps, accuracy: float) -> str:
    if guard.blind:
        return "blind"
    return "distinguished" if accuracy >= DISTINGUISHED else "sighted, not learned"


class StackedSeeds:
    """S seeds' weights for one module, stacked, run by one vectorised call.

    The weights are drawn into the one module seed after seed and copied out as
    tensors (copying an e3nn module itself would recompile its tensor products).
    The pair classifier here and the L sweep's regressors train this way.
    """

    def __init__(self, classifier: nn.Module, seeds: list[int], device, dtype):
        from eqgnn.models import seed_parameters

        drawn = []
        for seed in seeds:
            seed_parameters(classifier, seed)
            drawn.append({k: v.detach().clone() for k, v in classifier.state_dict().items()})
        classifier.to(device=device, dtype=dtype)
        trainable = {name for name, _ in classifier.named_parameters()}
        self.params, self.buffers = {}, {}
        for name in drawn[0]:
            stacked = torch.stack([d[name] for d in drawn]).to(device)
            if stacked.is_floating_point():
                stacked = stacked.to(dtype)
            if name in trainable:
                self.params[name] = stacked.requires_grad_()
            else:
                self.buffers[name] = stacked
        self.module = classifier

    def __call__(self, batch):
        """The module's output on ``batch`` for every seed, with a leading seed axis
        (the pair classifier: logits (S, 2, 2) and embeddings (S, 2, D))."""
        from torch.func import functional_call, vmap

        def one(params, buffers):
            return functional_call(self.module, (params, buffers), (batch,))

        return vmap(one)(self.params, self.buffers)


_ENCODERS: OrderedDict[ModelConfig, tuple[nn.Module, threading.Lock]] = OrderedDict()
_ENCODERS_LOCK = threading.Lock()
_ENCODER_BUILDS = 0  # constructions by cached_encoder in this process (see encoder_builds)


def encoder_builds() -> int:
    """How many models :func:`cached_encoder` has constructed in this process so far.

    A warm worker (``eqgnn.jobs.WarmPoolRunner``) reports the difference across
    a job, so a caller can tell a run that reused a built model from one that paid
    for construction.
    """
    return _ENCODER_BUILDS


@contextmanager
def cached_encoder(config: ModelConfig) -> Iterator[nn.Module]:
    """The constructed (unseeded) model of ``config``, held for exclusive use.

    Constructing an e3nn model compiles its tensor products (up to seconds), and
    a sweep asks for the same config on many pairs. Every run redraws all
    weights, so reuse changes no result; the lock keeps two threads (two
    dashboard sessions) from drawing into one module at once.
    """
    from eqgnn.models import construct

    global _ENCODER_BUILDS
    with _ENCODERS_LOCK:
        if config not in _ENCODERS:
            _ENCODERS[config] = (construct(config), threading.Lock())
            _ENCODER_BUILDS += 1
            while len(_ENCODERS) > ENCODER_CACHE_SIZE:
                _ENCODERS.popitem(last=False)
        _ENCODERS.move_to_end(config)
        module, lock = _ENCODERS[config]
    with lock:
        yield module


def distinguish(
    a: Structure,
    b: Structure,
    config: ModelConfig,
    seeds: int = DEFAULTS["seeds"],
    epochs: int = DEFAULTS["epochs"],
    lr: float = DEFAULTS["lr"],
    normalise: str = DEFAULTS["normalise"],
    dtype: str = DEFAULTS["dtype"],
    device: str | None = None,
    seed_list: list[int] | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    early_stop: bool = True,
) -> dict:
    """Train S seeds together on the pair (A: 0, B: 1); the module docstring's verdict.

    ``config.graph`` is the graph rule. Returns a JSON-able dict: distinguished,
    verdict, accuracy (+ std, per seed), embedding gaps, per-epoch curves,
    whether it trained and the epochs it ran (``trained``, ``epochs_run``,
    ``stopped``), seconds, device, and the theory beside it
    (:func:`theory_beside`). ``early_stop=False`` turns both short-cuts off:
    every epoch runs (the tests compare the verdicts both ways).
    """
    from eqgnn.batch import collate, resolve_device, resolve_dtype

    if seeds < 1 or epochs < 0:
        raise InputError(f"need seeds >= 1 and epochs >= 0 (got {seeds}, {epochs})")
    if normalise not in NORMALISE:
        raise InputError(f"normalise {normalise!r}: choose pair or none")
    if not lr > 0:
        raise InputError(f"learning rate must be > 0, got {lr}")
    start = time.perf_counter()
    a, b, reading = read_pair(a, b, config.graph)
    dev, torch_dtype = resolve_device(device), resolve_dtype(dtype)
    seed_list = list(range(seeds)) if seed_list is None else list(seed_list)
    batch = collate([a, b], graph=config.graph, dtype=torch_dtype, device=dev)
    with cached_encoder(config) as encoder:
        encoder.to(device="cpu", dtype=torch.float64)
        final, guard, curves, stopped = _train(encoder, a, b, batch, config, seed_list, epochs,
                                               lr, normalise, dev, torch_dtype, progress,
                                               cancel, early_stop)
    accuracy = sum(final) / len(final)
    verdict = verdict_of(guard, accuracy)
    return {
        "distinguished": verdict == "distinguished",
        "verdict": verdict,
        "accuracy": accuracy,
        "accuracy_std": float(torch.tensor(final, dtype=torch.float64).std(unbiased=False)),
        "accuracies": final,
        "embedding_gap": sum(guard.gaps) / len(guard.gaps),
        "embedding_gaps": guard.gaps,
        "noise_floor": max(guard.floors),
        "noise_floors": guard.floors,
        "precision": guard.precision.to_dict(),
        **reading.to_dict(),
        "curves": curves,
        "trained": stopped != "blind before training",
        "epochs_run": len(curves["loss"]),
        "stopped": stopped,
        "seconds": time.perf_counter() - start,
        "device": str(dev),
        "config": {"model": config.to_dict(), "seeds": seed_list, "epochs": epochs, "lr": lr,
                   "normalise": normalise, "dtype": dtype},
        "theory": theory_beside(a, b, config),
    }


def _train(encoder, a, b, batch, config, seed_list, epochs, lr, normalise, dev, torch_dtype,
           progress, cancel, early_stop) -> tuple[list[float], GuardedGaps, dict, str]:
    """Stack the seeds, guard the untrained gaps against noise, train until decided.

    Returns the final accuracies, the guard, the curves and why training ended
    (one of :data:`STOPPED`).
    """
    from eqgnn.batch import collate

    with torch.no_grad():
        dim = encoder(collate([a], graph=config.graph, dtype=torch.float64)).embedding.shape[-1]
    stacked = StackedSeeds(PairClassifier(encoder, dim, normalise), seed_list, dev, torch_dtype)

    def embed(structures):
        many = collate(structures, graph=config.graph, dtype=torch_dtype, device=dev)
        return stacked(many)[1]

    with torch.no_grad():
        guard = guarded_gaps(embed, a, b)
    curves: dict = {"loss": [], "accuracy": [], "seed_loss": [[] for _ in seed_list]}
    if early_stop and guard.blind:
        with torch.no_grad():
            untrained = accuracies(stacked(batch)[0]).tolist()
        if progress is not None:
            progress(epochs, epochs, "blind before training: no seed's gap rises above its floor")
        return untrained, guard, curves, "blind before training"
    optimiser = torch.optim.Adam(stacked.params.values(), lr=lr)
    labels = torch.tensor([0, 1], device=dev).repeat(len(seed_list))
    stopped, held = "epochs", 0
    for epoch in range(epochs):
        if cancel is not None and cancel():
            from eqgnn.jobs import Cancelled

            raise Cancelled(f"cancelled at epoch {epoch} of {epochs}")
        logits, _ = stacked(batch)
        loss = nn.functional.cross_entropy(logits.reshape(-1, 2), labels, reduction="none")
        per_seed = loss.view(len(seed_list), 2).mean(dim=1)
        optimiser.zero_grad(set_to_none=True)
        per_seed.sum().backward()
        optimiser.step()
        for seed_curve, value in zip(curves["seed_loss"], per_seed.detach().tolist()):
            seed_curve.append(value)
        curves["loss"].append(float(per_seed.detach().mean()))
        curves["accuracy"].append(float(accuracies(logits.detach()).mean()))
        held = held + 1 if decided(logits.detach()) else 0
        if progress is not None:
            progress(epoch + 1, epochs,
                     f"epoch {epoch + 1}/{epochs}, loss {curves['loss'][-1]:.3g}")
        if early_stop and held >= DECIDED_EPOCHS:
            stopped = "decided"
            if progress is not None:
                progress(epochs, epochs, f"decided after {epoch + 1} epochs: every seed right "
                                         f"by a margin of {DECIDED_MARGIN:g} for {held} epochs")
            break
    with torch.no_grad():
        final = accuracies(stacked(batch)[0]).tolist()
    return final, guard, curves, stopped


def theory_beside(a: Structure, b: Structure, config: ModelConfig) -> dict:
    """What theory allows this model on this pair (SCIENCE.md, Claims 1-3).

    ``allows`` is the theory's ceiling, not a promise: khop: the k-hop test at
    the model's hops, body order and group (its exact ceiling). dimenet: True
    when the 1-hop body-order-3 test separates the pair (its lower bound),
    False when the 2-hop full test does not (its upper bound), else None:
    the pair lies between the bounds and theory does not decide. Equivariant,
    invariant readout: layers >= gwl_min_layers (the GWL bound; a TFN-style
    model may fall short of it, which is the lesson of the k-chains).
    Equivariant readout on two orientations of one structure: some type
    l <= lmax sees the orientation (the orientation test). lmax 0, invariant
    readout: a type-0-only network is an invariant 1-hop GNN of distances
    (SCIENCE.md, Claim 2), so the 1-hop body-order-2 test is its ceiling at
    any depth, below the GWL bound.
    """
    from eqgnn.oracle import compare, orientation_pair

    if config.model == "khop":
        v = compare(a, b, config.hops, str(config.body_order), config.group, config.graph)
        return {"test": f"{config.hops}-hop WL, body order {config.body_order}, {config.group}",
                "indistinguishable": v["indistinguishable"], "min_hops": v["min_hops"],
                "congruent": v["congruent"], "allows": not v["indistinguishable"],
                "graph": v["graph"]}
    if config.model == "dimenet":
        return _dimenet_theory(a, b, config)
    v = compare(a, b, 1, "full", config.group, config.graph)
    out = {"test": f"GWL bound, {config.group}", "congruent": v["congruent"], "graph": v["graph"],
           "gwl_min_layers": v["gwl_min_layers"],
           "allows": v["gwl_min_layers"] is not None and config.layers >= v["gwl_min_layers"]}
    if config.readout == "equivariant" and v["congruent"]:
        types = orientation_pair(a, b, lmax=config.lmax)["types"]
        out.update(test=f"orientation, types <= {config.lmax}",
                   types=types, allows=any(types.values()))
    elif config.lmax == 0:  # a type-0-only network is an invariant 1-hop GNN of distances
        scalar = compare(a, b, 1, "2", config.group, config.graph)
        out.update(test=f"lmax 0: 1-hop WL, body order 2, {config.group}",
                   allows=not scalar["indistinguishable"])
    return out


def _dimenet_theory(a: Structure, b: Structure, config: ModelConfig) -> dict:
    """DimeNet's reach lies between two tests (SCIENCE.md, "DimeNet's reach"); which decides."""
    from eqgnn.oracle import PairGraphs

    pair = PairGraphs(a, b, config.graph)
    lower = not pair.test(1, "3", "O3", DEFAULT_TOL).indistinguishable
    upper = not pair.test(2, "full", "O3", DEFAULT_TOL).indistinguishable
    congruent = pair.congruent("O3", DEFAULT_TOL)
    if lower:
        test, allows = "1-hop WL, body order 3, O3 (DimeNet's lower bound) separates it", True
    elif not upper:
        test, allows = "2-hop WL, body order full, O3 (DimeNet's upper bound) cannot", False
    else:
        test, allows = ("between DimeNet's bounds: the 1-hop body-order-3 test cannot, "
                        "the 2-hop full test can"), None
    return {"test": test, "congruent": congruent, "lower_bound_separates": lower,
            "upper_bound_separates": upper, "allows": allows, "graph": str(pair.rule_a)}


def run_distinguish(
    spec: dict, progress: Progress | None = None, cancel: Callable[[], bool] | None = None
) -> dict:
    """The job: a pure function of its spec (see :func:`distinguish_spec`)."""
    a, b, _, _ = resolve_pair(spec["pair"])
    config = ModelConfig(**spec["model"]).validate()
    options = {k: spec[k] for k in DEFAULTS}
    return distinguish(a, b, config, progress=progress, cancel=cancel, **options)
