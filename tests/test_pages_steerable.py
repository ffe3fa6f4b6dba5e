"""The Steerable features page (Claim 3) draws from the library: the type grid, the
shipped L-sweep tables read in words, and nothing trained on a visit."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from eqgnn import reports
from eqgnn.store import ResultStore
from tests.apptest import open_page

pytestmark = pytest.mark.usefixtures("private_store")




def table_with(at: AppTest, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_page_draws_the_type_grid_and_the_sweep_without_training():
    at = open_page("steerable")
    assert not at.exception and not at.error
    grid = table_with(at, "case")
    assert list(grid["case"])[:2] == ["star-2", "star-3"]
    assert grid.loc[grid["case"] == "star-5", "lmax 5"].iloc[0].startswith("✓")
    assert grid.loc[grid["case"] == "star-5", "lmax 4"].iloc[0].startswith("✗")


def test_type_grid_theory_follows_the_fold_and_the_shipped_model_agrees():
    grid = reports.type_grid(ResultStore())
    for cell in grid["cells"]:
        if cell["case"].startswith("star-"):
            # SCIENCE.md, Claim 3: an n-fold star needs lmax >= n
            assert cell["theory_sees"] == (cell["lmax"] >= cell["fold"])
        if cell["verdict"] != reports.NOT_COMPUTED:
            assert (cell["verdict"] == "distinguished") == cell["theory_sees"], cell


def test_the_reading_counts_a_difference_only_beyond_the_seeds_spread():
    def run(lmax, mae, std, **extra):
        return {"task": "mu", "series": "fixed", "lmax": lmax, "test_mae": mae,
                "test_mae_std": std, **extra}

    close = reports.lsweep_reading([run(0, 0.9, 0.01), run(1, 0.50, 0.02), run(2, 0.51, 0.02)])
    apart = reports.lsweep_reading([run(1, 0.50, 0.01), run(2, 0.30, 0.01)])
    assert "no essential gain" in close[0] and "0.9000" in close[0]
    assert "lmax 2 is best by 67%" in apart[0]


def test_lemma_lab_keeps_lambda_while_f_turns():
    at = open_page("steerable")
    assert not at.exception and not at.error
    at.slider(key="turn-z").set_value(90).run()
    assert not at.exception and not at.error
    types = table_with(at, "free components")
    assert list(types["free components"]) == list(types["dimension"])  # trivial stabiliser
    assert any("Largest change of λ under this turn" in c.value for c in at.caption)


def test_lemma_lab_explains_the_zeros_symmetry_forces():
    at = open_page("steerable", mol="g2:CH4")
    assert not at.exception and not at.error
    types = table_with(at, "free components").set_index("type")
    assert types.loc["1o", "free components"] == 0 and types.loc["2e", "free components"] == 0
    assert "Td forces 3 of 3" in types.loc["1o", "why"]
    assert at.info and "No unique frame" in at.info[0].value


def test_the_lab_turns_f_and_keeps_lambda():
    from eqgnn.io import load_structure

    lab = reports.lemma_lab(load_structure("smiles:OCC(N)C=O"), (30.0, -45.0, 120.0), lmax=1)
    assert lab["lambda_change"] < 1e-9
    turned = max(abs(a - b) for a, b in zip(lab["f"], lab["f_turned"]))
    assert turned > 1e-3


def test_lemma_lab_checks_the_converter_on_request():
    at = open_page("steerable")
    at.toggle(key="lab-checks").set_value(True).run()
    assert not at.exception and not at.error
    text = " ".join(m.value for m in at.markdown)
    assert "round trip" in text and "random turns" in text


def test_lemma_lab_reads_no_server_paths():
    at = open_page("steerable", mol="/etc/hostname")
    assert not at.exception
    assert at.error and "upload a file" in at.error[0].value
