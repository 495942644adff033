"""float32 in, float32 out: every op's result, every gradient and every gradient of a
gradient keeps float32 (a silent upcast to float64 doubles memory and hides bugs)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from autograd_engine import Tensor, concatenate, grad, no_grad, stack
from engine_strategies import make_inputs
from op_catalogue import BINARY_OPS, REDUCTIONS, UNARY_OPS, apply_reduction

F32 = np.float32

def catalogue_cases() -> list:
    """(fn, domains, shapes) for every catalogue op, binary ops broadcasting."""
    cases = [pytest.param(op.tensor, op.domains, [(2, 3)], id=op.name) for op in UNARY_OPS]
    cases += [pytest.param(op.tensor, op.domains, [(2, 3), (3,)], id=op.name)
              for op in BINARY_OPS]
    cases += [pytest.param(lambda x, op=op: apply_reduction(op, x, 1 if op.single_axis else 0,
                                                            False),
                           (op.domain,), [(2, 3)], id=op.name) for op in REDUCTIONS]
    return cases


def first_and_second_gradients(fn: Callable, inputs: list[Tensor]) -> list[Tensor]:
    out = fn(*inputs)
    firsts = grad((out * out).sum(), inputs, create_graph=True)
    seconds = grad(sum((g * g).sum() for g in firsts), inputs, allow_unused=True)
    return [out, *firsts, *(s for s in seconds if s is not None)]


@pytest.mark.parametrize("fn, domains, shapes", catalogue_cases())
def test_catalogue_op_keeps_float32_through_second_order(fn: Callable, domains: tuple,
                                                         shapes: list) -> None:
    results32 = first_and_second_gradients(fn, make_inputs(domains, shapes, 7, F32))
    results64 = first_and_second_gradients(fn, make_inputs(domains, shapes, 7, np.float64))
    assert [r.dtype for r in results32] == [np.dtype(F32)] * len(results32)
    for r32, r64 in zip(results32, results64):
        np.testing.assert_allclose(r32.data, r64.data, rtol=2e-4, atol=1e-5)


#: name: fn(x), or a pytest.param wrapping it where an engine bug is marked.
STRUCTURAL: dict[str, object] = {
    "matmul": lambda x: x @ x.T,
    "batched matmul": lambda x: x.reshape(3, 2, 1) @ x.reshape(3, 1, 2),
    "matmul with numpy": lambda x: np.ones((4, 2), dtype=F32) @ x,
    "reshape transpose": lambda x: x.reshape(3, 2).T.flatten(),
    "broadcast_to": lambda x: x.broadcast_to((4, 2, 3)),
    "unsqueeze squeeze": lambda x: x.unsqueeze(0).squeeze(),
    "indexing": lambda x: x[[0, 0, 1], 1:],
    "mask": lambda x: x[x > 0],
    "concatenate": lambda x: concatenate([x, x * 2], axis=1),
    "stack": lambda x: stack([x, -x], axis=-1),
    "python numbers": lambda x: 2.5 * x + 1 - x / 3 + x**2 + 3 / x,
    "number ** tensor": lambda x: 2**x,
    "numpy float64 scalar": lambda x: np.float64(0.5) * x,
    "sum_to": lambda x: x.sum_to((1, 3)),
}


@pytest.mark.parametrize("fn", STRUCTURAL.values(), ids=STRUCTURAL.keys())
def test_structural_op_keeps_float32(fn: Callable[[Tensor], Tensor]) -> None:
    x = Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=F32), requires_grad=True)
    out = fn(x)
    out.sum().backward()
    assert out.dtype == F32 and x.grad.dtype == F32


def test_float32_training_step_stays_float32() -> None:
    """A tiny regression step: forward, loss, backward, SGD update under no_grad."""
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 1)).astype(F32), requires_grad=True)
    x, target = Tensor(rng.standard_normal((8, 3)).astype(F32)), Tensor(np.ones((8, 1), F32))
    loss = ((x @ w).tanh() - target).abs().mean() + (x @ w).sigmoid().var()
    loss.backward()
    with no_grad():
        w -= 0.1 * w.grad
    assert loss.dtype == F32 and w.grad.dtype == F32 and w.dtype == F32
