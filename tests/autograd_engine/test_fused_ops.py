"""The fused primitives equal the composites they replace, to the last bits that matter, and
their gradients pass gradcheck to second order."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_engine import (Tensor, binary_cross_entropy, binary_cross_entropy_with_logits,
                             cross_entropy, gradcheck, gradgradcheck, linear)
from engine_strategies import FAST

rng = np.random.default_rng(7)


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 4, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_is_x_at_weight_transposed_plus_bias(x_shape: tuple, with_bias: bool) -> None:
    x = Tensor(rng.standard_normal(x_shape), requires_grad=True)
    weight = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    bias = Tensor(rng.standard_normal(4), requires_grad=True) if with_bias else None
    expected = x.data @ weight.data.T + (bias.data if with_bias else 0)
    np.testing.assert_allclose(linear(x, weight, bias).data, expected, rtol=1e-14)
    inputs = [x, weight] + ([bias] if with_bias else [])
    assert gradcheck(linear, inputs)
    assert gradgradcheck(linear, inputs)


@pytest.mark.parametrize("x_shape, weight_shape", [((2, 5, 0), (3, 0)), ((0,), (3, 0)),
                                                   ((4,), (0, 4)), ((2, 5, 4), (0, 4)),
                                                   ((0, 2, 4), (3, 4))])
def test_linear_backward_with_a_size_zero_axis(x_shape: tuple, weight_shape: tuple) -> None:
    """The batch axes are folded by their size, not -1, which numpy cannot infer when the
    feature count is 0: d/dx = grad @ W, d/dW = gradᵀ @ x, d/db = Σ grad, zeros or empty."""
    x = Tensor(np.ones(x_shape), requires_grad=True)
    weight = Tensor(np.ones(weight_shape), requires_grad=True)
    bias = Tensor(np.ones(weight_shape[0]), requires_grad=True)
    out = linear(x, weight, bias)
    assert out.shape == x_shape[:-1] + weight_shape[:1]
    out.sum().backward()
    batch = int(np.prod(x_shape[:-1]))
    np.testing.assert_array_equal(x.grad.data, np.full(x_shape, weight_shape[0]))
    np.testing.assert_array_equal(weight.grad.data, np.full(weight_shape, batch))
    np.testing.assert_array_equal(bias.grad.data, np.full(weight_shape[0], batch))


def test_linear_names_the_shapes_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match=r"\(5, 2\).*\(4, 3\).*size 3"):
        linear(Tensor(np.ones((5, 2))), Tensor(np.ones((4, 3))))
    with pytest.raises(ValueError, match=r"weight must have shape \(out_features, in_features"
                                         r"\), got shape \(\)"):  # was an IndexError
        linear(Tensor(np.ones((5, 2))), Tensor(2.0))


@pytest.mark.parametrize("bias_shape", [(4,), (2, 4, 3)])
def test_linear_with_a_bias_of_the_wrong_shape_names_the_bias(bias_shape: tuple) -> None:
    """It blamed the input: 'input of shape (4, 2) does not fit a weight of shape (3, 2)'."""
    with pytest.raises(ValueError, match=rf"^linear: bias of shape {re.escape(str(bias_shape))}"
                                         r" does not fit a weight of shape \(3, 2\): it must "
                                         r"have shape \(3,\) \(out_features\)$"):
        linear(Tensor(np.ones((4, 2))), Tensor(np.ones((3, 2))), Tensor(np.ones(bias_shape)))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_equals_the_textbook_formula(reduction: str) -> None:
    z = Tensor(rng.standard_normal((6, 2)) * 3, requires_grad=True)
    y = Tensor(rng.uniform(size=(6, 2)), requires_grad=True)
    p = 1 / (1 + np.exp(-z.data))
    elementwise = -(y.data * np.log(p) + (1 - y.data) * np.log(1 - p))
    expected = {"mean": elementwise.mean(), "sum": elementwise.sum(), "none": elementwise}
    np.testing.assert_allclose(binary_cross_entropy_with_logits(z, y, reduction).data,
                               expected[reduction], rtol=1e-12)
    assert gradcheck(lambda z, y: binary_cross_entropy_with_logits(z, y, reduction), [z, y])
    assert gradgradcheck(lambda z, y: binary_cross_entropy_with_logits(z, y, reduction), [z, y])


def test_bce_with_logits_is_stable_at_plus_minus_1000() -> None:
    z = Tensor([-1000.0, -40.0, 0.0, 40.0, 1000.0], requires_grad=True)
    target = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    with np.errstate(all="raise"):
        loss = binary_cross_entropy_with_logits(z, target, "none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [1000.0, 40.0, np.log(2), 40.0, 1000.0], rtol=1e-12)
    np.testing.assert_allclose(z.grad.data, [-1.0, -1.0, 0.5, 1.0, 1.0], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits_gradient_is_sigmoid_to_the_last_bits(dtype: type) -> None:
    """backward on arrays reads σ(z) off the forward's softplus; recorded (create_graph) it
    runs the Sigmoid op. With target 0 the gradient is σ(z) itself: both must give it to a
    few ulps relative, however small it is, over the whole range."""
    z = np.concatenate([np.linspace(-700, 700, 1401), np.linspace(-30, 30, 601),
                        [0.0, -0.0, 1e-30]]).astype(dtype)
    exact = (1 / (1 + np.exp(-z.astype(np.longdouble)))).astype(dtype)
    on_arrays, recorded = Tensor(z, requires_grad=True), Tensor(z, requires_grad=True)
    with np.errstate(all="raise"):
        binary_cross_entropy_with_logits(on_arrays, np.zeros_like(z), "sum").backward()
        binary_cross_entropy_with_logits(recorded, np.zeros_like(z), "sum").backward(
            create_graph=True)
    info = np.finfo(dtype)  # below its smallest normal number a float has fewer digits
    for grad in (on_arrays.grad.data, recorded.grad.data):
        assert grad.dtype == dtype
        np.testing.assert_allclose(grad, exact, rtol=4 * info.eps, atol=info.smallest_normal)


def test_bce_with_logits_rejects_mismatched_shapes_and_reductions() -> None:
    z = Tensor(np.zeros((4, 1)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        binary_cross_entropy_with_logits(z, np.zeros(4))
    with pytest.raises(ValueError, match="reduction"):
        binary_cross_entropy_with_logits(z, np.zeros((4, 1)), "average")


def test_fused_nodes_show_in_the_graph_as_what_they_are() -> None:
    x = Tensor(np.ones((2, 3)))
    weight = Tensor(np.ones((1, 3)), requires_grad=True)
    loss = binary_cross_entropy_with_logits(linear(x, weight), np.ones((2, 1)))
    assert loss.grad_fn.name == "binary_cross_entropy_with_logits"
    assert loss.grad_fn.label == "binary_cross_entropy_with_logits(mean)"
    assert loss.grad_fn.inputs[0].grad_fn.name == "linear"


def test_bump_version_makes_a_stale_graph_refuse_to_backward() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    y = (w * x).sum()
    x.data[0] = 10.0  # changed behind the engine's back...
    x.bump_version()  # ...and declared
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_equals_the_clamped_textbook_formula(reduction: str) -> None:
    p = Tensor(rng.uniform(0.05, 0.95, size=(5, 2)), requires_grad=True)
    y = Tensor(rng.uniform(size=(5, 2)), requires_grad=True)
    elementwise = -(y.data * np.log(p.data) + (1 - y.data) * np.log(1 - p.data))
    expected = {"mean": elementwise.mean(), "sum": elementwise.sum(), "none": elementwise}
    np.testing.assert_allclose(binary_cross_entropy(p, y, reduction).data, expected[reduction],
                               rtol=1e-12)
    assert gradcheck(lambda p, y: binary_cross_entropy(p, y, reduction), [p, y])
    assert gradgradcheck(lambda p, y: binary_cross_entropy(p, y, reduction), [p, y])


def test_bce_at_saturated_probabilities_follows_pytorch() -> None:
    """Logs clamped at -100; the gradient (p - y) / max(p(1 - p), 1e-12), finite at 0 and 1,
    with PyTorch's 1e-12 as the float32 it is there (torch 2.13 gives these numbers)."""
    p = Tensor([0.0, 1.0, 1e-50, 0.5], requires_grad=True)
    y = np.array([1.0, 1.0, 1.0, 0.0])
    loss = binary_cross_entropy(p, y, "sum")
    loss.backward()
    assert loss.item() == pytest.approx(100.0 + 0.0 + 100.0 + np.log(2))
    np.testing.assert_allclose(p.grad.data, [-1000000003995.8029, 0.0, -1000000003995.8029, 2.0],
                               rtol=1e-15)


