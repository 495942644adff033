"""draw_graph: golden DOT, deterministic ids, escaping, roles, gradients and argument checks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import viz
from autograd_engine import Tensor

GOLDEN_A_TIMES_B_PLUS_2 = """\
digraph autograd {
  graph [rankdir=LR, fontname="Helvetica", fontsize=11, labelloc=b, labeljust=l, nodesep=0.25, ranksep=0.35, label=<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR><TD BGCOLOR="#ffd8a8" BORDER="1">output</TD><TD BGCOLOR="#b2f2bb" BORDER="1">leaf (requires grad)</TD><TD BGCOLOR="#fff3bf" BORDER="1">constant</TD><TD BGCOLOR="#ffffff" BORDER="1">intermediate</TD></TR></TABLE>>]
  node [fontname="Helvetica", fontsize=11]
  edge [fontname="Courier", fontsize=9, arrowsize=0.7]
  "v0" [id="v0", shape="plain", label=<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#b2f2bb" COLOR="#495057"><TR><TD BGCOLOR="#b2f2bb"><B>a</B></TD><TD>data 3.0000</TD></TR></TABLE>>]
  "v1" [id="v1", shape="plain", label=<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#b2f2bb" COLOR="#495057"><TR><TD BGCOLOR="#b2f2bb"><B>b</B></TD><TD>data -2.0000</TD></TR></TABLE>>]
  "v2" [id="v2", shape="plain", label=<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#ffffff" COLOR="#495057"><TR><TD>data -6.0000</TD></TR></TABLE>>]
  "f2" [id="f2", shape="ellipse", style="filled", fillcolor="#f1f3f5", fontsize="10", margin="0.05,0.02", height="0.3", label=<mul>]
  "v3" [id="v3", shape="plain", label=<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="#ffd8a8" COLOR="#495057"><TR><TD BGCOLOR="#ffd8a8"><B>output</B></TD><TD>data -4.0000</TD></TR></TABLE>>]
  "f3" [id="f3", shape="ellipse", style="filled", fillcolor="#f1f3f5", fontsize="10", margin="0.05,0.02", height="0.3", label=<add>]
  "c3_1" [id="c3_1", shape="box", style="rounded,filled", fillcolor="#fff3bf", fontname="Courier", fontsize="10", height="0.3", label=<2>]
  "v0" -> "f2"
  "v1" -> "f2"
  "f2" -> "v2"
  "v2" -> "f3"
  "c3_1" -> "f3"
  "f3" -> "v3"
}
"""


def a_times_b_plus_2() -> Tensor:
    a = Tensor(3.0, requires_grad=True, name="a")
    b = Tensor(-2.0, requires_grad=True, name="b")
    return a * b + 2


def test_golden_dot_of_a_small_expression() -> None:
    assert viz.draw_graph(a_times_b_plus_2()).source == GOLDEN_A_TIMES_B_PLUS_2


def test_source_is_deterministic_across_fresh_graphs(neuron: Tensor) -> None:
    from tests.viz.conftest import make_neuron

    for view in ("forward", "backward", "both"):
        assert viz.draw_graph(neuron, view=view).source == \
            viz.draw_graph(make_neuron(), view=view).source


def test_ids_follow_the_engine_walk(neuron: Tensor) -> None:
    from autograd_engine import topological_order

    graph = viz.draw_graph(neuron)
    for i, t in enumerate(topological_order([neuron], only_requires_grad=False)):
        assert graph.node_id(t) == f"v{i}"
        assert graph.op_id(t) == (f"f{i}" if t.grad_fn is not None else None)


HOSTILE = 'a"<b>{c}|d:e&f\\'


def test_hostile_names_are_escaped_in_dot_and_render_literally() -> None:
    x = Tensor(1.5, requires_grad=True, name=HOSTILE)
    y = (x * 2).tanh()
    y.name = "<script>alert(1)</script>\n]]>"
    graph = viz.draw_graph(y, view="both")
    assert HOSTILE not in graph.source and "<script>" not in graph.source
    assert "a&quot;&lt;b&gt;{c}|d:e&amp;f\\" in graph.source
    svg = graph.svg()
    root = ET.fromstring(svg)  # parses: nothing broke the XML
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert HOSTILE in texts
    assert "<script>alert(1)</script> ]]>" in texts
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


@pytest.mark.parametrize("name", ["it's", "<!--x-->", "]]>", "&amp;", "α→β", "a\\b\\", "{x|y}"])
def test_more_hostile_names_render_literally(name: str) -> None:
    svg = viz.draw_graph(Tensor(1.0, requires_grad=True, name=name) * 2).svg()
    texts = ["".join(el.itertext())
             for el in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert name in texts


def test_roles_constants_and_legend(neuron: Tensor) -> None:
    x = Tensor(2.0, requires_grad=True, name="x")
    c = Tensor(5.0, name="c")  # a constant tensor: drawn as input / no grad
    out = x * 3 + c
    source = viz.draw_graph(out).source
    assert 'label=<3>' in source  # the plain Python number is drawn
    for legend in ("output", "leaf (requires grad)", "input / no grad", "constant"):
        assert f'BORDER="1">{legend}</TD>' in source
    assert "parameter" not in source


def test_forward_view_shows_grads_only_after_backward(neuron: Tensor) -> None:
    assert ">grad " not in viz.draw_graph(neuron).source
    neuron.backward(retain_graph=True)
    source = viz.draw_graph(neuron).source
    assert "grad 1.0000" in source and "grad 0.5000" in source


def test_backward_view_labels_edges_and_flags_zero_and_missing(neuron: Tensor) -> None:
    graph = viz.draw_graph(neuron, view="backward")
    source = graph.source
    # w1 = -3 receives x1 * 0.5 = 1.0, w2 receives x2 * 0.5 = 0 (flagged), x1 and x2 no grad
    w1_edge = re.search(r'"v1" -> "f2" \[dir=back[^\]]*>([-0-9.]+)</FONT>', source)
    assert w1_edge and w1_edge.group(1) == "1.0000"
    assert source.count("grad 0 (zero)") == 1
    assert source.count("<I>no grad</I>") == 2  # x1 and x2 do not require grad
    assert "|grad|" in source  # the magnitude scale in the legend


def test_dead_relu_is_flagged() -> None:
    x = Tensor(np.array([-1.0, -2.0]), requires_grad=True, name="x")
    out = (x.relu() * 3).sum()
    source = viz.draw_graph(out, view="backward").source
    assert "grad 0 (zero)" in source  # x gets nothing through the dead ReLU


def test_partly_dead_relu_counts_its_zero_gradients() -> None:
    x = Tensor(np.array([1.5, -0.5, -2.0]), requires_grad=True, name="x")
    source = viz.draw_graph((x.relu() * 2).sum(), view="backward").source
    assert "grad |g| 2 (2/3 zero)" in source


def test_detached_branch_has_no_grad() -> None:
    x = Tensor(2.0, requires_grad=True, name="x")
    cut = (x * 2).detach()
    cut.name = "cut"
    source = viz.draw_graph(x * cut, view="backward").source
    assert re.search(r"<B>cut</B>.*?no grad", source)


def test_drawing_never_touches_grad_and_graph_stays_usable(neuron: Tensor) -> None:
    viz.draw_graph(neuron, view="both")
    leaves = [t for t in _leaves(neuron)]
    assert all(t.grad is None for t in leaves)
    neuron.backward()  # the graph was not freed by drawing
    assert [t.grad.item() for t in leaves if t.requires_grad] == pytest.approx([1.0, 0.0, 0.5])


def test_after_backward_every_gradient_is_drawn(neuron: Tensor) -> None:
    """The usual order, backward() then draw: the picture still shows the gradient arriving at
    every node (recomputed by a read-only pass), and backward's own rule is kept: a second
    backward through the released graph is still an error."""
    neuron.backward()
    flow = viz.steps.gradient_flow(neuron)
    assert [float(g) for g in flow.node_grads.values()][:2] == pytest.approx([1.0, 0.5])
    source = viz.draw_graph(neuron, view="backward").source
    assert "only leaf .grad" not in source
    with pytest.raises(RuntimeError, match="retain_graph"):
        neuron.backward()


def test_values_changed_in_place_after_backward_show_leaf_grads_and_say_why(
        neuron: Tensor) -> None:
    neuron.backward()
    weight = next(t for t in _leaves(neuron) if t.requires_grad)
    weight.bump_version()  # as an optimizer step does
    source = viz.draw_graph(neuron, view="backward").source
    assert "changed in place" in source
    assert "grad 1.0000" in source  # w1.grad is still shown


def test_non_scalar_output_is_seeded_with_ones() -> None:
    x = Tensor(np.arange(3.0), requires_grad=True, name="x")
    source = viz.draw_graph(x * 2, view="backward").source
    assert "backward seeded with ones" in source
    assert "|g| 3.46" in source  # |2 * ones(3)| = 3.46


def test_array_values_show_shape_and_summary() -> None:
    w = Tensor(np.ones((32, 30)), requires_grad=True, name="w")
    source = viz.draw_graph(w.sum()).source
    assert "(32, 30)" in source and "data mean 1 std 0" in source


def test_show_data_and_show_grad_switches(neuron: Tensor) -> None:
    source = viz.draw_graph(neuron, view="backward", show_data=False, show_grad=False).source
    assert ">data " not in source and ">grad " not in source


@pytest.mark.parametrize("kwargs, message", [
    ({"view": "sideways"}, "view must be one of"),
    ({"rankdir": "XY"}, "rankdir must be one of"),
    ({"max_nodes": 1}, "max_nodes must be an int >= 2"),
    ({"depth": 1}, "depth needs a model"),
])
def test_bad_arguments_are_clear_errors(neuron: Tensor, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        viz.draw_graph(neuron, **kwargs)


def test_root_must_be_a_tensor() -> None:
    with pytest.raises(TypeError, match="root must be a Tensor"):
        viz.draw_graph(3.0)


def test_notebook_display_is_svg(neuron: Tensor) -> None:
    bundle = viz.draw_graph(neuron)._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")


def _leaves(root: Tensor) -> list[Tensor]:
    from autograd_engine import topological_order

    return [t for t in topological_order([root], only_requires_grad=False) if t.grad_fn is None]
