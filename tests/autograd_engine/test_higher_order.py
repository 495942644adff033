"""Gradients of gradients (`create_graph=True`) and the functional `grad`, checked against
closed forms."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from autograd_engine import Tensor, grad


def derivatives(f: Callable[[Tensor], Tensor], x: Tensor, order: int) -> list[float]:
    """f'(x), f''(x), ... up to `order`, each differentiated from the previous one."""
    values, current = [], f(x)
    for _ in range(order):
        (current,) = grad(current, x, create_graph=True)
        values.append(current.item())
    return values


def test_third_derivative_of_x_to_the_fourth() -> None:
    x = Tensor(2.0, requires_grad=True)
    assert derivatives(lambda t: t**4, x, 3) == [4 * 8.0, 12 * 4.0, 24 * 2.0]


def test_third_derivative_of_tanh() -> None:
    """tanh' = 1 - t², tanh'' = -2t(1 - t²), tanh''' = (1 - t²)(6t² - 2), t = tanh x."""
    x = Tensor(0.7, requires_grad=True)
    t = np.tanh(0.7)
    expected = [1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2)]
    np.testing.assert_allclose(derivatives(Tensor.tanh, x, 3), expected, rtol=1e-13)


def test_second_derivative_of_sigmoid_and_log() -> None:
    x = Tensor(0.3, requires_grad=True)
    s = 1 / (1 + np.exp(-0.3))
    np.testing.assert_allclose(derivatives(Tensor.sigmoid, x, 2),
                               [s * (1 - s), s * (1 - s) * (1 - 2 * s)], rtol=1e-13)
    np.testing.assert_allclose(derivatives(Tensor.log, x, 3),
                               [1 / 0.3, -1 / 0.3**2, 2 / 0.3**3], rtol=1e-13)


def test_hessian_vector_product() -> None:
    """f(x) = Σx³ + x₀x₁: H = diag(6x) + [[0,1,0],[1,0,0],[0,0,0]]; Hv from two backwards."""
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = np.array([1.0, -1.0, 2.0])
    f = (x**3).sum() + x[0] * x[1]
    (g,) = grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data**2 + [2.0, 1.0, 0.0])
    (hv,) = grad((g * v).sum(), x)
    hessian = np.diag(6 * x.data) + np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(hv.data, hessian @ v, rtol=1e-14)


def test_backward_with_create_graph_makes_grad_differentiable() -> None:
    x = Tensor(3.0, requires_grad=True)
    (x**3).backward(create_graph=True)
    first = x.grad
    assert first.requires_grad and first.item() == 27.0
    x.grad = None
    first.backward()
    assert x.grad.item() == 18.0


def test_mixed_partial_derivatives() -> None:
    """f = x²y: ∂²f/∂x∂y = 2x."""
    x, y = Tensor(3.0, requires_grad=True), Tensor(5.0, requires_grad=True)
    (dfdx,) = grad(x * x * y, x, create_graph=True)
    assert dfdx.item() == 30.0
    (d2,) = grad(dfdx, y)
    assert d2.item() == 6.0


def test_create_graph_through_a_batch_of_ops() -> None:
    """Gradient penalty style: ‖∇ₓ sum(tanh(W x))‖² differentiated again w.r.t. W."""
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x = Tensor(rng.standard_normal(2), requires_grad=True)
    (gx,) = grad((w @ x).tanh().sum(), x, create_graph=True)
    penalty = (gx * gx).sum()
    (gw,) = grad(penalty, w)
    # By hand: gx = Wᵀ s with s = 1 - tanh²(Wx); penalty = ‖Wᵀ s‖².
    z = w.data @ x.data
    s = 1 - np.tanh(z) ** 2
    gx_hand = w.data.T @ s
    ds = -2 * np.tanh(z) * s  # ∂s/∂z
    expected = 2 * np.outer(s, gx_hand) + np.outer(2 * (w.data @ gx_hand) * ds, x.data)
    np.testing.assert_allclose(gw.data, expected, rtol=1e-12)


# --- functional grad ------------------------------------------------------------------------

