"""Options and output shared by the commands."""

from __future__ import annotations

import argparse
import json
import sys

from eqgnn.config import CORRELATIONS, MAX_LMAX, MODELS, PRESETS, ModelConfig, config_from_options
from eqgnn.io import named_forms


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")


def add_graph_rule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--graph", metavar="RULE", default=None,
        help="bonds | radius:R | knn:N | full | explicit "
        "(default: a JSON graph's own edges, else bonds)",
    )


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The model options every model command takes (the core issue's list)."""
    g = parser.add_argument_group("model")
    g.add_argument("--model", choices=MODELS, default=None, help="model family (default khop)")
    g.add_argument("--preset", choices=sorted(PRESETS), default=None,
                   help="a named configuration; explicit options override its values")
    g.add_argument("--hops", type=int, default=None, help="khop: hops k (default 1)")
    g.add_argument("--body-order", type=int, choices=(2, 3), default=None,
                   help="khop: body order (default 3)")
    g.add_argument("--width", type=int, default=None,
                   help="khop, dimenet: hidden width (default 32)")
    g.add_argument("--lmax", type=int, default=None,
                   help=f"equivariant: largest type L, 0..{MAX_LMAX} (default 2). Cost grows "
                   "steeply with L: a training epoch of 10 seeds on kchain-4 (3 layers, 2 "
                   "channels a type) takes ~0.02 s at L=2, ~0.2 s at L=8 and ~1.3 s at L=12, "
                   "and the model's construction ~10 s at L=12 (python -m eqgnn bench reach)")
    size = g.add_mutually_exclusive_group()
    size.add_argument("--channels", type=int, default=None,
                      help="equivariant: C channels of every type")
    size.add_argument("--dim", type=int, default=None,
                      help="equivariant: fixed total feature dimension D")
    size.add_argument("--irreps-hidden", default=None, metavar="STR",
                      help="equivariant: any e3nn irreps string, e.g. '8x0e+4x1o'")
    g.add_argument("--correlation", type=int, choices=CORRELATIONS, default=None,
                   help="equivariant: 1 TFN-style (default); 2-4 MACE-style products of that "
                   "many aggregated features at a node (body order correlation + 1)")
    g.add_argument("--layers", type=int, default=None, help="message-passing rounds (default 3)")
    g.add_argument("--group", choices=("O3", "SO3"), default=None,
                   help="O3 (default) or SO3: SO3 models see mirror images")
    g.add_argument("--readout", choices=("invariant", "equivariant"), default=None)
    add_graph_rule(g)
    g.add_argument("--device", default=None, help="cpu | cuda | cuda:N (default: cuda if present)")
    g.add_argument("--dtype", choices=("float32", "float64"), default=None,
                   help="float32 for embed, float64 for experiments (the protocol's default)")


def model_config(args: argparse.Namespace) -> ModelConfig:
    """The validated config from parsed model options (preset, then overrides)."""
    names = ("model", "hops", "body_order", "width", "lmax", "channels", "dim",
             "irreps_hidden", "correlation", "layers", "group", "readout", "graph")
    return config_from_options(args.preset, **{n: getattr(args, n) for n in names})


def emit(args: argparse.Namespace, payload: dict, human: str) -> None:
    """Print ``payload`` as JSON with ``--json``, else the human text."""
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=None)
        sys.stdout.write("\n")
    else:
        print(human)


STRUCTURE_HELP = " | ".join(["file[@N]", *named_forms(), "graph.json"])


def add_precision(parser: argparse.ArgumentParser) -> None:
    """``--precision``: how well the coordinates are known, where the values cannot say."""
    parser.add_argument(
        "--precision", default=None, metavar="LENGTH|float32|float64|exact",
        help="how well the coordinates are known, in their units (default: as the source says; "
        "a file is never taken finer than float32 unless it says so)")


