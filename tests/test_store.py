"""The result store and the job runner: a result is a pure function of its spec.

Fake jobs stand in for training, so nothing here loads torch. The jobs are
module-level functions because spawned workers import them by name.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eqgnn import jobs, store
from eqgnn.cli import main
from eqgnn.errors import InputError
from eqgnn.jobs import (
    Cancelled,
    InProcessRunner,
    PoolRunner,
    SubprocessRunner,
    cached_run,
    get_runner,
    register_job,
    run_job,
)
from eqgnn.store import PostgresStore, ResultStore, open_store, spec_key
from eqgnn.store._postgres import TABLE

REPO = Path(__file__).resolve().parent.parent
CALLS: list[dict] = []
SPEC = {"kind": "fake", "values": [1, 2, 3], "model": {"model": "khop", "hops": 1}, "seeds": 2}


def fake_job(spec: dict, progress=None, cancel=None) -> dict:
    """Sums ``values``, reporting one progress step per value."""
    CALLS.append(spec)
    total = len(spec["values"])
    for done in range(1, total + 1):
        if progress is not None:
            progress(done, total, f"value {done}")
    return {"sum": sum(spec["values"]), "accuracy": 0.75}


def slow_job(spec: dict, progress=None, cancel=None) -> dict:
    """Ticks for a minute, after leaving its process id in ``spec["pid_file"]``."""
    Path(spec["pid_file"]).write_text(str(os.getpid()))
    for tick in range(1200):
        progress(tick, 1200, "tick")
        time.sleep(0.05)
    return {}


def ticking_job(spec: dict, progress=None, cancel=None) -> dict:
    """Ticks for a minute after leaving its process id, stopping early when cancelled."""
    Path(spec["pid_file"]).write_text(str(os.getpid()))
    for tick in range(1200):
        if cancel is not None and cancel():
            raise Cancelled("stopped between ticks")
        if progress is not None:
            progress(tick, 1200, "tick")
        time.sleep(0.05)
    return {}


def bad_input_job(spec: dict, progress=None, cancel=None) -> dict:
    raise InputError("no such case 'nope'; python -m eqgnn cases lists them\nsecond line")


def mutating_job(spec: dict, progress=None, cancel=None) -> dict:
    spec["values"].append(100)
    return {"values": spec["values"]}


def crashing_job(spec: dict, progress=None, cancel=None) -> dict:
    return 1 / 0


@pytest.fixture(autouse=True)
def fake_kinds():
    """The fake jobs registered for one test; the kind table is restored after it."""
    saved = dict(jobs.JOB_KINDS)
    for kind, function in {"fake": fake_job, "slow": slow_job, "tick": ticking_job,
                           "bad-input": bad_input_job, "crash": crashing_job,
                           "mutate": mutating_job}.items():
        register_job(kind, function)
    CALLS.clear()
    yield
    jobs.JOB_KINDS.clear()
    jobs.JOB_KINDS.update(saved)


@pytest.fixture(params=["folder", "postgres"])
def results(request, tmp_path):
    """An empty writable store of each backend, no shipped results: every test that takes
    it holds both to one behaviour (file-level tests name ``folder`` alone)."""
    if request.param == "folder":
        return ResultStore(tmp_path / "store", shipped=None)
    return empty_postgres(request.getfixturevalue("postgres_url"))


def empty_postgres(url: str, shipped=None) -> PostgresStore:
    import psycopg

    results = PostgresStore(url, shipped=shipped)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {TABLE}")
    return results


def reopened(results):
    """A second store object on the same place: what another process would see."""
    if isinstance(results, PostgresStore):
        return PostgresStore(results.url, shipped=None)
    return ResultStore(results.root, shipped=None)


FOLDER_ONLY = pytest.mark.parametrize("results", ["folder"], indirect=True)


# -- keys ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"values": [1, 2, 4]},
    {"model": {"model": "khop", "hops": 2}},
    {"seeds": 3},
    {"epochs": 10},
    {"kind": "other"},
])
def test_any_spec_field_changes_the_key(change):
    assert spec_key({**SPEC, **change}) != spec_key(SPEC)


def test_key_ignores_the_order_of_dict_fields():
    assert spec_key(dict(reversed(list(SPEC.items())))) == spec_key(SPEC)


def test_a_revision_bump_changes_every_key_and_misses_old_results(results, monkeypatch):
    results.put(SPEC, {"sum": 6})
    before = spec_key(SPEC)
    # the revision is read where keys are made: the store's record rules
    monkeypatch.setattr("eqgnn.store._records.RESULTS_REVISION", store.RESULTS_REVISION + 1)
    assert spec_key(SPEC) != before
    assert results.get(SPEC) is None
    assert results.entries() == []
    assert len(results.problems) == 1 and "stale" in results.problems[0]


def test_a_spec_that_is_not_plain_json_is_an_input_error():
    with pytest.raises(InputError, match="plain JSON"):
        spec_key({"kind": "fake", "values": {1, 2}})


# -- the store ----------------------------------------------------------------------------------

@FOLDER_ONLY
def test_put_then_get_round_trips_the_result(results):
    path = results.put(SPEC, {"sum": 6, "nested": {"x": [0.5, None]}})
    assert path == results.path_for(SPEC) and path.name.startswith("fake-")
    assert results.get(SPEC) == {"sum": 6, "nested": {"x": [0.5, None]}}
    record = json.loads(path.read_text())
    assert set(record) == {"key", "revision", "spec", "result", "saved_at"}
    assert record["key"] == spec_key(SPEC) and record["spec"] == SPEC
    assert results.problems == []


def test_an_identical_spec_is_answered_from_the_store_without_running(results):
    first, from_store = cached_run(SPEC, results)
    assert (first, from_store) == ({"sum": 6, "accuracy": 0.75}, False)
    again, from_store = cached_run(json.loads(json.dumps(SPEC)), results)
    assert (again, from_store) == (first, True)
    assert len(CALLS) == 1


def test_force_recomputes_and_replaces_the_stored_result(results):
    results.put(SPEC, {"sum": -1})
    result, from_store = cached_run(SPEC, results, force=True)
    assert (result, from_store) == ({"sum": 6, "accuracy": 0.75}, False)
    assert len(CALLS) == 1 and results.get(SPEC) == result


def test_shipped_results_are_found_and_the_writable_store_wins(tmp_path):
    shipped = tmp_path / "shipped"
    ResultStore(shipped, shipped=None).put(SPEC, {"sum": 6, "from": "shipped"})
    both = ResultStore(tmp_path / "mine", shipped=shipped)
    assert both.get(SPEC) == {"sum": 6, "from": "shipped"}
    assert cached_run(SPEC, both) == ({"sum": 6, "from": "shipped"}, True) and CALLS == []
    assert [e["shipped"] for e in both.entries()] == [True]

    both.put(SPEC, {"sum": 6, "from": "mine"})
    assert both.get(SPEC) == {"sum": 6, "from": "mine"}
    assert [e["shipped"] for e in both.entries()] == [False, True]
    assert both.entries()[0]["summary"] == "khop"


def test_a_missing_shipped_folder_is_just_empty(tmp_path):
    results = ResultStore(tmp_path / "mine", shipped=tmp_path / "absent")
    assert results.get(SPEC) is None and results.entries() == [] and results.problems == []


@FOLDER_ONLY
@pytest.mark.parametrize("content, problem", [
    ('{"key": "abc", "result": {', "not valid JSON"),
    ('{"key": "abc", "spec": {}}', "not a result record"),
    ('[1, 2]', "not a result record"),
    (None, "revision 0"),
    (None, "key does not match"),
])
def test_a_corrupt_file_is_reported_ignored_and_then_overwritten(results, content, problem):
    path = results.put(SPEC, {"sum": 6})
    record = json.loads(path.read_text())
    if problem == "revision 0":
        content = json.dumps({**record, "revision": 0})
    elif problem == "key does not match":
        content = json.dumps({**record, "spec": {**SPEC, "seeds": 99}})
    path.write_text(content)

    result, from_store = cached_run(SPEC, results)
    assert not from_store and len(CALLS) == 1
    assert len(results.problems) == 1
    assert results.problems[0].startswith(str(path)) and problem in results.problems[0]

    fresh = ResultStore(results.root, shipped=None)
    assert fresh.get(SPEC) == result and fresh.problems == []


@FOLDER_ONLY
def test_entries_list_kind_summary_and_where_each_result_lives(results):
    spec = {"kind": "fake", "values": [1], "pair": {"case": "kchain-4"}, "model": {"model": "khop"}}
    results.put(spec, {"verdict": "distinguished", "accuracy": 1.0})
    (results.root / "broken.json").write_text("{")
    [entry] = results.entries()
    assert entry["key"] == spec_key(spec) and entry["kind"] == "fake"
    assert entry["summary"] == "kchain-4 khop verdict distinguished accuracy 1.000"
    assert entry["revision"] == store.RESULTS_REVISION and entry["shipped"] is False
    assert entry["path"] == str(results.path_for(spec)) and entry["saved_at"]
    assert len(results.problems) == 1 and "broken.json" in results.problems[0]


# -- atomic writes across processes -------------------------------------------------------------

WRITER = """
import sys
from eqgnn.store import open_store
where, writer, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
results = open_store(where)
for n in range(count):
    results.put({"kind": "fake", "values": [7]},
                {"writer": writer, "n": n, "payload": [writer + 0.5] * size})
