"""What backward does: the walk order, accumulation, which tensors keep `.grad`,
retain_graph, and the graph left behind for pictures."""

from __future__ import annotations

import sys
import weakref
from typing import Callable

import numpy as np
import pytest

from autograd_engine import (Tensor, concatenate, is_grad_enabled, maximum,
                             reverse_topological_order, run_backward, topological_order)


def test_diamond_dc_da_is_8() -> None:
    """b = a + a; c = b * b: b is reused, and a reaches b twice."""
    a = Tensor(1.0, requires_grad=True)
    b = a + a
    c = b * b
    c.backward()
    assert a.grad.item() == 8.0


def test_fan_out_adds_every_path() -> None:
    """x feeds three branches that meet again: d/dx (x² + 3x + eˣ) = 2x + 3 + eˣ."""
    x = Tensor(0.5, requires_grad=True)
    y = x * x + 3 * x + x.exp()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 0.5 + 3 + np.exp(0.5), rel=1e-15)


def test_each_node_propagates_once_with_its_complete_gradient() -> None:
    """In a diamond, the shared node runs its backward once, after both users."""
    a = Tensor(2.0, requires_grad=True)
    shared = a * 3.0
    top = shared.exp() * shared.tanh()
    calls: list[tuple[Tensor, float]] = []
    run_backward([top], [None], retain_graph=False, create_graph=False,
                 on_step=lambda node, grad, _: calls.append((node, float(grad.data))))
    nodes = [node for node, _ in calls]
    assert len(nodes) == len(set(nodes)) == 4  # top, exp, tanh, shared: each once
    assert nodes[-1] is shared
    s = 6.0
    full = np.exp(s) * np.tanh(s) + np.exp(s) * (1 - np.tanh(s) ** 2)
    assert calls[-1][1] == pytest.approx(full, rel=1e-14)
    assert a.grad.item() == pytest.approx(3 * full, rel=1e-14)


def test_reverse_topological_order_puts_users_before_inputs() -> None:
    a = Tensor(1.0, requires_grad=True)
    b = a * 2
    c = b + a
    d = c * b
    order = reverse_topological_order([d])
    assert order[0] is d and order[-1] is a
    position = {t: i for i, t in enumerate(order)}
    for t in order:
        for x in t.grad_fn.inputs if t.grad_fn else ():
            if isinstance(x, Tensor):
                assert position[t] < position[x]
    assert topological_order([d]) == order[::-1]


def test_million_op_chain_backpropagates_without_recursion() -> None:
    """micrograd's recursive topological sort dies near depth 1,000; this walk is iterative."""
    limit = sys.getrecursionlimit()
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad.item() == pytest.approx(1.000001**1_000_000, rel=1e-9)


# --- .grad: who keeps it, and accumulation --------------------------------------------------

def test_gradients_accumulate_across_backward_calls() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    assert x.grad.data.tolist() == [2.0 + 3.0, 4.0 + 3.0]
    x.grad = None
    (x * x).sum().backward()
    assert x.grad.data.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_grad_set_by_hand_must_be_a_tensor_of_the_right_shape(create_graph: bool) -> None:
    """backward adds to it: a (2, 2, 2) one would broadcast silently, an array would fail
    inside numpy."""
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    x.grad = Tensor(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\).*shape \(2, 2\)"):
        (x * 1.0).sum().backward(create_graph=create_graph)
    x.grad = np.ones((2, 2))
    with pytest.raises(TypeError, match=".grad must be a Tensor or None, got ndarray"):
        (x * 1.0).sum().backward(create_graph=create_graph)
    x.grad = Tensor(np.full((2, 2), 3.0))  # the right shape: added to
    (x * 1.0).sum().backward(create_graph=create_graph)
    assert x.grad.data.tolist() == [[4.0, 4.0], [4.0, 4.0]]


@pytest.mark.parametrize("flags, name", [({"create_graph": "no"}, "create_graph"),
                                         ({"retain_graph": 1}, "retain_graph")])
