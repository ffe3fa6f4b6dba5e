"""The dashboard's home and Explorer pages run, draw, keep their state in the URL,
and answer bad input with an error box instead of a traceback."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from eqgnn import reports
from eqgnn.graph import build_edges, khop_neighbourhoods
from tests.apptest import ROOT, open_app, open_page
from ui import render3d


def explorer(**params: str) -> AppTest:
    """The Explorer opened at ``/explorer?key=value...`` and run once."""
    return open_page("explorer", **params)


def shows_3d_view(at: AppTest) -> bool:
    return bool(at.get("iframe") or at.get("plotly_chart"))


def test_home_page_runs_and_links_to_the_claims():
    at = open_app()  # Home: default
    assert not at.exception
    assert len(at.get("page_link")) >= 4  # a link per claim, and the lesson
    assert any("Backend: local" in c.value for c in at.caption)


def test_explorer_defaults_show_butane_its_graph_and_a_neighbourhood():
    at = explorer()
    assert not at.exception and not at.error
    assert shows_3d_view(at)
    table = at.dataframe[0].value
    assert table["atom"].iloc[0] == 0 and table["hops"].iloc[0] == 0
    assert at.query_params == {"mol": "g2:trans-butane", "graph": "bonds", "atom": "0", "hops": "1",
                               "body_order": "3", "group": "O3", "bond": "1-2", "angle": "120"}


def test_a_link_reproduces_the_view():
    at = explorer(mol="smiles:CCO", graph="radius:5", atom="1", hops="2")
    assert not at.exception and not at.error
    assert at.radio(key="source").value == "smiles"
    assert at.text_input(key="smiles").value == "CCO"
    assert at.selectbox(key="graph").value == "radius"
    assert at.slider(key="radius").value == 5.0
    assert at.selectbox(key="atom").value == 1
    assert at.slider(key="hops").value == 2
    table = at.dataframe[0].value
    assert table["atom"].iloc[0] == 1
    # ethanol is 9 atoms, all within 5 Å of each other: every atom is one hop away
    assert len(table) == 9 and set(table["hops"]) == {0, 1}
    assert at.query_params["graph"] == "radius:5"


def test_changing_widgets_updates_the_url():
    at = explorer()
    at.selectbox(key="g2").set_value("CH3CH2OH").run()
    at.selectbox(key="graph").set_value("knn").run()
    at.selectbox(key="atom").set_value(2).run()
    at.slider(key="hops").set_value(3).run()
    assert not at.exception and not at.error
    assert {k: at.query_params[k] for k in ("mol", "graph", "atom", "hops")} == {
        "mol": "g2:CH3CH2OH", "graph": "knn:4", "atom": "2", "hops": "3"}
    assert at.dataframe[0].value["atom"].iloc[0] == 2


def test_qm9_index_loads():
    at = explorer(mol="qm9:1", graph="full")
    assert not at.exception and not at.error
    assert at.number_input(key="qm9").value == 1
    assert shows_3d_view(at)


def test_invalid_smiles_shows_an_error_and_keeps_the_page_usable():
    at = explorer(mol="smiles:C1CC((")
    assert not at.exception
    assert "invalid SMILES" in at.error[0].value
    at.text_input(key="smiles").input("c1ccccc1O").run()
    assert not at.exception and not at.error
    assert at.query_params["mol"] == "smiles:c1ccccc1O"


def test_bad_links_fall_back_instead_of_failing():
    at = explorer(mol="file:/etc/passwd", graph="radius:-1", atom="999", hops="9")
    assert not at.exception and not at.error
    assert len(at.warning) == 2
    assert at.query_params["mol"] == "g2:trans-butane"
    assert at.query_params["graph"] == "bonds"
    assert at.query_params["atom"] == "13" and at.query_params["hops"] == "4"


def test_uploads_load_and_bad_files_are_reported():
    at = explorer(mol="upload:")
    assert at.info and not at.exception
    xyz = b"3\nwater\nO 0 0 0.119\nH 0 0.763 -0.477\nH 0 -0.763 -0.477\n"
    at.file_uploader(key="upload").set_value(("water.xyz", xyz, "chemical/x-xyz")).run()
    assert not at.exception and not at.error
    assert at.query_params["mol"] == "upload:water.xyz"
    assert len(at.dataframe[0].value) == 3
    at.file_uploader(key="upload").set_value(("broken.xyz", b"not a molecule", "text/plain")).run()
    assert not at.exception
    assert at.error


def test_without_3dmol_the_plotly_view_draws(monkeypatch):
    monkeypatch.setattr(render3d, "threedmol_available", lambda: False)
    at = explorer(mol="g2:H2O")
    assert not at.exception
    assert at.get("plotly_chart") and not at.get("iframe")


@pytest.mark.parametrize("rule", ["bonds", "radius:3"])
def test_neighbourhood_table_is_the_khop_neighbourhood(butane, rule):
    edges = build_edges(butane, rule)
    for hops in (1, 2, 3):
        expected = khop_neighbourhoods(len(butane), edges, hops)
        for centre in range(len(butane)):
            rows = reports.neighbourhood_rows(butane, edges, centre, hops)
            assert sorted(r["atom"] for r in rows) == expected[centre].tolist()


def test_views_draw_the_rules_edges_and_the_highlight(butane):
    edges = build_edges(butane, "radius:3")
    html = render3d.views_html([(butane, edges, [0, 1], 0), (butane, edges, [], None)],
                               js_url="/x/3Dmol.js", notes=[[("180°", (1.0, 2.0, 3.0))], []])
    assert '<script src="/x/3Dmol.js">' in html and 'data-views="2"' in html
    scenes = json.loads(re.search(r"const scenes = (.*);", html).group(1))
    atoms, styles, notes = scenes[0]
    assert notes == [["180°", 1.0, 2.0, 3.0]] and scenes[1][2] == []  # labels that stay
    assert sum(len(atom["bonds"]) for atom in atoms) == 2 * len(edges)  # the rule's edges
    colours = [f"#{atom['color']:06x}" for atom in atoms]
    assert colours[0] == render3d.CENTRE_COLOUR and colours[1] == "#909090"  # carbon, in N
    assert colours[2] != "#909090" and colours[4] == "#ffffff"  # faded carbon; H is white
    assert {"serial": list(range(2, len(butane)))} in [selection for selection, _ in styles]
    assert len(scenes[1][1]) == 1  # nothing highlighted: one style for the whole molecule
    fig = render3d.view_figure(butane, edges, highlight=[0, 1], centre=0)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert sum(np.isfinite(np.asarray(t.x, dtype=float)).sum() for t in lines) == 2 * len(edges)
    assert fig.layout.scene.aspectmode == "data"


def test_torsion_bridges_leave_out_terminal_bonds(butane):
    bonds = {row["bond"] for row in reports.bridge_rows(butane)}
    assert bonds == {"0-1", "1-2", "2-3"}  # the C-C bonds; no C-H


def test_explorer_draws_at_once_while_its_models_build_then_fills_the_panel(monkeypatch):
    # a first visit after a restart: nothing built yet; the page must not wait for e3nn
    from collections import OrderedDict

    from eqgnn.reports import _twist
    from tests.apptest import building

    monkeypatch.setattr(_twist, "_TWIST_BUILT", OrderedDict())
    monkeypatch.setattr(_twist, "_TWIST_LOCKS", {})
    at = AppTest.from_file(str(ROOT / "app_pages" / "explorer.py"), default_timeout=60).run()
    assert not at.exception and building(at)
    assert shows_3d_view(at) and at.dataframe  # the pair and the tables are already there
    _twist.build_twist_models("bonds")  # joins the build the page started
    at.run()
    assert not building(at) and len(at.metric) >= len(reports.TWIST_MODELS)


def test_the_launcher_starts_the_warm_up_then_streamlit_on_app_py(monkeypatch):
    import sys

    import streamlit.web.cli

    import eqgnn.warmup
    from ui import serve

    calls = []
    monkeypatch.setattr(eqgnn.warmup, "warm_server", lambda: calls.append("warm"))
    monkeypatch.setattr(streamlit.web.cli, "main", lambda: calls.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", ["serve", "--server.port", "8600"])
    assert serve.main() == 0
    assert calls == ["warm", ["streamlit", "run", str(ROOT / "app.py"),
                              "--server.maxUploadSize", "200", "--server.port", "8600"]]


def test_the_launcher_tells_streamlit_the_upload_cap_unless_told_otherwise(monkeypatch):
    from ui import serve

    monkeypatch.setenv("EQGNN_PUBLIC", "1")
    assert serve.upload_option(["--server.port", "8600"]) == ["--server.maxUploadSize", "2"]
    assert serve.upload_option(["--server.maxUploadSize=5"]) == []


def test_no_page_script_has_a_stray_string_streamlit_would_draw():
    """Streamlit's magic draws every bare expression of a page script: a docstring under a
    constant would appear on the page as text."""
    import ast

    for path in sorted((ROOT / "app_pages").glob("*.py")):
        body = ast.parse(path.read_text()).body[1:]  # after the module docstring
        stray = [node.lineno for node in body if isinstance(node, ast.Expr)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
        assert stray == [], f"{path.name}: bare strings at lines {stray}"


def test_the_launcher_refuses_a_nonsense_cap_in_one_line_before_starting(monkeypatch, capsys):
    import sys

    import eqgnn.warmup
    from ui import serve

    monkeypatch.setattr(eqgnn.warmup, "warm_server", lambda: pytest.fail("started anyway"))
    monkeypatch.setattr(sys, "argv", ["serve"])
    monkeypatch.setenv("EQGNN_MAX_SEEDS", "lots")
    assert serve.main() == 2
    assert capsys.readouterr().err == "error: EQGNN_MAX_SEEDS='lots': give a whole number >= 1\n"
