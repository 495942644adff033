"""Elementwise primitives: exp, log, log1p, sqrt, abs, tanh, sigmoid, relu, leaky_relu, clip,
maximum, minimum, where.

Masks such as `a > 0` are constants of the backward: they carry no gradient themselves, so the
second derivative of relu is 0 almost everywhere, as it should be.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional

import numpy as np

from ..function import Function, Grads, call, constant, values
from ..tensor import Tensor, as_operand
from .arithmetic import _Elementwise2


def exp_flushing_underflow(a: Any) -> Any:
    """np.exp, where a result too small for the float type is 0 even under
    np.errstate(all="raise"): underflow to 0 is the right answer, not an error. (The retry
    costs nothing on the normal path; an errstate block around every exp would.)"""
    try:
        return np.exp(a)
    except FloatingPointError:
        with np.errstate(under="ignore"):
            return np.exp(a)


class Exp(Function):
    """exp(a).   d exp(a)/da = exp(a)"""

    __slots__ = ()
    rule = "∂eᵃ/∂a = eᵃ"
    reads_inputs = False
    reads_output = True

    def forward(self, a: Any) -> Any:
        return exp_flushing_underflow(a)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad * out,)


class Log(Function):
    """Natural log.   d ln(a)/da = 1/a"""

    __slots__ = ()
    rule = "∂ln a/∂a = 1/a"

    def forward(self, a: Any) -> Any:
        return np.log(a)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad / a,)


class Log1p(Function):
    """ln(1 + a), exact for small a, where 1 + a would round a away.   d ln(1+a)/da = 1/(1+a)"""

    __slots__ = ()
    rule = "∂ln(1+a)/∂a = 1/(1+a)"

    def forward(self, a: Any) -> Any:
        return np.log1p(a)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad / (1 + a),)


class Sqrt(Function):
    """√a.   d √a/da = 1/(2√a)"""

    __slots__ = ()
    rule = "∂√a/∂a = 1/(2√a)"
    reads_inputs = False
    reads_output = True

    def forward(self, a: Any) -> Any:
        return np.sqrt(a)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad / (2 * out),)


class Abs(Function):
    """|a|.   d|a|/da = sign(a)  (0 at a = 0, as in PyTorch)"""

    __slots__ = ()
    rule = "∂|a|/∂a = sign(a)"

    def forward(self, a: Any) -> Any:
        return np.abs(a)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad * constant(np.sign(values(a)), like=grad),)


class Tanh(Function):
    """tanh(a).   d tanh(a)/da = 1 - tanh(a)²"""

    __slots__ = ()
    rule = "∂tanh a/∂a = 1 − tanh²a"
    reads_inputs = False
    reads_output = True

    def forward(self, a: Any) -> Any:
        return np.tanh(a)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad * (1 - out * out),)


class Sigmoid(Function):
    """σ(a) = 1/(1 + e^-a).   dσ/da = σ(a)(1 - σ(a))

    Computed from e^-|a|, which never overflows: at a = ±1000 no warning and exact 0 or 1."""

    __slots__ = ()
    rule = "∂σ(a)/∂a = σ(a)·(1 − σ(a))"
    reads_inputs = False
    reads_output = True

    def forward(self, a: Any) -> Any:
        e = exp_flushing_underflow(-np.abs(a))
        return np.where(a >= 0, 1, e) / (1 + e)  # 1/(1+e^-a) for a >= 0, e^a/(1+e^a) below

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad * (out * (1 - out)),)


class Relu(Function):
    """max(a, 0).   d relu(a)/da = 1 where a > 0, else 0"""

    __slots__ = ()
    rule = "∂relu(a)/∂a = 1 if a > 0 else 0"

    def forward(self, a: Any) -> Any:
        return np.maximum(a, 0)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad * (a > 0),)  # a comparison carries no gradient, on arrays or Tensors


class Compare(Function):
    """a < b, a == b, ... elementwise: booleans, which carry no gradient, so this op is never
    recorded for backward. compile's trace keeps it, so that a mask such as `x > 0` is
    computed afresh on every replay instead of frozen."""

    __slots__ = ("ufunc",)
    rule = "no gradient (a boolean result)"
    differentiable = False

    def __init__(self, ufunc: np.ufunc) -> None:
        self.ufunc = ufunc

    def forward(self, a: Any, b: Any) -> Any:
        return self.ufunc(a, b)

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        return None, None

    @property
    def label(self) -> str:
        return self.ufunc.__name__


class LeakyRelu(Function):
    """a if a > 0 else slope·a.   derivative 1 where a > 0, else slope"""

    __slots__ = ("negative_slope",)
    rule = "∂leaky_relu(a)/∂a = 1 if a > 0 else slope"

    def __init__(self, negative_slope: float) -> None:
        self.negative_slope = negative_slope

    def forward(self, a: Any) -> Any:
        return np.where(a > 0, a, a * self.negative_slope)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        a = values(a)
        slopes = np.where(a > 0, 1, self.negative_slope).astype(a.dtype)
        return (grad * constant(slopes, like=grad),)

    @property
    def label(self) -> str:
        return f"leaky_relu({self.negative_slope:g})"


class Clip(Function):
    """clip(a, lo, hi).   derivative 1 where lo <= a <= hi, else 0 (PyTorch's clamp)"""

    __slots__ = ("low", "high")
    rule = "∂clip(a)/∂a = 1 if lo ≤ a ≤ hi else 0"

    def __init__(self, low: Optional[float], high: Optional[float]) -> None:
        if low is None and high is None:
            raise ValueError("clip: give at least one of low and high")
        for name, bound in (("low", low), ("high", high)):
            if bound is not None and not isinstance(bound, numbers.Real):
                raise TypeError(f"clip: {name} must be a number or None, got "
                                f"{type(bound).__name__}; for a bound per element (a Tensor "
                                "or an array) use maximum(x, low) or minimum(x, high)")
        self.low, self.high = low, high

    def forward(self, a: Any) -> Any:
        return np.clip(a, self.low, self.high)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        a = values(a)
        inside = np.ones(np.shape(a), dtype=bool)
        if self.low is not None:
            inside &= a >= self.low
        if self.high is not None:
            inside &= a <= self.high
        return (grad * constant(inside, like=grad),)

    @property
    def label(self) -> str:
        return f"clip({self.low}, {self.high})"


class Cast(Function):
    """a converted to another floating dtype.   d astype(a)/da = 1: the gradient is converted
    back to a's dtype (so a float32 leaf gets a float32 gradient from a float64 graph)."""

    __slots__ = ("dtype",)
    rule = "∂astype(a)/∂a = 1 (grad converted back to a's dtype)"
    reads_inputs = False

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def forward(self, a: Any) -> Any:
        return a.astype(self.dtype)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad.astype(a.dtype),)

    @property
    def label(self) -> str:
        return f"astype({self.dtype})"


