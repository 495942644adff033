"""Every backward formula runs two ways: on plain arrays for an ordinary backward(), and on
Tensors when create_graph records it. Both must give the same gradient, in the same dtype."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from autograd_engine import (Tensor, binary_cross_entropy, binary_cross_entropy_with_logits,
                             concatenate, grad, linear, stack)
from engine_strategies import make_inputs
from op_catalogue import BINARY_OPS, REDUCTIONS, UNARY_OPS, apply_reduction

STRUCTURAL: dict[str, tuple[Callable[..., Tensor], list[tuple[int, ...]]]] = {
    "matmul": (lambda a, b: a @ b, [(3, 4), (4, 2)]),
    "batched matmul, 1-D right": (lambda a, b: a @ b, [(2, 3, 4), (4,)]),
    "linear": (linear, [(5, 3), (4, 3), (4,)]),
    "reshape": (lambda a: a.reshape(6, 2) * a.reshape(6, 2), [(3, 4)]),
    "transpose": (lambda a: a.T * 2.0, [(3, 4)]),
    "broadcast_to": (lambda a: a.broadcast_to((2, 3, 4)) ** 2, [(3, 1)]),
    "getitem, repeated": (lambda a: a[[0, 0, 2]] ** 2, [(3, 4)]),
    "concatenate": (lambda a, b: concatenate([a, b], axis=1) ** 2, [(2, 3), (2, 1)]),
    "stack": (lambda a, b: stack([a, b]) ** 2, [(2, 3), (2, 3)]),
    "broadcasting add": (lambda a, b: (a + b) ** 2, [(3, 1), (4,)]),
    "astype": (lambda a: a.astype(np.float32) * 2.0, [(3,)]),
    "bce with logits": (lambda z: binary_cross_entropy_with_logits(z, np.ones((4, 1))),
                        [(4, 1)]),
    "bce": (lambda p: binary_cross_entropy(p.sigmoid(), np.zeros((4, 1))), [(4, 1)]),
}


def gradients_both_ways(fn: Callable[..., Tensor], inputs: list[Tensor]) -> tuple[list, list]:
    weights = None

    def loss(*xs: Tensor) -> Tensor:
        nonlocal weights
        out = fn(*xs)
        if weights is None:
            weights = np.random.default_rng(1).standard_normal(out.shape)
        return (out * weights).sum()

    for x in inputs:
        x.grad = None
    loss(*inputs).backward()  # formulas on arrays
    on_arrays = [x.grad for x in inputs]
    recorded = grad(loss(*inputs), inputs, create_graph=True, allow_unused=True)  # on Tensors
    return on_arrays, list(recorded)


def assert_same(on_arrays: list, recorded: list) -> None:
    for a, t in zip(on_arrays, recorded):
        assert t is not None and a is not None
        assert a.dtype == t.dtype and a.shape == t.shape
        np.testing.assert_allclose(a.data, t.data, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("op", UNARY_OPS + BINARY_OPS, ids=repr)
def test_elementwise_ops(op) -> None:
    shapes = [(2, 3)] if op.arity == 1 else [(2, 3), (3,)]
    assert_same(*gradients_both_ways(op.tensor, make_inputs(op.domains, shapes, seed=3)))


@pytest.mark.parametrize("op", REDUCTIONS, ids=repr)
def test_reductions(op) -> None:
    axis = 1 if op.single_axis else (0, 2)
    inputs = make_inputs((op.domain,), [(2, 3, 4)], seed=4)
    assert_same(*gradients_both_ways(lambda x: apply_reduction(op, x, axis, False), inputs))


@pytest.mark.parametrize("name", STRUCTURAL)
def test_structural_and_fused_ops(name: str) -> None:
    fn, shapes = STRUCTURAL[name]
    rng = np.random.default_rng(5)
    inputs = [Tensor(rng.uniform(0.5, 1.5, shape), requires_grad=True) for shape in shapes]
    assert_same(*gradients_both_ways(fn, inputs))
