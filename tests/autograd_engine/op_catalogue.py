"""Every differentiable op described once, for the forward and the gradient tests alike.

Each entry pairs the Tensor version with its numpy reference and says where its inputs may be
drawn from (minitorch's and HIPS autograd's style: one catalogue, many generated tests). The
domains keep central differences honest: `log` and `sqrt` see positive numbers, and ops with a
kink (abs, relu, clip, max, ...) never see an input within 0.1 of it, where a finite
difference would straddle the kink. On these domains every op is twice differentiable, so
every op also gets a second-order check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union

import numpy as np

from autograd_engine import Tensor, log_softmax, maximum, minimum, softmax, where

Shape = tuple[int, ...]
Axis = Optional[Union[int, tuple[int, ...]]]
#: Draws an input of a given shape: the op's domain.
Sampler = Callable[[np.random.Generator, Shape], np.ndarray]


# --- domains --------------------------------------------------------------------------------

def real(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Any real number (standard normal)."""
    return rng.standard_normal(shape)


def positive(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Safely positive, for log, sqrt and the base of a tensor power."""
    return rng.uniform(0.5, 2.0, shape)


def avoiding(*kinks: float, margin: float = 0.1) -> Sampler:
    """Real numbers at least `margin` away from each kink (0 for abs and relu)."""

    def sample(rng: np.random.Generator, shape: Shape) -> np.ndarray:
        x = rng.uniform(-2.0, 2.0, shape)
        for kink in kinks:
            too_close = np.abs(x - kink) < margin
            x = np.where(too_close, kink + np.copysign(margin, x - kink), x)
        return x

    return sample


def on_grid(offset: float) -> Sampler:
    """Multiples of 0.2 plus `offset`: two grids with offsets 0.1 apart never tie, which keeps
    maximum(a, b) and minimum(a, b) away from a == b."""

    def sample(rng: np.random.Generator, shape: Shape) -> np.ndarray:
        return rng.integers(-8, 8, shape) * 0.2 + offset

    return sample


def distinct(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Values 0.3 apart in random order: a max or min reduction never meets a tie."""
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.3 - 0.15 * size).reshape(shape)


# --- elementwise ops ------------------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    """An elementwise op: `tensor(*Tensors)` must equal `numpy(*arrays)` and be differentiable
    twice on the domains (one per input; binary ops broadcast their inputs)."""

    name: str
    tensor: Callable[..., Tensor]
    numpy: Callable[..., np.ndarray]
    domains: tuple[Sampler, ...]

    @property
    def arity(self) -> int:
        return len(self.domains)

    def __repr__(self) -> str:  # pytest shows this as the test id
        return self.name


def _np_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _np_logsumexp(x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _np_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return x - _np_logsumexp(x, axis, keepdims=True)


def _np_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.exp(_np_log_softmax(x, axis))


away_from_zero = avoiding(0.0)

UNARY_OPS: list[Op] = [
    Op("neg", lambda a: -a, np.negative, (real,)),
    Op("exp", Tensor.exp, np.exp, (real,)),
    Op("log", Tensor.log, np.log, (positive,)),
    Op("log1p", Tensor.log1p, np.log1p, (positive,)),
    Op("sqrt", Tensor.sqrt, np.sqrt, (positive,)),
    Op("abs", Tensor.abs, np.abs, (away_from_zero,)),
    Op("tanh", Tensor.tanh, np.tanh, (real,)),
    Op("sigmoid", Tensor.sigmoid, _np_sigmoid, (real,)),
    Op("relu", Tensor.relu, lambda a: np.maximum(a, 0.0), (away_from_zero,)),
    Op("leaky_relu", lambda a: a.leaky_relu(0.1), lambda a: np.where(a > 0, a, 0.1 * a),
       (away_from_zero,)),
    Op("clip", lambda a: a.clip(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5),
       (avoiding(-0.5, 0.5),)),
    Op("clamp_low_only", lambda a: a.clamp(low=-0.5), lambda a: np.maximum(a, -0.5),
       (avoiding(-0.5),)),
    Op("clip_high_only", lambda a: a.clip(high=0.5), lambda a: np.minimum(a, 0.5),
       (avoiding(0.5),)),
    Op("square", lambda a: a**2, np.square, (real,)),
    Op("cube", lambda a: a**3, lambda a: a**3, (real,)),
    Op("pow_half", lambda a: a**0.5, np.sqrt, (positive,)),
    Op("pow_negative", lambda a: a**-1.5, lambda a: a**-1.5, (positive,)),
    Op("number_pow_tensor", lambda a: 2.0**a, lambda a: 2.0**a, (real,)),
    Op("number_minus_tensor", lambda a: 3.0 - a, lambda a: 3.0 - a, (real,)),
    Op("number_over_tensor", lambda a: 3.0 / a, lambda a: 3.0 / a, (away_from_zero,)),
]

BINARY_OPS: list[Op] = [
    Op("add", lambda a, b: a + b, np.add, (real, real)),
    Op("sub", lambda a, b: a - b, np.subtract, (real, real)),
    Op("mul", lambda a, b: a * b, np.multiply, (real, real)),
    Op("div", lambda a, b: a / b, np.divide, (real, away_from_zero)),
    Op("pow", lambda a, b: a**b, np.power, (positive, real)),
    Op("maximum", maximum, np.maximum, (on_grid(0.05), on_grid(0.15))),
    Op("minimum", minimum, np.minimum, (on_grid(0.05), on_grid(0.15))),
    Op("where", lambda a, b: where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b),
       (away_from_zero, real)),
]

# --- reductions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reduction:
    """A reduction over `axis` (None, an int or a tuple; negatives allowed) with `keepdims`.
    `single_axis` ops (softmax, log_softmax) take one int axis and keep the input's shape."""

    name: str
    tensor: Callable[..., Tensor]
    numpy: Callable[..., np.ndarray]
    domain: Sampler
    single_axis: bool = False

    def __repr__(self) -> str:
        return self.name


REDUCTIONS: list[Reduction] = [
    Reduction("sum", Tensor.sum, np.sum, real),
    Reduction("mean", Tensor.mean, np.mean, real),
    Reduction("max", Tensor.max, np.max, distinct),
    Reduction("min", Tensor.min, np.min, distinct),
    Reduction("var", Tensor.var, np.var, real),
    Reduction("logsumexp", Tensor.logsumexp, _np_logsumexp, real),
    Reduction("softmax", softmax, _np_softmax, real, single_axis=True),
    Reduction("log_softmax", log_softmax, _np_log_softmax, real, single_axis=True),
]


def apply_reduction(op: Reduction, x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """Call the Tensor version the way a user would."""
    return op.tensor(x, axis) if op.single_axis else op.tensor(x, axis=axis, keepdims=keepdims)


def reference_reduction(op: Reduction, x: np.ndarray, axis: Axis, keepdims: bool) -> np.ndarray:
    """The numpy answer for the same call."""
    return op.numpy(x, axis) if op.single_axis else op.numpy(x, axis=axis, keepdims=keepdims)
