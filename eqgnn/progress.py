"""How long work reports and is stopped: the callback types every long call takes,
the exception a stopped call raises, and the CLI's tqdm bars (silent when piped)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int, str], None]
"""``progress(done, total, message)``: how far a long call (a job, a batch, a benchmark)
has come."""
Cancel = Callable[[], bool]
"""``cancel()``: true once the caller wants the work stopped; long calls poll it."""


class Cancelled(Exception):
    """Work stopped because its ``cancel()`` turned true; it has no result."""


@contextmanager
def steps(total: int, desc: str) -> Iterator:
    """A bar of ``total`` named steps; ``bar.step("what")`` marks the next one.

    Hidden when stderr is not a terminal (tqdm's ``disable=None``), so JSON
    pipelines and tests see nothing on stderr but errors.
    """
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, file=sys.stderr, disable=None, leave=False) as bar:

        def step(what: str) -> None:
            bar.set_postfix_str(what)
            bar.update(1)

        bar.step = step
        yield bar


@contextmanager
def progress_bar(desc: str, unit: str = "step") -> Iterator[Progress]:
    """A bar driven by the library's progress callbacks, ``progress(done, total, label)``.

    Every long library call (training, sweeps, benchmarks) reports through such a
    callback; the CLI hands it this one. Hidden when stderr is not a terminal.
    """
    from tqdm import tqdm

    with tqdm(desc=desc, unit=unit, file=sys.stderr, leave=False, disable=None) as bar:

        def progress(done: int, total: int, label: str) -> None:
            bar.total = total
            bar.set_postfix_str(label)
            bar.update(done - bar.n)

        yield progress
