"""What one server lets a visitor ask for: the caps of the open and the public mode.

A lecture hall of phones, or a public demo on a small box, must not be able
to stall the machine: one visitor asking for 10,000 epochs, a 100,000-atom
upload or twenty runs at once would take it from everyone else. The caps live
here, in the library, so the dashboard, the job queue and the CLI enforce the
same numbers and ``python -m eqgnn limits --json`` shows them.

Two modes: the *open* one (default: a researcher's own machine; generous, and
no wall-time, per-visitor or grid caps) and the *public* one
(``EQGNN_PUBLIC=1``: a shared server). Any cap can be set on its own with
``EQGNN_MAX_<NAME>`` (``EQGNN_MAX_EPOCHS=50``), in either mode; the older
``EQGNN_LIVE_JOBS`` sets ``heavy_jobs``. Each cap, when hit, is one plain
sentence (:func:`cap_message`), raised as an :class:`~eqgnn.errors.InputError`
so every caller shows it the way it shows bad input.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields, replace

from eqgnn.errors import InputError

PUBLIC_ENV = "EQGNN_PUBLIC"
LIVE_JOBS_ENV = "EQGNN_LIVE_JOBS"


@dataclass(frozen=True)
class Limits:
    """The caps in force. 0 means "no cap" for the three caps only a public server sets
    (``run_seconds``, ``runs_per_visitor``, ``grid_cells``)."""

    atoms: int
    """Atoms in one structure."""
    upload_mb: int
    """Megabytes in one uploaded file (also Streamlit's ``server.maxUploadSize``)."""
    seeds: int
    """Seeds trained together in one live run."""
    epochs: int
    """Epochs of one live run."""
    hops: int
    """Hops of a k-hop model a visitor may choose in the model form."""
    layers: int
    """Layers of a model a visitor may choose in the model form."""
    lmax: int
    """Largest feature type of an equivariant model a visitor may choose in the model form."""
    grid_cells: int
    """Cells one click computes on a depth map or an L sweep (0: all missing cells)."""
    run_seconds: int
    """Wall time of one live run once it runs, queueing not counted (0: no cap)."""
    runs_per_visitor: int
    """Live runs one visitor may have queued or running at once (0: no cap)."""
    heavy_jobs: int
    """Live runs training at once, server-wide; the rest queue first come, first served."""


def _cores() -> int:
    return os.cpu_count() or 1


def open_limits() -> Limits:
    """The open mode's caps: a live run of seconds to a minute, every core for live runs."""
    return Limits(atoms=500, upload_mb=200, seeds=10, epochs=200, hops=4, layers=6, lmax=6,
                  grid_cells=0, run_seconds=0, runs_per_visitor=0, heavy_jobs=_cores())


def public_limits() -> Limits:
    """The public mode's caps: small molecules, the shipped protocol (10 seeds, 100 epochs)
    as the most, two minutes a run, one run per visitor, and half the cores for training
    so the pages keep the other half."""
    return Limits(atoms=200, upload_mb=2, seeds=10, epochs=100, hops=4, layers=6, lmax=4,
                  grid_cells=24, run_seconds=120, runs_per_visitor=1,
                  heavy_jobs=max(1, _cores() // 2))


def public_mode() -> bool:
    """Is ``EQGNN_PUBLIC`` set to a true value (1, true, yes, on)?"""
    return os.environ.get(PUBLIC_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def env_name(cap: str) -> str:
    """The environment variable that sets ``cap`` on its own."""
    return LIVE_JOBS_ENV if cap == "heavy_jobs" else f"EQGNN_MAX_{cap.upper()}"


def limits() -> Limits:
    """The caps in force now: the mode's, with each ``EQGNN_MAX_<NAME>`` override applied.

    Read afresh on every call (a handful of environment lookups), so a test or a
    server restarted with other settings never sees stale caps.
    """
    caps = public_limits() if public_mode() else open_limits()
    overrides = {}
    for cap in fields(Limits):
        name = env_name(cap.name)
        text = os.environ.get(name)
        if text is None:
            continue
        lowest = 1 if cap.name in {"atoms", "upload_mb", "seeds", "epochs", "hops", "layers",
                                   "heavy_jobs"} else 0
        try:
            value = int(text)
        except ValueError:
            value = lowest - 1
        if value < lowest:
            raise InputError(f"{name}={text!r}: give a whole number >= {lowest}")
        overrides[cap.name] = value
    return replace(caps, **overrides)


def as_dict() -> dict:
    """The caps in force and the mode, JSON-able (``python -m eqgnn limits --json``)."""
    return {"mode": "public" if public_mode() else "open", **asdict(limits()),
            "env": {cap.name: env_name(cap.name) for cap in fields(Limits)}}


CAP_SENTENCES = {
    "atoms": "{asked} atoms is more than this server takes (at most {cap} atoms a structure).",
    "upload_mb": "{asked} is larger than this server takes (uploads of at most {cap} MB).",
    "seeds": "{asked} seeds is more than this server trains at once (at most {cap}).",
    "epochs": "{asked} epochs is more than this server trains for (at most {cap}).",
    "hops": "{asked} hops is more than this server builds (at most {cap}).",
    "layers": "{asked} layers is more than this server builds (at most {cap}).",
    "lmax": "lmax {asked} is more than this server builds (at most {cap}).",
    "grid_cells": "This server computes at most {cap} cells a click; {asked} are missing, "
                  "so the first {cap} run now and a further click goes on from there.",
    "run_seconds": "This run was stopped after {cap} s: this server gives one live run at "
                   "most {cap} s of training.",
    "runs_per_visitor": "You already have a live run going, and this server runs {cap} per "
                        "visitor at a time: wait for it to finish or cancel it first.",
    "heavy_jobs": "This server trains at most {cap} live run(s) at once; yours is queued "
                  "(position {asked}) and starts when a slot frees.",
}


def cap_message(cap: str, asked: object, value: int | None = None) -> str:
    """The one sentence a visitor reads when ``asked`` hits ``cap`` (its value: ``value``,
    else the one in force)."""
    if value is None:
        value = getattr(limits(), cap)
    return CAP_SENTENCES[cap].format(asked=asked, cap=value)


def check(cap: str, asked: int) -> None:
    """Raise the cap's sentence as an :class:`InputError` when ``asked`` exceeds it."""
    value = getattr(limits(), cap)
    if value and asked > value:
        raise InputError(cap_message(cap, asked, value))


def check_spec(spec: dict) -> None:
    """Raise the first protocol cap (seeds, epochs) a job spec exceeds.

    The model-size caps (hops, layers, lmax) bound what a visitor may choose in
    the model form; the grids a page offers (a depth map's cells, the L sweep)
    are the project's own and are bounded by ``grid_cells`` instead. A spec whose
    result is stored is shown, never checked: the caps bound what a server
    computes, not what it shows.
    """
    check("seeds", int(spec.get("seeds", 1)))
    check("epochs", int(spec.get("epochs", 1)))
