"""Python operators on Tensors: reflected forms with numbers and numpy arrays on the left,
scalar and tensor exponents, comparisons, identity hashing and weak references."""

from __future__ import annotations

import gc
import operator
import weakref
from typing import Any, Callable

import numpy as np
import pytest

from autograd_engine import Tensor, gradcheck

ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
              "**": operator.pow}
LEFT_OPERANDS = {"int": 2, "float": 1.5, "numpy scalar": np.float64(1.5),
                 "numpy array": np.array([1.0, 2.0, 3.0]), "list": [1.0, 2.0, 3.0]}


@pytest.mark.parametrize("left", LEFT_OPERANDS.values(), ids=LEFT_OPERANDS.keys())
@pytest.mark.parametrize("symbol", ARITHMETIC)
def test_reflected_operator_returns_a_tensor_with_numpys_value(symbol: str, left: Any) -> None:
    apply = ARITHMETIC[symbol]
    t = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    out = apply(left, t)
    assert isinstance(out, Tensor), f"{type(left).__name__} {symbol} Tensor gave {type(out)}"
    np.testing.assert_allclose(out.data, apply(np.asarray(left, dtype=float), t.data),
                               rtol=1e-15)
    assert gradcheck(lambda x: apply(left, x), [t])


@pytest.mark.parametrize("symbol", ARITHMETIC)
def test_operator_with_a_list_or_array_on_the_right(symbol: str) -> None:
    apply = ARITHMETIC[symbol]
    t = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    for right in ([1.0, 2.0, 3.0], np.array([1.0, 2.0, 3.0])):
        np.testing.assert_allclose(apply(t, right).data, apply(t.data, np.asarray(right)))


def test_reflected_gradients_by_hand() -> None:
    x = Tensor(2.0, requires_grad=True)
    y = 3 - x + 8 / x + 2**x + np.float64(5.0) * x
    y.backward()
    assert y.item() == 3 - 2 + 4 + 4 + 10
    assert x.grad.item() == pytest.approx(-1 - 8 / 4 + 4 * np.log(2) + 5, rel=1e-14)


def test_numpy_array_times_tensor_broadcasts_and_returns_a_tensor() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.ones((3, 2)) * t
    assert isinstance(out, Tensor) and out.shape == (3, 2)
    out.sum().backward()
    assert t.grad.data.tolist() == [3.0, 3.0]


def test_unary_minus_and_plus() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    assert (-x).data.tolist() == [-1.0, 2.0]
    assert (+x) is x
    (-x).sum().backward()
    assert x.grad.data.tolist() == [-1.0, -1.0]


# --- powers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("exponent", [0, 1, 2, 3, -1, 0.5, -2.5])
def test_scalar_exponent_gradient_by_closed_form(exponent: float) -> None:
    x = Tensor([0.5, 1.5, 3.0], requires_grad=True)
    (x**exponent).sum().backward()
    np.testing.assert_allclose(x.grad.data, exponent * x.data ** (exponent - 1), rtol=1e-14)


def test_tensor_exponent_gets_its_gradient() -> None:
    """d(a^b)/db = a^b ln a, summed over the broadcast axes of b."""
    a = Tensor([[2.0, 3.0], [4.0, 5.0]], requires_grad=True)
    b = Tensor([2.0, 0.5], requires_grad=True)
    (a**b).sum().backward()
    np.testing.assert_allclose(b.grad.data, (a.data**b.data * np.log(a.data)).sum(axis=0),
                               rtol=1e-14)
    np.testing.assert_allclose(a.grad.data, b.data * a.data ** (b.data - 1), rtol=1e-14)


def test_exponent_gradient_is_zero_where_the_base_is_zero() -> None:
    """0^b ln 0 would be nan; PyTorch (and the limit for b > 0) give 0."""
    a = Tensor([0.0, 2.0])
    b = Tensor(2.0, requires_grad=True)
    with np.errstate(all="raise"):
        (a**b).sum().backward()
    assert b.grad.item() == pytest.approx(4 * np.log(2.0), rel=1e-14)


