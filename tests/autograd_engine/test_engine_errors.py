"""Every error the engine promises: the right exception type and a message that names what
was wrong (the shapes, the axis, the dtype) and how to fix it."""

from __future__ import annotations

import operator
import re
from typing import Any, Callable

import numpy as np
import pytest

from autograd_engine import (Function, GradcheckError, Tensor, binary_cross_entropy,
                             binary_cross_entropy_with_logits, concatenate, cross_entropy,
                             gradcheck, gradgradcheck, linear, log_softmax, maximum, minimum,
                             no_grad, softmax, stack, where)


def shape_text(shape: tuple) -> str:
    """How a shape appears in a message: (2, 3)."""
    return re.escape(str(tuple(shape)))


# --- shapes that do not fit -----------------------------------------------------------------

MATMUL_MISMATCHES = [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((4,), (3, 2))]


@pytest.mark.parametrize("a_shape, b_shape", MATMUL_MISMATCHES)
def test_matmul_shape_mismatch_names_both_shapes(a_shape: tuple, b_shape: tuple) -> None:
    a, b = Tensor(np.ones(a_shape), requires_grad=True), Tensor(np.ones(b_shape))
    with pytest.raises(ValueError) as raised:
        a @ b
    assert str(a_shape) in str(raised.value) and str(b_shape) in str(raised.value)


def test_matmul_batch_mismatch_names_both_operand_shapes() -> None:
    a, b = Tensor(np.ones((2, 3, 4))), Tensor(np.ones((5, 4, 2)))
    with pytest.raises(ValueError, match=re.escape("(2, 3, 4)")) as raised:
        a @ b
    assert "(5, 4, 2)" in str(raised.value)


def test_matmul_with_a_zero_dimensional_operand_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="dimension"):
        Tensor(2.0) @ Tensor([1.0, 2.0])


BROADCASTING_OPS: dict[str, Callable[[Any, Any], Tensor]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "**": lambda a, b: a**b, "maximum": maximum, "minimum": minimum,
    "where": lambda a, b: where(np.ones(np.shape(a), dtype=bool), a, b),
}


@pytest.mark.parametrize("op", BROADCASTING_OPS.values(), ids=BROADCASTING_OPS.keys())
@pytest.mark.parametrize("left_is_numpy", [False, True], ids=["tensor", "numpy on the left"])
def test_broadcasting_mismatch_names_both_shapes(op: Callable, left_is_numpy: bool) -> None:
    left = np.ones((2, 3)) if left_is_numpy else Tensor(np.ones((2, 3)), requires_grad=True)
    right = Tensor(np.ones((4, 3)), requires_grad=True)
    with pytest.raises(ValueError) as raised:
        op(left, right)
    assert "(2, 3)" in str(raised.value) and "(4, 3)" in str(raised.value)


SHAPE_ERRORS: dict[str, tuple[Callable[[Tensor], Any], str]] = {
    "reshape": (lambda t: t.reshape(4, 2), "(4, 2)"),
    "broadcast_to": (lambda t: t.broadcast_to((3, 3)), "(3, 3)"),
    "expand": (lambda t: t.expand(4, 4), "(4, 4)"),
    "squeeze a non-1 axis": (lambda t: t.squeeze(0), "size 2"),
    "transpose a non-permutation": (lambda t: t.transpose(0, 0), "(0, 0)"),
    "concatenate": (lambda t: concatenate([t, Tensor(np.ones((2, 2)))], axis=0), "(2, 2)"),
    "stack": (lambda t: stack([t, Tensor(np.ones(3))]), "(3,)"),
    "backward gradient": (lambda t: (t * 2).backward(np.ones(3)), "(3,)"),
    "in-place": (lambda t: operator.iadd(t.detach(), np.ones(5)), "(5,)"),
}


@pytest.mark.parametrize("action, other_shape", SHAPE_ERRORS.values(), ids=SHAPE_ERRORS.keys())
def test_shape_errors_name_the_shapes(action: Callable, other_shape: str) -> None:
    with pytest.raises(ValueError) as raised:
        action(Tensor(np.ones((2, 3)), requires_grad=True))
    message = str(raised.value)
    assert "(2, 3)" in message and other_shape in message, message


