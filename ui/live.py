"""Live runs from a page: the store first, else a queued, cancellable job with progress.

Streamlit's execution model decides the design. A page run is a script run;
any widget change (a click on Cancel, a new selection) stops the current run
at its next Streamlit call and starts a new one. So the job does not live in
the script run: :mod:`eqgnn.live` runs it in a background thread, through a
server-wide queue (:class:`eqgnn.live.JobGate`), with the training in a worker
process. A page run only *follows* the job: it polls its progress, draws it,
and blocks until the job finishes. A rerun interrupts the polling, not the
job; the next run follows the same job again (``st.session_state`` remembers
which). Cancel is a button: its rerun unsubscribes this session, and a job
no session follows any more is cancelled, which terminates its worker.

Two sessions asking for the same spec follow one job, so a lecture hall
pressing the same button trains once.
"""

from __future__ import annotations

import time
import uuid

import streamlit as st

from eqgnn import live
from eqgnn.errors import InputError
from eqgnn.limits import cap_message, limits
from eqgnn.store import PostgresStore, ResultStore, open_store

POLL_SECONDS = 0.25
"""How often a following page run redraws progress; also how fast it notices a click."""
FOLLOW_SECONDS: float | None = None
"""How long one page run follows a job before it ends, still following (None: until the
job ends). The next run of the page picks the job up again; tests set it to see a queue
position or a running job in a finished script run."""


@st.cache_resource(show_spinner=False)
def store() -> ResultStore | PostgresStore:
    """The server's result store (``$EQGNN_STORE``: a folder or PostgreSQL), then the
    shipped ``data/results``."""
    return open_store()


def session_id() -> str:
    """An id for this browser session, the name it follows live jobs under."""
    if "_eqgnn_session" not in st.session_state:
        st.session_state["_eqgnn_session"] = uuid.uuid4().hex
    return st.session_state["_eqgnn_session"]


def run_live(spec: dict, label: str, key: str, start: bool = False) -> dict | None:
    """The result of ``spec``: from the store, else from a live job this session follows.

    With nothing stored, a job runs only when ``start`` is true (the page's
    "run it live" button was clicked) or this session already follows the
    job for ``spec`` under ``key`` (a rerun happened mid-run). Following draws
    an ``st.status`` with the queue position, then a progress bar, and a
    Cancel button; it blocks until the job ends. Returns the result, or None
    when nothing ran, the run was cancelled or failed (failures are shown as
    a one-line ``st.error``). ``key`` names this live slot on the page.
    """
    result = store().get(spec)
    if result is not None:
        return result
    if not (start or _follows(key, [spec])):
        return None
    outcome = _follow_all([spec], label, key)
    return outcome[0] if outcome else None


def run_cells(specs: list[dict], label: str, key: str, start: bool = False) -> int:
    """Run every spec of ``specs`` not in the store, one after another; how many ran.

    For grids (a depth map's missing cells): the same queue, progress and
    Cancel as :func:`run_live`, with an overall count. Each finished cell is
    stored as it ends, so a cancelled or interrupted grid resumes where it
    stopped; a server's ``grid_cells`` cap runs the first cells of a larger grid
    (and says so), and the next click goes on. Returns the number of cells
    computed now.
    """
    missing = [spec for spec in specs if store().get(spec) is None]
    if not missing or not (start or _follows(key, missing)):
        return 0
    cap = limits().grid_cells
    if cap and len(missing) > cap:
        st.info(cap_message("grid_cells", len(missing), cap))
        missing = missing[:cap]
    return len(_follow_all(missing, label, key))


def _follows(key: str, specs: list[dict]) -> bool:
    """Does this session follow a live job under ``key`` for one of ``specs``?"""
    followed = st.session_state.get(f"live:{key}")
    return followed is not None and followed in specs


def _let_go(key: str) -> None:
    """Stop following the job under ``key`` (cancelling it if no one else follows)."""
    followed = st.session_state.pop(f"live:{key}", None)
    job = live.find_job(followed) if followed is not None else None
    if job is not None:
        job.unsubscribe(session_id())


def _follow_all(specs: list[dict], label: str, key: str) -> list[dict]:
    """Follow the jobs of ``specs`` in turn, drawing progress; the results that came."""
    followed = st.session_state.get(f"live:{key}")
    if followed is not None and followed not in specs:
        _let_go(key)  # the selection changed under a running job
    results: list[dict] = []
    with st.status(f"{label}: starting", expanded=True) as box:
        overall = st.progress(0.0) if len(specs) > 1 else None
        bar = st.progress(0.0)
        if st.button("Cancel", key=f"live-cancel:{key}", icon=":material/stop_circle:"):
            _let_go(key)
            box.update(label=f"{label}: cancelled", state="error", expanded=False)
            return results
        for done, spec in enumerate(specs):
            if overall is not None:
                overall.progress(done / len(specs), text=f"cell {done + 1} of {len(specs)}")
            try:
                job = live.start_job(spec, session_id(), store())
            except InputError as exc:
                box.update(label=f"{label}: not run", state="error")
                st.error(str(exc))
                return results
            st.session_state[f"live:{key}"] = spec
            snapshot = _watch(job, label, box, bar)
            if snapshot["state"] not in live.FINISHED:  # FOLLOW_SECONDS passed: still following
                return results
            if snapshot["state"] != live.DONE:
                st.session_state.pop(f"live:{key}", None)
                box.update(label=f"{label}: {snapshot['state']}", state="error")
                if snapshot["error"]:
                    st.error(f"{label}: {snapshot['error']}")
                return results
            results.append(job.result)
        st.session_state.pop(f"live:{key}", None)
        box.update(label=f"{label}: done", state="complete", expanded=False)
    return results


def _watch(job: live.LiveJob, label: str, box, bar) -> dict:
    """Redraw ``job``'s queue position or progress until it finishes; its last snapshot.

    Every poll sends a Streamlit message, which is where a rerun (a click)
    stops this loop; the job itself runs on. After :data:`FOLLOW_SECONDS` it returns
    the unfinished snapshot.
    """
    started = time.monotonic()
    while True:
        snapshot = job.snapshot()
        state = snapshot["state"]
        if state in live.FINISHED:
            return snapshot
        if state == live.QUEUED:
            box.update(label=f"{label}: queued: position {snapshot['position']}",
                       state="running", expanded=True)
            bar.progress(0.0, text=cap_message("heavy_jobs", snapshot["position"],
                                               job.gate_limit))
        else:
            total = max(snapshot["total"], 1)
            box.update(label=f"{label}: running", state="running", expanded=True)
            bar.progress(min(snapshot["done"] / total, 1.0), text=snapshot["message"] or "starting")
        if FOLLOW_SECONDS is not None and time.monotonic() - started > FOLLOW_SECONDS:
            return snapshot
        time.sleep(POLL_SECONDS)
