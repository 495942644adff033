"""Shape ops move numbers without changing them: each must equal numpy's result, and its
backward must move the gradient back (first and second order)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from autograd_engine import Tensor, concatenate, grad, gradcheck, gradgradcheck, stack

# name: (input shape, Tensor version, numpy reference)
CASES: dict[str, tuple[tuple, Callable[[Tensor], Tensor], Callable[[np.ndarray], np.ndarray]]] = {
    "reshape ints": ((2, 3), lambda t: t.reshape(3, 2), lambda a: a.reshape(3, 2)),
    "reshape one tuple": ((2, 3), lambda t: t.reshape((3, 2)), lambda a: a.reshape(3, 2)),
    "reshape -1": ((2, 3, 2), lambda t: t.reshape(2, -1), lambda a: a.reshape(2, -1)),
    "reshape to 0-d": ((1, 1), lambda t: t.reshape(()), lambda a: a.reshape(())),
    "reshape from 0-d": ((), lambda t: t.reshape(1, 1), lambda a: a.reshape(1, 1)),
    "view": ((2, 3), lambda t: t.view(-1), lambda a: a.reshape(-1)),
    "transpose reverses": ((2, 3, 4), lambda t: t.transpose(), np.transpose),
    "transpose axes": ((2, 3, 4), lambda t: t.transpose(1, 2, 0),
                       lambda a: a.transpose(1, 2, 0)),
    "transpose tuple": ((2, 3, 4), lambda t: t.transpose((2, 0, 1)),
                        lambda a: a.transpose(2, 0, 1)),
    "permute negative": ((2, 3, 4), lambda t: t.permute(-1, 0, 1),
                         lambda a: a.transpose(2, 0, 1)),
    ".T": ((2, 3), lambda t: t.T, lambda a: a.T),
    ".mT": ((4, 2, 3), lambda t: t.mT, lambda a: np.swapaxes(a, -1, -2)),
    "swapaxes": ((2, 3, 4), lambda t: t.swapaxes(0, -1), lambda a: np.swapaxes(a, 0, -1)),
    "broadcast_to": ((3, 1), lambda t: t.broadcast_to((2, 3, 4)),
                     lambda a: np.broadcast_to(a, (2, 3, 4))),
    "expand -1 keeps": ((3, 1), lambda t: t.expand(2, -1, 4),
                        lambda a: np.broadcast_to(a, (2, 3, 4))),
    "expand 0-d": ((), lambda t: t.expand(2, 2), lambda a: np.broadcast_to(a, (2, 2))),
    "squeeze all": ((1, 3, 1), lambda t: t.squeeze(), np.squeeze),
    "squeeze one": ((1, 3, 1), lambda t: t.squeeze(-1), lambda a: np.squeeze(a, -1)),
    "squeeze tuple": ((1, 3, 1), lambda t: t.squeeze((0, 2)), lambda a: np.squeeze(a, (0, 2))),
    "unsqueeze front": ((2, 3), lambda t: t.unsqueeze(0), lambda a: a[None]),
    "unsqueeze -1": ((2, 3), lambda t: t.unsqueeze(-1), lambda a: a[..., None]),
    "flatten": ((2, 3, 4), lambda t: t.flatten(), lambda a: a.reshape(-1)),
    "flatten from 1": ((2, 3, 4), lambda t: t.flatten(1), lambda a: a.reshape(2, -1)),
    "flatten 0..1": ((2, 3, 4), lambda t: t.flatten(0, 1), lambda a: a.reshape(6, 4)),
    "flatten empty batch": ((0, 3, 4), lambda t: t.flatten(1), lambda a: a.reshape(0, 12)),
    "sum_to": ((2, 3, 4), lambda t: t.sum_to((3, 1)),
               lambda a: a.sum(axis=0).sum(axis=1, keepdims=True)),
}


def leaf(shape: tuple, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("shape, op, reference", CASES.values(), ids=CASES.keys())
def test_shape_op_matches_numpy(shape: tuple, op: Callable, reference: Callable) -> None:
    x = leaf(shape)
    out = op(x)
    assert out.shape == np.shape(reference(x.data))
    np.testing.assert_array_equal(out.data, reference(x.data))


@pytest.mark.parametrize("shape, op, reference", CASES.values(), ids=CASES.keys())
def test_shape_op_gradient(shape: tuple, op: Callable, reference: Callable) -> None:
    x = leaf(shape)
    assert gradcheck(op, [x])
    assert gradgradcheck(lambda t: op(t) ** 2, [x])
    op(x).sum().backward()
    assert x.grad.shape == x.shape


def test_transpose_of_two_axes_never_means_the_opposite_of_what_pytorch_users_expect() -> None:
    """numpy's transpose(0, 1) leaves a matrix as it is, PyTorch's swaps it: an error with the
    way to say either. permute(0, 1) means the same in both, and stays allowed."""
    x = Tensor(np.arange(6.0).reshape(2, 3))
    for call in (lambda: x.transpose(0, 1), lambda: x.transpose((0, 1)),
                 lambda: x.transpose(-2, -1)):
        with pytest.raises(ValueError, match=r"use \.T or swapaxes\(0, 1\)"):
            call()
    assert x.transpose(1, 0).shape == (3, 2) and x.permute(0, 1).shape == (2, 3)
    with pytest.raises(ValueError, match=r"not a permutation.*swapaxes\(a, b\)"):
        Tensor(np.zeros((2, 3, 4))).transpose(0, 1)
    for call in (lambda: x.transpose(2, 1), lambda: x.transpose(3, 0),
                 lambda: Tensor(np.zeros((2, 3, 4))).permute(0, 1, 5)):
        with pytest.raises(ValueError, match="not a permutation"):  # no wrapping around
            call()
    # an identity permutation still has a gradient, recorded too (its backward permutes back)
    leaf = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (g,) = grad((leaf.permute(0, 1) ** 2).sum(), leaf, create_graph=True)
    np.testing.assert_array_equal(g.data, 2 * leaf.data)


def test_broadcast_gradient_counts_the_copies() -> None:
    x = Tensor([[1.0], [2.0]], requires_grad=True)
    x.broadcast_to((3, 2, 4)).sum().backward()
    assert x.grad.data.tolist() == [[12.0], [12.0]]


def test_reshape_shares_no_state_with_its_input() -> None:
    """The result is a new Tensor; the input's shape is unchanged."""
    x = leaf((2, 3))
    y = x.reshape(6)
    assert x.shape == (2, 3) and y.shape == (6,) and y is not x


