"""``distinguish``: can a trained model tell the pair apart? (with theory beside it)"""

from __future__ import annotations

import argparse

from eqgnn.cli._common import (
    add_backend,
    add_json,
    add_model_options,
    add_pair,
    emit,
    model_config,
    pair_spec,
    use_backend,
)


def add_protocol_options(parser: argparse.ArgumentParser) -> None:
    """Seeds, epochs, learning rate, normalisation and --force (shared with sweep)."""
    from eqgnn.specs import DEFAULTS

    g = parser.add_argument_group("protocol")
    g.add_argument("--seeds", type=int, default=DEFAULTS["seeds"],
                   help=f"seeds trained together (default {DEFAULTS['seeds']})")
    g.add_argument("--epochs", type=int, default=DEFAULTS["epochs"],
                   help=f"training epochs (default {DEFAULTS['epochs']})")
    g.add_argument("--lr", type=float, default=DEFAULTS["lr"],
                   help=f"Adam learning rate (default {DEFAULTS['lr']})")
    g.add_argument("--normalise", choices=("pair", "none"), default=DEFAULTS["normalise"],
                   help="standardise embedding features over the pair before the head")
    g.add_argument("--force", action="store_true",
                   help="recompute instead of answering from the result store")


def protocol_options(args: argparse.Namespace) -> dict:
    return {"seeds": args.seeds, "epochs": args.epochs, "lr": args.lr,
            "normalise": args.normalise, "dtype": args.dtype or "float64"}


def register(sub) -> None:
    p = sub.add_parser(
        "distinguish", help="train classifiers on a pair, all seeds at once, theory beside",
        description="Float64 by default. Verdicts: blind, distinguished, sighted, not learned.",
    )
    add_pair(p)
    add_model_options(p)
    add_protocol_options(p)
    add_backend(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.jobs import cached_run, get_runner
    from eqgnn.limits import check_spec, public_mode
    from eqgnn.progress import progress_bar
    from eqgnn.specs import distinguish_spec
    from eqgnn.store import open_store

    use_backend(args)
    spec = distinguish_spec(pair_spec(args), model_config(args), case_readout=args.readout is None,
                            **protocol_options(args))
    store = open_store()
    if public_mode() and (args.force or store.get(spec) is None):
        check_spec(spec)  # a public server computes within its caps; stored results show
    with progress_bar("distinguish", "epoch") as progress:
        result, stored = cached_run(spec, store, force=args.force, progress=progress,
                                    runner=get_runner())
    result = {**result, "from_store": stored}
    emit(args, result, describe(result))
    return 0


def describe(result: dict) -> str:
    """A few readable lines: verdict, accuracy, gaps against the noise floor, theory, time."""
    model = result["config"]["model"]
    theory = result["theory"]
    allows = {True: "allows it", False: "says it cannot", None: "does not decide"}[
        theory["allows"]]
    where = "from the result store" if result.get("from_store") else (
        f"{result['seconds']:.1f} s on {result['device']}")
    precision = result["precision"]
    graph = model["graph"] or theory.get("graph") or "bonds"
    return (
        f"{result['verdict']}: accuracy {result['accuracy']:.0%} ± {result['accuracy_std']:.0%} "
        f"over {len(result['accuracies'])} seeds, {training(result)}\n"
        f"embedding gap {result['embedding_gap']:.1e} (min {min(result['embedding_gaps']):.1e}), "
        f"noise floor {result['noise_floor']:.1e} (inputs known to "
        f"{precision['angstrom']:.0e} Å: {precision['source']})\n"
        f"model: {describe_model(model)}, graph {graph}\n"
        f"theory ({theory['test']}): {allows}\n({where})"
    )


def training(result: dict) -> str:
    """How training went, in words: skipped as blind, stopped when decided, or ran out."""
    epochs = result["config"]["epochs"]
    if not result["trained"]:
        return "not trained (blind from the untrained gaps)"
    if result["stopped"] == "decided":
        return f"stopped after {result['epochs_run']} of {epochs} epochs (every seed decided)"
    return f"trained {result['epochs_run']} epochs"


def describe_model(model: dict) -> str:
    """The options that define a model, in words (no option that does not apply)."""
    from eqgnn.config import ModelConfig

    return ModelConfig(**model).summary()
