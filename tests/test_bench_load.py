"""``eqgnn bench load``: K visitors at once over Streamlit's own websocket protocol, each
page's script run on the server as a browser would have it run, and one live run each."""

from __future__ import annotations

import pytest

from eqgnn.cli import main
from tools.bench_load import PAGES, bench_load


@pytest.mark.slow  # tens of seconds on two cores: the default run stays under 10 minutes
def test_two_sessions_visit_every_page_twice_and_finish_their_live_runs():
    result = bench_load(sessions=2)
    assert result["errors"] == 0, result["error_messages"]
    assert result["pages"] == 2 * 2 * len(PAGES)  # every page before and after the live run
    assert result["live_runs"]["completed"] == 2
    assert 0 < result["p50_s"] <= result["p95_s"] <= result["max_s"]
    times = [t for t, _ in result["rss_mb"]]
    assert times == sorted(times) and all(mb > 0 for _, mb in result["rss_mb"])


def test_a_bad_session_count_is_one_line_and_exit_2(capfd):
    assert main(["bench", "load", "--sessions", "0", "--json"]) == 2
    err = capfd.readouterr().err.strip()
    assert err == "error: --sessions must be at least 1, not 0"
