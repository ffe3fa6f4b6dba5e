"""``limits``: the caps this server enforces (open or public mode, and each override)."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_json, emit


def register(sub) -> None:
    p = sub.add_parser(
        "limits", help="the caps in force: atoms, upload size, seeds, epochs, model size, grid "
        "cells, run wall time, runs per visitor, concurrent live runs",
        description="EQGNN_PUBLIC=1 selects the public mode's caps; EQGNN_MAX_<NAME> (or "
        "EQGNN_LIVE_JOBS for heavy_jobs) sets one cap in either mode. 0: no cap.",
    )
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.limits import as_dict

    caps = as_dict()
    env = caps["env"]
    lines = [f"mode: {caps['mode']} (EQGNN_PUBLIC=1 for the public caps)"]
    lines += [f"{name:<17}{caps[name]:>6}   {env[name]}" for name in env]
    emit(args, caps, "\n".join(lines))
    return 0
