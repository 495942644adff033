"""Reductions over `axis` (None, an int or a tuple) with `keepdims`: sum, max, min, logsumexp
as primitives; mean, var, softmax, log_softmax as composites of them.

Every backward first puts the reduced axes back as size-1 axes (`_unreduce`), then lets
broadcasting spread the gradient over the elements that were reduced.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..function import Function, Grads, call, constant, values
from ..shapes import Axis, keepdims_shape, normalize_axis, sum_to_axes
from ..tensor import Tensor, as_operand
from .elementwise import Exp, exp_flushing_underflow
from .shape import BroadcastTo


#: Up to this many elements along the reduced last axis, numpy's max reduces each row on its
#: own, slower than a transposed copy's columns: (10000, 10) float32 420 µs against 34 µs,
#: (128, 10) 7 against 3; at (64, 50) both take 3 µs, and wider rows favour numpy's own.
_SHORT_ROW = 32


def _shift(a: Any, axes: Optional[tuple[int, ...]]) -> Any:
    """What logsumexp and log_softmax subtract before exp, so that nothing overflows: the
    maximum over `axes` (kept as size-1 axes), or 0 where it is not finite (all -inf: no
    inf - inf).

    Over the short rows of a 2-d array (logits over a few classes, the usual case) the maximum
    is taken down the columns of a transposed copy, as numpy reduces such rows one at a time.
    The two routes can break a tie between -0.0 and 0.0 (or two nans) differently: a shift
    never shows it (a tie means two terms of 1 in the sum, so the result is not a zero, and a
    nan peak becomes 0), but `max` itself would, so it keeps numpy's own route.

    An empty array needs no shift (and numpy has no maximum of nothing): then 0, so that
    logsumexp over an empty axis is log 0 = -inf and softmax of one is empty, as in PyTorch."""
    if not a.size:
        return 0
    if axes == (1,) and a.ndim == 2 and a.shape[1] <= _SHORT_ROW:
        peak = np.ascontiguousarray(a.T).max(axis=0)[:, None]
    else:
        peak = a.max(axis=axes, keepdims=True)
    return np.where(np.isfinite(peak), peak, 0)


class _Reduction(Function):
    """A reduction remembers its normalised axes, keepdims and its input's shape."""

    __slots__ = ("axes", "keepdims", "input_shape")

    def __init__(self, axes: Optional[tuple[int, ...]], keepdims: bool, input_shape: tuple) -> None:
        self.axes, self.keepdims, self.input_shape = axes, keepdims, input_shape

    @classmethod
    def over(cls, x: Tensor, axis: Axis, keepdims: bool, op: str = "") -> Tensor:
        """Reduce `x` over `axis`; a bad axis is reported as `op`'s (the method the user called)."""
        axes = normalize_axis(axis, x.ndim, x.shape, op or cls.__name__.lower())
        return cls.apply(x, axes=axes, keepdims=bool(keepdims), input_shape=x.shape)

    def _unreduce(self, t: Any) -> Any:
        """`t` with the reduced axes restored as size 1, ready to broadcast to the input.
        (A full reduction's 0-d result broadcasts as it is.)"""
        if self.keepdims or self.axes is None:
            return t
        return t.reshape(keepdims_shape(self.input_shape, self.axes))

    @property
    def label(self) -> str:
        shown = self.axes and (self.axes[0] if len(self.axes) == 1 else self.axes)
        axis = "" if self.axes is None else f"axis={shown}"
        keep = "keepdims=True" if self.keepdims else ""
        arguments = ", ".join(p for p in (axis, keep) if p)
        return f"{self.name}({arguments})" if arguments else self.name


class Sum(_Reduction):
    """Σ a over axes.   d(Σa)/da_i = 1: the gradient is copied to every summed element."""

    __slots__ = ()
    rule = "∂(Σa)/∂aᵢ = 1"
    reads_inputs = False

    def forward(self, a: Any) -> Any:
        return a.sum(axis=self.axes, keepdims=self.keepdims)  # the method skips np.sum's wrapper

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (call(BroadcastTo, self._unreduce(grad), shape=self.input_shape),)


class Max(_Reduction):
    """max of a over axes.   The gradient goes to the maximal elements, split evenly between
    ties (PyTorch's amax rule)."""

    __slots__ = ()
    rule = "∂max(a)/∂aᵢ = 1/k for the k maximal elements, else 0"
    reads_output = True

    def forward(self, a: Any) -> Any:
        return a.max(axis=self.axes, keepdims=self.keepdims)

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        over = "all axes" if self.axes is None else f"axis {', '.join(map(str, self.axes))}"
        return ValueError(f"{self.name}: over {over}, a tensor of shape {np.shape(arrays[0])} "
                          f"has no numbers to take the {self.name} of; reduce over axes of "
                          "nonzero size (PyTorch refuses this too)")

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        is_max = values(a) == self._unreduce(values(out))
        share = is_max / np.sum(is_max, axis=self.axes, keepdims=True)
        return (self._unreduce(grad) * constant(share.astype(grad.dtype), like=grad),)


