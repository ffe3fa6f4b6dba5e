"""``lsweep``: the fixed-dimension L sweep on QM9 (SCIENCE.md, Claim 3)."""

from __future__ import annotations

import argparse

from eqgnn.cli._common import add_backend, add_json, emit, use_backend

RECORD_KEYS = ("task", "lmax", "series", "allocation", "hidden_irreps", "hidden_dim", "params",
               "seeds", "epochs", "train_size", "val_size", "test_size", "test_mae", "test_mae_std",
               "seconds", "seconds_per_epoch", "peak_rss_mb", "device", "units", "head",
               "within_family_mae", "within_family_mae_std", "within_family_floor", "curves",
               "command", "from_store")


def register(sub) -> None:
    from eqgnn.lsweep import DEFAULT_PROTOCOL, TASKS

    p = sub.add_parser(
        "lsweep", help="train the steerable model at each lmax, fixed or growing dimension",
        description="Claim 3 of SCIENCE.md: at a fixed feature dimension, does a higher type "
        "help? --dim D keeps the hidden dimension at D for every lmax (shared equally by the "
        "types); --channels C gives C channels to every type, so the dimension grows. Runs "
        "are stored: a repeated request is answered at once (--force reruns).",
    )
    p.add_argument("--task", choices=TASKS, help="mu (D), gap (eV), dipole (e Å, a vector) or "
                   "twist (radius of gyration of twisted QM9 molecules on their bond graph)")
    p.add_argument("--lmax", default="0,1,2,3", help="comma-separated types (default 0,1,2,3)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--dim", type=int, default=None, help="fixed total hidden dimension D")
    size.add_argument("--channels", type=int, default=None, help="C channels of every type")
    for name in ("train", "val", "test", "epochs", "seeds", "layers", "batch_size"):
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=None,
                       help=f"default {DEFAULT_PROTOCOL[name]}"
                       + (" (molecules; twist: families)" if name in ("train", "val", "test")
                          else ""))
    p.add_argument("--allocation", choices=("share", "channels"), default="share",
                   help="with --dim: an equal share of D per type (default), or the same "
                   "number of channels per type (the paper's eSCN comparison)")
    p.add_argument("--lr", type=float, default=None, help=f"default {DEFAULT_PROTOCOL['lr']}")
    p.add_argument("--force", action="store_true", help="rerun even if stored")
    p.add_argument("--shipped", action="store_true",
                   help="print the shipped tables (data/results/) instead of running")
    add_backend(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eqgnn.errors import InputError
    from eqgnn.lsweep import lsweep_records, lsweep_specs, shipped_records

    use_backend(args)
    if args.shipped:
        records = shipped_records()
    else:
        if args.task is None:
            raise InputError("give --task (mu, gap, dipole or twist), or --shipped")
        specs = lsweep_specs(
            args.task, _lmaxes(args.lmax), args.dim, args.channels, args.allocation,
            train=args.train,
            val=args.val, test=args.test, epochs=args.epochs, seeds=args.seeds,
            layers=args.layers, batch_size=args.batch_size, lr=args.lr)
        from eqgnn.progress import progress_bar

        with progress_bar("lsweep", "run") as progress:
            records = lsweep_records(specs, force=args.force, progress=progress)
    records = [{key: r[key] for key in RECORD_KEYS if key in r} for r in records]
    emit(args, records, table(records))
    return 0


def _lmaxes(text: str) -> list[int]:
    from eqgnn.errors import InputError

    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--lmax {text!r}: write integers separated by commas, e.g. 0,1,2"
                         ) from None


def table(records: list[dict]) -> str:
    """One line per run: the MAE beside the parameter count and the hidden irreps."""
    if not records:
        return "no L-sweep results (run: python -m eqgnn lsweep --task mu --dim 72)"
    lines = [f"{'task':<7}{'series':<18}{'lmax':>5}{'dim':>6}{'params':>9}  "
             f"{'test MAE':>20}  {'within-family (floor)':>24}  hidden irreps"]
    for r in records:
        within = (f"{r['within_family_mae']:.4f} ({r['within_family_floor']:.4f})"
                  if "within_family_mae" in r else "")
        mae = f"{r['test_mae']:.4f} ± {r['test_mae_std']:.4f} {r['units']}"
        series = f"{r['series']} ({r.get('allocation', 'share')})"
        lines.append(f"{r['task']:<7}{series:<18}{r['lmax']:>5}{r['hidden_dim']:>6}"
                     f"{r['params']:>9}  {mae:>20}  {within:>24}  {r['hidden_irreps']}")
    sizes = {(r["train_size"], r["test_size"], r["seeds"], r["epochs"]) for r in records}
    lines.append("train/test sizes, seeds, epochs: "
                 + "; ".join(f"{a}/{b}, {s} seeds, {e} epochs" for a, b, s, e in sorted(sizes)))
    return "\n".join(lines)
