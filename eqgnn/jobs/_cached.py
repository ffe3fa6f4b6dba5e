"""A job's result from the store, else run and stored: the one place the two meet.

The store (:mod:`eqgnn.store`) keeps results and runs nothing; runners run and
keep nothing. Every caller that wants "the result of this spec, computed at
most once" (the CLI, a sweep, an L sweep, precompute, a live run) comes here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing

from eqgnn.jobs._choice import get_runner
from eqgnn.jobs._registry import run_job
from eqgnn.jobs._runners import Runner
from eqgnn.progress import Cancel, Progress
from eqgnn.store import open_store, spec_key


def cached_run(
    spec: dict,
    store=None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    runner: Callable[..., dict] = run_job,
) -> tuple[dict, bool]:
    """(result, from_store): the stored result of ``spec``, else run it and store it.

    ``store`` defaults to :func:`eqgnn.store.open_store`. ``force`` reruns even
    when a result is stored and replaces it. ``runner`` is
    :func:`~eqgnn.jobs.run_job` or another function of the same signature, e.g. a
    :class:`~eqgnn.jobs.SubprocessRunner` for runs a page can stop.
    """
    store = store if store is not None else open_store()
    if not force:
        result = store.get(spec)
        if result is not None:
            return result, True
    result = runner(spec, progress=progress, cancel=cancel)
    store.put(spec, result)
    return result, False


def run_and_store(specs: list[dict], store, runner: Runner,
                  cancel: Cancel | None = None) -> Iterator[tuple[dict, dict]]:
    """Run ``specs`` as one batch on ``runner``, store each result as it comes back and
    yield (spec, result); a job's error is raised, with every result finished before it
    stored."""
    with closing(runner.map(specs, cancel=cancel)) as finished:
        for spec, outcome in finished:
            if isinstance(outcome, Exception):
                raise outcome
            store.put(spec, outcome)
            yield spec, outcome


def cached_batch(
    specs: list[dict],
    store=None,
    runner: Runner | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    label: Callable[[dict], str] = lambda spec: f"{spec.get('kind', 'job')} job done",
) -> list[tuple[dict, bool]]:
    """(result, from_store) for every spec, in order: the stored ones read first, the rest
    handed to ``runner`` (default :func:`~eqgnn.jobs.get_runner`) as one batch, so a pool
    or a cluster runs them side by side, each stored as it comes back.

    A sweep, an L sweep and precompute all run this way: a cancelled batch keeps its
    finished results. ``progress(done, total, label(spec))`` counts specs, the stored
    ones first (``"stored already"``).
    """
    store = store if store is not None else open_store()
    found = {} if force else {i: store.get(spec) for i, spec in enumerate(specs)}
    outcomes = {i: (result, True) for i, result in found.items() if result is not None}
    missing = [i for i in range(len(specs)) if i not in outcomes]
    if progress is not None:
        progress(len(outcomes), len(specs), "stored already")
    if missing:
        runner = runner if runner is not None else get_runner()
        index_of = {spec_key(specs[i]): i for i in missing}
        finished = run_and_store([specs[i] for i in missing], store, runner, cancel)
        for done, (spec, result) in enumerate(finished, len(outcomes) + 1):
            outcomes[index_of[spec_key(spec)]] = (result, False)
            if progress is not None:
                progress(done, len(specs), label(spec))
    return [outcomes[i] for i in range(len(specs))]
