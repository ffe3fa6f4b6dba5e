"""The ``python -m eqgnn`` command line: thin shells over library calls.

Every command takes ``--json`` where it prints results. Bad input exits with
code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from eqgnn.cli import (
    cmd_audit,
    cmd_bench,
    cmd_cases,
    cmd_cluster,
    cmd_distinguish,
    cmd_embed,
    cmd_frame,
    cmd_graph,
    cmd_info,
    cmd_limits,
    cmd_lsweep,
    cmd_oracle,
    cmd_orientation,
    cmd_precompute,
    cmd_report,
    cmd_results,
    cmd_sweep,
    cmd_twist,
    cmd_types,
)
from eqgnn.errors import InputError

COMMANDS = (
    cmd_info, cmd_embed, cmd_graph, cmd_twist, cmd_cases, cmd_oracle, cmd_orientation, cmd_frame,
    cmd_distinguish, cmd_sweep, cmd_lsweep, cmd_types, cmd_results, cmd_precompute, cmd_bench,
    cmd_report, cmd_limits, cmd_cluster, cmd_audit,
)


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line and exit 2."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="eqgnn",
        description="What 3D geometric GNNs can and cannot see.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return exit_code(lambda: args.run(args))


def exit_code(run: Callable[[], int | None]) -> int:
    """Run a command; its exit code: bad input is one line on stderr and 2, Ctrl-C 130.

    Shared with the checkout's benchmark scripts (``tools/bench_cli.py``), so
    every command of the project ends the same way.
    """
    try:
        return run() or 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. `head`) left: nothing more to say
        sys.stderr.close()
        return 0