def test_divisor_gradient_at_a_zero_numerator_and_a_denormal_divisor_is_zero() -> None:
    """d(a/b)/db = -grad·((a/b)/b): -0.0 at a = 0, b = 5e-324 (as PyTorch), not the nan of
    -(grad/b)·(a/b) = -inf·0; d/da = 1/b overflows to inf, as in PyTorch."""
    a = Tensor([0.0, 3.0], requires_grad=True)
    b = Tensor([5e-324, 2.0], requires_grad=True)
    with np.errstate(over="ignore"):
        (a / b).sum().backward()
    assert b.grad.data.tolist() == [0.0, -0.75] and np.signbit(b.grad.data[0])
    assert a.grad.data.tolist() == [np.inf, 0.5]
    assert gradcheck(lambda a, b: a / b, [Tensor([0.0, 3.0], requires_grad=True),
                                          Tensor([0.5, -2.0], requires_grad=True)])


def test_divisor_gradient_neither_overflows_nor_underflows_before_the_end() -> None:
    """(a/b)/b first, then times -grad, as PyTorch orders it: (-grad·(a/b))/b would be -inf
    for grad 1e100, a/b 1e250, and -0.0 for grad 1e-200, a/b 1e-200, b 1e-100 (torch 2.13:
    -1e300 and -1e-300)."""
    a = Tensor([1e300, 1e-300], requires_grad=True)
    b = Tensor([1e50, 1e-100], requires_grad=True)
    (a / b).backward(Tensor([1e100, 1e-200]))
    np.testing.assert_allclose(b.grad.data, [-1e300, -1e-300], rtol=1e-15)


def test_pow_graph_records_the_number_exponent() -> None:
    x = Tensor(3.0, requires_grad=True)
    y = x**2
    assert y.grad_fn.inputs == (x, 2)
    assert "2" in y.grad_fn.label


# --- comparisons ----------------------------------------------------------------------------

COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
               "==": operator.eq, "!=": operator.ne}


@pytest.mark.parametrize("symbol", COMPARISONS)
@pytest.mark.parametrize("other", [1.0, np.array([0.0, 1.0, 2.0]), Tensor([0.0, 1.0, 2.0])],
                         ids=["number", "numpy array", "tensor"])
def test_comparison_gives_a_bool_tensor_without_gradient(symbol: str, other: Any) -> None:
    compare = COMPARISONS[symbol]
    x = Tensor([0.0, 1.0, 3.0], requires_grad=True)
    other_data = other.data if isinstance(other, Tensor) else other
    for out, expected in ((compare(x, other), compare(x.data, other_data)),
                          (compare(other, x), compare(other_data, x.data))):
        assert isinstance(out, Tensor)
        assert out.dtype == np.bool_
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, expected)


def test_comparison_of_a_one_element_tensor_works_in_if() -> None:
    assert Tensor(2.0) > 1
    assert not (Tensor([1.0]) == 2.0)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        bool(Tensor([1.0, 2.0]) > 0)


# --- identity: hashing and weak references --------------------------------------------------

def test_tensors_are_hashable_by_identity() -> None:
    """`==` is elementwise, yet equal-valued tensors are distinct set members and dict keys."""
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert len({a, b}) == 2
    seen = {a: "a", b: "b"}
    assert seen[a] == "a" and seen[b] == "b"
    assert a in {a} and hash(a) == hash(a)


def test_tensors_can_be_weakly_referenced() -> None:
    t = Tensor([1.0], requires_grad=True)
    ref = weakref.ref(t)
    cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary({t: "value"})
    assert ref() is t and cache[t] == "value"
    del t
    gc.collect()
    assert ref() is None and len(cache) == 0


# --- what operators refuse ------------------------------------------------------------------

UNSUPPORTED: dict[str, Callable[[Tensor], Any]] = {
    "tensor + str": lambda t: t + "a",
    "str + tensor": lambda t: "a" + t,
    "tensor * None": lambda t: t * None,
    "None * tensor": lambda t: None * t,
    "tensor - object": lambda t: t - object(),
    "dict / tensor": lambda t: {} / t,
    "tensor ** str": lambda t: t ** "2",
    "tensor @ str": lambda t: t @ "x",
    "tensor < None": lambda t: t < None,
    "tensor + string array": lambda t: t + np.array(["a", "b"]),
}


@pytest.mark.parametrize("expression", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_operand_types_are_a_type_error(expression: Callable) -> None:
    with pytest.raises(TypeError):
        expression(Tensor([1.0, 2.0], requires_grad=True))
