"""``bench dashboard``: how fast and how lean the dashboard is in a real browser.

The dashboard's promise is that a gallery case drawn from precomputed results
appears at once (goal: under a second, warm) and that a long session does not
grow the server without bound (its caches are bounded). Both are properties of
the whole stack (Streamlit server, websocket, React front end, 3Dmol.js in an
iframe), so they are measured the way a user meets them: a real ``streamlit
run`` server and headless Chromium driven by Playwright.

The server start and the page checks live here, not in the tests, so that the
browser test (``tests/browser.py``) and this benchmark drive the dashboard with
one piece of code. Playwright is imported only inside the functions that need
it: it is a test tool (``requirements-dev.txt``), not a runtime requirement.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from eqgnn.errors import InputError

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        Request,
        Route,
        WebSocketRoute,
    )

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "app.py"
CHROMIUM = Path(os.environ.get("EQGNN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
"""Flags that keep Chromium quiet on a closed network (no background connections)."""
INSTALL_HINT = (
    "driving the dashboard in a browser needs Playwright and Debian's chromium: "
    "run ./setup.sh --dev and apt-get install chromium"
)
HEALTH_TIMEOUT = 120.0  # seconds; the first start imports Streamlit and the app on a busy machine
PAGE_TIMEOUT_MS = 60_000  # a cold page may compute (torch import, oracle) before it draws
MIN_DRAWN_PIXELS = 200  # a drawn molecule covers thousands; an empty canvas has 0
POLL_MS = 50  # how often a canvas is read while waiting for it (a read takes a few ms)
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, every request fails
VIEWPORT_WIDTH, VIEWPORT_HEIGHT = 1280, 900  # a laptop screen; wide enough for side-by-side views
GALLERY_CASE_PATH = "/gallery?case=butane-torsion"
GALLERY_VIEWS = 2  # the case's two structures, side by side

# Streamlit 1.67's test ids: the root carries the script state; error boxes and tracebacks.
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ERROR_BOXES = '[data-testid="stException"], [data-testid="stAlertContentError"]'
NAV_LINKS = ", ".join(f'a[data-testid="{t}"]' for t in (
    "stSidebarNavLink", "stTopNavLink", "stTopNavDropdownLink"))
LOADING_ELEMENT = '[data-testid="stElementContainer"] [data-testid="stSkeleton"]'
TABLES = '[data-testid="stDataFrame"], [data-testid="stTable"]'
# The 3D frames: 3Dmol.js HTML in an st.iframe, a row of ``data-views`` structures in one
# canvas, or (without 3Dmol.js) a plotly WebGL scene of one structure.
VIEWS_3D = 'iframe[srcdoc*="3Dmol"], .js-plotly-plot:has(.gl-container canvas)'

# WebGL canvases are read by copying them onto a 2D canvas, which shows the picture only
# if the context keeps its drawing buffer. 3Dmol.js asks for that; plotly does not, so
# every WebGL context in the browser is made to (it costs speed, not correctness).
_PRESERVE_WEBGL_JS = """(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attributes) {
    if (/webgl/.test(type)) attributes = {...attributes, preserveDrawingBuffer: true};
    return getContext.call(this, type, attributes);
  };
})();"""
# How many structures a frame drew: its canvas is cut into as many equal columns as the
# frame's ``data-views`` says (1 when absent), and a column counts when at least ``min``
# of its pixels are unlike the canvas's top-left one (the background). A blank or failed
# WebGL view has none.
_DRAWN_JS = """([root, min]) => {
  root = root || document;
  const holder = root.querySelector("[data-views]");
  const columns = holder ? Number(holder.dataset.views) : 1;
  let best = 0;
  for (const canvas of root.querySelectorAll("canvas")) {
    if (!canvas.width || !canvas.height) continue;
    const copy = document.createElement("canvas");
    copy.width = canvas.width; copy.height = canvas.height;
    const ctx = copy.getContext("2d");
    ctx.drawImage(canvas, 0, 0);
    const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
    const drawn = new Array(columns).fill(0);
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) {
        drawn[Math.floor(((i / 4) % copy.width) * columns / copy.width)]++;
      }
    }
    if (drawn.every((n) => n >= min)) best = Math.max(best, columns);
  }
  return best;
}"""


# The moment (performance.now(), ms) a gallery view is complete, read by the page itself
# at each animation frame: the script run has ended, a verdict table is visible and the 3D
# frames hold ``structures`` drawn structures (a 3Dmol frame's own mark, a plotly scene's
# pixels); false until then. Timing with one in-page check, not a chain of Playwright
# waits, keeps their round trips out of the figure.
_GALLERY_DRAWN_JS = f"""([structures, min]) => {{
  const countDrawn = {_DRAWN_JS};
  if (!document.querySelector({json.dumps(SCRIPT_DONE)})) return false;
  const tables = Array.from(document.querySelectorAll({json.dumps(TABLES)}));
  if (!tables.some((table) => table.checkVisibility())) return false;
  let drawn = 0;
  for (const view of document.querySelectorAll({json.dumps(VIEWS_3D)})) {{
    const holder = view.contentDocument && view.contentDocument.querySelector("[data-views]");
    drawn += holder ? Number(holder.dataset.drawn || 0) : countDrawn([view, min]);
  }}
  return drawn >= structures && performance.now();
}}"""


def playwright_missing() -> str | None:
    """Why the browser cannot be driven here (one line), or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"Playwright is not installed: {INSTALL_HINT}"
    if not CHROMIUM.is_file() and shutil.which(str(CHROMIUM)) is None:
        return f"{CHROMIUM} not found: {INSTALL_HINT}"
    return None


