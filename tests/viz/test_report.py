"""write_report: one offline page with reports, plots, the model graph and a step-through."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import viz
from autograd_engine import Tensor


def test_report_is_one_self_contained_page(tiny_model, neuron: Tensor, tmp_path: Path) -> None:
    loss = (tiny_model(Tensor(np.ones((2, 3)))) ** 2).mean()
    loss.backward(retain_graph=True)
    figure = viz.plot_weights(tiny_model, tmp_path / "extra.png")
    path = viz.write_report(
        tmp_path / "out", title="Demo <run>", intro="Two data sets & one model.",
        reports={"moons": "              precision    recall\n     0       0.97      0.95"},
        histories={"moons": {"loss": [0.7, 0.3], "val_loss": [0.8, 0.4]}},
        model=tiny_model, graph_root=loss, graph_depth=1, backprop_root=neuron,
        figures={"Extra figure": figure})
    assert path == tmp_path / "out" / "report.html"
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]
    html = path.read_text(encoding="utf-8")
    assert "<title>Demo &lt;run&gt;</title>" in html
    assert "precision    recall\n     0       0.97" in html  # lines kept in <pre>
    assert html.count('src="data:image/png;base64,') == 4  # history, extra, weights, grad flow
    assert html.count("<svg") == 2  # the model graph and the step-through
    assert 'class="bp"' in html and "backpropStepThrough(" in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)


@pytest.mark.parametrize("argument", ["reports", "histories", "figures"])
def test_report_parts_must_be_dicts_by_heading(argument: str, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=f"{argument} must be a dict {{heading: ...}}, got list"):
        viz.write_report(tmp_path, **{argument: [{"loss": [1.0]}]})


def test_report_parts_are_optional(tmp_path: Path) -> None:
    html = viz.write_report(tmp_path, reports={"a": "text"}).read_text(encoding="utf-8")
    assert "<pre>text</pre>" in html and "<svg" not in html


def test_report_with_real_nn_history(tmp_path: Path) -> None:
    nn = pytest.importorskip("nn")
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(float)
    nn.manual_seed(0)
    model = nn.MLP([2, 4, 1])
    history = nn.fit(model, X, y, nn.BCEWithLogitsLoss(), nn.optim.SGD(model.parameters(), lr=0.1),
                     epochs=2, progress=False, seed=0)
    loss = nn.BCEWithLogitsLoss()(model(Tensor(X)), Tensor(y.reshape(-1, 1)))
    html = viz.write_report(tmp_path, histories={"toy": history}, model=model,
                            graph_root=loss).read_text(encoding="utf-8")
    assert "Training history: toy" in html and "layers.0.weight" in html
    assert re.search(r"0: Linear\(2 (-|&#45;)&gt; 4\)", html)  # the cluster title in the SVG