def test_backward_switches_take_only_true_or_false(flags: dict, name: str) -> None:
    """create_graph="no" is true to Python: it would record the backward."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=f"{name} must be True or False"):
        (x * x).sum().backward(**flags)
    assert x.grad is None


def test_only_leaves_keep_grad_unless_retain_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    constant = Tensor([3.0, 4.0])
    hidden = x * constant
    kept = hidden.exp().retain_grad()
    loss = kept.sum()
    loss.backward()
    assert hidden.grad is None and loss.grad is None
    assert constant.grad is None
    np.testing.assert_allclose(kept.grad.data, [1.0, 1.0])
    np.testing.assert_allclose(x.grad.data, constant.data * np.exp(x.data * constant.data))
    assert x.is_leaf and constant.is_leaf and not hidden.is_leaf


def test_grad_is_a_tensor_that_needs_no_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert isinstance(x.grad, Tensor)
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_backward_with_a_gradient_is_a_vector_jacobian_product() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(np.array([1.0, 0.5, -1.0]))
    assert x.grad.data.tolist() == [2.0, 2.0, -6.0]
    x.grad = None
    (x * 2).backward(Tensor([1.0, 1.0, 1.0]))
    assert x.grad.data.tolist() == [2.0, 2.0, 2.0]


def test_backward_from_a_one_element_non_scalar() -> None:
    x = Tensor([[2.0]], requires_grad=True)
    (x * x).backward()
    assert x.grad.data.tolist() == [[4.0]]


# --- retain_graph ---------------------------------------------------------------------------

def test_second_backward_without_retain_graph_is_an_error() -> None:
    """Even through ops that saved nothing (add, sum), and the message says so."""
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    z = (Tensor([1.0, 2.0], requires_grad=True) + 1.0).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="even one that saved no values.*retain_graph=True"):
        z.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = Tensor(2.0, requires_grad=True)
    y = x.exp() * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * (np.exp(2.0) * 3.0), rel=1e-14)


def test_graph_structure_survives_backward() -> None:
    """Backward frees saved values, not edges: the graph can be drawn afterwards."""
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    w = Tensor([0.5, -1.0], name="w")
    y = (x * w).tanh()
    loss = y.sum()
    before = topological_order([loss], only_requires_grad=False)
    loss.backward()
    assert topological_order([loss], only_requires_grad=False) == before
    assert loss.grad_fn.inputs[0] is y
    product_inputs = y.grad_fn.inputs[0].grad_fn.inputs
    assert product_inputs[0] is x and product_inputs[1] is w
    assert x.grad is not None


def test_graph_keeps_operands_that_need_no_gradient() -> None:
    x = Tensor(1.0, requires_grad=True)
    constant = Tensor(2.0)
    y = x * constant + 3.0
    assert y.grad_fn.inputs[1] == 3.0
    product_inputs = y.grad_fn.inputs[0].grad_fn.inputs
    assert product_inputs[0] is x and product_inputs[1] is constant
    # `in` would compare elementwise; a graph walk is about identity.
    assert any(t is constant for t in topological_order([y], only_requires_grad=False))
    assert not any(t is constant for t in topological_order([y]))


def test_nodes_describe_themselves() -> None:
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    y = x.tanh().sum(axis=1)
    assert y.grad_fn.name == "sum" and "axis=1" in y.grad_fn.label
    tanh = y.grad_fn.inputs[0].grad_fn
    assert tanh.name == "tanh" and "tanh" in tanh.rule
    assert "1" in type(tanh).__doc__  # the docstring carries the derivative


def test_detach_cuts_the_graph_and_shares_data() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    z = x * 3
    assert np.shares_memory(z.detach().data, z.data)


def test_an_operand_used_twice_in_one_op_gets_both_gradients() -> None:
    x = Tensor([3.0, -2.0], requires_grad=True)
    ((x * x).sum() + maximum(x, x).sum() + concatenate([x, x]).sum()).backward()
    # d(x²)/dx = 2x; maximum(x, x) splits its tie: ½ + ½; concatenate uses x twice: 1 + 1.
    assert x.grad.data.tolist() == [6.0 + 1.0 + 2.0, -4.0 + 1.0 + 2.0]


def test_backward_from_several_roots_at_once() -> None:
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    z = y * 3  # z depends on the other root y
    run_backward([y, z], [None, None], retain_graph=False, create_graph=False)
    assert x.grad.item() == 2 * 2.0 + 3 * 2 * 2.0


def test_backward_from_an_intermediate_then_from_the_output() -> None:
    x = Tensor(2.0, requires_grad=True)
    y = x.exp()
    z = y * 3
    y.backward(retain_graph=True)
    z.backward()
    assert x.grad.item() == pytest.approx(np.exp(2.0) + 3 * np.exp(2.0), rel=1e-15)


def test_a_freed_shared_subgraph_cannot_be_reused() -> None:
    """As in PyTorch: the first backward freed exp's saved output, which the second needs."""
    x = Tensor(1.0, requires_grad=True)
    y = x.exp()
    a, b = y * 2, y * 3
    a.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        b.backward()