# --- wrong axis -----------------------------------------------------------------------------

# name: (a call with an axis that (2, 3) does not have, the axis the message must name)
WRONG_AXIS: dict[str, tuple[Callable[[Tensor], Any], int]] = {
    "sum": (lambda t: t.sum(axis=2), 2),
    "mean": (lambda t: t.mean(axis=-3), -3),
    "max": (lambda t: t.max(axis=(0, 5)), 5),
    "min": (lambda t: t.min(axis=2), 2),
    "var": (lambda t: t.var(axis=(1, -3)), -3),
    "logsumexp": (lambda t: t.logsumexp(axis=-3), -3),
    "softmax": (lambda t: softmax(t, axis=2), 2),
    "log_softmax": (lambda t: log_softmax(t, axis=-3), -3),
    "squeeze": (lambda t: t.squeeze(2), 2),
    "unsqueeze": (lambda t: t.unsqueeze(3), 3),
    "flatten": (lambda t: t.flatten(2), 2),
    "swapaxes": (lambda t: t.swapaxes(0, 2), 2),
    "concatenate": (lambda t: concatenate([t, t], axis=2), 2),
    "stack": (lambda t: stack([t, t], axis=-4), -4),
}


@pytest.mark.parametrize("call, axis", WRONG_AXIS.values(), ids=WRONG_AXIS.keys())
def test_wrong_axis_names_the_axis_and_the_shape(call: Callable, axis: int) -> None:
    with pytest.raises(ValueError) as raised:
        call(Tensor(np.ones((2, 3)), requires_grad=True))
    message = str(raised.value)
    assert re.search(rf"(?<![\d-]){axis}(?!\d)", message) and "(2, 3)" in message, message


@pytest.mark.parametrize("name", [
    "sum", "mean", "max", "min", "var", "logsumexp", "softmax", "log_softmax"])
def test_wrong_axis_message_names_the_op_the_user_called(name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        WRONG_AXIS[name][0](Tensor(np.ones((2, 3))))


@pytest.mark.parametrize("name, axis, over", [("max", 1, "axis 1"), ("min", 1, "axis 1"),
                                              ("min", None, "all axes")])
def test_max_and_min_over_an_empty_axis_say_so(name: str, axis: Any, over: str) -> None:
    """Not numpy's 'zero-size array to reduction operation maximum' (even for min)."""
    with pytest.raises(ValueError, match=rf"^{name}: over {over}, a tensor of shape "
                                         rf"\(2, 0\) has no numbers to take the {name} of"):
        getattr(Tensor(np.zeros((2, 0))), name)(axis=axis)


def test_axis_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="axis"):
        Tensor(np.ones((2, 3))).sum(axis=1.5)


def test_repeated_axis_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        Tensor(np.ones((2, 3))).sum(axis=(1, -1))


# --- backward misuse ------------------------------------------------------------------------

def test_non_scalar_backward_without_gradient_names_the_shape() -> None:
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=shape_text((2, 3))):
        y.backward()


def test_backward_from_a_constant_is_an_error() -> None:
    y = Tensor([1.0, 2.0]).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_backward_from_a_no_grad_result_is_an_error() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = (x * x).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_item_of_many_elements_names_the_shape() -> None:
    with pytest.raises(ValueError, match=shape_text((2,))):
        Tensor([1.0, 2.0]).item()


# --- what may require grad ------------------------------------------------------------------

@pytest.mark.parametrize("data, dtype", [([1, 2], None), ([True], None), ([1.0], np.int32)],
                         ids=["int", "bool", "int32 dtype"])
def test_only_floating_tensors_can_require_grad(data: list, dtype: Any) -> None:
    with pytest.raises(TypeError, match="[Ff]loat") as raised:
        Tensor(data, dtype=dtype, requires_grad=True)
    assert str(Tensor(data, dtype=dtype).dtype) in str(raised.value)
    with pytest.raises(TypeError, match="[Ff]loat"):
        Tensor(data, dtype=dtype).requires_grad_()


