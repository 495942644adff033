"""Every backward formula runs two ways: on plain arrays for an ordinary backward(), and on
Tensors when create_graph records it. Both must give the same gradient, in the same dtype."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from autograd_engine import (Tensor, binary_cross_entropy, binary_cross_entropy_with_logits,
                             concatenate, cross_entropy, grad, linear, stack)
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
    "cross entropy": (lambda z: cross_entropy(z, np.array([0, 2, 1, 2])), [(4, 3)]),
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


MORE_CASES: dict[str, tuple[Callable[..., Tensor], list[tuple[int, ...]], type]] = {
    "0-d tanh": (lambda a: a.tanh() * 3.0, [()], np.float64),
    "0-d times vector": (lambda a, b: a * b, [(), (3,)], np.float64),
    "float32 softmax": (lambda a: a.softmax(axis=0) * 2.0, [(3, 2)], np.float32),
    "float32 with float64 constant": (lambda a: a * np.arange(3.0), [(3,)], np.float32),
    "sum keepdims": (lambda a: a.sum(axis=1, keepdims=True) ** 2, [(2, 3)], np.float64),
    "max over all axes": (lambda a: a.max() * a, [(2, 3)], np.float64),
    "logsumexp keepdims": (lambda a: a.logsumexp(axis=(0, 2), keepdims=True) * 1.5,
                           [(2, 3, 2)], np.float64),
    "1-D @ 1-D": (lambda a, b: a @ b, [(3,), (3,)], np.float64),
    "1-D @ batched": (lambda a, b: a @ b, [(3,), (2, 3, 4)], np.float64),
    "linear on 3-D input": (linear, [(2, 5, 3), (4, 3), (4,)], np.float64),
    "bce sum": (lambda p: binary_cross_entropy(p.sigmoid(), np.ones((3,)), "sum"), [(3,)],
                np.float64),
    "bce with logits none": (lambda z: binary_cross_entropy_with_logits(
        z, np.zeros((2, 2)), "none"), [(2, 2)], np.float64),
    "number ** float32": (lambda a: 2.0 ** a, [(3,)], np.float32),
    "cross entropy none, smoothed, float32": (lambda z: cross_entropy(
        z, np.array([1, 0]), "none", label_smoothing=0.2), [(2, 3)], np.float32),
}


@pytest.mark.parametrize("name", MORE_CASES)
def test_edge_cases(name: str) -> None:
    fn, shapes, dtype = MORE_CASES[name]
    rng = np.random.default_rng(6)
    inputs = [Tensor(rng.uniform(0.5, 1.5, shape).astype(dtype), requires_grad=True)
              for shape in shapes]
    on_arrays, recorded = gradients_both_ways(fn, inputs)
    for a, t, x in zip(on_arrays, recorded, inputs):
        assert a.dtype == t.dtype == x.dtype
        np.testing.assert_allclose(a.data, t.data, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_ties_split_the_same_way_in_both_modes() -> None:
    x = Tensor([[2.0, 2.0, 1.0]], requires_grad=True)
    assert_same(*gradients_both_ways(lambda a: a.max(axis=1) * 1.0, [x]))
    first, second, third = x.grad.data[0]
    assert first == second != 0 and third == 0  # the tie split in half, in both modes


def test_the_step_hook_sees_tensors_and_the_same_gradients() -> None:
    """viz's on_step path runs the formulas on Tensors; the gradients are the same."""
    from autograd_engine import run_backward

    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (x.tanh() * x).sum()
    loss.backward(retain_graph=True)
    seen = []
    captured = run_backward([loss], [None], retain_graph=True, create_graph=False,
                            capture=[x], on_step=lambda node, g, gs: seen.append(g))
    assert all(isinstance(g, Tensor) for g in seen)
    np.testing.assert_allclose(captured[x].data, x.grad.data, rtol=1e-15)


def test_every_gradient_is_its_own_copy_in_every_mode() -> None:
    """add sends one gradient to both inputs; neither .grad nor grad()'s results may share it,
    recorded or not, and a Tensor seed is never kept as a .grad."""
    for create_graph in (False, True):
        a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
        (a + b).sum().backward(create_graph=create_graph)
        assert not np.shares_memory(a.grad.data, b.grad.data)
        seed = Tensor([1.0, 2.0, 3.0])
        leaf = Tensor(np.ones(3), requires_grad=True)
        leaf.backward(seed, create_graph=create_graph)
        assert not np.shares_memory(leaf.grad.data, seed.data)
    ga, gb = grad((a + b).sum(), [a, b])
    assert not np.shares_memory(ga.data, gb.data)


def test_an_integer_seed_is_converted_to_the_output_s_dtype() -> None:
    x = Tensor([[2.0, 2.0]], requires_grad=True)
    x.max(axis=1).backward(Tensor(np.array([1])))  # an integer gradient: ties still split
    assert x.grad.data.tolist() == [[0.5, 0.5]] and x.grad.dtype == np.float64
