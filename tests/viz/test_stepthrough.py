"""save_backprop writes one self-contained page whose steps point at nodes of its SVG."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import viz
from autograd_engine import Tensor


def page_parts(path: Path) -> tuple[str, list[dict], ET.Element]:
    html = path.read_text(encoding="utf-8")
    payload = re.search(r'<script type="application/json" class="bp-steps">(.*?)</script>',
                        html, re.S).group(1)
    svg = re.search(r"(<svg.*?</svg>)", html, re.S).group(1)
    return html, json.loads(payload), ET.fromstring(svg)


def test_page_is_self_contained(neuron: Tensor, tmp_path: Path) -> None:
    path = viz.save_backprop(neuron, tmp_path / "bp.html")
    html, steps, svg = page_parts(path)
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "@import" not in html and "fetch(" not in html
    assert len(steps) == len(list(viz.backprop_steps(neuron)))


def test_every_step_highlights_nodes_of_the_svg(neuron: Tensor, tmp_path: Path) -> None:
    _, steps, svg = page_parts(viz.save_backprop(neuron, tmp_path / "bp.html"))
    ids = {g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g")}
    assert steps[0]["ids"] == ["v9", "f9"]  # the output and its tanh come first
    for step in steps:
        assert step["ids"] and set(step["ids"]) <= ids


def test_panel_shows_the_chain_rule_in_numbers(neuron: Tensor, tmp_path: Path) -> None:
    _, steps, _ = page_parts(viz.save_backprop(neuron, tmp_path / "bp.html"))
    assert "1.0000 × 0.5000 = 0.5000" in steps[0]["html"]  # tanh: 1 × (1 − 0.7071²)
    assert "∂tanh a/∂a = 1 − tanh²a" in steps[0]["html"]
    w1_mul = steps[6]["html"]
    assert "w1: <code>0.5000 × 2.0000 = 1.0000</code>" in w1_mul
    assert "x1: nothing sent (it does not require grad)" in w1_mul
    assert "added to <code>w1.grad</code>" in steps[7]["html"]


def test_a_non_scalar_root_steps_through_the_gradient_of_its_sum(tmp_path: Path) -> None:
    """As draw_graph draws it: backward seeded with ones, and the picture says so."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    html, steps, _ = page_parts(viz.save_backprop(x * x, tmp_path / "bp.html"))
    assert "gradients are those of its sum" in html
    assert "∂L/∂x = (2,) |g| 4.47" in steps[-1]["html"]  # |(2, 4)|: d(sum x²)/dx = 2x


def test_hostile_names_cannot_break_the_page(tmp_path: Path) -> None:
    x = Tensor(1.0, requires_grad=True, name='</script><script>alert(1)</script>')
    html, steps, _ = page_parts(viz.save_backprop(x.tanh() * 2, tmp_path / "bp.html"))
    assert html.count("<script>alert(1)") == 0
    assert any("&lt;/script&gt;" in s["html"] for s in steps)


def test_step_through_says_the_edge_carries_the_sum(tmp_path: Path) -> None:
    x = Tensor(3.0, requires_grad=True, name="x")
    _, steps, _ = page_parts(viz.save_backprop(x * x, tmp_path / "bp.html"))
    mul = steps[0]["html"]
    assert mul.count("x: <code>1.0000 × 3.0000 = 3.0000</code>") == 2  # one row per slot
    assert "3.0000 + 3.0000 = 6.0000" in mul  # what the single drawn edge carries
    assert "6.0000" in steps[1]["html"]  # the leaf step: 6 added to x.grad


@pytest.mark.parametrize("depth", [None, 1])
def test_model_view_step_through(tiny_model, tmp_path: Path, depth) -> None:
    loss = (tiny_model(Tensor(np.ones((2, 3)))) ** 2).mean()
    _, steps, svg = page_parts(viz.save_backprop(loss, tmp_path / "m.html", model=tiny_model,
                                                 depth=depth))
    assert any("0.weight" in s["html"] for s in steps)
    ids = {g.get("id") for g in svg.iter("{http://www.w3.org/2000/svg}g")}
    assert all(set(s["ids"]) <= ids for s in steps)


def test_an_unnamed_leaf_that_learns_is_not_called_an_input(tmp_path: Path) -> None:
    bias = Tensor([0.5, -0.5], requires_grad=True)  # a parameter without a name or model
    data = Tensor([1.0, 2.0])
    page = viz.save_backprop(((data + bias) ** 2).sum(), tmp_path / "steps.html").read_text()
    assert "leaf ((2,))" in page and "input ((2,))" in page  # the bias, then the data
