"""Every number a page shows is what ``python -m eqgnn report PAGE --json`` prints: the page
and the command are two shells over the same ``eqgnn.reports`` calls (STYLE.md, habit 4).

Each test opens a page on the shipped results (an empty writable store beside them), reads
its tables, metrics and verdict boxes from the AppTest element tree, and compares them
with the command's JSON, drawn the way the page draws it."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from eqgnn.cli import main
from eqgnn.live import backend_line
from tests.apptest import open_app, open_page
from ui import widgets

pytestmark = pytest.mark.usefixtures("private_store")


def page(name: str, **params: str) -> AppTest:
    at = open_page(name, **params)
    assert not at.exception and not at.error
    return at


def report(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def records(frame) -> list[dict]:
    """A shown table as rows of text (what a reader sees, whatever the column types)."""
    return [{k: str(v) for k, v in row.items()} for row in frame.to_dict("records")]


def as_text(rows: list[dict]) -> list[dict]:
    return [{k: str(v) for k, v in row.items()} for row in rows]


def styled(rows: list[dict]) -> list[dict]:
    """Rows as :func:`ui.widgets.verdict_style` shows them (dashes, two decimals, yes/no)."""
    return records(widgets.verdict_style(rows).data)


def frame_with(at: AppTest, column: str, start: int = 0):
    return next(f.value for f in at.dataframe[start:] if column in f.value.columns)


def test_home_page_backend_line_is_what_cluster_status_reports(capsys):
    at = open_app()
    assert not at.exception
    status = report(capsys, "cluster", "status")
    assert status["backend"] == "local" and status["device"] == report(capsys, "info")["device"]
    assert any(f"Backend: {backend_line(status)}" in c.value for c in at.caption)


def test_gallery_shows_the_numbers_of_report_gallery(capsys):
    at = page("gallery", case="kchain-4", atom="2", hops="2")
    out = report(capsys, "report", "gallery", "--case", "kchain-4", "--atom", "2", "--hops", "2")
    hood = out["neighbourhood"]
    assert any(hood["text"] in m.value for m in at.markdown)
    assert records(at.dataframe[0].value) == as_text(hood["pairs"])
    assert any(out["headline"]["verdict"] in m.value for m in at.markdown)
    assert records(frame_with(at, "body full, O3")) == styled(out["oracle"]["table"])
    assert records(frame_with(at, "noise floor")) == styled(out["models"])
    assert out["congruence"] is None and out["training"]["preset"] == "schnet"
    training = out["training"]["result"]
    assert any(f"**{training['verdict']}**, accuracy {training['accuracy']:.2f}" in m.value
               for m in at.markdown)


def test_gallery_witness_of_a_congruent_pair_is_the_reports(capsys):
    at = page("gallery", case="control")
    out = report(capsys, "report", "gallery", "--case", "control")
    proof = out["congruence"]
    assert any(proof["sentence"] in m.value for m in at.markdown)
    assert records(at.dataframe[1].value) == as_text(proof["pairs"])


def test_depth_shows_the_numbers_of_report_depth(capsys):
    at = page("depth", case="kchain-4")
    out = report(capsys, "report", "depth", "--case", "kchain-4")
    assert [r["family"] for r in out["reports"]] == ["khop", "equivariant"]
    charts = at.get("plotly_chart")
    for index, panel in enumerate(out["reports"]):
        assert records(at.dataframe[index].value) == as_text(panel["shortfall"])
        bound = " · ".join(dict.fromkeys(panel["bounds"]["text"].values()))
        assert any(bound in m.value for m in at.markdown)
        figure = json.loads(charts[index].proto.spec)
        drawn = sorted(z for trace in figure["data"] for line in trace["z"] for z in line
                       if z is not None)
        stored = sorted(c["accuracy"] for c in panel["table"]["cells"])
        assert drawn == pytest.approx(stored)


def test_explorer_shows_the_numbers_of_report_twist(capsys):
    at = page("explorer")
    out = report(capsys, "report", "twist")
    assert out["molecule"] == "trans-butane" and out["graph"] == at.query_params["graph"]
    assert records(at.dataframe[0].value) == as_text(out["neighbourhood"])
    assert records(at.dataframe[1].value) == as_text(out["bridges"])
    twist = out["twist"]
    assert (twist["bond"], twist["angle"]) == (at.query_params["bond"],
                                               float(at.query_params["angle"]))
    verdict = (at.warning or at.success)[0].value
    assert twist["oracle"]["reason"] in verdict
    assert ("blind" in verdict) == twist["oracle"]["indistinguishable"]
    assert [(m.label, m.value) for m in at.metric] == [
        (row["model"], f"{row['gap']:.1e}") for row in twist["gaps"]]


@pytest.mark.parametrize("step", ["4", "5"])
def test_lesson_shows_the_numbers_of_report_lesson(capsys, step):
    at = page("lesson", step=step)
    (out,) = report(capsys, "report", "lesson", "--step", step)["steps"]
    assert at.title[0].value == out["title"]
    boxes = [box.value for box in (*at.success, *at.warning, *at.info)]
    for row in out["oracle"]:
        assert any(f"body order {row['body_order']}, {row['group']}: {row['verdict']}" in b
                   for b in boxes)
    for row in out["models"]:
        if row["verdict"] is None:
            assert any(row["command"] == c.value for c in at.code)
        else:
            assert any(f"**{row['model']}: {row['verdict']}** (accuracy {row['accuracy']:.0%}, "
                       f"untrained gap {row['embedding_gap']:.0e}" in b for b in boxes)
    if out["orientation"] is not None:
        seen = ", ".join(str(r["type l"]) for r in out["orientation"]
                         if r["sees the orientation"])
        assert any(f"l = {seen}**" in b for b in boxes)


def test_steerable_shows_the_numbers_of_report_steerable(capsys):
    at = page("steerable")
    out = report(capsys, "report", "steerable")
    assert records(frame_with(at, "free components")) == as_text(out["lab"]["types"])
    assert any(f"under this turn: {out['lab']['lambda_change']:.1e}" in c.value
               for c in at.caption)
    assert records(frame_with(at, "case")) == as_text(out["types"]["table"])
    text = " ".join(m.value for m in at.markdown)
    assert all(sentence in text for sentence in out["lsweep"]["reading"])
    tables = [f.value for f in at.dataframe if "lmax" in f.value.columns
              and "params" in f.value.columns]
    assert [records(t) for t in tables] == [as_text(rows)
                                            for rows in out["lsweep"]["tables"].values()]
    assert out["live"] is None  # the live run is not shipped: the page shows no table for it