"""


def start_writer(root: Path | str, writer: int, count: int, size: int) -> subprocess.Popen:
    """A process that puts ``count`` results of one key into the store at ``root`` (a folder
    or a PostgreSQL URL), each a payload of ``size`` numbers naming the writer."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(writer), str(count), str(size)], env=env,
    )


@FOLDER_ONLY
def test_a_writer_killed_mid_write_leaves_no_partial_result(results):
    spec = {"kind": "fake", "values": [7]}
    writer = start_writer(results.root, 0, 1, 2_000_000)
    deadline = time.monotonic() + 60
    temps: list[Path] = []
    while not any(t.stat().st_size > 0 for t in temps) and time.monotonic() < deadline:
        temps = list(results.root.glob(".*.tmp")) if results.root.exists() else []
        time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)
    assert writer.wait() == -signal.SIGKILL, "the writer finished before it was killed"

    assert list(results.root.glob("*.json")) == []
    assert results.get(spec) is None and results.entries() == [] and results.problems == []
    [temp] = temps
    with pytest.raises(ValueError):
        json.loads(temp.read_text())  # it really died mid-write
    results.put(spec, {"after": True})
    assert results.get(spec) == {"after": True}


@FOLDER_ONLY
def test_two_concurrent_writers_of_one_key_leave_exactly_one_valid_file(results):
    spec = {"kind": "fake", "values": [7]}
    count, size = 150, 5000
    writers = [start_writer(results.root, w, count, size) for w in (1, 2)]
    reads = 0
    while any(w.poll() is None for w in writers):
        seen = results.get(spec)
        if seen is not None:  # a reader mid-race sees one writer's whole result, never a mix
            assert seen["payload"] == [seen["writer"] + 0.5] * size
            reads += 1
    assert [w.returncode for w in writers] == [0, 0]
    assert results.problems == [] and reads > 0

    assert sorted(p.name for p in results.root.iterdir()) == [results.path_for(spec).name]
    final = results.get(spec)
    assert final["writer"] in (1, 2) and final["n"] == count - 1


