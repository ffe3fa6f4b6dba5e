"""Hostile input, everywhere: every broken file, spec, rule or command line ends in one line
naming the problem (an InputError in the library, exit 2 on the CLI, an error box in the
page), never a traceback, and the page keeps the visitor's other settings."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqgnn.cli import main
from eqgnn.errors import InputError
from eqgnn.graph import MAX_RADIUS, build_edges, parse_rule
from eqgnn.io import load_structure, load_upload
from eqgnn.io._formats import readable_extensions
from eqgnn.limits import limits
from eqgnn.structure import make_structure
from tests.apptest import open_page
from tests.hostile import HOSTILE_FILES, assert_a_usable_structure, assert_edges_in_range

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
EXTENSIONS = sorted(readable_extensions())
FORMAT_WORDS = ["data_x", "loop_", "_atom_site_label", "_atom_site_fract_x", "_cell_length_a",
                "ATOM", "HETATM", "CRYST1", "END", "M  END", "V2000", "$$$$", "3", "-1", "0.5",
                "nan", "1e400", "C", "H", "Xx", "Properties=species:S:1:pos:R:3", '"', "{",
                "}", "[", "]", '"numbers":', '"positions":', '"edges":', ",", ":"]
"""Tokens of the formats the loader reads, for text that looks almost like a real file."""


def assert_one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_every_hostile_upload_is_refused_in_one_line_naming_the_file(case):
    name, data = HOSTILE_FILES[case]
    with pytest.raises(InputError) as caught:
        load_upload(name, data)
    assert_one_line(str(caught.value))
    assert str(caught.value).startswith(name)
    assert "<script>" not in str(caught.value)


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_every_hostile_file_exits_2_with_one_line_on_the_cli(case, tmp_path, capsys):
    name, data = HOSTILE_FILES[case]
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["graph", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line(captured.err.strip())
    assert captured.err.startswith(f"error: {path}")


def _file_text() -> st.SearchStrategy[bytes]:
    lines = st.lists(st.lists(st.sampled_from(FORMAT_WORDS), min_size=1, max_size=5)
                     .map(" ".join), max_size=12)
    return st.one_of(lines.map(lambda rows: "\n".join(rows).encode()), st.binary(max_size=400))


@FUZZ
@given(extension=st.sampled_from(EXTENSIONS), data=_file_text())
def test_any_bytes_under_any_extension_load_or_fail_in_one_line(extension, data):
    try:
        structure = load_upload(f"fuzz{extension}", data)
    except InputError as exc:
        assert_one_line(str(exc))
    else:
        assert_a_usable_structure(structure)


SPEC_PREFIXES = ["g2:", "qm9:", "smiles:", "", "./", "/", "file.xyz@"]


@FUZZ
@given(prefix=st.sampled_from(SPEC_PREFIXES),
       rest=st.text(alphabet=string.printable + "\x00é☃", max_size=40))
def test_any_structure_spec_loads_or_fails_in_one_line(prefix, rest):
    try:
        structure = load_structure(prefix + rest)
    except InputError as exc:
        assert_one_line(str(exc))
    else:
        assert_a_usable_structure(structure)


@FUZZ
@given(name=st.sampled_from(["bonds", "radius", "knn", "full", "explicit", "", "cutoff"]),
       arg=st.one_of(st.none(), st.text(max_size=12),
                     st.sampled_from(["inf", "-inf", "nan", "1e400", "0", "-1", "2.5", "1e20"])))
def test_any_graph_rule_parses_or_fails_in_one_line(name, arg):
    text = name if arg is None else f"{name}:{arg}"
    try:
        rule = parse_rule(text)
    except InputError as exc:
        assert_one_line(str(exc))
    else:
        assert_a_usable_rule(text, rule)


# A chain of three, with its own edges, so that every rule (explicit too) applies.
CHAIN = make_structure([6, 6, 6], [[0, 0, 0], [1.5, 0, 0], [3, 0, 0]], edges=[[0, 1], [1, 2]])


def assert_a_usable_rule(text: str, rule) -> None:
    """An accepted rule says what was typed, reads back as itself, is within sane
    bounds, and builds the graph it promises."""
    if rule is None:  # no rule: explicit edges, else bonds
        assert text == ""
        return
    assert rule.kind == text.strip().partition(":")[0].lower()
    assert parse_rule(str(rule)) == rule
    edges = build_edges(CHAIN, rule)
    assert_edges_in_range(edges, len(CHAIN))
    if rule.kind == "radius":
        assert 0 < rule.value <= MAX_RADIUS
        distances = [abs(CHAIN.positions[i, 0] - CHAIN.positions[j, 0]) for i, j in edges]
        assert all(d <= rule.value for d in distances)
    if rule.kind == "knn":
        assert rule.value == int(rule.value) and 1 <= rule.value <= limits().atoms
        degree = [sum(atom in edge for edge in edges.tolist()) for atom in range(len(CHAIN))]
        assert min(degree) >= min(int(rule.value), len(CHAIN) - 1)


@pytest.mark.parametrize("text", ["bonds", "FULL", "explicit", " knn:2 ", "knn:1", "knn:1e2",
                                  "radius:2.5", "radius:1e-3", "radius:34000", ""])
def test_a_graph_rule_at_the_edge_of_sense_is_accepted_and_builds_its_graph(text):
    assert_a_usable_rule(text, parse_rule(text))


@pytest.mark.parametrize("text, problem", [
    ("knn:1e20", "at most"), ("knn:100000", "at most"), ("knn:2.5", "positive integer"),
    ("knn:0", "positive integer"), ("radius:1e20", "at most"), ("radius:0", "> 0"),
    ("radius:inf", "finite"), ("knn:nan", "finite"),
])
def test_an_absurd_graph_rule_parameter_is_refused_in_one_line_quoting_it(text, problem):
    with pytest.raises(InputError) as caught:
        parse_rule(text)
    message = str(caught.value)
    assert_one_line(message)
    assert repr(text) in message and problem in message


CLI_WORDS = ["graph", "oracle", "embed", "twist", "limits", "cases", "g2:H2O", "g2:nope",
             "smiles:C1CC", "qm9:0", "--hops", "--atom", "--graph", "--body-order", "--json",
             "-1", "0", "99", "knn:inf", "radius:nan", "bonds", "x"]


@FUZZ
@given(argv=st.lists(st.sampled_from(CLI_WORDS), min_size=1, max_size=6))
def test_any_command_line_runs_or_fails_in_one_line(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: usage errors, --help
        code = exit_.code
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert code in (0, 2), (argv, err)
    if code == 2:
        assert_one_line(err)
    else:  # an accepted command line answers, in JSON when asked to
        assert captured.out.strip() and not err, (argv, err)
        if "--json" in argv:
            json.loads(captured.out)


HOSTILE_SMILES = ["C1CC", "", "<script>alert(1)</script>", "C" * 400, "[Xx]", "c1ccccc1\x00",
                  "Q", "C(C(C(C"]


def test_the_explorer_shows_a_bad_molecule_in_one_line_and_keeps_the_other_settings():
    at = open_page("explorer")
    at.sidebar.radio(key="source").set_value("smiles").run()
    at.sidebar.selectbox(key="graph").set_value("radius").run()
    at.sidebar.slider(key="hops").set_value(3).run()
    at.sidebar.radio(key="body_order").set_value("2").run()
    at.sidebar.radio(key="group").set_value("SO3").run()
    for text in HOSTILE_SMILES:
        at.sidebar.text_input(key="smiles").set_value(text).run()
        assert not at.exception, text
        assert len(at.error) == 1, text
        assert_one_line(at.error[0].value)
    at.sidebar.text_input(key="smiles").set_value("CCCC").run()
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="graph").value == "radius"
    assert at.sidebar.slider(key="hops").value == 3
    assert at.sidebar.radio(key="body_order").value == "2"
    assert at.sidebar.radio(key="group").value == "SO3"
