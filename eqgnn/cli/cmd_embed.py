"""``embed``: a structure's embedding from a model drawn from a seed."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import (
    add_json,
    add_model_options,
    add_structure,
    emit,
    load_one,
    model_config,
)


def register(sub) -> None:
    p = sub.add_parser(
        "embed", help="the embedding of a structure by a seeded, untrained model",
        description="Same seed, same weights: two calls on two structures are comparable.",
    )
    add_structure(p)
    add_model_options(p)
    p.add_argument("--seed", type=int, default=0, help="weight seed (default 0)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.progress import steps

    config = model_config(args)
    with steps(2, "embed") as bar:
        structure = load_one(args, args.structure)
        bar.step("structure loaded; loading torch")
        from eqgnn.embed import embed

        result = embed(structure, config, seed=args.seed, device=args.device,
                       dtype=args.dtype or "float32")
        bar.step("done")
    values = ", ".join(f"{v:+.6f}" for v in result["embedding"][:8])
    more = " …" if len(result["embedding"]) > 8 else ""
    human = (
        f"{structure.name}: {len(structure)} atoms, {result['model']['model']} model "
        f"on {result['device']} ({result['dtype']})\n"
        f"embedding[{len(result['embedding'])}] = [{values}{more}]"
    )
    if "irreps_choice" in result["model"]:
        human += f"\nhidden irreps: {result['model']['irreps_choice']}"
    emit(args, result, human)
    return 0