def free_port() -> int:
    """A local TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB, from ``/proc`` (no psutil needed)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid} (has it exited?)")


@dataclass
class Server:
    """A running ``streamlit run app.py`` on 127.0.0.1; see :func:`streamlit_server`."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        return rss_kib(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def streamlit_server(app: Path = APP, timeout: float = HEALTH_TIMEOUT) -> Iterator[Server]:
    """Start the dashboard headless on a free local port; stop it on exit.

    Waits for ``/_stcore/health`` to answer "ok" (a bounded poll of the HTTP
    endpoint: the server has no other ready signal). The file watcher is off:
    nothing is edited while it runs, and watching the tree costs a core.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="eqgnn-streamlit-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(app),
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false"],
                cwd=app.parent, stdout=out, stderr=subprocess.STDOUT,
            )
        server = Server(process, port, log)
        try:
            _wait_healthy(server, timeout)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited ({server.process.returncode}):\n"
                               f"{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{server.log_tail()}")


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright (never a downloaded browser).

    Playwright gives every launch a fresh temporary profile (``--user-data-dir``).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class OfflineContext:
    """A browser context that lets requests reach only the app server.

    Every other request fails and its URL is kept in ``blocked``: the
    dashboard must work with no internet (no CDN fonts, scripts or telemetry).
    """

    context: BrowserContext
    blocked: list[str] = field(default_factory=list)


def offline_context(browser: Browser, server: Server, intercept: bool = True) -> OfflineContext:
    """A new context whose traffic is confined to ``server``, in one of two ways.

    ``intercept=True`` (the test): every request and every foreign websocket
    passes a Playwright route, which aborts and records what is not for the
    server. Exact, but Playwright turns the HTTP cache off while routing, so
    every visit fetches and compiles all of Streamlit's scripts again.
    ``intercept=False`` (timings): the cache stays on, as in a user's browser;
    requests go to a proxy on which nothing listens, which only loopback
    bypasses, so foreign ones fail in the network stack; the ``request``
    event records them.
    """
    proxy = None if intercept else {"server": DEAD_PROXY, "bypass": "127.0.0.1,localhost"}
    context = browser.new_context(viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT},
                                  service_workers="block", proxy=proxy)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.add_init_script(_PRESERVE_WEBGL_JS)
    result = OfflineContext(context)

    def to_server(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return parts.hostname in ("127.0.0.1", "localhost") and parts.port == server.port

    def http(route: Route) -> None:
        if to_server(route.request.url):
            route.continue_()
        else:
            result.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def websocket(ws: WebSocketRoute) -> None:
        result.blocked.append(ws.url)
        ws.close()

    def seen(request: Request) -> None:
        if not to_server(request.url):
            result.blocked.append(request.url)

    if intercept:
        context.route("**/*", http)
        # only foreign websockets are routed: Streamlit's own stream goes straight through
        context.route_web_socket(lambda url: not to_server(url), websocket)
    else:
        context.on("request", seen)
    return result


def open_page(page: Page, url: str) -> int:
    """Go to ``url``, wait for the script run to end and every 3D view to be drawn.

    The views are counted once no element is still a skeleton (each element
    kind is a lazily loaded script chunk, shown as a skeleton until it
    arrives). Returns the number of structures drawn.
    """
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE, state="attached")
    page.wait_for_selector(LOADING_ELEMENT, state="detached")
    return sum(wait_drawn(view) for view in page.locator(VIEWS_3D).all())


def wait_drawn(view: Locator) -> int:
    """Wait until one 3D frame shows its molecules; how many structures it drew.

    A frame of 3Dmol.js views draws in a canvas inside its iframe, read in that
    frame, and counts only when every one of its views has drawn; a plotly
    scene's canvas is in the page itself.
    """
    handle = view.element_handle()
    frame = handle.content_frame()
    if frame is not None:
        return frame.wait_for_function(_DRAWN_JS, arg=[None, MIN_DRAWN_PIXELS],
                                       polling=POLL_MS).json_value()
    return view.page.wait_for_function(_DRAWN_JS, arg=[handle, MIN_DRAWN_PIXELS],
                                       polling=POLL_MS).json_value()


def served_pages(page: Page, server: Server) -> list[str]:
    """The URL paths of the pages the running app offers, read off its navigation.

    Asking the app itself (not parsing ``app.py``) finds exactly the pages a
    user can reach, however ``app.py`` declares them.
    """
    open_page(page, server.url + "/")
    links = page.locator(NAV_LINKS)
    links.first.wait_for(state="attached")
    hrefs = links.evaluate_all("(links) => links.map((a) => a.href)")
    return [urlsplit(href).path or "/" for href in hrefs]


def error_texts(page: Page) -> list[str]:
    """The text of every Streamlit error box and traceback on the page."""
    return [t.strip() for t in page.locator(ERROR_BOXES).all_inner_texts()]


def bench_dashboard(
    runs: int = 7, rounds: int = 20, progress: Callable[[int, int, str], None] | None = None,
) -> dict:
    """Warm gallery load time (median of ``runs``) and server RSS over ``rounds`` of all pages.

    (a) Navigation start to the verdict table and every 3D view of
    ``/gallery?case=butane-torsion`` drawn, after one untimed warm-up visit.
    (b) The server's VmRSS after each round of visiting every page once:
    the series should level off once the caches are full.
    """
    if runs < 1 or rounds < 1:
        raise InputError(f"--runs and --rounds must be at least 1, not {runs} and {rounds}")
    reason = playwright_missing()
    if reason:
        raise InputError(reason)
    total = runs + 1 + rounds
    with streamlit_server() as server, chromium() as browser:
        offline = offline_context(browser, server, intercept=False)
        page = offline.context.new_page()
        pages = served_pages(page, server)
        if "/gallery" not in pages:
            raise InputError(f"the dashboard has no /gallery page to time (it has {pages})")
        rss_start = server.rss_kib()
        times: list[float] = []
        for i in range(runs + 1):
            page.goto(server.url + GALLERY_CASE_PATH)
            # the browser's clock starts at navigation start of this document
            drawn_at = page.wait_for_function(
                _GALLERY_DRAWN_JS, arg=[GALLERY_VIEWS, MIN_DRAWN_PIXELS], polling="raf",
            ).json_value()
            if errors := error_texts(page):
                raise RuntimeError(f"the gallery shows errors, nothing to time: {errors}")
            # the frames' marks are checked against their pixels, outside the timing
            drawn = sum(wait_drawn(view) for view in page.locator(VIEWS_3D).all())
            if drawn < GALLERY_VIEWS:
                raise RuntimeError(f"the gallery drew {drawn} of {GALLERY_VIEWS} structures")
            if i:  # the first visit warms the server's caches and the browser's
                times.append(drawn_at / 1000)
            if progress:
                progress(i + 1, total, "gallery")
        rss = []
        for r in range(rounds):
            for path in pages:
                open_page(page, server.url + path)
            rss.append(server.rss_kib())
            if progress:
                progress(runs + 2 + r, total, f"round {r + 1}")
        offline.context.close()
    return {
        "gallery_path": GALLERY_CASE_PATH,
        "gallery_seconds": times,
        "gallery_median_seconds": statistics.median(times),
        "pages": pages,
        "rss_start_kib": rss_start,
        "rss_kib_per_round": rss,
        "blocked_requests": offline.blocked,
    }


def format_table(result: dict) -> str:
    """The bench as text: the gallery times, then the RSS series in MiB and its late growth."""
    times = ", ".join(f"{t:.2f}" for t in result["gallery_seconds"])
    rss = [k / 1024 for k in result["rss_kib_per_round"]]
    half = len(rss) // 2
    lines = [
        f"gallery {result['gallery_path']}: median {result['gallery_median_seconds']:.2f} s "
        f"warm (goal < 1 s) over [{times}]",
        f"server RSS MiB: {result['rss_start_kib'] / 1024:.0f} at start, after each round of "
        f"{len(result['pages'])} pages: {' '.join(f'{r:.0f}' for r in rss)}",
        f"growth over the last {len(rss) - half} rounds: {rss[-1] - rss[half]:+.1f} MiB "
        "(goal: flat once the caches are full)",
    ]
    blocked = Counter(result["blocked_requests"])
    lines += [f"blocked external request: {url} (x{n})" for url, n in blocked.items()]
    return "\n".join(lines)