# -- the job runner -----------------------------------------------------------------------------

def test_an_unknown_job_kind_is_an_input_error():
    with pytest.raises(InputError, match="unknown job kind 'nope'.*fake"):
        run_job({"kind": "nope"})
    with pytest.raises(InputError, match="string 'kind'"):
        run_job({"values": [1]})


def test_only_functions_importable_by_name_can_be_registered():
    def local_job(spec, progress=None, cancel=None):
        return {}

    with pytest.raises(ValueError, match="module-level"):
        register_job("local", local_job)


def test_a_job_cannot_change_the_spec_its_result_is_stored_under(results):
    spec = {"kind": "mutate", "values": [1]}
    cached_run(spec, results)
    assert spec == {"kind": "mutate", "values": [1]}
    assert results.get({"kind": "mutate", "values": [1]}) == {"values": [1, 100]}


def test_a_worker_process_gives_the_same_result_and_relays_progress():
    seen: list[tuple[int, int, str]] = []
    in_process = run_job(SPEC)
    in_worker = SubprocessRunner().run(SPEC, progress=lambda *step: seen.append(step))
    assert in_worker == in_process
    assert seen == [(1, 3, "value 1"), (2, 3, "value 2"), (3, 3, "value 3")]


def test_cached_run_can_use_the_worker_and_then_answers_from_the_store(results):
    assert cached_run(SPEC, results, runner=SubprocessRunner()) == (run_job(SPEC), False)
    assert cached_run(SPEC, results, runner=SubprocessRunner())[1] is True


