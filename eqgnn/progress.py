"""Progress on stderr for the CLI: tqdm bars that stay silent when piped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def steps(total: int, desc: str) -> Iterator:
    """A bar of ``total`` named steps; ``bar.step("what")`` marks the next one.

    Hidden when stderr is not a terminal (tqdm's ``disable=None``), so JSON
    pipelines and tests see nothing on stderr but errors.
    """
    import sys

    from tqdm import tqdm

    with tqdm(total=total, desc=desc, file=sys.stderr, disable=None, leave=False) as bar:

        def step(what: str) -> None:
            bar.set_postfix_str(what)
            bar.update(1)

        bar.step = step
        yield bar
