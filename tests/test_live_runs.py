"""A visitor chooses a model on Gallery, Explorer or Depth and trains it live on the pair on
screen: the run queues when the server is busy, shows its progress, can be cancelled (which
frees its slot), and its result appears in the same page session, like a shipped one.

Jobs run in this process (``$EQGNN_RUNNER=inprocess``) with tiny settings, through a gate
of one slot; ``ui.live.FOLLOW_SECONDS`` lets a page run end while its job is still queued
or running, so the test can read what the page showed meanwhile.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import pytest

from eqgnn import jobs, reports
from eqgnn import live as live_runs
from eqgnn.cli import build_parser
from eqgnn.cli._common import model_config, pair_spec
from eqgnn.cli.cmd_distinguish import protocol_options
from eqgnn.config import config_from_options
from eqgnn.io import load_structure
from eqgnn.live import _gate, _jobs
from eqgnn.specs import distinguish_spec
from tests.apptest import open_page
from ui import live, model_form

PAGES = {"gallery": ("gallery", "gallery-run"), "explorer": ("explorer", "explorer-run")}
"""page -> (its model form's key, its run button)."""


@pytest.fixture
def one_slot(private_store, monkeypatch) -> live_runs.JobGate:
    """A server with one live slot, jobs run in this process, nothing shared with other tests."""
    monkeypatch.setenv(jobs.RUNNER_ENV, "inprocess")
    monkeypatch.setattr(_gate, "_GATE", live_runs.JobGate(1))
    monkeypatch.setattr(_jobs, "_JOBS", OrderedDict())
    live.store.clear()  # the cached store points at the previous test's folder
    yield live_runs.gate()
    for job in list(_jobs._JOBS.values()):
        job.join(30)
    live.store.clear()


def slow_runner(spec, progress=None, cancel=None):
    """A job that reports progress for a long while and stops only when cancelled."""
    for step in range(400):
        if cancel is not None and cancel():
            raise jobs.Cancelled(f"cancelled at step {step}")
        if progress is not None:
            progress(step, 400, f"epoch {step} of 400")
        time.sleep(0.05)
    raise AssertionError("the test cancels this job long before it ends")


def choose_tiny_model(at, key: str, hops: int = 2):
    """A 1-layer k-hop model, 2 seeds, 3 epochs: seconds to train."""
    at.radio(key=f"{key}-mode").set_value("options").run()
    at.selectbox(key=f"{key}-model").set_value("khop")
    at.slider(key=f"{key}-hops").set_value(hops)
    at.slider(key=f"{key}-layers").set_value(1)
    at.number_input(key=f"{key}-seeds").set_value(2)
    at.number_input(key=f"{key}-epochs").set_value(3)
    return at.run()


def verdict_lines(at) -> list[str]:
    """The run's verdict headings (a page's other headings, e.g. the gallery's, aside)."""
    return [m.value for m in at.markdown if m.value.startswith("### ") and "accuracy" in m.value]


def status_label(at) -> str:
    return " | ".join(box.label for box in at.status)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_live_run_queues_when_busy_shows_progress_and_cancel_frees_its_slot(
        page, one_slot, monkeypatch):
    key, button = PAGES[page]
    monkeypatch.setattr(live, "FOLLOW_SECONDS", 0.6)
    monkeypatch.setattr(_jobs, "live_runner", lambda: slow_runner)  # what a new live job runs on
    held = one_slot.enter()  # another visitor's run holds the only slot
    at = choose_tiny_model(open_page(page), key)
    at.button(key=button).click().run()
    assert not at.exception
    assert "queued: position 1" in status_label(at)
    assert at.get("progress")[0].value == 0
    one_slot.leave(held)
    for _ in range(20):  # each run of the page follows the job a little further
        at.run()
        if "running" in status_label(at) and at.get("progress")[-1].value > 0:
            break
    assert "running" in status_label(at) and at.get("progress")[-1].value > 0
    assert one_slot.running == 1
    at.button(key=f"live-cancel:{key}").click().run()
    assert "cancelled" in status_label(at)
    (job,) = _jobs._JOBS.values()
    job.join(10)
    assert job.state == live_runs.CANCELLED and one_slot.running == 0


@pytest.mark.parametrize("page", list(PAGES))
def test_a_finished_live_run_shows_its_verdict_and_command_without_a_reload(page, one_slot):
    key, button = PAGES[page]
    at = choose_tiny_model(open_page(page), key)
    assert not verdict_lines(at)
    at.button(key=button).click().run()
    assert not at.exception and not at.error
    verdicts = verdict_lines(at)
    assert len(verdicts) == 1
    commands = [c.value for c in at.caption if "python -m eqgnn distinguish" in c.value]
    assert commands and "--model khop --hops 2 --body-order 3 --layers 1" in commands[0]
    assert "--seeds 2 --epochs 3 --json" in commands[0]
    at.run()  # now from the store: shown at once, no button to press
    assert not at.exception and button not in [b.key for b in at.button]
    assert verdict_lines(at) == verdicts


def test_a_blind_model_says_it_was_not_trained_and_the_curves_come_on_demand(one_slot):
    at = choose_tiny_model(open_page("gallery"), "gallery", hops=1)  # 1 hop: blind to torsion
    at.button(key="gallery-run").click().run()
    assert not at.exception
    assert any("Not trained (blind from the untrained gap)" in c.value for c in at.caption)
    at = choose_tiny_model(open_page("gallery"), "gallery", hops=2)
    at.button(key="gallery-run").click().run()
    charts = len(at.get("plotly_chart"))
    at.toggle(key="gallery-show-curves").set_value(True).run()
    assert not at.exception and len(at.get("plotly_chart")) == charts + 1


def test_depth_starts_the_missing_cells_of_a_family_live(one_slot, monkeypatch):
    monkeypatch.setattr(live, "FOLLOW_SECONDS", 0.6)
    monkeypatch.setattr(_jobs, "live_runner", lambda: slow_runner)  # what a new live job runs on
    at = open_page("depth", case="kchain-4")  # ships khop and equivariant: add a family
    at.multiselect(key="families").select("correlation").run()
    at.button(key="run-correlation").click().run()
    assert not at.exception
    assert "correlation cells of kchain-4: running" in status_label(at)
    assert len(at.get("progress")) == 2  # the cells overall, and this cell
    at.button(key="live-cancel:depth-correlation").click().run()
    (job,) = _jobs._JOBS.values()
    job.join(10)
    assert job.state == live_runs.CANCELLED and one_slot.running == 0


def test_the_command_beside_a_live_result_builds_the_same_spec(tmp_path, butane):
    config = config_from_options(model="equivariant", lmax=1, correlation=2, layers=2,
                                 group="SO3")
    case_spec = distinguish_spec({"case": "star-3"}, config, seeds=2, epochs=5)
    turned = reports.turn(butane, reports.default_bond(butane), 120)
    twist_spec = reports.twist_pair_spec(butane, reports.default_bond(butane), 120,
                                         "radius:5.0", config_from_options("schnet"), seeds=3)
    assert twist_spec["pair"]["b"] == turned.to_json()
    for side, structure in (("A", butane), ("B", turned)):
        (tmp_path / f"{side}.json").write_text(__import__("json").dumps(structure.to_json()))
    assert load_structure(str(tmp_path / "A.json")).to_json() == butane.to_json()
    for spec in (case_spec, twist_spec):
        line = model_form.command(spec).replace("A.json", str(tmp_path / "A.json"))
        line = line.replace("B.json", str(tmp_path / "B.json"))
        args = build_parser().parse_args(line.split()[3:])
        assert args.json
        again = distinguish_spec(pair_spec(args), model_config(args),
                                 case_readout=args.readout is None, **protocol_options(args))
        assert again == spec
