"""``eqgnn bench dashboard``: how fast and how lean the dashboard is in a real browser.

The dashboard's promise is that a gallery case drawn from precomputed results
appears at once (goal: under a second, warm) and that a long session does not
grow the server without bound (its caches are bounded). Both are measured the
way a user meets them, through :mod:`tools.dashboard_harness`: a real
``streamlit run`` server and headless Chromium driven by Playwright.

It needs the checkout (``app.py``, ``ui/``, ``app_pages/``) and the dev tools
(``./setup.sh --dev``), so it lives here rather than in the installed
library. Run it from the checkout as ``python -m eqgnn bench dashboard``
(which starts this script), ``python tools/bench_dashboard.py`` or
``python -m tools.bench_dashboard``. A problem (no Playwright, no chromium,
bad arguments) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the checkout root makes tools and eqgnn importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eqgnn.progress import Progress  # noqa: E402
from tools.bench_cli import BenchError, run_bench  # noqa: E402
from tools.dashboard_harness import (  # noqa: E402
    DRAWN_JS,
    GALLERY_CASE_PATH,
    GALLERY_VIEWS,
    MIN_DRAWN_PIXELS,
    SCRIPT_DONE,
    TABLES,
    VIEWS_3D,
    chromium,
    error_texts,
    offline_context,
    open_page,
    playwright_missing,
    served_pages,
    streamlit_server,
    wait_drawn,
)

# The moment (performance.now(), ms) a gallery view is complete, read by the page itself
# at each animation frame: the script run has ended, a verdict table is visible and the 3D
# frames hold ``structures`` drawn structures (a 3Dmol frame's own mark, a plotly scene's
# pixels); false until then. Timing with one in-page check, not a chain of Playwright
# waits, keeps their round trips out of the figure.
_GALLERY_DRAWN_JS = f"""([structures, min]) => {{
  const countDrawn = {DRAWN_JS};
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


def bench_dashboard(
    runs: int = 7, rounds: int = 20, progress: Progress | None = None,
) -> dict:
    """Warm gallery load time (median of ``runs``) and server RSS over ``rounds`` of all pages.

    (a) Navigation start to the verdict table and every 3D view of
    ``/gallery?case=butane-torsion`` drawn, after one untimed warm-up visit.
    (b) The server's VmRSS after each round of visiting every page once:
    the series should level off once the caches are full.
    """
    if runs < 1 or rounds < 1:
        raise BenchError(f"--runs and --rounds must be at least 1, not {runs} and {rounds}")
    reason = playwright_missing()
    if reason:
        raise BenchError(reason)
    total = runs + 1 + rounds
    with streamlit_server() as server, chromium() as browser:
        offline = offline_context(browser, server, intercept=False)
        page = offline.context.new_page()
        pages = served_pages(page, server)
        if "/gallery" not in pages:
            raise BenchError(f"the dashboard has no /gallery page to time (it has {pages})")
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print its table (or JSON with ``--json``); 2 on a problem."""
    parser = argparse.ArgumentParser(
        prog="eqgnn bench dashboard",
        description="In headless Chromium: warm gallery load time, server RSS over visits.",
    )
    parser.add_argument("--runs", type=int, default=7,
                        help="timed gallery loads; the median is shown")
    parser.add_argument("--rounds", type=int, default=20,
                        help="visits of every page, RSS after each")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    args = parser.parse_args(argv)
    return run_bench("dashboard", "step",
                     lambda progress: bench_dashboard(args.runs, args.rounds, progress),
                     format_table, args.json)


if __name__ == "__main__":
    sys.exit(main())
