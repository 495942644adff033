"""Gradients of every catalogue op against central differences in float64 (gradcheck), over
hypothesis-drawn shapes, broadcasting pairs and axis/keepdims combinations; second order
(gradgradcheck) for every op; and every input's gradient has that input's shape."""

from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd_engine import Tensor, gradcheck, gradgradcheck
from engine_strategies import (FAST, FEWER, broadcastable_pairs, make_inputs, reduction_calls,
                               seeds, shapes)
from op_catalogue import BINARY_OPS, REDUCTIONS, UNARY_OPS, Op, Reduction, apply_reduction

EDGE_PAIRS = [((), (2, 3)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1))]


def squared(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """fn(x)²: its second derivative needs fn's backward to be differentiable both in x and in
    the incoming gradient (what PyTorch's gradgradcheck checks by making grad_outputs require
    grad), and it is non-zero even for piecewise-linear ops such as relu."""
    return lambda *xs: fn(*xs) ** 2


def assert_gradients_have_input_shapes(fn: Callable[..., Tensor], inputs: list[Tensor]) -> None:
    fn(*inputs).sum().backward()
    for i, x in enumerate(inputs):
        assert x.grad is not None, f"input {i} got no gradient"
        assert x.grad.shape == x.shape, f"input {i}: gradient {x.grad.shape}, input {x.shape}"


# --- elementwise ----------------------------------------------------------------------------

@pytest.mark.parametrize("op", UNARY_OPS, ids=repr)
@FAST
@given(shape=shapes(), seed=seeds)
def test_unary_gradient(op: Op, shape: tuple, seed: int) -> None:
    inputs = make_inputs(op.domains, [shape], seed)
    assert gradcheck(op.tensor, inputs)
    assert_gradients_have_input_shapes(op.tensor, inputs)


@pytest.mark.parametrize("op", UNARY_OPS, ids=repr)
@FEWER
@given(shape=shapes(), seed=seeds)
def test_unary_second_derivative(op: Op, shape: tuple, seed: int) -> None:
    assert gradgradcheck(squared(op.tensor), make_inputs(op.domains, [shape], seed))


@pytest.mark.parametrize("op", BINARY_OPS, ids=repr)
@FAST
@given(shapes_=broadcastable_pairs(), seed=seeds)
@example(shapes_=EDGE_PAIRS[0], seed=0)
@example(shapes_=EDGE_PAIRS[1], seed=0)
@example(shapes_=EDGE_PAIRS[2], seed=0)
@example(shapes_=EDGE_PAIRS[3], seed=0)
def test_binary_gradient_with_broadcasting(op: Op, shapes_: tuple, seed: int) -> None:
    inputs = make_inputs(op.domains, shapes_, seed)
    assert gradcheck(op.tensor, inputs)
    assert_gradients_have_input_shapes(op.tensor, inputs)


@pytest.mark.parametrize("op", BINARY_OPS, ids=repr)
@FEWER
@given(shapes_=broadcastable_pairs(), seed=seeds)
@example(shapes_=EDGE_PAIRS[3], seed=0)
def test_binary_second_derivative(op: Op, shapes_: tuple, seed: int) -> None:
    assert gradgradcheck(squared(op.tensor), make_inputs(op.domains, shapes_, seed))


@pytest.mark.parametrize("op", BINARY_OPS, ids=repr)
def test_binary_gradient_with_one_constant_operand(op: Op) -> None:
    """Only the operand that requires grad gets a gradient; the constant keeps none."""
    a, b = make_inputs(op.domains, [(2, 3), (3,)], seed=1)
    constant = Tensor(b.data)
    assert gradcheck(op.tensor, [a, constant])
    op.tensor(a, constant).sum().backward()
    assert a.grad.shape == (2, 3) and constant.grad is None


# --- reductions -----------------------------------------------------------------------------

def reduction_case(op: Reduction, case: tuple, seed: int) -> tuple[Callable, list[Tensor]]:
    """The function x -> op(x, axis, keepdims) for a drawn case, and its input."""
    shape, axis, keepdims = case
    return (lambda x: apply_reduction(op, x, axis, keepdims),
            make_inputs([op.domain], [shape], seed))


@pytest.mark.parametrize("op", REDUCTIONS, ids=repr)
@FAST
@given(data=st.data(), seed=seeds)
def test_reduction_gradient(op: Reduction, data: st.DataObject, seed: int) -> None:
    fn, inputs = reduction_case(op, data.draw(reduction_calls(op.single_axis)), seed)
    assert gradcheck(fn, inputs)
    assert_gradients_have_input_shapes(fn, inputs)


@pytest.mark.parametrize("op", REDUCTIONS, ids=repr)
@FEWER
@given(data=st.data(), seed=seeds)
def test_reduction_second_derivative(op: Reduction, data: st.DataObject, seed: int) -> None:
    fn, inputs = reduction_case(op, data.draw(reduction_calls(op.single_axis)), seed)
    assert gradgradcheck(squared(fn), inputs)


def test_max_splits_the_gradient_evenly_between_ties() -> None:
    """PyTorch's amax rule: k tied maxima get 1/k of the gradient each."""
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    assert x.grad.data.tolist() == [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]
    y = Tensor([0.0, -1.0, 0.0], requires_grad=True)
    y.min().backward()
    assert y.grad.data.tolist() == [0.0, 1.0, 0.0]


# --- gradgradcheck itself -------------------------------------------------------------------

@pytest.mark.parametrize("fn", [lambda x: -x, lambda x: x.relu(), lambda x: x.sum(axis=0)],
                         ids=["neg", "relu", "sum"])
def test_gradgradcheck_accepts_a_zero_second_derivative(fn: Callable[[Tensor], Tensor]) -> None:
    """A linear or piecewise-linear function's first derivative needs no grad: its second
    derivative is 0, which gradgradcheck must accept, not refuse."""
    x = Tensor([[0.5, -1.0, 2.0], [1.5, 0.7, -0.3]], requires_grad=True)
    assert gradgradcheck(fn, [x])