def test_grad_returns_gradients_without_touching_dot_grad() -> None:
    x, y = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    gx, gy = grad(x * y, [x, y])
    assert (gx.item(), gy.item()) == (3.0, 2.0)
    assert x.grad is None and y.grad is None


def test_grad_of_a_single_input_is_a_one_tuple() -> None:
    x = Tensor(2.0, requires_grad=True)
    result = grad(x * x, x)
    assert isinstance(result, tuple) and len(result) == 1 and result[0].item() == 4.0


def test_grad_with_grad_outputs_and_several_outputs() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = grad([x * x, x.sum()], x, grad_outputs=[np.array([1.0, 10.0]), 1.0])
    assert g.data.tolist() == [2.0 + 1.0, 40.0 + 1.0]


def test_grad_allow_unused() -> None:
    x, unused = Tensor(2.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    gx, gu = grad(x * 3, [x, unused], allow_unused=True)
    assert gx.item() == 3.0 and gu is None
    with pytest.raises(RuntimeError, match="allow_unused"):
        grad(x * 3, [x, unused])


def test_grad_frees_the_graph_unless_asked() -> None:
    x = Tensor(2.0, requires_grad=True)
    y = x.exp()
    grad(y, x, retain_graph=True)
    grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph"):
        grad(y, x)


def test_grad_of_an_input_that_needs_no_grad_is_an_error() -> None:
    x, constant = Tensor(2.0, requires_grad=True), Tensor(1.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(x * constant, [constant])


def test_grad_with_respect_to_an_intermediate_tensor() -> None:
    x = Tensor(2.0, requires_grad=True)
    hidden = x * 3
    (g,) = grad(hidden * hidden, hidden)
    assert g.item() == 12.0 and hidden.grad is None and x.grad is None


def falling_factorial(n: float, k: int) -> float:
    """n (n-1) ... (n-k+1): the k-th derivative of x^n is this times x^(n-k)."""
    return float(np.prod([n - i for i in range(k)]))


# a fractional power only at x > 0: it is not real below 0, and its later derivatives are
# infinite at 0
@pytest.mark.parametrize("n, x0", [(n, x0) for n in (0, 1, 2, 3, 0.5, 2.5)
                                   for x0 in (0.0, 1.5, -0.7) if n == int(n) or x0 > 0])
def test_every_derivative_of_a_power_matches_the_closed_form(n: float, x0: float) -> None:
    """Up to the fifth; at x = 0 too, where the branch Pow discards (b·a^(b-1) where b = 0)
    once got a backward of 0·inf = nan (x**2's fourth derivative, x**0's second)."""
    expected = []
    for k in range(1, 6):
        factor = falling_factorial(n, k)
        expected.append(0.0 if factor == 0 else factor * x0 ** (n - k))
    assert derivatives(lambda t: t**n, Tensor(x0, requires_grad=True), 5) == pytest.approx(
        expected, rel=1e-13, abs=0)


def test_derivatives_of_a_power_in_its_exponent_at_a_zero_base() -> None:
    """0^b = 0 for b > 0: every derivative in b is 0 (the discarded a^b·ln(a) at a = 0 once
    gave nan from the second on); d/da of a^b at a = 0 is b·0^(b-1) = 0 for b = 2."""
    a = Tensor([0.0, 2.0], requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    ln2 = np.log(2.0)
    assert derivatives(lambda t: (a**t).sum(), b, 4) == pytest.approx(
        [4 * ln2, 4 * ln2**2, 4 * ln2**3, 4 * ln2**4], rel=1e-13)
    (db,) = grad((a**b).sum(), b, create_graph=True)
    (dadb,) = grad(db, a)
    np.testing.assert_allclose(dadb.data, [0.0, 2 * 2.0 * ln2 + 2.0], rtol=1e-13)


@pytest.mark.parametrize("op", ["relu", "abs"])
def test_differentiating_a_mask_derivative_again_says_why_there_is_no_graph(op: str) -> None:
    """The README's difference from PyTorch: the error names the constant mask, not only
    no_grad() and leaves without requires_grad, neither of which the user did."""
    x = Tensor([1.0, -2.0], requires_grad=True)
    (first,) = grad(getattr(x, op)().sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="relu's and abs's are masks"):
        grad(first.sum(), x)