# --- concatenate and stack ------------------------------------------------------------------

# name: (input shapes, Tensor version, numpy reference)
JOINS = {
    "concatenate axis 0": ([(2, 3), (1, 3), (4, 3)], lambda *ts: concatenate(ts),
                           lambda *a: np.concatenate(a)),
    "concatenate axis 1": ([(2, 1), (2, 3)], lambda *ts: concatenate(ts, axis=1),
                           lambda *a: np.concatenate(a, axis=1)),
    "concatenate axis -1": ([(2, 2, 1), (2, 2, 2)], lambda *ts: concatenate(ts, axis=-1),
                            lambda *a: np.concatenate(a, axis=-1)),
    "stack axis 0": ([(2, 3)] * 3, lambda *ts: stack(ts), lambda *a: np.stack(a)),
    "stack axis -1": ([(2, 3)] * 2, lambda *ts: stack(ts, axis=-1),
                      lambda *a: np.stack(a, axis=-1)),
    "stack 0-d": ([()] * 3, lambda *ts: stack(ts), lambda *a: np.stack(a)),
}


@pytest.mark.parametrize("shapes, join, reference", JOINS.values(), ids=JOINS.keys())
def test_join_matches_numpy_and_splits_the_gradient(shapes: list, join: Callable,
                                                    reference: Callable) -> None:
    inputs = [leaf(s, seed=i) for i, s in enumerate(shapes)]
    np.testing.assert_array_equal(join(*inputs).data, reference(*(t.data for t in inputs)))
    assert gradcheck(join, inputs)
    assert gradgradcheck(lambda *ts: join(*ts) ** 2, inputs)


def test_join_with_a_constant_gives_it_no_gradient() -> None:
    x, constant = leaf((2,)), Tensor([5.0, 6.0])
    out = concatenate([x, constant, np.array([7.0])])
    assert out.data.tolist()[2:] == [5.0, 6.0, 7.0]
    (out * np.arange(5.0)).sum().backward()
    assert x.grad.data.tolist() == [0.0, 1.0] and constant.grad is None
