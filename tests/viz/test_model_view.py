"""Model view: parameters named, one cluster per module, depth collapses modules to boxes."""

from __future__ import annotations

import re

import numpy as np
import pytest

import viz
from autograd_engine import Tensor


def loss_of(model, n_in: int) -> Tensor:
    x = Tensor(np.random.default_rng(0).normal(size=(4, n_in)))
    return (model(x) ** 2).mean()


def test_clusters_and_parameter_names_with_a_duck_typed_model(tiny_model) -> None:
    graph = viz.draw_graph(loss_of(tiny_model, 3), model=tiny_model)
    source = graph.source
    assert "<B>0: TinyLinear(3 -&gt; 4)</B>" in source
    assert "<B>1: TinyTanh</B>" in source and "<B>2: TinyLinear(4 -&gt; 1)</B>" in source
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert f"<B>{name}</B>" in source
    assert "(4, 3)" in source  # weight shape (out, in), as PyTorch
    clusters = dict(re.findall(r'subgraph "(cluster_\d+)" \{\n\s+label=<<B>([^<]+)</B>', source))
    assert len(clusters) == 3
    tanh_cluster = source[source.index("1: TinyTanh"):]
    assert "label=<tanh>" in tanh_cluster.split("}")[0]  # the activation's op is inside it
    assert "parameter" in source  # legend


def test_depth_collapses_modules_to_boxes(tiny_model) -> None:
    graph = viz.draw_graph(loss_of(tiny_model, 3), model=tiny_model, depth=1, view="backward")
    source = graph.source
    assert "subgraph" not in source
    assert source.count('shape="plain", label=<<TABLE BORDER="1" CELLBORDER="0"') == 3
    assert "|g| " in source  # parameter gradient norms inside the boxes
    assert "matmul" not in source  # the ops inside the layers are hidden


def test_model_without_named_parameters_is_a_clear_error(neuron: Tensor) -> None:
    with pytest.raises(TypeError, match="named_parameters"):
        viz.draw_graph(neuron, model=object())


def test_real_mlp_with_its_loss_fits_on_a_screen() -> None:
    nn = pytest.importorskip("nn")
    nn.manual_seed(0)
    model = nn.MLP([30, 16, 16, 16, 16, 1], activation="relu")
    X = Tensor(np.random.default_rng(0).normal(size=(32, 30)))
    y = Tensor((np.random.default_rng(1).random((32, 1)) > 0.5).astype(float))
    loss = nn.BCEWithLogitsLoss()(model(X), y)
    full = viz.draw_graph(loss, model=model, view="backward")
    assert "0: Linear(30 -&gt; 16)" in full.source and "<B>layers.0.weight</B>" in full.source
    assert "(16, 30)" in full.source and "1: ReLU" in full.source
    assert full.source.count(" -> ") < 200
    boxes = viz.draw_graph(loss, model=model, view="backward", depth=2)
    assert boxes.source.count(" -> ") < 60
    assert boxes.source.count("Linear(") == 5


@pytest.mark.parametrize("depth, boxes", [(0, 1), (1, 3), (4, 3)])
def test_depth_boxes_every_module_once(tiny_model, depth: int, boxes: int) -> None:
    source = viz.draw_graph(loss_of(tiny_model, 3), model=tiny_model, depth=depth).source
    assert source.count('label=<<TABLE BORDER="1" CELLBORDER="0"') == boxes
    assert "label=<pow>" in source or "** 2" in source  # the loss stays outside the model


def test_an_activation_used_at_two_places_is_drawn_at_both() -> None:
    """nn's named_children lists a reused module once, as PyTorch's does; the picture walks
    every name it is held by, so its second use is not drawn outside the model."""
    nn = pytest.importorskip("nn")
    nn.manual_seed(0)
    relu = nn.ReLU()
    model = nn.Sequential(nn.Linear(2, 3), relu, nn.Linear(3, 3), relu, nn.Linear(3, 1))
    loss = (model(Tensor(np.ones((2, 2)))) ** 2).sum()
    source = viz.draw_graph(loss, model=model, view="backward").source
    assert "1: ReLU" in source and "3: ReLU" in source
