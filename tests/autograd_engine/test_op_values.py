"""Forward values: every catalogue op equals its numpy reference, over hypothesis-drawn
shapes, broadcasting pairs and axis/keepdims combinations, in float64 and float32 (a float32
input gives a float32 result: no silent upcast)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd_engine import Tensor, minimum, softmax
from engine_strategies import (FAST, broadcastable_pairs, make_inputs, reduction_calls, seeds,
                               shapes)
from op_catalogue import (BINARY_OPS, REDUCTIONS, UNARY_OPS, Op, Reduction, apply_reduction,
                          reference_reduction)

DTYPES = [np.float64, np.float32]
#: float64 must agree with numpy to rounding; float32 is compared with the float64 answer.
TOLERANCE = {np.float64: {"rtol": 1e-12, "atol": 1e-12},
             np.float32: {"rtol": 2e-5, "atol": 2e-6}}


def assert_matches_reference(out: Tensor, expected: np.ndarray, dtype: type) -> None:
    """A Tensor of the input's dtype, numpy's shape, and numpy's numbers."""
    assert isinstance(out, Tensor)
    assert out.dtype == dtype, f"result is {out.dtype} for {np.dtype(dtype)} inputs"
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, **TOLERANCE[dtype])


def float64_data(tensors: list[Tensor]) -> list[np.ndarray]:
    return [np.asarray(t.data, dtype=np.float64) for t in tensors]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY_OPS, ids=repr)
