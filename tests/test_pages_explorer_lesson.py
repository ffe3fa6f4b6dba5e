"""The Explorer's torsion panel and the Lesson: the library computes what the science says,
and the pages draw it from any link without an exception."""

from __future__ import annotations

import pytest

from eqgnn import reports
from eqgnn.errors import InputError
from eqgnn.gallery import case_names
from tests.apptest import open_app, open_page


@pytest.fixture(scope="module")
def bond_models():
    """The panel's models on the bond graph, built once (e3nn compiles: seconds)."""
    return reports.build_twist_models("bonds", device="cpu")


# --- the library -----------------------------------------------------------------------------

def test_only_central_bonds_can_turn(butane):
    assert reports.twistable_bonds(butane) == ["0-1", "1-2", "2-3"]
    assert reports.default_bond(butane) == "1-2"
    with pytest.raises(InputError, match="single atom on its axis"):
        reports.turn(butane, "0-4", 120)  # C-H: a lone H on the axis


def test_one_hop_model_blind_to_a_turned_bond_two_hops_see_it(butane, bond_models):
    report = reports.twist_report(butane, "1-2", 120, "bonds", 1, 3, "O3", bond_models)
    gaps = {(row["family"], row["model"]): row for row in report["gaps"]}
    one, two = gaps["k-hop invariant, body order 3", "1 hop"], gaps[
        "k-hop invariant, body order 3", "2 hops"]
    assert one["gap"] < 1e-12 and not one["sees"]
    assert two["gap"] > 1e-6 and two["sees"]
    assert report["oracle"]["indistinguishable"] and report["oracle"]["min_hops"] == 2


def test_oracle_verdict_flips_with_the_graph_rule(butane):
    on_bonds = reports.twist_oracle(butane, "1-2", 120, "bonds", 1, 3, "O3")
    on_radius = reports.twist_oracle(butane, "1-2", 120, "radius:5", 1, 3, "O3")
    assert on_bonds["indistinguishable"] and not on_radius["indistinguishable"]
    assert "dihedral about bond 1-2" in on_bonds["reason"]


def test_every_lesson_step_names_a_gallery_case_and_has_its_own_link():
    steps = reports.lesson()
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    assert all(s.case in case_names() for s in steps)
    assert len({s.link for s in steps}) == len(steps)
    assert all(s.oracle or s.orientation for s in steps)


def test_lesson_evidence_matches_the_science():
    steps = {s.number: s for s in reports.lesson()}
    assert [r["verdict"] for r in reports.oracle_evidence(steps[1])] == ["blind"]
    assert [r["verdict"] for r in reports.oracle_evidence(steps[4])] == ["blind", "sees"]
    seen = [r["type l"] for r in reports.orientation_evidence(steps[5])
            if r["sees the orientation"]]
    assert min(seen) == 5
    assert [r["verdict"] for r in reports.oracle_evidence(steps[6])] == ["blind", "sees"]


def test_missing_model_runs_name_the_command_that_computes_them(tmp_path):
    from eqgnn.store import ResultStore

    rows = reports.model_evidence(reports.lesson()[0], ResultStore(tmp_path, shipped=None))
    assert all(r["verdict"] is None for r in rows)
    assert rows[0]["command"].startswith("python -m eqgnn distinguish --case butane-torsion")


def test_a_bad_lesson_file_is_reported_with_its_step(tmp_path):
    from eqgnn.errors import InputError

    bad = tmp_path / "lesson.json"
    bad.write_text('{"steps": [{"title": "t", "say": "s", "case": "no-such-case"}]}')
    with pytest.raises(InputError, match="step 1"):
        reports.load_lesson(bad)


# --- the pages -------------------------------------------------------------------------------

def test_app_navigation_opens_the_pages_by_file():
    at = open_app()
    assert not at.exception and at.title[0].value.startswith("What 3D geometric GNNs")
    for name, title in (("explorer", "Explorer"), ("lesson", reports.lesson()[0].title)):
        at.switch_page(f"app_pages/{name}.py").run()
        assert not at.exception and at.title[0].value == title


@pytest.mark.parametrize("params", [
    {},
    {"mol": "g2:trans-butane", "bond": "1-2", "angle": "120"},
    {"mol": "g2:trans-butane", "bond": "1-2", "angle": "120", "graph": "radius:5"},
    {"mol": "smiles:CCCO", "angle": "-60", "body_order": "2", "group": "SO3"},
])
def test_explorer_torsion_panel_draws_from_a_link(params):
    at = open_page("explorer", **params)
    assert not at.exception and not at.error
    assert len(at.metric) == len(reports.TWIST_MODELS)
    verdicts = at.warning or at.success
    assert verdicts and "Oracle" in verdicts[0].value
    if params.get("graph") == "radius:5":
        assert at.success and "sees" in at.success[0].value  # 1 hop sees it on a radius graph


def test_explorer_slider_moves_the_url_and_the_gaps():
    at = open_page("explorer", mol="g2:trans-butane", bond="1-2", angle="120")
    gap_before = at.metric[1].value
    at.slider(key="angle").set_value(60).run()
    assert not at.exception
    assert at.query_params["angle"] == "60" and at.metric[1].value != gap_before


def test_a_molecule_without_a_turnable_bond_shows_its_view_only():
    at = open_page("explorer", mol="g2:H2O")
    assert not at.exception and not at.error
    assert not at.metric and "bond" not in at.query_params


@pytest.mark.parametrize("step", [None, "4", "5", "6", "99"])
def test_lesson_step_draws_its_evidence_and_navigation(step):
    at = open_page("lesson", **({"step": step} if step else {}))
    assert not at.exception and not at.error
    number = min(int(step or 1), len(reports.lesson()))
    assert at.query_params["step"] == str(number)
    assert at.title[0].value == reports.lesson()[number - 1].title
    assert at.button(key="previous-top") and at.button(key="next-top")
    assert at.success or at.warning  # the oracle's verdicts


def test_lesson_next_and_previous_update_the_url():
    at = open_page("lesson", step="2")
    at.button(key="next-top").click().run()
    assert at.query_params["step"] == "3"
    at.button(key="previous-bottom").click().run()
    assert at.query_params["step"] == "2"
    assert at.button(key="previous-top").disabled is False


def test_the_explorer_model_form_starts_as_the_oracle_test_beside_it():
    at = open_page("explorer")
    at.sidebar.radio(key="body_order").set_value("2").run()
    at.sidebar.slider(key="hops").set_value(2).run()
    at.radio(key="explorer-mode").set_value("options").run()
    assert at.radio(key="explorer-body_order").value == 2
    assert at.slider(key="explorer-hops").value == 2
    at.radio(key="explorer-body_order").set_value(3).run()  # the visitor's own choice stands
    at.sidebar.slider(key="hops").set_value(3).run()
    assert at.radio(key="explorer-body_order").value == 3
    assert at.slider(key="explorer-hops").value == 3
    assert not at.exception
