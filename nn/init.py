"""Weight initialisation, in place, with PyTorch's names and formulas.

Every function fills a Tensor's data in place (under `no_grad`, as PyTorch does) and returns
the tensor. Randomness comes from `generator` (a `numpy.random.Generator`, or a legacy
`RandomState`) when given, else from the shared generator that `nn.manual_seed(seed)` (also
`nn.init.manual_seed`) seeds: seed once at the top of a script and every layer and Dropout
mask repeats exactly.

Fan-in and fan-out of a weight of shape (out, in, *kernel) are `in * prod(kernel)` and
`out * prod(kernel)`, PyTorch's convention, so the same scheme gives the same scale here
and there (the numbers differ: PyTorch uses its own random stream).
"""

from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np

from autograd_engine import Tensor, no_grad

from ._random import RandomGenerator, manual_seed, resolve
from .parameter import copy_into

__all__ = ["calculate_gain", "constant_", "kaiming_normal_", "kaiming_uniform_", "manual_seed",
           "naive_", "normal_", "ones_", "uniform_", "xavier_normal_", "xavier_uniform_",
           "zeros_"]

Generator = Optional[RandomGenerator]


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The factor that keeps activations' variance steady through `nonlinearity` (PyTorch's
    table): 1 for linear/sigmoid, 5/3 for tanh, sqrt(2) for relu,
    sqrt(2 / (1 + slope^2)) for leaky_relu (slope `param`, default 0.01)."""
    if nonlinearity in ("linear", "identity", "sigmoid", "none"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use one of linear, "
                     "sigmoid, tanh, relu, leaky_relu, selu")


def _fans(tensor: Tensor, caller: str) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(f"{caller}: fan in and fan out need a tensor with at least 2 "
                         f"dimensions (out, in), got shape {tensor.shape}")
    receptive = int(np.prod(tensor.shape[2:], dtype=np.int64))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str, caller: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{caller}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, caller)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, draw: Callable[[RandomGenerator, tuple], np.ndarray],
          generator: Generator) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init functions fill a Tensor in place, got {type(tensor).__name__}")
    rng = resolve(generator)
    with no_grad():
        copy_into(tensor, draw(rng, tensor.shape))
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator = None) -> Tensor:
    """Fill with draws from U(a, b)."""
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(tensor, lambda rng, shape: rng.uniform(a, b, shape), generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator = None) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, lambda rng, shape: rng.normal(mean, std, shape), generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`."""
    return _fill(tensor, lambda rng, shape: np.full(shape, val), None)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0 (the usual bias init outside Linear's default)."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def naive_(tensor: Tensor, scale: float = 0.1, generator: Generator = None) -> Tensor:
    """`randn * 0.1`, the classic from-scratch choice. Kept to show why it is naive: the scale
    ignores fan-in, so a wide layer's outputs grow with its width, and a deep net's signal
    shrinks or blows up layer after layer, which Xavier and Kaiming fix."""
    return normal_(tensor, 0.0, scale, generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator = None) -> Tensor:
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), keeping
    the variance of activations and gradients steady for tanh/sigmoid-like layers."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator = None) -> Tensor:
    """Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: Generator = None) -> Tensor:
    """He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan), gain from `nonlinearity` (with
    slope `a` for leaky_relu); the right scale for ReLU networks. PyTorch's defaults."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_uniform_"))
    return uniform_(tensor, -math.sqrt(3.0) * std, math.sqrt(3.0) * std, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: Generator = None) -> Tensor:
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return normal_(tensor, 0.0, std, generator)


def default_linear_(weight: Tensor, bias: Optional[Tensor], generator: Generator = None) -> None:
    """PyTorch's default for `nn.Linear`: weight from kaiming_uniform_(a=sqrt(5)), which works
    out to U(-1/sqrt(in), 1/sqrt(in)), and bias from the same U(-1/sqrt(in), 1/sqrt(in))."""
    kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        fan_in, _ = _fans(weight, "Linear init")
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound, generator)
