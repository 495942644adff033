"""Big graphs never hang: chains fold with a count, the rest is summarised past max_nodes."""

from __future__ import annotations

import re
import time

import pytest

import viz
from autograd_engine import Tensor


def long_chain(n: int) -> Tensor:
    y = Tensor(1.0, requires_grad=True, name="x")
    for _ in range(n):
        y = y * 1.0001
    return y.tanh()


def test_repeated_chain_is_folded_with_a_count() -> None:
    graph = viz.draw_graph(long_chain(1000), max_nodes=50)
    assert graph.node_count <= 50
    assert "mul x 1000" in graph.source  # every mul of the chain, then its last output
    assert "folded into one node" in graph.source


def test_small_chain_is_not_folded() -> None:
    graph = viz.draw_graph(long_chain(10))
    assert "mul x" not in graph.source and graph.node_count == 1 + 10 * 3 + 2


def wide_graph(n: int) -> Tensor:
    xs = [Tensor(float(i), requires_grad=True, name=f"x{i}") for i in range(n)]
    out = xs[0]
    for i, x in enumerate(xs[1:]):
        out = (out + x * x) if i % 2 else (out * x).tanh()
    return out


def test_past_max_nodes_the_far_part_is_summarised() -> None:
    graph = viz.draw_graph(wide_graph(400), max_nodes=40, view="backward")
    assert graph.node_count <= 40
    match = re.search(r"\.\.\. (\d+) earlier tensors not drawn", graph.source)
    assert match and int(match.group(1)) > 300
    assert "raise max_nodes to see them" in graph.source
    assert "x399" in graph.source  # the part next to the output is kept


def test_default_cap_renders_quickly(tmp_path) -> None:
    graph = viz.draw_graph(wide_graph(2000))
    assert graph.node_count <= viz.DEFAULT_MAX_NODES
    start = time.perf_counter()
    graph.render(tmp_path / "big.svg")
    assert time.perf_counter() - start < 15  # generous: the point is that it cannot hang


def test_ten_thousand_op_chain_builds_without_recursion() -> None:
    graph = viz.draw_graph(long_chain(10_000), max_nodes=30)
    assert "mul x 10000" in graph.source


@pytest.mark.parametrize("max_nodes", [5, 12, 33])
def test_node_count_respects_max_nodes(max_nodes: int) -> None:
    assert viz.draw_graph(wide_graph(60), max_nodes=max_nodes).node_count <= max_nodes
