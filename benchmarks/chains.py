"""Scalar chains `y = y * 1.0001 + 0.5`: per-op overhead (2,000 iterations, against micrograd
and PyTorch) and deep graphs (100,000 and 1,000,000 ops: does backward stay linear?).

Each iteration is two ops (a multiply and an add), so a chain of `ops` ops runs `ops // 2`
iterations. The gradient is known in closed form, d y / d x = 1.0001 ** iterations, and every
contender returns it so a run can be checked.
"""

from __future__ import annotations

import sys
from time import perf_counter
from typing import Any, Callable

from autograd_engine import Tensor

FACTOR, OFFSET = 1.0001, 0.5


def build_chain(x: Any, iterations: int) -> Any:
    """The chain itself, for any value type with * and + (Tensor, micrograd Value, torch)."""
    y = x
    for _ in range(iterations):
        y = y * FACTOR + OFFSET
    return y


def expected_gradient(iterations: int) -> float:
    """d y / d x of the chain: each multiply contributes the factor, each add 1."""
    return FACTOR ** iterations


def ours(iterations: int) -> Callable[[], float]:
    """Build and backpropagate the chain with autograd_engine; returns d y / d x."""
    x = Tensor(1.0, requires_grad=True)

    def step() -> float:
        x.grad = None
        build_chain(x, iterations).backward()
        return x.grad.item()

    return step


def micrograd(iterations: int) -> Callable[[], float] | None:
    """The same with micrograd, or None when it is not installed.

    micrograd's topological sort is recursive, one Python frame per node, and the chain is
    2 * iterations + 1 nodes deep: past Python's default recursion limit (1000) at about 500
    iterations. The limit is raised for it here, process-wide; the deep-chain memory run shows
    what happens without."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return None
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * iterations + 1000))
    x = Value(1.0)

    def step() -> float:
        x.grad = 0.0
        build_chain(x, iterations).backward()
        return float(x.grad)

    return step


def torch_chain(torch: Any, iterations: int) -> Callable[[], float]:
    """The same with PyTorch scalars (0-d float64 tensors), for reference."""
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)

    def step() -> float:
        x.grad = None
        build_chain(x, iterations).backward()
        return x.grad.item()

    return step


def deep_chain(ops: int, backward_times: list[float]) -> Callable[[], float]:
    """Build a chain of `ops` ops and backpropagate; each call appends the backward's own
    seconds to `backward_times` (the build and the freeing of the graph are not in it)."""
    iterations = ops // 2

    def step() -> float:
        x = Tensor(1.0, requires_grad=True)
        y = build_chain(x, iterations)
        start = perf_counter()
        y.backward()
        backward_times.append(perf_counter() - start)
        return x.grad.item()

    return step
