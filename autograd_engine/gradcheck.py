"""Check analytic gradients against central differences, in float64.

The output is projected on a fixed random direction v (HIPS autograd's trick): one scalar
<f(x), v> whose gradient exercises every output element at once. Each input element is then
nudged by ±eps and the slope compared with what backward gave.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Union

import numpy as np

from .graph import grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Analytic and numerical gradients disagree; the message names the worst element."""


def gradcheck(fn: Callable[..., Any], inputs: Union[Sequence[Any], Tensor], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """True when backward's gradient of `fn(*inputs)` matches central differences for every
    input that requires grad; otherwise raise GradcheckError with the worst element.

    `fn` returns a Tensor or a tuple of Tensors. `inputs` is a sequence of its arguments (or
    one Tensor, as PyTorch allows), copied to float64."""
    inputs = _float64_copies(inputs, eps)
    projections = _projections(fn(*inputs), seed)

    def projected(*xs: Tensor) -> Tensor:
        return sum(((o * v).sum() for o, v in zip(_as_tuple(fn(*xs)), projections)),
                   start=Tensor(0.0))  # type: ignore[arg-type]

    positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not positions:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    total = projected(*inputs)
    # An output that needs no gradient does not depend on the inputs: its gradient is 0 (the
    # case of a linear function's first derivative in gradgradcheck).
    analytic = (grad(total, [inputs[i] for i in positions], allow_unused=True)
                if total.requires_grad else (None,) * len(positions))
    for position, g in zip(positions, analytic):
        expected = _numerical_gradient(projected, inputs, position, eps)
        found = (np.zeros(inputs[position].shape) if g is None
                 else np.asarray(g.data, dtype=np.float64))
        _compare(found, expected, atol, rtol, f"input {position}")
    return True


def gradgradcheck(fn: Callable[..., Any], inputs: Union[Sequence[Any], Tensor], eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """Second order: gradcheck the function x -> d<fn(x), v>/dx computed with
    create_graph=True, so the backward of every backward is checked too."""
    inputs = _float64_copies(inputs, eps)
    projections = _projections(fn(*inputs), seed + 1)

    def first_derivatives(*xs: Tensor) -> tuple[Tensor, ...]:
        total = sum(((o * v).sum() for o, v in zip(_as_tuple(fn(*xs)), projections)),
                    start=Tensor(0.0))  # type: ignore[arg-type]
        targets = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        grads = grad(total, targets, create_graph=True, allow_unused=True)
        # An unused input has derivative 0; `x * 0` keeps it connected so shapes line up.
        return tuple(g if g is not None else x * 0.0 for x, g in zip(targets, grads))

    return gradcheck(first_derivatives, inputs, eps=eps, atol=atol, rtol=rtol, seed=seed)


def _float64_copies(inputs: Any, eps: float) -> list[Any]:
    """The arguments, each Tensor copied to float64; checks what both checks are given."""
    if not eps > 0:
        raise ValueError(f"gradcheck: eps must be a step > 0, got {eps!r}")
    if isinstance(inputs, Tensor):  # one argument
        inputs = [inputs]
    elif not isinstance(inputs, (list, tuple)):
        raise TypeError(f"gradcheck: inputs must be a list or tuple of fn's arguments (or one "
                        f"Tensor), got {type(inputs).__name__}")
    return [Tensor(x.data, dtype=np.float64, requires_grad=x.requires_grad)
            if isinstance(x, Tensor) else x for x in inputs]


def _as_tuple(outputs: Any) -> tuple[Tensor, ...]:
    return tuple(outputs) if isinstance(outputs, (tuple, list)) else (outputs,)


def _projections(outputs: Any, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    outputs = _as_tuple(outputs)
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors, got "
                            f"{type(o).__name__}" + (f" as output {i}" if len(outputs) > 1
                                                     else ""))
    return [rng.standard_normal(o.shape) for o in outputs]


def _numerical_gradient(f: Callable[..., Tensor], inputs: list[Any], x_position: int,
                        eps: float) -> np.ndarray:
    """Central differences (f(x + eps) - f(x - eps)) / 2eps, one element at a time."""
    data = np.array(inputs[x_position].data, dtype=np.float64)  # a writable copy, also for 0-d
    result = np.zeros(data.shape)
    for i in np.ndindex(data.shape):
        values = []
        for step in (eps, -eps):
            nudged = data.copy()
            nudged[i] += step
            args = list(inputs)
            args[x_position] = Tensor(nudged, requires_grad=True)
            values.append(float(f(*args).data))
        result[i] = (values[0] - values[1]) / (2 * eps)
    return result


def _compare(found: np.ndarray, expected: np.ndarray, atol: float, rtol: float,
             what: str) -> None:
    if found.shape != expected.shape:
        raise GradcheckError(f"gradcheck: {what}: gradient has shape {found.shape}, expected "
                             f"{expected.shape}")
    error = np.abs(found - expected) - (atol + rtol * np.abs(expected))
    # A nan or inf on either side is a failure: nan > 0 is False, and must not pass.
    error = np.where(np.isfinite(error), error, np.inf)
    if error.size and np.max(error) > 0:
        worst = np.unravel_index(np.argmax(error), error.shape)
        raise GradcheckError(
            f"gradcheck: {what}: analytic and numerical gradients differ; worst at index "
            f"{tuple(int(i) for i in worst)}: analytic {found[worst]!r}, numerical "
            f"{expected[worst]!r} (atol={atol}, rtol={rtol})"
        )
