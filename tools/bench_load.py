"""``eqgnn bench load``: how many visitors at once one server holds.

A lecture hall opens the dashboard at the same moment: K sessions, each
visiting every page and starting one live run, against one server started the
way a deployment starts it (``python -m ui.serve``, public mode). Each session
is a client speaking Streamlit's own protocol over its websocket
(``/_stcore/stream``, the protobuf ``BackMsg``/``ForwardMsg`` the browser
speaks), so every page load runs the page's script on the server exactly as a
browser's would, while K browsers' rendering (which would run on the same two
cores) stays out of the figures. A page counts as *settled* when its script
run has finished and no fragment of it still polls (the Explorer's "models
building" panel reruns until they are built).

Reported: pages served, p50/p95 seconds to a settled page, errors (exception
or error boxes, failed or timed-out loads), live runs completed and how many
queued, and the RSS of the server and its live-run workers every second. It
needs the checkout (``app.py``, ``ui/``), so it lives here; run it as
``python -m eqgnn bench load --sessions 20`` from the checkout. A problem
(bad arguments, a server that does not start) is one line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the checkout root makes tools and eqgnn importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eqgnn.progress import Progress  # noqa: E402
from tools.bench_cli import BenchError, run_bench  # noqa: E402
from tools.dashboard_harness import streamlit_server, tree_rss_kib  # noqa: E402

PAGES = ["", "gallery", "explorer", "depth", "steerable", "lesson"]
"""The URL paths of the app's pages (``app.py``), Home first."""
LIVE_PAGE, LIVE_KEY, LIVE_QUERY = "gallery", "gallery", "case=butane-torsion-r5"
"""Where a session starts its live run: the Gallery's model form (its key), on a case its
default model sees (butane on a 5 Å radius graph: one hop of distances suffices), so the
run trains rather than being answered by the blind-pair guard."""
PAGE_TIMEOUT = 120.0  # seconds for one page to settle before it counts as an error
LIVE_TIMEOUT = 600.0  # seconds for a live run, queueing included
SAMPLE_SECONDS = 1.0


@dataclass
class Run:
    """What one script run of a page sent: its widgets (by user key) and its problems."""

    widgets: dict[str, str] = field(default_factory=dict)
    """User key -> widget id, for the widgets this run drew."""
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    """The text of every alert, progress bar and status label this run drew."""


