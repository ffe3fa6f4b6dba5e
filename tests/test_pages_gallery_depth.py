"""The gallery and depth pages draw a case's theory and stored model verdicts from the
URL, without training; the library behind them answers the same questions headless."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eqgnn import reports
from eqgnn.gallery import load_case
from eqgnn.store import ResultStore
from tests.apptest import open_page

pytestmark = pytest.mark.usefixtures("private_store")




def test_gallery_defaults_show_verdicts_models_and_both_structures():
    at = open_page("gallery")
    assert not at.exception and not at.error
    assert at.query_params == {"case": "butane-torsion", "atom": "0", "hops": "1"}
    oracle, models = at.dataframe[1].value, at.dataframe[2].value
    assert oracle["hops"].iloc[0] == "1" and oracle["body full, O3"].iloc[0] == "same"
    assert set(models["family"]) == {"khop", "equivariant", "dimenet"}
    frames = [frame.proto.srcdoc for frame in at.get("iframe")]
    drawn = sum(int(re.search(r'data-views="(\d+)"', f).group(1)) for f in frames)
    assert drawn + len(at.get("plotly_chart")) == 2  # A and B


def test_gallery_link_to_a_kchain_atom_and_hops_highlights_the_witness_partner():
    at = open_page("gallery", case="kchain-4", atom="2", hops="2")
    assert not at.exception and not at.error
    assert at.selectbox(key="case").value == "kchain-4"
    assert at.selectbox(key="atom").value == 2 and at.slider(key="hops").value == 2
    assert any("corresponds to atom" in m.value for m in at.markdown)
    assert any("with 2 hops are blind; 3 hops see it" in m.value for m in at.markdown)
    at.slider(key="hops").set_value(3).run()
    assert not at.exception and at.query_params["hops"] == "3"
    assert any("with 3 hops can tell A from B" in m.value for m in at.markdown)
    assert not any("hops are blind" in m.value for m in at.markdown)


def test_gallery_bad_link_falls_back_to_defaults():
    at = open_page("gallery", case="no-such-case", atom="junk", hops="99")
    assert not at.exception and not at.error
    assert at.query_params == {"case": "butane-torsion", "atom": "0", "hops": "6"}


def test_depth_page_draws_a_heatmap_per_family_with_downloads():
    at = open_page("depth", case="kchain-4")
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2  # khop and equivariant
    keys = [button.key for button in at.get("download_button")]
    families = [key for key in keys if key.endswith(("-khop", "-equivariant"))]
    assert len(families) == 4  # JSON and CSV of each family's map
    at = open_page("depth", case="star-5")
    assert not at.exception and len(at.get("plotly_chart")) == 1


def test_oracle_table_says_two_hops_of_body_order_three_see_the_butane_twist():
    table = reports.oracle_verdicts(load_case("butane-torsion"))["table"]
    assert table[0]["body 3, O3"] == "same" and table[1]["body 3, O3"] == "differ"
    assert table[-1] == {"hops": "fewest hops", "body 2, O3": "3", "body 2, SO3": "3",
                         "body 3, O3": "2", "body 3, SO3": "2", "body full, O3": "2",
                         "body full, SO3": "2"}


def test_model_verdicts_mark_what_the_store_lacks_as_not_computed(tmp_path):
    rows = reports.model_verdicts(load_case("control"), ResultStore(tmp_path, shipped=None))
    assert rows and {r["verdict"] for r in rows} == {reports.NOT_COMPUTED}
    assert rows[0]["run"] == "preset schnet" and rows[0]["accuracy"] is None


def test_witness_partner_has_a_congruent_neighbourhood_of_the_same_size():
    case = load_case("control")  # B is A permuted: the witness is not the identity
    matched = reports.matched_neighbourhoods(case, 1, 1)
    assert matched["matched_by"] == "witness"
    assert case.a.symbols[1] == case.b.symbols[matched["atom_b"]]
    assert len(matched["hood_a"]) == len(matched["hood_b"])


def test_depth_bounds_put_the_gwl_bound_of_a_4_chain_at_3_layers():
    case = load_case("kchain-4")
    assert reports.depth_bounds(case, "equivariant")["panels"] == {1: 3, 2: 3}
    assert reports.depth_bounds(case, "khop")["panels"] == {2: 5, 3: 3}
    table = reports.depth_table(case, "khop", ResultStore(Path("/nonexistent"), shipped=None))
    assert table["missing"] == 32 and reports.depth_csv(table).count("\n") == 1


@pytest.mark.parametrize(("page", "terms"), [
    ("gallery", ("k-hop", "body order", "group", "gwl", "tfn-mace")),
    ("depth", ("k-hop", "body order", "gwl", "lmax", "tfn-mace")),
])
def test_the_field_s_words_are_explained_where_a_page_uses_them(page, terms):
    from ui.glossary import TERMS

    at = open_page(page)
    tips = [h.proto.help for h in [*at.subheader, *at.header]]
    tips += [w.help for w in [*at.slider, *at.radio, *at.selectbox] if w.help]
    for term in terms:
        assert any(TERMS[term] in tip for tip in tips), term


def test_a_dense_graph_can_be_drawn_with_its_bonds_only():
    at = open_page("gallery", case="butane-torsion-r5")
    toggle = at.sidebar.toggle(key="bonds-only")
    html = at.get("iframe")[0].proto.srcdoc
    toggle.set_value(True).run()
    assert not at.exception
    assert len(at.get("iframe")[0].proto.srcdoc) < len(html)  # fewer sticks to draw
    assert open_page("gallery", case="butane-torsion").sidebar.toggle.len == 0  # bonds already