def test_bce_keeps_the_digits_of_a_small_probability() -> None:
    """log(1 - p) as log1p(-p): at p = 1e-13, 1 - p rounds, and the loss at y = 0 was
    1.000310945e-13 instead of 1.00000000000005e-13. d/dy = log(1 - p) - log p uses the same
    log1p (there log p dwarfs the error)."""
    p = Tensor([1e-13, 1e-10], requires_grad=True)
    y = Tensor([0.0, 0.0], requires_grad=True)
    loss = binary_cross_entropy(p, y, "none")
    np.testing.assert_allclose(loss.data, [1.00000000000005e-13, 1.00000000005e-10],
                               rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(y.grad.data, [-1e-13 - np.log(1e-13), -1e-10 - np.log(1e-10)],
                               rtol=1e-15)


@FAST
@given(rows=st.integers(1, 5), classes=st.integers(1, 4),
       reduction=st.sampled_from(["mean", "sum", "none"]),
       smoothing=st.sampled_from([0.0, 0.1, 1.0]), seed=st.integers(0, 2**16))
def test_cross_entropy_is_log_softmax_picked_and_its_gradient_softmax_minus_target(
        rows: int, classes: int, reduction: str, smoothing: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = Tensor(rng.standard_normal((rows, classes)) * 3, requires_grad=True)
    y = rng.integers(0, classes, rows)
    log_p = z.data - np.log(np.exp(z.data).sum(axis=1, keepdims=True))
    per_row = -(1 - smoothing) * log_p[np.arange(rows), y] - smoothing * log_p.mean(axis=1)
    expected = {"mean": per_row.mean(), "sum": per_row.sum(), "none": per_row}[reduction]
    loss = cross_entropy(z, y, reduction, label_smoothing=smoothing)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12, atol=1e-15)
    # the closed form: softmax - ((1 - eps) onehot + eps / C), per row, / N for the mean
    target = np.full((rows, classes), smoothing / classes)
    target[np.arange(rows), y] += 1 - smoothing
    scale = 1 / rows if reduction == "mean" else 1.0
    (loss.sum() if reduction == "none" else loss).backward()
    np.testing.assert_allclose(z.grad.data, (np.exp(log_p) - target) * scale, rtol=1e-12,
                               atol=1e-15)
    assert gradcheck(lambda z: cross_entropy(z, y, reduction, label_smoothing=smoothing), [z])
    assert gradgradcheck(lambda z: cross_entropy(z, y, reduction, label_smoothing=smoothing),
                         [z])


def test_cross_entropy_is_stable_and_one_node_that_takes_the_classes_as_an_operand() -> None:
    z = Tensor([[1000.0, -1000.0], [-1000.0, 1000.0]], requires_grad=True)
    classes = Tensor(np.array([1, 1]))
    with np.errstate(all="raise"):
        loss = cross_entropy(z, classes, "none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [2000.0, 0.0])
    np.testing.assert_allclose(z.grad.data, [[1.0, -1.0], [0.0, 0.0]])
    assert loss.grad_fn.label == "cross_entropy(none)"
    assert loss.grad_fn.inputs == (z, classes)  # labels are data, as the logits are
    assert classes.grad is None


@pytest.mark.parametrize("logits, target, message", [
    (np.zeros((2, 3)), np.array([0, 3]), "class index 3 .*position 1.*in \\[0, 2\\]"),
    (np.zeros((2, 3)), np.array([0.0, 1.0]), "integers of shape \\(2,\\)"),
    (np.zeros((2, 3)), np.array([0, 1, 2]), "shape \\(2,\\) for logits of shape \\(2, 3\\)"),
    (np.zeros((2, 3)), np.eye(3, dtype=int)[[0, 2]],
     "got shape \\(2, 3\\); for one-hot targets pass the class indices y.argmax\\(1\\), or "
     "float class probabilities to nn.CrossEntropyLoss$"),
    (np.zeros(3), np.array([0]), "shape \\(N, C\\)"),
])
def test_cross_entropy_says_what_is_wrong_with_its_input(logits, target, message) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        cross_entropy(Tensor(logits, requires_grad=True), target)
    with pytest.raises(ValueError, match="reduction"):
        cross_entropy(Tensor(np.zeros((1, 2))), [0], "average")
    with pytest.raises(ValueError, match="label_smoothing"):
        cross_entropy(Tensor(np.zeros((1, 2))), [0], label_smoothing=1.5)
