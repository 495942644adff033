"""Infinite and NaN gradients are drawn and flagged, never a crash (what a user debugging with
detect_anomaly needs to see)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import viz
from autograd_engine import Tensor
from viz.dot import NONFINITE_COLOUR
from viz.labels import gradient_text

# 1/0 and sqrt'(0) are the point here: numpy's warnings about them are expected
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def reciprocal_of_zero() -> Tensor:
    x = Tensor(0.0, requires_grad=True, name="x")
    y = 1 / x
    y.backward(retain_graph=True)
    return y


def sqrt_at_zero() -> Tensor:
    x = Tensor([0.0, 1.0], requires_grad=True, name="x")
    out = x.sqrt().sum()
    out.backward(retain_graph=True)
    return out


@pytest.mark.parametrize("make", [reciprocal_of_zero, sqrt_at_zero])
@pytest.mark.parametrize("view", ["forward", "backward", "both"])
def test_non_finite_gradients_are_drawn_and_flagged(make, view: str, tmp_path: Path) -> None:
    graph = viz.draw_graph(make(), view=view)
    assert NONFINITE_COLOUR in graph.source  # the flag colour, explained in the legend
    assert "inf / nan" in graph.source
    ET.parse(graph.render(tmp_path / "g.svg"))


def test_labels_say_inf_and_nan() -> None:
    assert gradient_text(np.array(-np.inf)) == "-inf"
    assert "1/2 inf" in gradient_text(np.array([np.inf, 1.0]))
    assert "1/3 nan" in gradient_text(np.array([np.nan, 1.0, 2.0]))
    source = viz.draw_graph(sqrt_at_zero(), view="backward").source
    assert "1/2 inf" in source


def test_finite_gradients_keep_their_log_scale() -> None:
    # the inf must not stretch (or NaN) the colour scale of the finite gradients
    source = viz.draw_graph(sqrt_at_zero(), view="backward").source
    assert "1.4 (log scale)" in source
    assert "nan (log" not in source and "inf (log" not in source


def test_step_through_with_non_finite_gradients(tmp_path: Path) -> None:
    for root in (reciprocal_of_zero(), sqrt_at_zero()):
        html = viz.save_backprop(root, tmp_path / "bp.html").read_text(encoding="utf-8")
        assert "inf" in html
        assert "nan ×" not in html and "inf × nan" not in html


def test_plot_grad_flow_with_non_finite_gradients(tmp_path: Path) -> None:
    class Model:
        def __init__(self) -> None:
            self.a = Tensor([0.0, 1.0], requires_grad=True)
            self.b = Tensor([2.0], requires_grad=True)

        def named_parameters(self):
            return iter([("a", self.a), ("b", self.b)])

        def named_children(self):
            return iter(())

    model = Model()
    (model.a.sqrt().sum() + (model.b * np.nan).sum()).backward()
    assert viz.plot_grad_flow(model, tmp_path / "g.png").stat().st_size > 0


def test_plot_weights_with_nan_weights(tmp_path: Path) -> None:
    class Model:
        w = Tensor([np.nan, 1.0, np.inf])

        def named_parameters(self):
            return iter([("w", self.w)])

    assert viz.plot_weights(Model(), tmp_path / "w.png").stat().st_size > 0


def test_under_detect_anomaly_a_picture_draws_the_nan_instead_of_raising(tmp_path: Path) -> None:
    """The tutorial's workflow: a loss went nan, draw it, with detect_anomaly() on to find the
    op. The picture's pass reads gradients, it does not check them."""
    from autograd_engine import detect_anomaly

    with detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        x, y = Tensor(1.0, requires_grad=True), Tensor(0.0, requires_grad=True)
        source = viz.draw_graph(x / y, view="backward").source
        viz.save_backprop(x / y, tmp_path / "bp.html")
    assert "changed in place" not in source and "inf" in source