def test_cancel_terminates_the_worker(tmp_path):
    pid_file = tmp_path / "pid"
    ticks: list[int] = []
    started = time.monotonic()
    with pytest.raises(Cancelled):
        SubprocessRunner().run(
            {"kind": "slow", "pid_file": str(pid_file)},
            progress=lambda done, total, message: ticks.append(done),
            cancel=lambda: len(ticks) >= 2,
        )
    assert time.monotonic() - started < 30
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_a_worker_past_its_timeout_is_stopped(tmp_path):
    with pytest.raises(TimeoutError, match="timeout of 0.5 s"):
        SubprocessRunner(timeout=0.5).run({"kind": "slow", "pid_file": str(tmp_path / "pid")})


def test_worker_errors_come_back_as_one_line():
    with pytest.raises(InputError) as error:
        SubprocessRunner().run({"kind": "bad-input"})
    message = str(error.value)  # InputError writes the newline as its escape: one line
    assert message == "no such case 'nope'; python -m eqgnn cases lists them\\nsecond line"
    with pytest.raises(RuntimeError, match="ZeroDivisionError: division by zero"):
        SubprocessRunner().run({"kind": "crash"})


def test_runners_are_chosen_by_name_or_the_environment(monkeypatch):
    monkeypatch.delenv("EQGNN_RUNNER", raising=False)
    assert isinstance(get_runner(), InProcessRunner)
    monkeypatch.setenv("EQGNN_RUNNER", "pool")
    assert isinstance(get_runner(workers=2), PoolRunner)
    assert isinstance(get_runner("subprocess", timeout=5), SubprocessRunner)
    monkeypatch.setenv("EQGNN_RUNNER", "slurm")
    with pytest.raises(InputError, match="unknown runner 'slurm'.*inprocess, pool, ray, sub"):
        get_runner()


# -- the command --------------------------------------------------------------------------------

def test_results_command_lists_entries_and_names_corrupt_files_on_stderr(
    tmp_path, monkeypatch, capsys,
):
    from eqgnn.cli import cmd_results

    monkeypatch.setenv("EQGNN_STORE", str(tmp_path))
    ResultStore().put(SPEC, {"accuracy": 0.5})
    (tmp_path / "fake-broken.json").write_text("not json")
    parser = argparse.ArgumentParser()
    cmd_results.register(parser.add_subparsers())

    for argv in (["results", "--json"], ["results"]):
        args = parser.parse_args(argv)
        assert args.run(args) == 0
        out, err = capsys.readouterr()
        assert err.count("\n") == 1 and "fake-broken.json: not valid JSON" in err
        if "--json" in argv:
            local = [e for e in json.loads(out)["entries"] if not e["shipped"]]
            assert [e["key"] for e in local] == [spec_key(SPEC)]
        else:
            assert f"local    {spec_key(SPEC)}" in out and "accuracy 0.500" in out


# -- both stores, and moving results between them -----------------------------------------------

def test_a_result_round_trips_exactly_through_either_store(results):
    floats = [0.1, 1 / 3, 2.0, 1e-300, 5e-324, 123456.789e-7, -2.5e-17, 1e16, 2.5e20, -0.0,
              1.7976931348623157e308]
    spec = {**SPEC, "lr": 1e16}
    results.put(spec, {"gaps": floats, "nested": {"x": [0.5, None, True, "text"]},
                       "loss": float("nan")})
    again = reopened(results).get(spec)
    assert again["nested"] == {"x": [0.5, None, True, "text"]} and math.isnan(again["loss"])
    assert [type(value) for value in again["gaps"]] == [float] * len(floats)
    assert [value.hex() for value in again["gaps"]] == [value.hex() for value in floats]
    [entry] = reopened(results).entries()
    assert entry["key"] == spec_key(spec) and entry["kind"] == "fake" and entry["saved_at"]


def test_postgres_keeps_one_row_per_key_and_revision_with_its_columns(postgres_url):
    import psycopg

    results = empty_postgres(postgres_url)
    results.put(SPEC, {"sum": 1, "device": "cpu", "seconds": 0.25})
    results.put(SPEC, {"sum": 2, "device": "cuda:0", "seconds": 0.5})
    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute(f"SELECT key, revision, kind, result->>'sum', device, "
                                  f"seconds FROM {TABLE}").fetchall()
    assert rows == [(spec_key(SPEC), store.RESULTS_REVISION, "fake", "2", "cuda:0", 0.5)]


