"""L-sweep job specs and records, without torch: the CLI and pages build them in a blink."""

from __future__ import annotations

from eqgnn.config import config_from_options
from eqgnn.errors import InputError
from eqgnn.jobs import Runner, cached_batch
from eqgnn.lsweep._tasks import GRAPH, TASKS
from eqgnn.progress import Cancel, Progress

DEFAULT_PROTOCOL = {"train": 1000, "val": 200, "test": 500, "epochs": 30, "seeds": 3,
                    "lr": 5e-3, "batch_size": 32, "layers": 3}
"""The sweep's defaults: molecules per split (families for the twist task), epochs,
seeds trained together, Adam's learning rate, minibatch size, message-passing layers."""

SHIPPED_SWEEP = {"lmax": (0, 1, 2, 3), "dim": (72,), "channels": (8,),
                 "allocation": ("share", "channels")}
"""What the shipped tables sweep: lmax, the fixed dimension D (with both allocations) and
the channels per type C of the growing series."""

ALLOCATIONS = ("share", "channels")
"""How a fixed dimension D is divided among the types l <= lmax: ``share``, an equal
share of D per type (``eqgnn.nn.irreps``: c_l = D / n / (2l+1)); ``channels``, the same
number of channels c per type, c = floor(D / (lmax+1)^2), as the paper's eSCN runs
(L = 2 with 824 channels against L = 6 with 256). The remainder goes to 0e in both."""


def allocated_irreps(lmax: int, dim: int, allocation: str) -> str | None:
    """The hidden irreps of ``dim`` under ``allocation`` (None: the model's own ``--dim``)."""
    if allocation not in ALLOCATIONS:
        raise InputError(f"--allocation {allocation!r}: choose {' or '.join(ALLOCATIONS)}")
    if allocation == "share" or lmax == 0:  # one type: every allocation is the same
        return None
    per_type = dim // (lmax + 1) ** 2
    if per_type < 1:
        raise InputError(f"--dim {dim} is too small for one channel of every type up to "
                         f"lmax {lmax}: the minimum is {(lmax + 1) ** 2}")
    parts = [f"{per_type + dim - per_type * (lmax + 1) ** 2}x0e"]
    parts += [f"{per_type}x{l}{'e' if l % 2 == 0 else 'o'}" for l in range(1, lmax + 1)]
    return "+".join(parts)


def lsweep_spec(task: str, lmax: int, dim: int | None = None, channels: int | None = None,
                allocation: str = "share", **protocol) -> dict:
    """The job spec of one run: ``task`` at ``lmax``, D fixed (``dim``, divided among the
    types by ``allocation``) or C channels per type (``channels``).

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
    irreps = allocated_irreps(lmax, dim, allocation) if dim is not None else None
    config = config_from_options("tfn", lmax=lmax, dim=None if irreps else dim,
                                 channels=channels, irreps_hidden=irreps,
                                 layers=int(options.pop("layers")), graph=GRAPH[task])
    spec = {"kind": "lsweep", "task": task, "series": "fixed" if dim is not None else "growing",
            "model": config.to_dict(), **options}
    if irreps is not None:  # the default allocation leaves earlier specs (and keys) as they were
        spec["allocation"] = allocation
    return spec


def command_of(spec: dict) -> str:
    """The CLI line that reproduces the run of ``spec`` (stored results carry it)."""
    model = spec["model"]
    if "allocation" in spec:
        dim = sum(int(m) * (2 * int(ir[:-1]) + 1) for m, ir in
                  (part.split("x") for part in model["irreps_hidden"].split("+")))
        size = f"--dim {dim} --allocation {spec['allocation']}"
    elif spec["series"] == "fixed":
        size = f"--dim {model['dim']}"
    else:
        size = f"--channels {model['channels']}"
    options = " ".join(f"--{name.replace('_', '-')} {spec[name]}" for name in
                       ("train", "val", "test", "epochs", "seeds", "lr", "batch_size"))
    return (f"python -m eqgnn lsweep --task {spec['task']} --lmax {model['lmax']} {size} "
            f"--layers {model['layers']} {options}")


def lsweep_specs(task: str, lmaxes: list[int], dim: int | None = None,
                 channels: int | None = None, allocation: str = "share",
                 **protocol) -> list[dict]:
    """One spec per lmax (validated before anything runs)."""
    if not lmaxes:
        raise InputError("--lmax needs at least one value, e.g. 0,1,2,3")
    return [lsweep_spec(task, lmax, dim, channels, allocation, **protocol) for lmax in lmaxes]


def lsweep_records(specs: list[dict], store=None, force: bool = False,
                   progress: Progress | None = None,
                   cancel: Cancel | None = None, runner: Runner | None = None) -> list[dict]:
    """Run (or answer from the store) every spec; one record per run, in order.

    The runs missing from the store go to ``runner`` (an :class:`eqgnn.jobs.Runner`;
    default :func:`eqgnn.jobs.get_runner`) as one batch, as a sweep's cells do, so a
    pool or a cluster trains them side by side; each is stored as it ends.
    ``progress`` counts runs, the stored ones first.
    """
    outcomes = cached_batch(specs, store, runner, force, progress, cancel,
                            label=lambda spec: f"lmax {spec['model']['lmax']} trained")
    return [{**result, "command": command_of(spec), "from_store": stored}
            for spec, (result, stored) in zip(specs, outcomes)]


def shipped_records() -> list[dict]:
    """Every L-sweep result shipped in ``data/results/``, by task, series, allocation, lmax."""
    from eqgnn.store import SHIPPED_RESULTS, ResultStore

    found = [{**result, "command": command_of(spec)} for spec, result in
             ResultStore(root=SHIPPED_RESULTS, shipped=None).records("lsweep")]
    return sorted(found, key=lambda r: (r["task"], r["series"], r.get("allocation", "share"),
                                        r["hidden_dim"], r["lmax"]))