def test_an_integer_tensor_made_to_require_grad_by_hand_gets_no_truncated_gradient() -> None:
    """Setting the attribute skips requires_grad_()'s check; backward must not then cast the
    gradient 0.5 to the integer 0."""
    x = Tensor([1, 2])
    x.requires_grad = True
    with pytest.raises(TypeError, match=r"dtype int64 \(shape \(2,\)\).*floating-point"):
        (x * 0.5).sum().backward()
    assert x.grad is None


@pytest.mark.parametrize("dtype", [object, "U", complex])
def test_astype_refuses_what_a_tensor_cannot_hold(dtype: Any) -> None:
    """As Tensor(...) does: complex would drop its imaginary part in the gradient, object
    and strings fail inside later ops."""
    with pytest.raises(TypeError, match="astype: a Tensor holds numbers"):
        Tensor([1.0, 2.0], requires_grad=True).astype(dtype)


def test_sum_to_takes_a_length_as_a_shape_as_reshape_does() -> None:
    x = Tensor(np.ones((3, 5)), requires_grad=True)
    assert x.sum_to(5).data.tolist() == [3.0] * 5


@pytest.mark.parametrize("flag", ["no", 1, None])
def test_requires_grad_takes_only_true_or_false(flag: Any) -> None:
    """"no" is true to Python: it would turn gradients on."""
    x = Tensor([1.0])
    with pytest.raises(TypeError, match="requires_grad_: requires_grad must be True or False"):
        x.requires_grad_(flag)
    assert not x.requires_grad
    assert x.requires_grad_(np.bool_(True)).requires_grad is True


def test_integer_tensors_work_without_grad() -> None:
    t = Tensor([1, 2, 3])
    assert t.dtype.kind == "i" and (t * 2).data.tolist() == [2, 4, 6]


@pytest.mark.parametrize("data", ["abc", {"a": 1}, [[1.0, 2.0], [3.0]]],
                         ids=["string", "dict", "ragged"])
def test_non_numeric_data_is_a_type_error(data: Any) -> None:
    with pytest.raises(TypeError, match="Tensor"):
        Tensor(data)


def test_module_functions_refuse_non_numeric_operands() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    for call in (lambda: maximum(t, "a"), lambda: concatenate([t, "ab"]),
                 lambda: where(np.array([True, False]), t, None)):
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("kwargs, name, kind", [
    ({"low": Tensor([0.0, 1.0])}, "low", "Tensor"), ({"high": "1"}, "high", "str"),
    ({"low": 0.0, "high": np.array([1.0, 2.0])}, "high", "ndarray")])
def test_clip_with_a_bound_that_is_not_a_number_says_which_and_what_to_use(
        kwargs: dict, name: str, kind: str) -> None:
    """Not an error from inside numpy: which bound, what it was, and what takes a tensor."""
    with pytest.raises(TypeError, match=rf"^clip: {name} must be a number or None, got {kind}; "
                                        r"for a bound per element .* use maximum\(x, low\)"):
        Tensor([0.5, 2.0], requires_grad=True).clamp(**kwargs)
    assert Tensor([0.5, 2.0]).clip(np.float32(1), 1.5).data.tolist() == [1.0, 1.5]


#: Each public function, the name its errors give its first operand, and good other operands.
PUBLIC_FUNCTIONS = [
    ("softmax", softmax, []), ("log_softmax", log_softmax, []),
    ("linear (input)", linear, [Tensor([[1.0, 2.0]])]),
    ("binary_cross_entropy (input)", binary_cross_entropy, [[[1.0, 0.0]]]),
    ("binary_cross_entropy_with_logits (input)", binary_cross_entropy_with_logits,
     [[[1, 0]]]),
    ("cross_entropy (input)", cross_entropy, [[0]]), ("maximum", maximum, [[[1.0, 0.0]]])]


@pytest.mark.parametrize("name, function, others", PUBLIC_FUNCTIONS,
                         ids=[case[0] for case in PUBLIC_FUNCTIONS])
