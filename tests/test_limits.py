"""A server's caps: the open and the public mode, one override each, and every place a cap
bites (structures, uploads, the protocol, a run's wall time, runs per visitor, grid cells)
answering with one plain sentence instead of stalling the machine."""

from __future__ import annotations

import json
import os
import time
from collections import OrderedDict

import pytest
from streamlit.testing.v1 import AppTest

from eqgnn import live as live_runs
from eqgnn.cli import main
from eqgnn.errors import InputError
from eqgnn.io import load_upload
from eqgnn.limits import limits, open_limits, public_limits
from eqgnn.live import _gate, _jobs
from eqgnn.store import ResultStore
from eqgnn.structure import make_structure
from tests.apptest import open_page
from tests.fake_jobs import stepping_job
from ui import live

WATER = b"3\nwater\nO 0 0 0.119\nH 0 0.763 -0.477\nH 0 -0.763 -0.477\n"


@pytest.fixture
def public(monkeypatch):
    """The public mode, with no override left over from the environment."""
    for name in list(os.environ):
        if name.startswith("EQGNN_MAX_") or name == "EQGNN_LIVE_JOBS":
            monkeypatch.delenv(name)
    monkeypatch.setenv("EQGNN_PUBLIC", "1")


@pytest.fixture
def fresh_registry(monkeypatch):
    """No live job shared with other tests."""
    monkeypatch.setattr(_jobs, "_JOBS", OrderedDict())
    yield
    for job in list(_jobs._JOBS.values()):
        job.join(10)


def test_public_mode_is_stricter_than_the_open_one_on_every_cap(monkeypatch):
    monkeypatch.delenv("EQGNN_PUBLIC", raising=False)
    assert limits().upload_mb == open_limits().upload_mb
    strict, open_ = public_limits(), open_limits()
    for cap in ("atoms", "upload_mb", "seeds", "epochs", "hops", "layers", "lmax",
                "heavy_jobs"):
        assert getattr(strict, cap) <= getattr(open_, cap), cap
    for cap in ("grid_cells", "run_seconds", "runs_per_visitor"):  # 0: no cap, open only
        assert getattr(open_, cap) == 0 < getattr(strict, cap), cap


def test_one_variable_overrides_one_cap_and_a_bad_value_is_named(public, monkeypatch):
    monkeypatch.setenv("EQGNN_MAX_EPOCHS", "7")
    caps = limits()
    assert caps.epochs == 7 and caps.seeds == public_limits().seeds
    monkeypatch.setenv("EQGNN_MAX_RUN_SECONDS", "0")  # 0 lifts a public-only cap
    assert limits().run_seconds == 0
    monkeypatch.setenv("EQGNN_MAX_SEEDS", "0")  # but a server must train one seed
    with pytest.raises(InputError, match=r"EQGNN_MAX_SEEDS='0': give a whole number >= 1"):
        limits()
    monkeypatch.setenv("EQGNN_MAX_SEEDS", "lots")
    with pytest.raises(InputError, match="EQGNN_MAX_SEEDS='lots'"):
        limits()


def test_limits_command_shows_the_caps_in_force(public, monkeypatch, capsys):
    monkeypatch.setenv("EQGNN_MAX_ATOMS", "50")
    assert main(["limits", "--json"]) == 0
    caps = json.loads(capsys.readouterr().out)
    assert caps["mode"] == "public" and caps["atoms"] == 50
    assert caps["env"]["atoms"] == "EQGNN_MAX_ATOMS"
    assert caps["env"]["heavy_jobs"] == "EQGNN_LIVE_JOBS"


def test_a_structure_over_the_atom_cap_is_refused_in_one_sentence(monkeypatch):
    monkeypatch.setenv("EQGNN_MAX_ATOMS", "2")
    with pytest.raises(InputError) as caught:
        load_upload("water.xyz", WATER)
    assert str(caught.value) == ("water.xyz: 3 atoms is more than this server takes "
                                 "(at most 2 atoms a structure).")