class Session:
    """One visitor: a websocket to the server and the script runs it asks for."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.socket = None

    async def __aenter__(self) -> Session:
        import websockets

        self.socket = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
            max_size=None, open_timeout=PAGE_TIMEOUT)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def load(self, page: str, widget_states: list | None = None, query: str = "",
                   timeout: float = PAGE_TIMEOUT) -> Run:
        """Run ``page``'s script at ``?query`` (with ``widget_states``: a rerun after an
        interaction) and follow its fragment reruns until the page is settled."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.page_name, state.query_string = page, query
        if widget_states:
            state.widget_states.widgets.extend(widget_states)
        await self.socket.send(message.SerializeToString())
        return await asyncio.wait_for(self._settle(page), timeout)

    async def _settle(self, page: str) -> Run:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run, polling = Run(), {}
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.socket.recv())
            kind = message.WhichOneof("type")
            if kind == "delta":
                _read_delta(message.delta, run)
            elif kind == "new_session" and not message.metadata.run.fragment_ids:
                polling.clear()  # a full run: its fragments register their polls anew
            elif kind == "page_not_found":
                run.errors.append(f"{page}: page not found")
            elif kind == "auto_rerun":
                polling[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                polling.pop(message.stop_auto_rerun.fragment_id, None)
            elif kind == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.errors.append(f"{page or 'home'}: the script did not compile")
                if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # a fragment called st.rerun(): the full run follows
                if not polling:
                    return run
                fragment, interval = next(iter(polling.items()))
                await asyncio.sleep(interval)
                rerun = BackMsg()
                rerun.rerun_script.page_name, rerun.rerun_script.fragment_id = page, fragment
                rerun.rerun_script.is_auto_rerun = True
                await self.socket.send(rerun.SerializeToString())


def _read_delta(delta, run: Run) -> None:
    """Note the widget ids, the texts (alerts, progress, status labels) and the problems a
    delta draws."""
    if delta.WhichOneof("type") == "add_block":
        run.texts.append(delta.add_block.expandable.label)
        return
    if delta.WhichOneof("type") != "new_element":
        return
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "progress":
        run.texts.append(element.progress.text)
        return
    if kind == "exception":
        run.errors.append(f"exception: {element.exception.message}")
        return
    if kind == "alert":
        run.texts.append(element.alert.body)
        if element.alert.format == element.alert.ERROR:
            run.errors.append(f"error box: {element.alert.body}")
        return
    widget = getattr(element, kind)
    widget_id = getattr(widget, "id", "")
    if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
        run.widgets[widget_id.split("-", 2)[2]] = widget_id


def _protocol_states(run: Run, seeds: int, epochs: int, click: bool) -> list:
    """The Gallery model form's seeds and epochs (a spec nothing stores), and its run click."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    states = []
    for name, value in (("seeds", seeds), ("epochs", epochs)):
        widget_id = run.widgets.get(f"{LIVE_KEY}-{name}")
        if widget_id is None:
            raise RuntimeError(f"the {LIVE_PAGE} page drew no {LIVE_KEY}-{name} input")
        states.append(WidgetState(id=widget_id, int_value=value))
    if click:
        button = run.widgets.get(f"{LIVE_KEY}-run")
        if button is None:
            raise RuntimeError(f"the {LIVE_PAGE} page offered no live run for this protocol")
        states.append(WidgetState(id=button, trigger_value=True))
    return states


@dataclass
class Tally:
    """Everything the sessions measured, shared by them (one event loop: no locks)."""

    page_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    live_seconds: list[float] = field(default_factory=list)
    queued: int = 0
    expected: int = 0
    """Pages and live runs the sessions will ask for, for the progress bar."""
    progress: Progress | None = None

    def step(self, label: str) -> None:
        if self.progress is not None:
            done = len(self.page_seconds) + len(self.live_seconds)
            self.progress(done, self.expected, label)


async def visit(url: str, index: int, tally: Tally, live: bool) -> None:
    """One visitor: every page, then a live run on the Gallery (a protocol of its own, so
    runs do not merge), then every page again while the runs go on."""
    try:
        await asyncio.to_thread(_get, url + "/")  # the page's HTML, as a browser asks first
        async with Session(url) as session:
            for page in PAGES:
                await _timed(session, page, tally)
            if live:
                await _live_run(session, index, tally)
            for page in PAGES:
                await _timed(session, page, tally)
    except Exception as exc:  # noqa: BLE001 - every failure of a visitor is a counted error
        tally.errors.append(f"session {index}: {type(exc).__name__}: {exc}".splitlines()[0])


async def _timed(session: Session, page: str, tally: Tally) -> Run:
    started = time.monotonic()
    try:
        run = await session.load(page)
    except TimeoutError:
        tally.errors.append(f"{page or 'home'}: not settled in {PAGE_TIMEOUT:.0f} s")
        raise
    tally.page_seconds.append(time.monotonic() - started)
    tally.errors.extend(run.errors)
    tally.step(page or "home")
    return run


async def _live_run(session: Session, index: int, tally: Tally) -> None:
    seeds, epochs = 1 + index % 5, 2 + index // 5
    page = await session.load(LIVE_PAGE, query=LIVE_QUERY)
    chosen = await session.load(LIVE_PAGE, _protocol_states(page, seeds, epochs, click=False),
                                query=LIVE_QUERY)
    started = time.monotonic()
    done = await session.load(LIVE_PAGE, _protocol_states(chosen, seeds, epochs, click=True),
                              query=LIVE_QUERY, timeout=LIVE_TIMEOUT)
    if not any(text.endswith(": done") for text in done.texts):
        raise RuntimeError(f"the live run did not finish: {done.texts[-3:]}")
    tally.live_seconds.append(time.monotonic() - started)
    tally.step("live run")
    tally.queued += any("queued" in text for text in done.texts)
    tally.errors.extend(done.errors)


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=PAGE_TIMEOUT) as reply:
        reply.read()


def bench_load(sessions: int = 20, live: bool = True,
               progress: Progress | None = None) -> dict:
    """Start a public-mode server, run ``sessions`` visitors at once, and report
    (``progress(done, total, label)`` after each page and live run)."""
    if sessions < 1:
        raise BenchError(f"--sessions must be at least 1, not {sessions}")
    try:
        import websockets  # noqa: F401 - a dependency of Streamlit's server
    except ImportError:
        raise BenchError("the websockets package is missing: run ./setup.sh") from None
    with tempfile.TemporaryDirectory(prefix="eqgnn-load-") as results:
        env = {**os.environ, "EQGNN_PUBLIC": "1", "EQGNN_STORE": results}
        try:
            server_context = streamlit_server(launcher="ui.serve", env=env)
            server = server_context.__enter__()
        except RuntimeError as exc:
            raise BenchError(str(exc).splitlines()[0]) from None
        try:
            return _measure(server, sessions, live, progress)
        finally:
            server_context.__exit__(None, None, None)


def _measure(server, sessions: int, live: bool, progress) -> dict:
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            samples.append((round(time.monotonic() - started, 1),
                            round(tree_rss_kib(server.process.pid) / 1024, 1)))
            stop.wait(SAMPLE_SECONDS)

    asyncio.run(_warm(server.url))
    warm_mb = tree_rss_kib(server.process.pid) / 1024
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tally = Tally(expected=sessions * (2 * len(PAGES) + live), progress=progress)

    async def everyone() -> None:
        await asyncio.gather(*(visit(server.url, i, tally, live) for i in range(sessions)))

    try:
        asyncio.run(everyone())
    finally:
        stop.set()
        sampler.join()
    times = sorted(tally.page_seconds)
    peak = max(mb for _, mb in samples) if samples else warm_mb
    return {
        "sessions": sessions,
        "pages": len(times),
        "errors": len(tally.errors),
        "error_messages": sorted(set(tally.errors))[:20],
        "p50_s": round(statistics.median(times), 2) if times else None,
        "p95_s": round(_percentile(times, 0.95), 2) if times else None,
        "max_s": round(times[-1], 2) if times else None,
        "live_runs": {"started": sessions if live else 0, "completed": len(tally.live_seconds),
                      "queued": tally.queued,
                      "p50_s": round(statistics.median(tally.live_seconds), 1)
                      if tally.live_seconds else None},
        "rss_mb": samples,
        "rss_warm_mb": round(warm_mb, 1),
        "rss_peak_mb": peak,
        "mb_per_session": round((peak - warm_mb) / sessions, 1),
        "wall_s": round(time.monotonic() - started, 1),
    }


async def _warm(url: str) -> None:
    """One visit of every page before the clock starts: the server's own first-use costs
    (imports, model builds) are not what K visitors at once measure."""
    async with Session(url) as session:
        for page in PAGES:
            await session.load(page)


def _percentile(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def format_table(result: dict) -> str:
    live = result["live_runs"]
    rss = [mb for _, mb in result["rss_mb"]]
    lines = [
        f"{result['sessions']} sessions at once: {result['pages']} pages served, "
        f"{result['errors']} errors, {result['wall_s']} s in all",
        f"time to a settled page: p50 {result['p50_s']} s, p95 {result['p95_s']} s, "
        f"max {result['max_s']} s (goal: p95 < 15 s)",
        f"live runs: {live['completed']} of {live['started']} completed, {live['queued']} "
        f"queued first, p50 {live['p50_s']} s from click to result",
        f"server + workers RSS MiB: {result['rss_warm_mb']} warm, peak "
        f"{result['rss_peak_mb']}, {result['mb_per_session']} per session; last "
        f"{rss[-1] if rss else '-'}",
    ]
    lines += [f"  error: {text}" for text in result["error_messages"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eqgnn bench load",
        description="K concurrent sessions against a public-mode server: every page and a "
                    "live run each; pages served, p50/p95 time to a settled page, errors, "
                    "live runs, server memory over time.")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent visitors")
    parser.add_argument("--no-live", action="store_true", help="visit pages only")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    args = parser.parse_args(argv)
    return run_bench("load", "page",
                     lambda progress: bench_load(args.sessions, not args.no_live, progress),
                     format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