def test_module_functions_take_lists_as_constants_and_name_a_bad_first_operand(
        name: str, function: Callable, others: list) -> None:
    """Each takes what the operators take (softmax([1., 2.]) and
    binary_cross_entropy_with_logits([.5], [1]) were AttributeErrors)."""
    first = [[0.25, 0.5]]
    np.testing.assert_array_equal(function(first, *others).data,
                                  function(Tensor(first), *others).data)
    with pytest.raises(TypeError, match=rf"^{re.escape(name)}: expected a Tensor, a number or "
                                        "a numeric array, got str"):
        function("ab", *others)


def test_linear_names_a_bad_weight_or_bias() -> None:
    x = Tensor([[1.0, 2.0]])
    assert linear(x, [[1.0, 1.0]], [0.5]).data.tolist() == [[3.5]]
    for bad, name in (({"weight": "w"}, "weight"), ({"weight": x, "bias": "b"}, "bias")):
        with pytest.raises(TypeError, match=rf"^linear \({name}\): expected"):
            linear(x, **bad)


# --- gradcheck ------------------------------------------------------------------------------

class WrongSquare(Function):
    """a² with a deliberately wrong backward: d(a²)/da is 2a, this returns a."""

    def forward(self, a: np.ndarray) -> np.ndarray:
        return a * a

    def backward(self, grad: Any, out: Any, a: Any) -> tuple[Any]:
        return (grad * a,)


def test_gradcheck_reports_the_worst_element_and_both_values() -> None:
    x = Tensor([0.0, 0.0, 5.0, 0.0], requires_grad=True)  # only element 2 can disagree
    with pytest.raises(GradcheckError) as raised:
        gradcheck(WrongSquare.apply, [x])
    message = str(raised.value)
    assert "(2,)" in message, message
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", message)]
    assert any(abs(a / b - 0.5) < 1e-6 for a in numbers for b in numbers if b), (
        f"expected the analytic value and the numerical value (twice as large): {message}")


def test_gradcheck_passes_a_correct_custom_function() -> None:
    class Square(WrongSquare):
        def backward(self, grad: Any, out: Any, a: Any) -> tuple[Any]:
            return (grad * a * 2,)

    assert gradcheck(Square.apply, [Tensor([0.5, -1.0, 2.0], requires_grad=True)])


def test_gradcheck_without_inputs_requiring_grad_is_an_error() -> None:
    with pytest.raises(ValueError, match="requires grad"):
        gradcheck(lambda t: t * 2, [Tensor([1.0])])


def test_gradcheck_takes_one_tensor_as_its_one_input() -> None:
    """As PyTorch does; iterating a (2, 3) tensor would pass fn two rows."""
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    assert gradcheck(lambda t: (t * t).sum(axis=1), x)
    assert gradgradcheck(lambda t: (t * t * t).sum(), x)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: gradcheck(lambda t: t * 2, [x], eps=0), ValueError, "eps must be a step > 0"),
    (lambda x: gradcheck(lambda t: float(t.sum()), [x]), TypeError,
     "fn must return a Tensor or a tuple of Tensors, got float"),
    (lambda x: gradcheck(lambda t: (t, 1.0), [x]), TypeError, "got float as output 1"),
    (lambda x: gradcheck(lambda t: t * 2, {"x": x}), TypeError, "list or tuple"),
])
def test_gradcheck_says_what_it_was_given_wrong(call: Callable, error: type,
                                                message: str) -> None:
    with pytest.raises(error, match=message):
        call(Tensor([1.0, 2.0], requires_grad=True))


@pytest.mark.parametrize("call, expected", [
    (lambda t: t.sum(axis=0), 2.0), (lambda t: t.sum(axis=-1), 2.0),
    (lambda t: t.max(axis=0), 2.0), (lambda t: t.mean(axis=-1), 2.0),
    (lambda t: t.logsumexp(axis=0), 2.0), (lambda t: t.softmax(), 1.0),
], ids=["sum 0", "sum -1", "max 0", "mean -1", "logsumexp 0", "softmax"])
def test_axis_0_or_minus_1_of_a_zero_dimensional_tensor(call: Callable, expected: float) -> None:
    t = Tensor(2.0, requires_grad=True)
    out = call(t)
    assert out.shape == () and out.item() == pytest.approx(expected)
    out.backward()
    assert t.grad.shape == ()