class Min(Max):
    """min of a over axes.   The gradient goes to the minimal elements, split evenly between
    ties: Max's backward, which finds the elements equal to the result. (Not -max(-a): that
    is wrong for unsigned integers and the most negative integer, and fails on bools.)"""

    __slots__ = ()
    rule = "∂min(a)/∂aᵢ = 1/k for the k minimal elements, else 0"

    def forward(self, a: Any) -> Any:
        return a.min(axis=self.axes, keepdims=self.keepdims)


class LogSumExp(_Reduction):
    """log Σ exp(a), computed as m + log Σ exp(a - m) with m = max(a): no overflow.
    d lse/da_i = exp(a_i - lse) = softmax(a)_i"""

    __slots__ = ()
    op_name = "logsumexp"
    rule = "∂lse(a)/∂aᵢ = exp(aᵢ − lse(a)) = softmax(a)ᵢ"
    reads_output = True

    def forward(self, a: Any) -> Any:
        peak = _shift(a, self.axes)
        with np.errstate(divide="ignore"):  # log(0) = -inf is the right answer for all -inf
            total = np.sum(exp_flushing_underflow(a - peak), axis=self.axes, keepdims=True)
            lse = np.log(total) + peak
        return lse if self.keepdims else np.squeeze(lse, axis=self.axes)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        # softmax from log_softmax, not exp(a - lse): in float32, lse rounded at |a| ~ 1000
        # would cost four digits.
        softmax = call(Exp, call(LogSoftmax, a, axes=self.axes))
        return (self._unreduce(grad) * softmax,)


class LogSoftmax(Function):
    """log softmax(a) = (a - m) - log Σ exp(a - m), with m = max(a) over the axes: nothing
    overflows, and no large logsumexp is rounded before the subtraction (which in float32
    would cost four digits at logits of ±1000).
    d/da: grad - softmax(a) · Σ grad"""

    __slots__ = ("axes",)
    rule = "∂log_softmax(a)ⱼ/∂aᵢ = δᵢⱼ − softmax(a)ᵢ"
    reads_inputs = False
    reads_output = True

    def __init__(self, axes: Optional[tuple[int, ...]]) -> None:
        self.axes = axes

    def forward(self, a: Any) -> Any:
        shifted = a - _shift(a, self.axes)
        with np.errstate(divide="ignore"):  # log(0) = -inf is right for an all -inf row
            return shifted - np.log(exp_flushing_underflow(shifted).sum(axis=self.axes,
                                                                        keepdims=True))

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad - call(Exp, out) * call(Sum, grad, axes=self.axes, keepdims=True,
                                             input_shape=grad.shape),)

    @property
    def label(self) -> str:
        return "log_softmax" if self.axes is None else f"log_softmax(axis={self.axes})"


class SumTo(Function):
    """Sum a broadcast gradient back to `shape`: first the leading axes numpy added, then the
    axes that were size 1. The one place broadcasting is undone; its backward broadcasts."""

    __slots__ = ("shape", "input_shape")
    rule = "∂(sum_to a)/∂aᵢ = 1"
    reads_inputs = False

    def __init__(self, shape: tuple, input_shape: tuple) -> None:
        self.shape, self.input_shape = shape, input_shape

    def forward(self, a: Any) -> Any:
        leading, size_one = sum_to_axes(np.shape(a), self.shape)
        if leading:
            a = np.sum(a, axis=leading)
        if size_one:
            a = np.sum(a, axis=size_one, keepdims=True)
        return a

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (call(BroadcastTo, grad, shape=self.input_shape),)


def _count(x: Tensor, axes: Optional[tuple[int, ...]]) -> int:
    return x.numel() if axes is None else int(np.prod([x.shape[a] for a in axes]))


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Average over `axis`: sum / count."""
    axes = normalize_axis(axis, x.ndim, x.shape, "mean")
    return Sum.over(x, axes, keepdims) / _count(x, axes)


def var(x: Tensor, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    """Variance over `axis`, numpy's convention: divides by count - ddof (ddof=0 by default;
    PyTorch's default is the unbiased ddof=1). With ddof >= count, by 0, not a negative count:
    inf (nan for constant data), with numpy's divide-by-zero warning, as numpy and PyTorch."""
    axes = normalize_axis(axis, x.ndim, x.shape, "var")
    centered = x - mean(x, axes, keepdims=True)
    return Sum.over(centered * centered, axes, keepdims) / max(_count(x, axes) - ddof, 0)


def amin(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Minimum over `axis`; ties share the gradient as in max."""
    return Min.over(x, axis, keepdims)


def log_softmax(x: Any, axis: Axis = -1, op: str = "log_softmax") -> Tensor:
    """log softmax(x) over `axis` (stable; see LogSoftmax). x: a Tensor, or numbers, a list
    or an array (a constant)."""
    x = as_operand(x, op, wrap_numbers=True)
    return LogSoftmax.apply(x, axes=normalize_axis(axis, x.ndim, x.shape, op))


def softmax(x: Any, axis: Axis = -1) -> Tensor:
    """softmax(x) = exp(log_softmax(x)): every exponent is <= 0, so nothing overflows."""
    return log_softmax(x, axis, op="softmax").exp()
