"""backprop_steps follows the engine's own backward, node for node, and changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

import viz
from autograd_engine import Tensor, reverse_topological_order, run_backward


def recorded_backward(root: Tensor) -> list[Tensor]:
    """The op nodes a real backward visits, in order, recorded through the engine's hook."""
    order: list[Tensor] = []
    run_backward([root], [None], retain_graph=True, create_graph=False, capture=[],
                 on_step=lambda node, grad, input_grads: order.append(node))
    return order


def mlp_loss() -> Tensor:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(5, 3)))
    w1 = Tensor(rng.normal(size=(3, 4)), requires_grad=True, name="w1")
    w2 = Tensor(rng.normal(size=(4, 1)), requires_grad=True, name="w2")
    b = Tensor(np.zeros(4), requires_grad=True, name="b")
    return (((x @ w1 + b).relu() @ w2) ** 2).mean()


@pytest.mark.parametrize("make", ["neuron", "mlp"])
def test_steps_follow_the_engines_order(make: str) -> None:
    from tests.viz.conftest import make_neuron

    root = make_neuron() if make == "neuron" else mlp_loss()
    steps = list(viz.backprop_steps(root))
    ops = [s.node for s in steps if not s.is_leaf]
    assert len(ops) == len(recorded_backward(root))
    assert all(a is b for a, b in zip(ops, recorded_backward(root)))
    walk = [t for t in reverse_topological_order([root])]
    positions = [next(i for i, t in enumerate(walk) if t is s.node) for s in steps]
    assert positions == sorted(positions)  # leaves sit where the walk puts them


def test_neuron_steps_carry_micrograds_numbers(neuron: Tensor) -> None:
    steps = list(viz.backprop_steps(neuron))
    assert [s.op or s.node.name for s in steps] == ["tanh", "add", "b", "add", "mul", "w2",
                                                    "mul", "w1"]
    assert steps[0].grad.item() == 1.0 and steps[0].rule == "∂tanh a/∂a = 1 − tanh²a"
    assert float(steps[0].contributions[0]) == pytest.approx(0.5)
    leaf = {s.node.name: s.grad.item() for s in steps if s.is_leaf}
    assert leaf == pytest.approx({"b": 0.5, "w2": 0.0, "w1": 1.0})
    x1_step = steps[-2]
    assert x1_step.contributions[0] is None  # x1 does not require grad: nothing is sent


def test_steps_touch_no_grad_and_match_backward() -> None:
    root = mlp_loss()
    steps = list(viz.backprop_steps(root))
    leaves = {s.node: s.grad.data for s in steps if s.is_leaf}
    assert all(t.grad is None for t in leaves)
    root.backward()  # the graph is still there
    for t, g in leaves.items():
        np.testing.assert_allclose(t.grad.data, g)


def test_contributions_are_summed_to_the_input_shape() -> None:
    b = Tensor(np.zeros(4), requires_grad=True, name="b")
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    step = list(viz.backprop_steps((x + b).sum()))[1]
    assert step.op == "add" and step.contributions[1].shape == (4,)
    np.testing.assert_allclose(step.contributions[1], [3.0] * 4)


def test_non_scalar_root_needs_a_gradient() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient is not implied"):
        list(viz.backprop_steps(x * 2))
    steps = list(viz.backprop_steps(x * 2, gradient=np.ones(3)))
    np.testing.assert_allclose(steps[-1].grad.data, [2.0, 2.0, 2.0])


def test_a_leaf_root_is_one_step() -> None:
    x = Tensor(2.0, requires_grad=True, name="x")
    (step,) = viz.backprop_steps(x)
    assert step.is_leaf and step.node is x and step.grad.item() == 1.0
    assert "grad 1.0000" in viz.draw_graph(x, view="backward").source
