"""L-sweep job specs and records, without torch: the CLI and pages build them in a blink."""

from __future__ import annotations

from collections.abc import Callable

from eqgnn.config import config_from_options
from eqgnn.errors import InputError
from eqgnn.lsweep._tasks import GRAPH, TASKS

DEFAULT_PROTOCOL = {"train": 1000, "val": 200, "test": 500, "epochs": 30, "seeds": 3,
                    "lr": 5e-3, "batch_size": 32, "layers": 3}
"""The sweep's defaults: molecules per split (families for the twist task), epochs,
seeds trained together, Adam's learning rate, minibatch size, message-passing layers."""

SHIPPED_SWEEP = {"lmax": (0, 1, 2, 3), "dim": (72, 144), "channels": (8,)}
"""The lmax values, fixed dimensions D and channel counts C the shipped tables use."""

Progress = Callable[[int, int, str], None]


def lsweep_spec(task: str, lmax: int, dim: int | None = None, channels: int | None = None,
                **protocol) -> dict:
    """The job spec of one run: ``task`` at ``lmax``, D fixed (``dim``) or C per type.

    Everything that defines the result is in the spec (the store's key).
    """
    if task not in TASKS:
        raise InputError(f"--task {task!r}: choose one of {', '.join(TASKS)}")
    if (dim is None) == (channels is None):
        raise InputError("give exactly one of --dim D (fixed dimension) or --channels C "
                         "(C channels per type)")
    unknown = set(protocol) - set(DEFAULT_PROTOCOL)
    if unknown:
        raise InputError(f"unknown option(s): {', '.join(sorted(unknown))}")
    options = {**DEFAULT_PROTOCOL, **{k: v for k, v in protocol.items() if v is not None}}
    for name in ("train", "val", "test", "epochs", "seeds", "batch_size", "layers"):
        if int(options[name]) < 1:
            raise InputError(f"--{name.replace('_', '-')} must be >= 1, got {options[name]}")
    if not options["lr"] > 0:
        raise InputError(f"--lr must be > 0, got {options['lr']}")
    config = config_from_options("tfn", lmax=lmax, dim=dim, channels=channels,
                                 layers=int(options.pop("layers")), graph=GRAPH[task])
    return {"kind": "lsweep", "task": task, "series": "fixed" if dim is not None else "growing",
            "model": config.to_dict(), **options}


def command_of(spec: dict) -> str:
    """The CLI line that reproduces the run of ``spec`` (stored results carry it)."""
    model = spec["model"]
    size = f"--dim {model['dim']}" if spec["series"] == "fixed" else (
        f"--channels {model['channels']}")
    options = " ".join(f"--{name.replace('_', '-')} {spec[name]}" for name in
                       ("train", "val", "test", "epochs", "seeds", "lr", "batch_size"))
    return (f"python -m eqgnn lsweep --task {spec['task']} --lmax {model['lmax']} {size} "
            f"--layers {model['layers']} {options}")


def lsweep_specs(task: str, lmaxes: list[int], dim: int | None = None,
                 channels: int | None = None, **protocol) -> list[dict]:
    """One spec per lmax (validated before anything runs)."""
    if not lmaxes:
        raise InputError("--lmax needs at least one value, e.g. 0,1,2,3")
    return [lsweep_spec(task, lmax, dim, channels, **protocol) for lmax in lmaxes]


def lsweep_records(specs: list[dict], store=None, force: bool = False,
                   progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> list[dict]:
    """Run (or answer from the store) every spec; one record per run, in order."""
    from eqgnn.store import ResultStore, cached_run

    store = store if store is not None else ResultStore()
    records = []
    for spec in specs:
        lmax = spec["model"]["lmax"]

        def step(done: int, total: int, message: str, lmax=lmax) -> None:
            if progress is not None:
                progress(done, total, f"lmax {lmax}, {message}")

        result, stored = cached_run(spec, store, force=force, progress=step, cancel=cancel)
        records.append({**result, "command": command_of(spec), "from_store": stored})
    return records


def shipped_records() -> list[dict]:
    """Every L-sweep result shipped in ``data/results/``, ordered by task, series, lmax."""
    from eqgnn.store import SHIPPED_RESULTS, ResultStore

    found = [{**result, "command": command_of(spec)} for spec, result in
             ResultStore(root=SHIPPED_RESULTS, shipped=None).records("lsweep")]
    return sorted(found, key=lambda r: (r["task"], r["series"], r["hidden_dim"], r["lmax"]))