def add_structure(parser: argparse.ArgumentParser, **argument) -> None:
    """The one structure a command takes (``argument``: nargs, metavar, ...) and its precision."""
    parser.add_argument("structure", **{"help": STRUCTURE_HELP, **argument})
    add_precision(parser)


def add_pair(parser: argparse.ArgumentParser) -> None:
    """Two structures A B, or ``--case NAME`` from the gallery instead, and their precision."""
    parser.add_argument("a", nargs="?", metavar="A", help=STRUCTURE_HELP)
    parser.add_argument("b", nargs="?", metavar="B", help=STRUCTURE_HELP)
    parser.add_argument("--case", default=None, metavar="NAME",
                        help="a gallery case instead of A B (python -m eqgnn cases lists them)")
    add_precision(parser)


def load_one(args: argparse.Namespace, spec: str):
    """The structure ``spec`` names, known to ``--precision`` when the command was given it."""
    from eqgnn.io import load_structure

    return load_structure(spec, args.precision)


def pair_spec(args: argparse.Namespace) -> dict:
    """The pair as a job's spec: a case name, or both structures' data (the key is the content)."""
    from eqgnn.errors import InputError

    if args.case is not None:
        if args.a is not None:
            raise InputError("give either two structures A B or --case NAME, not both")
        if args.precision is None:
            return {"case": args.case}
        return {"case": args.case, "precision": args.precision}
    if args.a is None or args.b is None:
        raise InputError("give two structures A B, or --case NAME")
    return {"a": load_one(args, args.a).to_json(), "b": load_one(args, args.b).to_json(),
            "graph": args.graph}


def load_pair(args: argparse.Namespace):
    """(A, B, graph rule): a case's own rule unless ``--graph`` is given."""
    from eqgnn.specs import resolve_pair

    a, b, graph, _ = resolve_pair(pair_spec(args))
    return a, b, args.graph if args.graph is not None else graph


def add_backend(parser: argparse.ArgumentParser) -> None:
    """``--backend`` and ``--address``: where this command's jobs run."""
    from eqgnn.jobs import ADDRESS_ENV, BACKEND_ENV, BACKENDS

    g = parser.add_argument_group("backend")
    g.add_argument("--backend", choices=BACKENDS, default=None,
                   help=f"where jobs run: local processes or a Ray cluster "
                        f"(default ${BACKEND_ENV}, else local)")
    g.add_argument("--address", default=None, metavar="HOST:PORT",
                   help=f"the Ray cluster's head (default ${ADDRESS_ENV}, else the cluster "
                        "started on this machine, else a new one-machine cluster)")


def use_backend(args: argparse.Namespace) -> None:
    """Make ``--backend``/``--address`` this process's ``$EQGNN_BACKEND``/``$EQGNN_RAY_ADDRESS``.

    A command is one process, and every layer below (sweeps, precompute, the L
    sweep) asks the environment, as it does for ``$EQGNN_DEVICE``.
    """
    import os

    from eqgnn.errors import InputError
    from eqgnn.jobs import ADDRESS_ENV, BACKEND_ENV, backend_name

    if args.backend is not None:
        os.environ[BACKEND_ENV] = args.backend
    if args.address is not None:
        if backend_name() != "ray":
            raise InputError("--address names a Ray cluster: give it with --backend ray")
        os.environ[ADDRESS_ENV] = args.address


def add_bond(parser: argparse.ArgumentParser, required: bool, help: str) -> None:
    """``--bond``, one spelling for every command that turns a bond: ``I J`` or ``I-J``
    (0-based atoms); :func:`bond_of` reads it."""
    parser.add_argument("--bond", nargs="+", required=required, metavar="I J", help=help)


def bond_of(args: argparse.Namespace) -> tuple[int, int] | None:
    """The bond ``--bond`` names (None when not given); a malformed one is one line."""
    from eqgnn.transforms import parse_bond

    return None if args.bond is None else parse_bond(" ".join(args.bond))
