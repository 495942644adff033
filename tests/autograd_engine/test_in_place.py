"""In-place `+= -= *= /= **=`: they change `.data` and bump `version`, only where no graph is
being recorded; and a value saved for backward that was changed in place makes backward
raise instead of returning a wrong gradient."""

from __future__ import annotations

import operator
import re
from typing import Callable

import numpy as np
import pytest

from autograd_engine import Tensor, concatenate, maximum, no_grad, where

IN_PLACE = {"+=": (operator.iadd, np.add), "-=": (operator.isub, np.subtract),
            "*=": (operator.imul, np.multiply), "/=": (operator.itruediv, np.divide),
            "**=": (operator.ipow, np.power)}  # in place as in PyTorch, not a new tensor


@pytest.mark.parametrize("symbol", IN_PLACE)
def test_in_place_on_a_constant_changes_data_and_bumps_version(symbol: str) -> None:
    in_place, reference = IN_PLACE[symbol]
    t = Tensor([2.0, 4.0])
    storage = t.data
    same = in_place(t, 2.0)
    assert same is t and t.data is storage  # no new tensor, no new array
    assert t.data.tolist() == reference(np.array([2.0, 4.0]), 2.0).tolist()
    assert t.version == 1
    in_place(t, Tensor([1.0, 2.0]))
    assert t.version == 2


def test_in_place_on_a_zero_dimensional_tensor() -> None:
    t = Tensor(1.5)
    t += 1
    t *= 2
    assert t.item() == 5.0 and t.version == 2


@pytest.mark.parametrize("shape", [(), (1,)])
@pytest.mark.parametrize("symbol, value", [("*=", 2.7), ("/=", 2), ("+=", 0.5)])
def test_in_place_float_result_into_an_integer_tensor_is_refused_at_any_shape(
        shape: tuple, symbol: str, value: float) -> None:
    """A 0-d integer tensor was silently truncated (Tensor(1) *= 2.7 gave 2, /= 2 gave 0);
    it is refused as a 1-d one is, and left unchanged."""
    t = Tensor(np.ones(shape, dtype=np.int64))
    with pytest.raises(ValueError, match=rf"in-place '{re.escape(symbol)}': cannot update a "
                                         rf"int64 tensor of shape {re.escape(str(shape))}"):
        IN_PLACE[symbol][0](t, value)
    assert t.data.tolist() == np.ones(shape).tolist() and t.version == 0
    t = Tensor(np.ones(shape, dtype=np.int64))
    t *= 3  # integer results fit
    assert t.data.tolist() == np.full(shape, 3).tolist() and t.dtype == np.int64


def test_in_place_on_a_zero_dimensional_tensor_refuses_a_larger_value() -> None:
    t = Tensor(1.5)
    with pytest.raises(ValueError, match=r"shape \(\) with a value of shape \(3,\)"):
        t += np.ones(3)
    assert t.item() == 1.5


def test_in_place_keeps_float32() -> None:
    t = Tensor([1.0, 2.0], dtype=np.float32)
    t *= np.array([0.5, 0.25])  # a float64 operand must not upcast the tensor
    t += 1.0
    assert t.dtype == np.float32 and t.data.tolist() == [1.5, 1.5]


@pytest.mark.parametrize("symbol", IN_PLACE)
def test_in_place_under_no_grad_is_allowed_on_a_leaf_that_requires_grad(symbol: str) -> None:
    """What an optimizer step does: `with no_grad(): w -= lr * w.grad`."""
    in_place, _ = IN_PLACE[symbol]
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        in_place(w, 0.5)
    assert w.version == 1 and w.requires_grad and w.is_leaf


@pytest.mark.parametrize("symbol", IN_PLACE)
def test_in_place_on_a_tensor_in_a_recorded_graph_is_an_error(symbol: str) -> None:
    in_place, _ = IN_PLACE[symbol]
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="[Ii]n-place"):
        in_place(w, 1.0)
    hidden = w * 2
    with pytest.raises(RuntimeError, match="[Ii]n-place"):
        in_place(hidden, 1.0)
    assert w.version == 0 and w.data.tolist() == [1.0, 2.0]


def test_in_place_adding_a_tensor_that_requires_grad_is_an_error() -> None:
    """The result would depend on w, but the graph could not record it."""
    total, w = Tensor([0.0, 0.0]), Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="[Ii]n-place"):
        total += w


# --- saved values changed before backward ---------------------------------------------------

#: Ops whose backward reads x's value: changing x in place before backward must raise.
READS_X: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "mul": lambda w, x: w * x,
    "div by x": lambda w, x: w / x,
    "x ** w": lambda w, x: x**w,
    "matmul": lambda w, x: w @ x,
    "maximum": maximum,
}
#: Ops whose backward never reads x's value, with dy/dw: changing x in place is harmless.
IGNORES_X: dict[str, tuple[Callable[[Tensor, Tensor], Tensor], float]] = {
    "add": (lambda w, x: w + x, 1.0),
    "sub": (lambda w, x: x - w, -1.0),
    "concatenate": (lambda w, x: concatenate([w * 2, x]).sum(), 2.0),
    "where": (lambda w, x: where(w > 0, w, x), 1.0),
}


@pytest.mark.parametrize("op", READS_X.values(), ids=READS_X.keys())
def test_changing_a_saved_input_in_place_makes_backward_raise(op: Callable) -> None:
    w = Tensor([5.0], requires_grad=True)
    x = Tensor([3.0])
    y = op(w, x)
    x += 1
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


@pytest.mark.parametrize("op, expected", IGNORES_X.values(), ids=IGNORES_X.keys())
def test_changing_an_input_backward_does_not_read_is_fine(op: Callable, expected: float) -> None:
    w = Tensor([5.0], requires_grad=True)
    x = Tensor([3.0])
    y = op(w, x)
    x += 1
    y.sum().backward()
    assert w.grad.data.tolist() == [expected]


def test_the_issue_example_w_times_x() -> None:
    w, x = Tensor(2.0, requires_grad=True), Tensor(3.0)
    y = w * x
    x += 1
    with pytest.raises(RuntimeError):
        y.backward()


def test_changing_a_saved_output_in_place_makes_backward_raise() -> None:
    """exp's backward reads its output: modifying the output under no_grad is caught."""
    w = Tensor(1.0, requires_grad=True)
    y = w.exp()
    with no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_changing_a_leaf_under_no_grad_before_backward_is_caught() -> None:
    """An optimizer step between forward and backward would give a stale gradient."""
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match="in-place"):
        loss.backward()


def test_the_in_place_error_has_a_public_class_of_its_own() -> None:
    from autograd_engine import ModifiedInPlaceError

    x = Tensor([1.0, 2.0], requires_grad=True)
    data = Tensor([3.0, 4.0])
    y = (x * data).sum()
    data += 1.0
    with pytest.raises(ModifiedInPlaceError, match="modified by an in-place operation"):
        y.backward()
    assert issubclass(ModifiedInPlaceError, RuntimeError)  # as PyTorch's error is