class CastDiscrete(Cast):
    """a converted to an integer or bool dtype: a constant of the backward (no gradient flows
    through rounding), never recorded for it; compile's trace keeps it, so that labels cast
    inside a compiled step are cast afresh on every replay."""

    __slots__ = ()
    rule = "no gradient (an integer or bool result)"
    differentiable = False

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (None,)


class Detach(Function):
    """The same values, cut off from the gradient: what `detach()` records while compile
    traces a step (elsewhere `detach()` records nothing), so a replay reads the new values."""

    __slots__ = ()
    rule = "no gradient (detached)"
    differentiable = False

    def forward(self, a: Any) -> Any:
        return a  # the same memory, as detach() shares it

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (None,)


class Maximum(_Elementwise2):
    """max(a, b) elementwise.   The larger input gets the gradient; ties split it in half
    (PyTorch's rule, and the average of the two one-sided derivatives)."""

    __slots__ = ()
    symbol = "maximum"
    rule = "∂max(a,b)/∂a = 1 if a > b, ½ if a = b, else 0"
    #: Where a strictly wins: the one difference between maximum and minimum.
    wins = staticmethod(np.greater)

    def forward(self, a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        a, b = np.asarray(values(a)), np.asarray(values(b))
        share_a = (self.wins(a, b) + 0.5 * (a == b)).astype(grad.dtype)
        return (grad * constant(share_a, like=grad) if self.needs(0) else None,
                grad * constant(1 - share_a, like=grad) if self.needs(1) else None)


class Minimum(Maximum):
    """min(a, b) elementwise.   The smaller input gets the gradient; ties split it in half, as
    in maximum. (Not -max(-a, -b): that is wrong for unsigned integers and fails on bools.)"""

    __slots__ = ()
    symbol = "minimum"
    rule = "∂min(a,b)/∂a = 1 if a < b, ½ if a = b, else 0"
    wins = staticmethod(np.less)

    def forward(self, a: Any, b: Any) -> Any:
        return np.minimum(a, b)


class Where(Function):
    """where(cond, a, b).   The gradient goes to a where cond holds, to b elsewhere; the
    condition is a constant."""

    __slots__ = ()
    rule = "∂/∂a = 1 where cond, ∂/∂b = 1 where not cond"
    reads_inputs = False

    def forward(self, condition: Any, a: Any, b: Any) -> Any:
        return np.where(condition, a, b)

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        shapes = " , ".join(str(np.shape(x)) for x in arrays)
        return ValueError(f"where: condition, a and b must broadcast together, got shapes {shapes}")

    def backward(self, grad: Any, out: Any, condition: Any, a: Any, b: Any) -> Grads:
        return (None,
                call(Where, condition, grad, 0.0) if self.needs(1) else None,
                call(Where, condition, 0.0, grad) if self.needs(2) else None)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise `a if condition else b`, broadcasting all three (numpy's `where`)."""
    if isinstance(condition, Tensor):
        condition = condition.astype(bool)  # an op: compile's replays cast the new values
    else:  # kept as a (constant) Tensor operand, so the graph and its pictures show it
        condition = Tensor._from_op(np.asarray(condition).astype(bool), None)
    return Where.apply(condition, as_operand(a, "where"), as_operand(b, "where"))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum of two tensors (or a tensor and a number), broadcasting."""
    return Maximum.apply(as_operand(a, "maximum"), as_operand(b, "maximum"))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum of two tensors (or a tensor and a number), broadcasting."""
    return Minimum.apply(as_operand(a, "minimum"), as_operand(b, "minimum"))
