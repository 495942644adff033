"""`@` follows numpy's matmul: 1-D operands are promoted (a row on the left, a column on the
right) and the added axis dropped; batch axes broadcast. Gradients for every case."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_engine import Tensor, gradcheck, gradgradcheck

CASES = {
    "vector @ vector": ((3,), (3,)),
    "vector @ matrix": ((3,), (3, 2)),
    "matrix @ vector": ((2, 3), (3,)),
    "matrix @ matrix": ((2, 3), (3, 4)),
    "batch @ batch": ((5, 2, 3), (5, 3, 4)),
    "batch @ matrix": ((5, 2, 3), (3, 4)),
    "matrix @ batch": ((2, 3), (5, 3, 4)),
    "broadcast batches": ((2, 1, 2, 3), (4, 3, 2)),
    "batch @ vector": ((4, 2, 3), (3,)),
    "vector @ batch": ((3,), (4, 3, 2)),
}


def operands(shapes: tuple, seed: int = 0) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]


@pytest.mark.parametrize("shapes", CASES.values(), ids=CASES.keys())
def test_matmul_matches_numpy(shapes: tuple) -> None:
    a, b = operands(shapes)
    out = a @ b
    expected = np.matmul(a.data, b.data)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-13)


@pytest.mark.parametrize("shapes", CASES.values(), ids=CASES.keys())
def test_matmul_gradient(shapes: tuple) -> None:
    a, b = operands(shapes)
    assert gradcheck(lambda x, y: x @ y, [a, b])
    (a @ b).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


@pytest.mark.parametrize("shapes", CASES.values(), ids=CASES.keys())
def test_matmul_second_derivative(shapes: tuple) -> None:
    assert gradgradcheck(lambda x, y: x @ y, operands(shapes))


def test_matrix_gradients_by_closed_form() -> None:
    """d(sum(A @ B))/dA = 1 @ Bᵀ, d/dB = Aᵀ @ 1."""
    a, b = operands(((2, 3), (3, 4)))
    (a @ b).sum().backward()
    np.testing.assert_allclose(a.grad.data, np.ones((2, 4)) @ b.data.T, rtol=1e-14)
    np.testing.assert_allclose(b.grad.data, a.data.T @ np.ones((2, 4)), rtol=1e-14)


def test_dot_product_is_zero_dimensional() -> None:
    a, b = Tensor([1.0, 2.0, 3.0], requires_grad=True), Tensor([4.0, 5.0, 6.0])
    out = a @ b
    assert out.shape == () and out.item() == 32.0
    out.backward()
    assert a.grad.data.tolist() == [4.0, 5.0, 6.0]


def test_numpy_array_and_list_operands() -> None:
    """A numpy array on either side is a constant; `array @ tensor` returns a Tensor."""
    w = Tensor(np.eye(2) * 3.0, requires_grad=True)
    left = np.array([[1.0, 2.0]]) @ w
    right = w @ [1.0, 1.0]
    assert isinstance(left, Tensor) and isinstance(right, Tensor)
    assert left.data.tolist() == [[3.0, 6.0]] and right.data.tolist() == [3.0, 3.0]
    (left.sum() + right.sum()).backward()
    assert w.grad.data.tolist() == [[2.0, 2.0], [3.0, 3.0]]