def test_a_tampered_postgres_row_is_a_problem_and_a_miss(postgres_url):
    import psycopg

    results = empty_postgres(postgres_url)
    results.put(SPEC, {"sum": 6})
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"UPDATE {TABLE} SET spec = jsonb_set(spec, '{{seeds}}', '99')")
    fresh = reopened(results)
    assert fresh.get(SPEC) is None and fresh.entries() == []
    assert len(fresh.problems) == 1 and "key does not match" in fresh.problems[0]


def test_two_concurrent_postgres_writers_of_one_key_leave_one_valid_row(postgres_url):
    results = empty_postgres(postgres_url)
    spec, count, size = {"kind": "fake", "values": [7]}, 100, 2000
    writers = [start_writer(postgres_url, w, count, size) for w in (1, 2)]
    reads = 0
    while any(w.poll() is None for w in writers):
        seen = results.get(spec)
        if seen is not None:  # one writer's whole result, never a mix
            assert seen["payload"] == [seen["writer"] + 0.5] * size
            reads += 1
    assert [w.returncode for w in writers] == [0, 0] and reads > 0
    [entry] = results.entries()
    final = results.get(spec)
    assert entry["key"] == spec_key(spec) and final["writer"] in (1, 2)
    assert final["n"] == count - 1 and results.problems == []


def test_export_from_a_folder_then_import_into_postgres_moves_every_record(
        tmp_path, postgres_url, capsys):
    folder = ResultStore(tmp_path / "folder", shipped=None)
    for n in range(3):
        folder.put({**SPEC, "seeds": n}, {"sum": n, "accuracy": n / 3})
    target = empty_postgres(postgres_url)
    exported = tmp_path / "out.jsonl"
    assert main(["results", "export", str(exported), "--store", str(folder.root)]) == 0
    assert len(exported.read_text().splitlines()) == 3
    bad = exported.read_text() + "not json\n" + json.dumps({"key": "x"}) + "\n"
    exported.write_text(bad)
    capsys.readouterr()
    assert main(["results", "import", str(exported), "--store", postgres_url, "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["imported"] == 3 and json.loads(out)["skipped"] == 2
    assert len(err.strip().splitlines()) == 2 and ":4: not a JSON line" in err
    as_text = lambda records: sorted(json.dumps(r, sort_keys=True) for r in records)  # noqa: E731
    assert as_text(target.records("fake")) == as_text(folder.records("fake"))
    assert main(["results", "--store", postgres_url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sum(not e["shipped"] for e in listed["entries"]) == 3
    assert any(e["shipped"] for e in listed["entries"]) and listed["root"].startswith("postgresql")
    again = tmp_path / "again.jsonl"
    assert main(["results", "export", str(again), "--store", postgres_url]) == 0
    strip = lambda text: sorted(  # noqa: E731 - saved_at is the time of each write
        json.dumps({k: v for k, v in json.loads(line).items() if k != "saved_at"},
                   sort_keys=True)
        for line in text.splitlines() if line.startswith("{") and "spec" in line)
    assert strip(again.read_text()) == strip(bad)


def test_an_unreachable_or_unknown_store_is_one_line():
    for store_url in ("postgresql://nobody:secret@127.0.0.1:1/none", "ftp://example/x",
                      "postgresql://nobody@/none?host=/nonexistent&password=secret"):
        done = subprocess.run([sys.executable, "-m", "eqgnn", "results", "--store", store_url],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("error: ") and "secret" not in line


def test_open_store_follows_the_environment(tmp_path, monkeypatch, postgres_url):
    monkeypatch.setenv("EQGNN_STORE", str(tmp_path / "here"))
    assert open_store().root == tmp_path / "here"
    monkeypatch.setenv("EQGNN_STORE", postgres_url)
    assert isinstance(open_store(), PostgresStore)
    monkeypatch.delenv("EQGNN_STORE")
    assert isinstance(open_store(), ResultStore)


def test_postgres_reads_the_shipped_folder_after_its_rows(tmp_path, postgres_url):
    shipped = tmp_path / "shipped"
    ResultStore(shipped, shipped=None).put(SPEC, {"sum": 6, "from": "shipped"})
    both = empty_postgres(postgres_url, shipped=shipped)
    assert cached_run(SPEC, both) == ({"sum": 6, "from": "shipped"}, True) and CALLS == []
    both.put(SPEC, {"sum": 6, "from": "mine"})
    assert both.get(SPEC) == {"sum": 6, "from": "mine"}
    assert [e["shipped"] for e in both.entries()] == [False, True]
