"""`t[index]` takes numpy's indices (ints, slices, None, Ellipsis, integer arrays, boolean
masks, tuples of arrays); the gradient is scattered back, and an element picked several
times gets the sum of its gradients."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_engine import Tensor, gradcheck, gradgradcheck

X = np.arange(12.0).reshape(3, 4) - 5.5

INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, 3),
    "stepped slice": (slice(None), slice(None, None, -2)),
    "int and slice": (0, slice(1, None)),
    "ellipsis": (Ellipsis, 2),
    "new axis": (None, slice(None), 0),
    "int array": np.array([2, 0]),
    "repeated ints": np.array([0, 0, 2, 0]),
    "2-d int array": np.array([[0, 1], [1, 1]]),
    "list of ints": [1, 1, 2],
    "empty list": [],  # an empty selection, as in numpy (it was read as a float index)
    "boolean mask": X > 0,
    "boolean rows": np.array([True, False, True]),
    "tuple of arrays": (np.array([0, 1, 1]), np.array([3, 2, 2])),
    "slice and array": (slice(1, None), np.array([0, 0, 3])),
}


@pytest.mark.parametrize("index", INDICES.values(), ids=INDICES.keys())
def test_indexing_matches_numpy(index: object) -> None:
    out = Tensor(X)[index]
    expected = X[index]
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("index", INDICES.values(), ids=INDICES.keys())
def test_indexing_gradient(index: object) -> None:
    x = Tensor(X, requires_grad=True)
    assert gradcheck(lambda t: t[index], [x])
    assert gradgradcheck(lambda t: t[index] ** 2, [x])


def test_repeated_indices_accumulate_their_gradients() -> None:
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.data.tolist() == [3.0, 0.0, 1.0]


def test_repeated_pairs_in_a_tuple_of_arrays_accumulate() -> None:
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    picked = x[np.array([1, 1, 0]), np.array([2, 2, 0])]
    (picked * Tensor([1.0, 2.0, 4.0])).sum().backward()
    assert x.grad.data.tolist() == [[4.0, 0.0, 0.0], [0.0, 0.0, 3.0]]


def test_boolean_mask_made_by_a_comparison() -> None:
    """A comparison gives a bool Tensor, usable directly as a mask."""
    x = Tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    positive = x[x > 0]
    assert positive.data.tolist() == [2.0, 4.0]
    positive.sum().backward()
    assert x.grad.data.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_integer_tensor_as_index() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[Tensor([2, 2])].sum().backward()
    assert x.grad.data.tolist() == [0.0, 0.0, 2.0]


def test_iterating_a_tensor_yields_differentiable_rows() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == len(x) == 2
    (rows[0] * rows[1]).sum().backward()
    assert x.grad.data.tolist() == [[3.0, 4.0], [1.0, 2.0]]


def test_out_of_range_index_is_an_index_error() -> None:
    with pytest.raises(IndexError, match="5"):
        Tensor(X)[5]
