"""Graph rules, neighbourhoods, bridges and batching (SCIENCE.md, "Objects")."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from eqgnn.batch import collate
from eqgnn.errors import InputError
from eqgnn.graph import (
    bridges,
    build_edges,
    describe_graph,
    hop_distances,
    khop_neighbourhood,
    khop_neighbourhoods,
    parse_rule,
    side_of_bond,
)
from eqgnn.nn.scatter import scatter_mean, scatter_sum
from eqgnn.structure import make_structure
from tests.conftest import g2


def test_bond_rule_finds_every_bond_of_butane_including_c_h(butane):
    # 3 C-C + 10 C-H; ASE's natural cutoffs alone would miss C-H bonds.
    edges = build_edges(butane, "bonds")
    assert len(edges) == 13
    symbols = butane.symbols
    assert sum(symbols[i] == "C" and symbols[j] == "C" for i, j in edges) == 3


def test_radius_rule_is_a_distance_threshold(butane):
    edges = build_edges(butane, "radius:5")
    d = np.linalg.norm(butane.positions[:, None] - butane.positions[None], axis=-1)
    expected = {(i, j) for i in range(len(butane)) for j in range(i + 1, len(butane))
                if d[i, j] <= 5}
    assert {tuple(e) for e in edges.tolist()} == expected
    assert len(edges) > len(build_edges(butane, "bonds"))


def test_knn_rule_gives_every_atom_at_least_n_neighbours(butane):
    edges = build_edges(butane, "knn:3")
    degree = np.bincount(edges.reshape(-1), minlength=len(butane))
    assert degree.min() >= 3


def test_full_rule_joins_every_pair(butane):
    n = len(butane)
    assert len(build_edges(butane, "full")) == n * (n - 1) // 2


def test_explicit_edges_are_used_when_no_rule_is_given():
    s = make_structure([6, 6, 6], [[0, 0, 0], [5, 0, 0], [10, 0, 0]], edges=[[0, 1], [2, 1]])
    assert build_edges(s).tolist() == [[0, 1], [1, 2]]
    assert len(build_edges(s, "bonds")) == 0


@pytest.mark.parametrize("rule", ["radius", "radius:-1", "knn:0", "knn:1.5", "bond", "full:3"])
def test_bad_graph_rules_are_refused(rule):
    with pytest.raises(InputError, match="graph rule"):
        parse_rule(rule)


def test_explicit_rule_needs_edges(butane):
    with pytest.raises(InputError, match="explicit"):
        build_edges(butane, "explicit")


def test_khop_neighbourhood_grows_with_hops_and_holds_the_centre(butane):
    edges = build_edges(butane, "bonds")
    one = khop_neighbourhoods(len(butane), edges, 1)
    two = khop_neighbourhoods(len(butane), edges, 2)
    assert set(one[1]) == {0, 1, 2, 10, 11}
    assert all(set(a) <= set(b) for a, b in zip(one, two))
    assert all(i in hood for i, hood in enumerate(one))


@pytest.mark.parametrize("name", ["trans-butane", "C6H6", "H2O2"])
@pytest.mark.parametrize("hops", [1, 2, 3, 5])
def test_every_neighbourhood_is_the_ball_of_graph_distance_k(name, hops):
    # one rule, three views of it: all centres, one centre, and all-pairs distances
    s = g2(name)
    n, edges = len(s), build_edges(s, "bonds")
    distance = hop_distances(n, edges)
    hoods = khop_neighbourhoods(n, edges, hops)
    for i in range(n):
        ball = np.nonzero((distance[i] >= 0) & (distance[i] <= hops))[0]
        nodes, hop = khop_neighbourhood(n, edges, i, hops)
        assert hoods[i].tolist() == ball.tolist() == nodes.tolist()
        assert hop.tolist() == distance[i, ball].tolist()


def test_a_graph_without_edges_leaves_each_atom_alone():
    hoods = khop_neighbourhoods(3, np.zeros((0, 2), dtype=np.int64), 2)
    assert [h.tolist() for h in hoods] == [[0], [1], [2]]
    assert len(bridges(3, [])) == 0


@pytest.mark.parametrize(("call", "message"), [
    (lambda e: khop_neighbourhoods(4, e, 0), "hops must be >= 1, got 0"),
    (lambda e: khop_neighbourhoods(4, e, 1.5), "hops must be an integer >= 1, got 1.5"),
    (lambda e: khop_neighbourhoods(4, e, True), "hops must be an integer"),
    (lambda e: khop_neighbourhoods(3, e, 1), r"edge \(2, 3\) names an atom out of range \(0..2\)"),
    (lambda e: khop_neighbourhoods(4, e[:, :1], 1), r"edges must be an \(m, 2\) array"),
    (lambda e: khop_neighbourhoods(4, e.astype(float), 1), r"edges must be an \(m, 2\) array"),
    (lambda e: khop_neighbourhood(4, e, 4, 1), r"atom 4 out of range \(0..3\)"),
    (lambda e: khop_neighbourhood(4, e, -1, 2), r"atom -1 out of range"),
    (lambda e: bridges(3, e), r"edge \(2, 3\) names an atom out of range"),
    (lambda e: side_of_bond(4, e, 1, 7), r"atom 7 out of range \(0..3\)"),
    (lambda e: side_of_bond(4, e, 0, 2), "atoms 0 and 2 are not bonded"),
])
def test_bad_graph_input_is_refused_in_one_line(call, message):
    chain = np.array([[0, 1], [1, 2], [2, 3]])
    with pytest.raises(InputError, match=message) as error:
        call(chain)
    assert "\n" not in str(error.value)


def test_the_side_of_a_bridge_is_what_the_bridge_cuts_off(butane):
    edges = build_edges(butane, "bonds")
    n = len(butane)
    for i, j in bridges(n, edges).tolist():
        near, far = side_of_bond(n, edges, i, j), side_of_bond(n, edges, j, i)
        assert set(near).isdisjoint(far) and len(near) + len(far) == n


def test_ring_bonds_are_not_bridges():
    benzene = g2("C6H6")
    edges = build_edges(benzene, "bonds")
    found = {tuple(b) for b in bridges(len(benzene), edges).tolist()}
    symbols = benzene.symbols
    assert len(found) == 6
    assert all("H" in (symbols[i], symbols[j]) for i, j in found)
    with pytest.raises(InputError, match="ring"):
        ring_bond = next(e for e in edges.tolist() if tuple(e) not in found)
        side_of_bond(len(benzene), edges, *ring_bond)


def test_describe_graph_reports_a_neighbourhood_with_hop_distances(butane):
    info = describe_graph(butane, "bonds", atom=0, hops=2)
    hood = info["neighbourhood"]
    assert hood["nodes"][0] == 0 and hood["hop_distance"][0] == 0
    assert max(hood["hop_distance"]) == 2
    with pytest.raises(InputError, match="out of range"):
        describe_graph(butane, "bonds", atom=99)


def test_batch_offsets_edges_per_graph(butane):
    water = g2("H2O")
    batch = collate([water, butane, water], graph="bonds")
    assert batch.num_graphs == 3
    assert batch.edge_index.shape == (2, 2 * (2 + 13 + 2))
    graph_of = batch.batch[batch.edge_index]
    assert torch.equal(graph_of[0], graph_of[1])


def test_scatter_sum_and_mean_match_a_loop():
    src = torch.arange(12, dtype=torch.float64).reshape(6, 2)
    index = torch.tensor([0, 2, 2, 0, 3, 2])
    total = scatter_sum(src, index, 5)
    mean = scatter_mean(src, index, 5)
    for k in range(5):
        rows = src[index == k]
        assert torch.equal(total[k], rows.sum(0))
        expected = rows.mean(0) if len(rows) else torch.zeros(2, dtype=src.dtype)
        assert torch.allclose(mean[k], expected)