def test_intermediate_gradients_are_freed_as_the_walk_goes() -> None:
    """In a chain, a node's gradient is dropped once it has been passed on (the seed, the
    root's gradient, is the caller's: it is not checked)."""
    x = Tensor(np.ones(1000), requires_grad=True)
    y = x
    for _ in range(6):
        y = y.tanh()
    step_grads: list[weakref.ref] = []
    still_alive_two_steps_later = []

    def on_step(node: Tensor, grad: Tensor, input_grads: tuple) -> None:
        step_grads.append(weakref.ref(grad))
        if len(step_grads) >= 4:  # step_grads[0] is the seed
            still_alive_two_steps_later.append(step_grads[-3]() is not None)

    run_backward([y], [np.ones(1000)], retain_graph=False, create_graph=False, on_step=on_step)
    assert len(step_grads) == 6 and not any(still_alive_two_steps_later)


@pytest.mark.parametrize("op", [lambda w, c: w * c, lambda w, c: c / w, lambda w, c: w @ c,
                                lambda w, c: c**w, lambda w, c: maximum(w, c)],
                         ids=["mul", "div", "matmul", "pow", "maximum"])
def test_no_gradient_is_computed_for_operands_that_need_none(op: Callable) -> None:
    """The lean path: a constant operand gets None, and backward records nothing."""
    w, constant = Tensor([0.5, 2.0], requires_grad=True), Tensor([3.0, 0.25])
    steps = []

    def on_step(node: Tensor, grad: Tensor, input_grads: tuple) -> None:
        steps.append((node.grad_fn.inputs, input_grads, is_grad_enabled()))

    run_backward([op(w, constant).sum()], [None], retain_graph=False, create_graph=False,
                 on_step=on_step)
    inputs, input_grads, recording = steps[-1]
    assert not recording
    for x, g in zip(inputs, input_grads):
        assert (g is None) == (x is constant)


def test_an_inspecting_pass_may_reread_a_released_graph_but_not_a_changed_one() -> None:
    """viz recomputes gradients after backward() with run_backward(inspect=True): allowed
    through a released graph, releasing nothing, touching no .grad; still refused once a
    value the backward reads was changed in place."""
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    y = (w * x).sum()
    y.backward()
    seen = []
    run_backward([y], [None], retain_graph=False, create_graph=False, capture=[], inspect=True,
                 on_step=lambda node, grad, input_grads: seen.append(node))
    assert seen[0] is y and w.grad.data.tolist() == [3.0, 4.0]
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    x.data[0] = 5.0
    x.bump_version()
    with pytest.raises(RuntimeError, match="in-place"):
        run_backward([y], [None], retain_graph=False, create_graph=False, capture=[], inspect=True)
