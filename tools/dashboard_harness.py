"""Driving the dashboard in a real browser: a ``streamlit run`` server and headless Chromium.

The dashboard's properties that matter to a user (every page draws, its 3D
views show molecules, nothing leaves the machine, a gallery case appears at
once) belong to the whole stack: Streamlit server, websocket, React front end,
3Dmol.js in an iframe. So they are checked the way a user meets them: a real
``streamlit run app.py`` on 127.0.0.1 and Debian's Chromium under Playwright.

The server start, the offline guard and the "3D view drawn" wait live here,
in the checkout's ``tools/`` (not in the ``eqgnn`` library, which never
imports a browser), so that the browser test (``tests/browser.py``) and the
benchmark (``tools/bench_dashboard.py``) drive the dashboard with one piece of
code. Playwright is imported only inside the functions that need it: it is a
test tool (``requirements-dev.txt``), not a runtime requirement.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

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
"""The checkout this harness sits in (``tools/..``): it serves that checkout's ``app.py``."""
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
DRAWN_JS = """([root, min]) => {
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


def tree_rss_kib(pid: int) -> int:
    """Memory of a process and all its descendants (a server and its workers) in KiB.

    Each process's proportional set size (``Pss`` of ``/proc/PID/smaps_rollup``):
    forked workers share the server's pages, and summing their plain RSS would
    count those pages once per worker.
    """
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process exited meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in rollup.splitlines()
                     if line.startswith("Pss:"))
    return total


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
def streamlit_server(app: Path = APP, timeout: float = HEALTH_TIMEOUT,
                     launcher: str | None = None,
                     env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start the dashboard headless on a free local port; stop it on exit.

    ``streamlit run app.py``, or with ``launcher="ui.serve"`` the deployment's
    launcher (which warms the server first), under ``env`` (default: this
    process's). Waits for ``/_stcore/health`` to answer "ok" (a bounded poll of
    the HTTP endpoint: the server has no other ready signal). The file watcher
    is off: nothing is edited while it runs, and watching the tree costs a core.
    """
    port = free_port()
    start = ["-m", launcher] if launcher else ["-m", "streamlit", "run", str(app)]
    with tempfile.TemporaryDirectory(prefix="eqgnn-streamlit-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, *start,
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--server.headless", "true", "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false"],
                cwd=app.parent, stdout=out, stderr=subprocess.STDOUT, env=env,
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
        return frame.wait_for_function(DRAWN_JS, arg=[None, MIN_DRAWN_PIXELS],
                                       polling=POLL_MS).json_value()
    return view.page.wait_for_function(DRAWN_JS, arg=[handle, MIN_DRAWN_PIXELS],
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
