"""``cluster``: start, inspect and stop the Ray cluster the ray backend runs jobs on.

``up`` is Ray's own ``ray start --head`` with the options this product needs
(no Ray dashboard, no usage reporting), then the lines that point the
dashboard and the CLI at it and let GPU workers join.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from eqgnn.cli._common import add_json, emit
from eqgnn.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("cluster", help="start (up), inspect (status) or stop (down) a Ray "
                       "cluster for EQGNN_BACKEND=ray")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start a Ray head on this machine (ray start --head)")
    up.add_argument("--host", default="127.0.0.1",
                    help="address the head listens on: 127.0.0.1 for one machine (default), "
                         "this machine's network address for GPU workers to join")
    up.add_argument("--port", type=int, default=6379)
    up.add_argument("--num-cpus", type=int, default=None, help="CPUs it offers (default: all)")
    up.add_argument("--num-gpus", type=int, default=None, help="GPUs it offers (default: all)")
    status = actions.add_parser("status", help="the backend in use: nodes, CPUs, GPUs, device")
    status.add_argument("--address", default=None, metavar="HOST:PORT",
                        help="ask this Ray cluster (default: EQGNN_BACKEND's)")
    actions.add_parser("down", help="stop every Ray process on this machine (ray stop)")
    for action in (up, status):
        add_json(action)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "up":
        return _up(args)
    if args.action == "down":
        _ray_command("stop")
        print("Ray stopped on this machine")
        return 0
    return _status(args)


def _up(args: argparse.Namespace) -> int:
    options = ["start", "--head", f"--node-ip-address={args.host}", f"--port={args.port}",
               "--include-dashboard=false", "--disable-usage-stats"]
    options += [f"--num-cpus={args.num_cpus}"] if args.num_cpus is not None else []
    options += [f"--num-gpus={args.num_gpus}"] if args.num_gpus is not None else []
    _ray_command("get-auth-token", "--generate")
    _ray_command(*options)
    address = f"{args.host}:{args.port}"
    payload = {
        "address": address,
        "use": f"EQGNN_BACKEND=ray EQGNN_RAY_ADDRESS={address}",
        "join": f"RAY_AUTH_MODE=token ray start --address={address} --num-gpus=1",
        "token": str(Path.home() / ".ray" / "auth_token"),
        "stop": "eqgnn cluster down",
    }
    emit(args, payload, f"Ray head at {address}\n"
                        f"  run the dashboard and the CLI with: {payload['use']}\n"
                        f"  a GPU worker joins with:           {payload['join']}\n"
                        f"    (after copying {payload['token']} to the same place there)\n"
                        f"  stop it with:                      {payload['stop']}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from eqgnn.jobs import ray_runner
    from eqgnn.live import backend_line, describe_backend

    status = ray_runner(args.address).describe() if args.address else describe_backend()
    emit(args, status, backend_line(status))
    return 0


def _ray_command(*options: str) -> None:
    """Run Ray's own command line, with token authentication on (:data:`AUTH_ENV`);
    its failure is one line."""
    from eqgnn.jobs import AUTH_ENV

    ray = Path(sys.executable).with_name("ray")
    found = str(ray) if ray.exists() else shutil.which("ray")
    if found is None:
        raise InputError("Ray is not installed here (pip install -r requirements.txt)")
    env = {**os.environ, AUTH_ENV: os.environ.get(AUTH_ENV, "token")}
    done = subprocess.run([found, *options], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        raise InputError(f"ray {options[0]} failed: {lines[-1] if lines else done.returncode}")