@FAST
@given(shape=shapes(), seed=seeds)
def test_unary_op_matches_numpy(op: Op, dtype: type, shape: tuple, seed: int) -> None:
    inputs = make_inputs(op.domains, [shape], seed, dtype)
    assert_matches_reference(op.tensor(*inputs), op.numpy(*float64_data(inputs)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", BINARY_OPS, ids=repr)
@FAST
@given(shapes_=broadcastable_pairs(), seed=seeds)
@example(shapes_=((), (2, 3)), seed=0)
@example(shapes_=((2, 1), (1, 3)), seed=0)
@example(shapes_=((4, 1, 3), (2, 3)), seed=0)
def test_binary_op_broadcasts_like_numpy(op: Op, dtype: type, shapes_: tuple, seed: int) -> None:
    inputs = make_inputs(op.domains, shapes_, seed, dtype)
    assert_matches_reference(op.tensor(*inputs), op.numpy(*float64_data(inputs)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", REDUCTIONS, ids=repr)
@FAST
@given(data=st.data(), seed=seeds)
def test_reduction_matches_numpy(op: Reduction, dtype: type, data: st.DataObject,
                                 seed: int) -> None:
    shape, axis, keepdims = data.draw(reduction_calls(op.single_axis))
    (x,) = make_inputs([op.domain], [shape], seed, dtype)
    expected = reference_reduction(op, np.asarray(x.data, dtype=np.float64), axis, keepdims)
    assert_matches_reference(apply_reduction(op, x, axis, keepdims), expected, dtype)


SPECIAL_VALUES = [0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf]


@pytest.mark.parametrize("dtype", DTYPES)
@FAST
@given(rows=st.integers(1, 40), columns=st.integers(1, 40), keepdims=st.booleans(), seed=seeds)
def test_short_rows_take_a_faster_route_to_the_same_bytes(dtype: type, rows: int, columns: int,
                                                          keepdims: bool, seed: int) -> None:
    """Rows of up to 32 elements find the maximum that log_softmax and logsumexp subtract
    through a transposed copy. Their results must be numpy's formula to the byte, signed
    zeros and nans included; max itself keeps numpy's own route (which breaks ties between
    -0.0 and 0.0 differently)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((rows, columns)).astype(dtype)
    special = rng.random(a.shape) < 0.3
    a[special] = rng.choice(SPECIAL_VALUES, size=int(special.sum()))
    peak = a.max(axis=1, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0)
    with np.errstate(all="ignore"):
        log_softmax = (a - peak) - np.log(np.exp(a - peak).sum(axis=1, keepdims=True))
        logsumexp = np.log(np.sum(np.exp(a - peak), axis=1, keepdims=True)) + peak
    if not keepdims:
        logsumexp = logsumexp[:, 0]
    x = Tensor(a)
    with np.errstate(all="ignore"):  # inf - inf in rows holding inf: nan, as in the formula
        results = [(x.log_softmax(axis=1), log_softmax),
                   (x.logsumexp(axis=1, keepdims=keepdims), logsumexp),
                   (x.max(axis=1, keepdims=keepdims), a.max(axis=1, keepdims=keepdims))]
    for ours, expected in results:
        assert ours.dtype == expected.dtype and ours.shape == expected.shape
        assert np.asarray(ours.data).tobytes() == expected.tobytes()


def test_softmax_methods_and_functions_agree() -> None:
    from autograd_engine import log_softmax, softmax

    x = Tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]])
    np.testing.assert_array_equal(x.softmax(axis=0).data, softmax(x, axis=0).data)
    np.testing.assert_array_equal(x.log_softmax().data, log_softmax(x).data)
    np.testing.assert_allclose(x.softmax().data.sum(axis=-1), [1.0, 1.0], rtol=1e-15)


def test_var_with_ddof_matches_numpy() -> None:
    data = np.arange(12.0).reshape(3, 4) ** 1.5
    np.testing.assert_allclose(Tensor(data).var(axis=1, ddof=1).data,
                               np.var(data, axis=1, ddof=1), rtol=1e-14)
    np.testing.assert_allclose(Tensor(data).var(ddof=1).data, np.var(data, ddof=1), rtol=1e-14)


@pytest.mark.parametrize("ddof", [3, 5])
def test_var_with_ddof_at_least_the_count_is_infinite_as_in_numpy(ddof: int) -> None:
    """Divided by max(count - ddof, 0), as numpy and PyTorch do: inf, not the -1.0 that
    dividing by 3 - 5 gave. The gradient, 2(x - mean) / 0 less its mean (inf - inf), is
    nan: not finite, as the value is (PyTorch gives [inf, nan, inf]), never the finite
    gradient of the negative variance."""
    data = np.array([1.0, 2.0, 3.0])
    x = Tensor(data, requires_grad=True)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        out = x.var(ddof=ddof)
    with pytest.warns(RuntimeWarning):
        assert out.item() == np.var(data, ddof=ddof) == np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        out.backward()
    assert np.isnan(x.grad.data).all()


def test_zero_dimensional_results_are_numpy_scalars() -> None:
    out = Tensor([1.0, 2.0]).sum()
    assert out.shape == () and out.ndim == 0
    assert isinstance(out.data, np.floating)
    assert out.item() == 3.0 and isinstance(out.item(), float)


@pytest.mark.parametrize("data", [np.array([0, 5, 200], np.uint8),
                                  np.array([np.iinfo(np.int64).min, 0, 7], np.int64),
                                  np.array([True, False, True]),
                                  np.array([[3, 1], [0, 2]], np.uint16)])
def test_min_and_minimum_of_integers_and_bools_match_numpy(data: np.ndarray) -> None:
    """Computed as themselves, not as -max(-x), which wraps unsigned integers and INT64_MIN
    and refuses bools."""
    x = Tensor(data)
    for axis in (None, 0):
        out = x.min(axis=axis)
        np.testing.assert_array_equal(out.data, data.min(axis=axis))
        assert out.dtype == data.dtype
    for other in (3, data[::-1].copy()):
        out = minimum(x, other)
        np.testing.assert_array_equal(out.data, np.minimum(data, other))
        assert out.dtype == np.minimum(data, other).dtype


def test_min_and_minimum_share_max_tie_rule() -> None:
    x = Tensor([1.0, -3.0, -3.0, 0.0], requires_grad=True)
    x.min().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5, 0.0])
    a = Tensor([1.0, 2.0, 0.0], requires_grad=True)
    b = Tensor([1.0, 1.0, 5.0], requires_grad=True)
    minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logsumexp_and_softmax_over_an_empty_axis_follow_pytorch(dtype: type) -> None:
    """logsumexp over an empty axis is log 0 = -inf; softmax and log_softmax of one are
    empty; the gradients have the input's shape. (They crashed inside numpy's max.)"""
    x = Tensor(np.zeros((2, 0), dtype), requires_grad=True)
    lse = x.logsumexp(axis=1)
    assert lse.data.tolist() == [-np.inf, -np.inf] and lse.dtype == dtype
    assert x.logsumexp().item() == -np.inf
    assert x.logsumexp(axis=0).shape == (0,)
    for out in (lse, x.softmax(axis=1), x.log_softmax(axis=1), softmax(x, 0)):
        assert out.shape == lse.shape or out.shape == (2, 0)
        x.grad = None
        out.sum().backward()
        assert x.grad.shape == (2, 0) and x.grad.dtype == dtype
