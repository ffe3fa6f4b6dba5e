"""The gallery and depth pages draw a case's theory and stored model verdicts from the
URL, without training; the library behind them answers the same questions headless;
live runs share the machine through one first-come queue with a limit."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from eqgnn import live
from eqgnn.gallery import load_case
from eqgnn.store import ResultStore
from eqgnn.views import depth, gallery

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    """Pages read an empty writable store beside the shipped results; nothing is written."""
    monkeypatch.setenv("EQGNN_RESULTS", str(tmp_path / "results"))


def page(name: str, **params: str) -> AppTest:
    """``/NAME?key=value...`` opened and run once."""
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def test_gallery_defaults_show_verdicts_models_and_both_structures():
    at = page("gallery")
    assert not at.exception and not at.error
    assert at.query_params == {"case": "butane-torsion", "atom": "0", "hops": "1"}
    oracle, models = at.dataframe[1].value, at.dataframe[2].value
    assert oracle["hops"].iloc[0] == "1" and oracle["body full, O3"].iloc[0] == "same"
    assert set(models["family"]) == {"khop", "equivariant", "dimenet"}
    frames = [frame.proto.srcdoc for frame in at.get("iframe")]
    drawn = sum(int(re.search(r'data-views="(\d+)"', f).group(1)) for f in frames)
    assert drawn + len(at.get("plotly_chart")) == 2  # A and B


def test_gallery_draws_the_training_curves_on_demand():
    at = page("gallery")
    charts = len(at.get("plotly_chart"))
    at.toggle(key="show-curves").set_value(True).run()
    assert not at.exception and len(at.get("plotly_chart")) == charts + 1


def test_gallery_link_to_a_kchain_atom_and_hops_highlights_the_witness_partner():
    at = page("gallery", case="kchain-4", atom="2", hops="2")
    assert not at.exception and not at.error
    assert at.selectbox(key="case").value == "kchain-4"
    assert at.selectbox(key="atom").value == 2 and at.slider(key="hops").value == 2
    assert any("corresponds to atom" in m.value for m in at.markdown)
    at.slider(key="hops").set_value(3).run()
    assert not at.exception and at.query_params["hops"] == "3"


def test_gallery_bad_link_falls_back_to_defaults():
    at = page("gallery", case="no-such-case", atom="junk", hops="99")
    assert not at.exception and not at.error
    assert at.query_params == {"case": "butane-torsion", "atom": "0", "hops": "6"}


def test_depth_page_draws_a_heatmap_per_family_with_downloads():
    at = page("depth", case="kchain-4")
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2  # khop and equivariant
    assert len(at.get("download_button")) == 4  # JSON and CSV each
    at = page("depth", case="star-5")
    assert not at.exception and len(at.get("plotly_chart")) == 1


def test_oracle_table_says_two_hops_of_body_order_three_see_the_butane_twist():
    table = gallery.oracle_verdicts(load_case("butane-torsion"))["table"]
    assert table[0]["body 3, O3"] == "same" and table[1]["body 3, O3"] == "differ"
    assert table[-1] == {"hops": "fewest hops", "body 2, O3": "3", "body 2, SO3": "3",
                         "body 3, O3": "2", "body 3, SO3": "2", "body full, O3": "2",
                         "body full, SO3": "2"}


def test_model_verdicts_mark_what_the_store_lacks_as_not_computed(tmp_path):
    rows = gallery.model_verdicts(load_case("control"), ResultStore(tmp_path, shipped=None))
    assert rows and {r["verdict"] for r in rows} == {gallery.NOT_COMPUTED}
    assert rows[0]["run"] == "preset schnet" and rows[0]["accuracy"] is None


def test_witness_partner_has_a_congruent_neighbourhood_of_the_same_size():
    case = load_case("control")  # B is A permuted: the witness is not the identity
    matched = gallery.matched_neighbourhoods(case, 1, 1)
    assert matched["matched_by"] == "witness"
    assert case.a.symbols[1] == case.b.symbols[matched["atom_b"]]
    assert len(matched["hood_a"]) == len(matched["hood_b"])


def test_depth_bounds_put_the_gwl_bound_of_a_4_chain_at_3_layers():
    case = load_case("kchain-4")
    assert depth.depth_bounds(case, "equivariant")["panels"] == {1: 3, 2: 3}
    assert depth.depth_bounds(case, "khop")["panels"] == {2: 5, 3: 3}
    table = depth.depth_table(case, "khop", ResultStore(Path("/nonexistent"), shipped=None))
    assert table["missing"] == 32 and depth.depth_csv(table).count("\n") == 1


def test_gate_admits_first_come_first_served_and_reports_positions():
    gate = live.JobGate(1)
    first, second, third = gate.enter(), gate.enter(), gate.enter()
    assert [gate.position(t) for t in (first, second, third)] == [0, 1, 2]
    gate.leave(second)  # gave up while waiting
    assert gate.position(third) == 1
    gate.leave(first)
    assert gate.wait(third, timeout=1) and gate.position(third) == 0


def test_gate_never_runs_more_than_its_limit_at_once():
    gate, lock = live.JobGate(2), threading.Lock()
    running, peak = 0, 0

    def work() -> None:
        nonlocal running, peak
        ticket = gate.enter()
        gate.wait(ticket)
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        gate.leave(ticket)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert peak == 2 and gate.running == 0 and gate.waiting == 0


def _slow_job(spec: dict, progress=None, cancel=None) -> dict:
    """A stand-in for training: reports progress until done or cancelled."""
    from eqgnn.jobs import Cancelled

    for step in range(spec["steps"]):
        if cancel is not None and cancel():
            raise Cancelled("stopped")
        if progress is not None:
            progress(step + 1, spec["steps"], f"step {step + 1}")
        time.sleep(0.01)
    return {"steps": spec["steps"]}


def test_live_jobs_queue_share_one_run_and_cancel_when_no_one_follows(tmp_path):
    gate, store = live.JobGate(1), ResultStore(tmp_path, shipped=None)
    busy = live.start_job({"kind": "test", "steps": 30}, "alice", store, _slow_job, gate)
    queued = live.start_job({"kind": "test", "steps": 500}, "bob", store, _slow_job, gate)
    same = live.start_job({"kind": "test", "steps": 500}, "carol", store, _slow_job, gate)
    assert same is queued and queued.position() == 1
    busy.join(5)
    assert busy.state == live.DONE and busy.result == {"steps": 30}
    assert store.get({"kind": "test", "steps": 30}) == {"steps": 30}
    queued.unsubscribe("bob")
    assert not queued.cancelling  # carol still follows it
    queued.unsubscribe("carol")
    queued.join(5)
    assert queued.state == live.CANCELLED and gate.running == 0


def test_live_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(live.LIVE_JOBS_ENV, "3")
    assert live.default_limit() == 3
    monkeypatch.setenv(live.LIVE_JOBS_ENV, "none")
    with pytest.raises(ValueError, match="EQGNN_LIVE_JOBS"):
        live.default_limit()