def test_an_upload_over_the_size_cap_is_refused_before_it_is_parsed(public):
    junk = b"\xff" * 3_000_000  # would be an unreadable file; its size is refused first
    with pytest.raises(InputError, match=r"big\.xyz: 3\.0 MB is larger than this server takes"):
        load_upload("big.xyz", junk)
    assert len(load_upload("water.xyz", WATER)) == 3


def test_the_atom_cap_applies_to_every_source_not_only_uploads(public):
    import numpy as np

    make_structure(np.ones(200, int), np.arange(600.0).reshape(200, 3), name="ok")
    with pytest.raises(InputError, match="201 atoms is more than this server takes"):
        make_structure(np.ones(201, int), np.arange(603.0).reshape(201, 3), name="big")


def test_public_cli_refuses_a_protocol_over_the_caps_with_one_line(public, private_store,
                                                                   capsys):
    argv = ["distinguish", "--case", "kchain-2", "--model", "khop", "--hops", "1",
            "--layers", "1", "--seeds", "50", "--epochs", "3"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: 50 seeds is more than this server trains at once (at most 10)."


def test_a_job_over_the_caps_never_starts(public, fresh_registry, tmp_path):
    store = ResultStore(tmp_path, shipped=None)
    with pytest.raises(InputError, match="500 epochs is more than this server trains for"):
        live_runs.start_job({"kind": "test", "steps": 1, "epochs": 500}, "ann", store, stepping_job,
                       live_runs.JobGate(1))
    assert not _jobs._JOBS


def test_one_visitor_runs_one_job_at_a_time_but_may_follow_its_own(public, fresh_registry,
                                                                   tmp_path):
    store, gate = ResultStore(tmp_path, shipped=None), live_runs.JobGate(2)
    first = live_runs.start_job({"kind": "test", "steps": 200}, "ann", store, stepping_job, gate)
    again = live_runs.start_job({"kind": "test", "steps": 200}, "ann", store, stepping_job, gate)
    assert again is first
    with pytest.raises(InputError, match="You already have a live run going"):
        live_runs.start_job({"kind": "test", "steps": 201}, "ann", store, stepping_job, gate)
    other = live_runs.start_job({"kind": "test", "steps": 201}, "bob", store, stepping_job, gate)
    with pytest.raises(InputError, match="You already have a live run going"):
        live_runs.start_job({"kind": "test", "steps": 201}, "ann", store, stepping_job, gate)
    first.unsubscribe("ann")
    first.join(10)
    assert first.state == live_runs.CANCELLED
    again = live_runs.start_job({"kind": "test", "steps": 3}, "ann", store, stepping_job, gate)
    again.join(10)
    other.unsubscribe("bob")
    assert again.state == live_runs.DONE


def test_a_run_past_its_wall_time_stops_and_says_why(public, monkeypatch, fresh_registry,
                                                    tmp_path):
    monkeypatch.setenv("EQGNN_MAX_RUN_SECONDS", "1")
    store = ResultStore(tmp_path, shipped=None)
    started = time.monotonic()
    job = live_runs.start_job({"kind": "test", "steps": 5000}, "ann", store, stepping_job,
                         live_runs.JobGate(1))
    job.join(20)
    assert time.monotonic() - started < 10
    assert job.state == live_runs.FAILED
    assert job.error == ("This run was stopped after 1 s: this server gives one live run at "
                         "most 1 s of training.")
    assert store.get({"kind": "test", "steps": 5000}) is None


def test_model_form_says_which_cap_a_protocol_exceeds(public, private_store):
    at = open_page("explorer")
    at.number_input(key="explorer-seeds").set_value(30).run()
    assert not at.exception
    warnings = [warning.value for warning in at.warning]
    assert "30 seeds is more than this server trains at once (at most 10)." in warnings


def _grid_page() -> None:
    """A page that asks for a grid of five cells (the script AppTest runs)."""
    from ui import live as page_live

    specs = [{"kind": "test", "steps": 2, "cell": cell} for cell in range(5)]
    page_live.run_cells(specs, "grid", "grid", start=True)


def test_a_grid_larger_than_the_cap_runs_its_first_cells_and_says_so(public, monkeypatch,
                                                                     private_store,
                                                                     fresh_registry):
    monkeypatch.setenv("EQGNN_MAX_GRID_CELLS", "2")
    monkeypatch.setenv("EQGNN_MAX_RUNS_PER_VISITOR", "0")
    monkeypatch.setattr(_jobs, "live_runner", lambda: stepping_job)  # what a new live job runs on
    monkeypatch.setattr(_gate, "_GATE", live_runs.JobGate(1))
    live.store.clear()
    at = AppTest.from_function(_grid_page, default_timeout=60).run()
    assert not at.exception
    assert any("at most 2 cells a click; 5 are missing" in info.value for info in at.info)
    stored = [live.store().get({"kind": "test", "steps": 2, "cell": cell}) for cell in range(5)]
    live.store.clear()
    assert [result is not None for result in stored] == [True, True, False, False, False]


def _two_runs_page() -> None:
    """A page that starts a second live run while its first still runs (AppTest's script)."""
    from ui import live as page_live

    page_live.run_live({"kind": "test", "steps": 100}, "first", "one", start=True)
    page_live.run_live({"kind": "test", "steps": 101}, "second", "two", start=True)


def _one_run_page() -> None:
    from ui import live as page_live

    page_live.run_live({"kind": "test", "steps": 5000}, "long", "one", start=True)


@pytest.fixture
def page_jobs(public, monkeypatch, private_store, fresh_registry):
    """Live runs of the fake runner, in this process, through a private gate and store."""
    monkeypatch.setattr(_jobs, "live_runner", lambda: stepping_job)  # what a new live job runs on
    monkeypatch.setattr(_gate, "_GATE", live_runs.JobGate(2))
    live.store.clear()
    yield
    live.store.clear()


def test_a_second_live_run_of_one_visitor_is_refused_in_the_page(page_jobs, monkeypatch):
    monkeypatch.setattr(live, "FOLLOW_SECONDS", 0.3)  # the first run is still going after it
    at = AppTest.from_function(_two_runs_page, default_timeout=60).run()
    assert not at.exception
    assert [error.value for error in at.error] == [
        "You already have a live run going, and this server runs 1 per visitor at a time: "
        "wait for it to finish or cancel it first."]


def test_a_live_run_past_its_wall_time_says_so_in_the_page(page_jobs, monkeypatch):
    monkeypatch.setenv("EQGNN_MAX_RUN_SECONDS", "1")
    at = AppTest.from_function(_one_run_page, default_timeout=60).run()
    assert not at.exception
    assert [error.value for error in at.error] == [
        "long: This run was stopped after 1 s: this server gives one live run at most 1 s "
        "of training."]


def test_a_molecule_over_the_atom_cap_is_one_sentence_in_the_explorer(public):
    at = open_page("explorer", mol="smiles:" + "C" * 80)
    assert not at.exception
    assert [error.value for error in at.error] == [
        f"smiles:{'C' * 80}: 242 atoms is more than this server takes (at most 200 atoms a "
        "structure)."]


def test_the_cli_says_which_cap_a_request_exceeds(public, private_store, capsys, tmp_path,
                                                   monkeypatch):
    water = tmp_path / "water.xyz"
    water.write_bytes(WATER)
    argv = ["distinguish", "--case", "kchain-2", "--model", "khop", "--hops", "1",
            "--layers", "1", "--seeds", "2", "--epochs", "500"]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        "error: 500 epochs is more than this server trains for (at most 100).")
    monkeypatch.setenv("EQGNN_MAX_ATOMS", "2")
    assert main(["graph", str(water)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {water}: 3 atoms is more than this server takes (at most 2 atoms a structure).")
