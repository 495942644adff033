"""The gradients a picture shows agree with each other: an edge carries everything its input
receives through it, and every node shows the gradient of the root being drawn."""

from __future__ import annotations

import re

import numpy as np

import viz
from autograd_engine import Tensor


def edge_label(source: str, src: str, dst: str) -> str:
    """The gradient label of the (only) drawn edge src -> dst."""
    found = re.findall(rf'"{src}" -> "{dst}" \[[^\]]*?>([-0-9.]+)</FONT>', source)
    assert len(found) == 1, f"expected one labelled edge {src} -> {dst}, found {found}"
    return found[0]


def leaf_grad(source: str, name: str) -> str:
    found = re.search(rf"<B>{name}</B>.*?grad ([-0-9.]+)</TD>", source)
    assert found, f"no gradient drawn on {name}"
    return found.group(1)


def test_a_tensor_used_twice_by_one_op_gets_the_sum_on_its_edge() -> None:
    x = Tensor(3.0, requires_grad=True, name="x")
    source = viz.draw_graph(x * x, view="backward").source
    assert source.count('"v0" -> "f1"') == 1  # one arrow, not one per input slot
    assert edge_label(source, "v0", "f1") == "6.0000"  # d(x*x)/dx = 2x, both slots summed
    assert leaf_grad(source, "x") == "6.0000"


def test_shared_input_of_an_array_op_sums_its_slots() -> None:
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True, name="x")
    source = viz.draw_graph((x * x).sum(), view="backward").source
    label = re.search(r'"v0" -> "f1" \[[^\]]*?>([^<]+)</FONT>', source).group(1)
    assert label == viz.labels.gradient_text(np.array([2.0, -4.0]))


def test_a_leaf_shows_the_gradient_of_the_drawn_root_not_of_another_backward() -> None:
    a = Tensor(2.0, requires_grad=True, name="a")
    h = a * 3.0
    (h * h).backward()  # a.grad = 2 * h * 3 = 36, a different root
    for view in ("backward", "forward", "both"):
        source = viz.draw_graph(h, view=view).source
        assert leaf_grad(source, "a") == "3.0000", view  # dh/da, what the edge says
        assert "grad 36" not in source


def test_accumulated_grad_is_not_shown_as_the_gradient_of_one_pass() -> None:
    a = Tensor(2.0, requires_grad=True, name="a")
    y = a * 3.0
    y.backward(retain_graph=True)
    y.backward()  # a.grad accumulates to 6
    assert a.grad.item() == 6.0
    source = viz.draw_graph(y, view="backward").source
    assert leaf_grad(source, "a") == "3.0000"
    assert edge_label(source, "v0", "f1") == "3.0000"


def test_an_input_that_needs_no_gradient_is_sent_none_whatever_the_op() -> None:
    """add's formula returns a gradient for both inputs; the engine sends it only to those
    that require grad, and the picture and the step-through say what the engine does."""
    x = Tensor(2.0, name="x")
    b = Tensor(1.0, requires_grad=True, name="b")
    out = (x + b).tanh()
    out.backward()
    source = viz.draw_graph(out, view="backward").source
    assert '"v0" -> "f2" [style="dotted", dir=back]' in source  # x: no label, dotted
    assert edge_label(source, "v1", "f2") == "0.0099"
    (add_step,) = [s for s in viz.backprop_steps(out) if s.op == "add"]
    assert add_step.contributions[0] is None and x.grad is None
