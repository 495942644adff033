"""sigmoid, logsumexp, softmax and log_softmax at logits of ±1000: no floating-point warning
even under `np.errstate(all="raise")`, finite values and gradients, and the right numbers
(compared with closed forms built from the exact softmax of each row)."""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import pytest

from autograd_engine import Tensor, maximum

LOGITS = np.array([[1000.0, -1000.0, 0.0],
                   [-1000.0, -1000.0, -1000.0],
                   [1000.0, 1000.0, -1000.0]])
#: The exact softmax of each row (e^-1000 is 0 to double precision).
SOFTMAX = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
LOGSUMEXP = np.array([1000.0, -1000.0 + np.log(3.0), 1000.0 + np.log(2.0)])
#: loss = Σ f(x) · WEIGHTS, so every gradient element is exercised.
WEIGHTS = np.arange(1.0, 10.0).reshape(3, 3)
ROW_WEIGHTS = np.array([1.0, 2.0, 3.0])


def log_softmax_expected() -> np.ndarray:
    with np.errstate(divide="ignore"):
        exact = np.log(SOFTMAX)
    # Rows with a 0 probability: log p is the logit gap, not -inf.
    return np.where(SOFTMAX > 0, exact, LOGITS - LOGSUMEXP[:, None])


# name: (f, weights, expected value, expected gradient of Σ f(x)·weights)
CASES: dict[str, tuple[Callable[[Tensor], Tensor], np.ndarray, np.ndarray, np.ndarray]] = {
    "sigmoid": (Tensor.sigmoid, WEIGHTS, np.array([[1.0, 0.0, 0.5], [0.0] * 3, [1.0, 1.0, 0.0]]),
                WEIGHTS * np.array([[0.0, 0.0, 0.25], [0.0] * 3, [0.0] * 3])),
    "logsumexp": (lambda x: x.logsumexp(axis=1), ROW_WEIGHTS, LOGSUMEXP,
                  ROW_WEIGHTS[:, None] * SOFTMAX),
    "softmax": (lambda x: x.softmax(axis=1), WEIGHTS, SOFTMAX,
                SOFTMAX * (WEIGHTS - (WEIGHTS * SOFTMAX).sum(axis=1, keepdims=True))),
    "log_softmax": (lambda x: x.log_softmax(axis=1), WEIGHTS, log_softmax_expected(),
                    WEIGHTS - SOFTMAX * WEIGHTS.sum(axis=1, keepdims=True)),
}


def stability_cases() -> list:
    params = []
    for dtype in (np.float64, np.float32):
        for name, case in CASES.items():
            params.append(pytest.param(*case, dtype, id=f"{name}-{np.dtype(dtype).name}"))
    return params


@pytest.mark.parametrize("f, weights, value, gradient, dtype", stability_cases())
def test_stable_at_logits_of_plus_minus_1000(f: Callable, weights: np.ndarray, value: np.ndarray,
                                             gradient: np.ndarray, dtype: type) -> None:
    x = Tensor(LOGITS, dtype=dtype, requires_grad=True)
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(x)
        (out * Tensor(weights, dtype=dtype)).sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad.data))
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5,
                                                                             "atol": 1e-6}
    np.testing.assert_allclose(out.data, value, **tolerance)
    np.testing.assert_allclose(x.grad.data, gradient, **tolerance)


def test_logsumexp_over_all_axes_and_keepdims_is_stable() -> None:
    x = Tensor(LOGITS, requires_grad=True)
    with np.errstate(all="raise"):
        total = x.logsumexp()
        kept = x.logsumexp(axis=0, keepdims=True)
        (total + kept.sum()).backward()
    assert total.item() == pytest.approx(1000.0 + np.log(3.0), rel=1e-15)
    assert kept.shape == (1, 3)
    np.testing.assert_allclose(kept.data, [[1000.0 + np.log(2.0), 1000.0, 0.0]], atol=1e-12)
    assert np.all(np.isfinite(x.grad.data))


def test_tanh_and_exp_at_extremes_raise_no_warning() -> None:
    x = Tensor([1000.0, -1000.0], requires_grad=True)
    with np.errstate(all="raise"):
        y = x.tanh().sum() + (-x.abs()).exp().sum()
        y.backward()
    assert y.item() == 0.0 and x.grad.data.tolist() == [0.0, 0.0]


def test_gradients_at_nan_follow_numpy_s_comparisons_as_the_readme_says() -> None:
    """relu's mask (a > 0) is False at nan, abs's sign is nan, and maximum's gradient goes
    to the other operand (a >= b is False); PyTorch 2.13 gives 1, 0, and 1 to both."""
    x = Tensor([np.nan, 1.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.data.tolist() == [0.0, 1.0]
    x.grad = None
    x.abs().sum().backward()
    assert np.isnan(x.grad.data[0]) and x.grad.data[1] == 1.0
    a, b = Tensor([np.nan], requires_grad=True), Tensor([1.0], requires_grad=True)
    maximum(a, b).sum().backward()
    assert a.grad.data.tolist() == [0.0] and b.grad.data.tolist() == [1.0]
