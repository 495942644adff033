"""The methods of `Tensor` that name an op: `x.exp()`, `x.sum(axis=1)`, `x.reshape(2, 3)`.

Each is a thin door to the op in `autograd_engine/ops/` that does the work (forward and
backward side by side); `Tensor` inherits them from `TensorMethods`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from . import ops
from .shapes import Axis, Shape, as_shape, normalize_axis

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorMethods:
    """Elementwise, reduction and shape methods (mixed into `Tensor`)."""

    __slots__ = ()

    data: Any
    shape: Shape
    ndim: int

    # --- elementwise --------------------------------------------------------------------------

    def exp(self) -> "Tensor":
        return ops.elementwise.Exp.apply(self)

    def log(self) -> "Tensor":
        return ops.elementwise.Log.apply(self)

    def log1p(self) -> "Tensor":
        """ln(1 + x), exact where x is small (PyTorch's log1p)."""
        return ops.elementwise.Log1p.apply(self)

    def sqrt(self) -> "Tensor":
        return ops.elementwise.Sqrt.apply(self)

    def abs(self) -> "Tensor":
        return ops.elementwise.Abs.apply(self)

    def tanh(self) -> "Tensor":
        return ops.elementwise.Tanh.apply(self)

    def sigmoid(self) -> "Tensor":
        return ops.elementwise.Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        return ops.elementwise.Relu.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> "Tensor":
        return ops.elementwise.LeakyRelu.apply(self, negative_slope=float(negative_slope))

    def astype(self, dtype: Any) -> "Tensor":
        """The same values in another dtype (numpy's name). Between floating dtypes the
        gradient flows back (converted to this tensor's dtype); to an integer or bool dtype
        the result is a constant."""
        dtype = np.dtype(dtype)
        if dtype.kind not in "biuf":  # as Tensor(...) refuses: ops and gradients need numbers
            raise TypeError(f"astype: a Tensor holds numbers (bool, int or float), not dtype "
                            f"{dtype}")
        if dtype == self.data.dtype:
            return self  # type: ignore[return-value]
        if dtype.kind != "f":
            return ops.elementwise.CastDiscrete.apply(self, dtype=dtype)
        return ops.elementwise.Cast.apply(self, dtype=dtype)

    def clip(self, low: Optional[float] = None, high: Optional[float] = None) -> "Tensor":
        return ops.elementwise.Clip.apply(self, low=low, high=high)

    clamp = clip  # PyTorch's name

    # --- reductions ---------------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.reductions.Sum.over(self, axis, keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.reductions.mean(self, axis, keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.reductions.Max.over(self, axis, keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.reductions.amin(self, axis, keepdims)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        return ops.reductions.var(self, axis, keepdims, ddof)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        return ops.reductions.LogSumExp.over(self, axis, keepdims)

    def softmax(self, axis: int = -1) -> "Tensor":
        return ops.reductions.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> "Tensor":
        return ops.reductions.log_softmax(self, axis)

    def sum_to(self, shape: Shape) -> "Tensor":
        """Sum a broadcast tensor back to `shape` (the inverse of broadcasting)."""
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        return self if self.shape == shape else ops.reductions.SumTo.apply(self, shape=shape,
                                                                   input_shape=self.shape)

    # --- shape --------------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> "Tensor":
        """reshape(2, 3) or reshape((2, 3)); one axis may be -1."""
        return ops.shape.Reshape.apply(self, shape=as_shape(shape, "reshape"))

    view = reshape

    def permute(self, *axes: Any) -> "Tensor":
        """Put the axes in the order given (numpy's transpose, PyTorch's permute); with no
        arguments reverse them."""
        return ops.shape.Transpose.apply(self, axes=self._permutation(axes, "permute"))

    def transpose(self, *axes: Any) -> "Tensor":
        """numpy's transpose: `permute`. PyTorch's transpose(dim0, dim1), which swaps two axes,
        is `swapaxes` here; the 2-d call transpose(0, 1), which numpy reads as leaving the
        tensor as it is and PyTorch as a swap, is an error rather than a silent surprise."""
        permutation = self._permutation(axes, "transpose")
        if self.ndim == 2 and axes and permutation == (0, 1):
            raise ValueError("transpose(0, 1) leaves a 2-d tensor as it is (numpy's rule: the "
                             "axes are a permutation); to swap them as PyTorch's transpose "
                             "does, use .T or swapaxes(0, 1)")
        return ops.shape.Transpose.apply(self, axes=permutation)

    def _permutation(self, axes: tuple[Any, ...], op: str) -> tuple[int, ...]:
        if not axes or axes == (None,):
            return tuple(reversed(range(self.ndim)))
        given = as_shape(axes, op)
        permutation = tuple(a + self.ndim if -self.ndim <= a < 0 else a for a in given)
        if sorted(permutation) != list(range(self.ndim)):
            raise ValueError(f"{op}: axes {given} are not a permutation of the {self.ndim} "
                             f"axes of shape {self.shape} (numpy's rule); to swap two axes as "
                             "PyTorch's transpose does, use swapaxes(a, b)")
        return permutation

    def swapaxes(self, axis1: int, axis2: int) -> "Tensor":
        """Exchange two axes."""
        a, b = (normalize_axis(x, self.ndim, self.shape, "swapaxes")[0] for x in (axis1, axis2))
        permutation = list(range(self.ndim))
        permutation[a], permutation[b] = b, a
        return ops.shape.Transpose.apply(self, axes=tuple(permutation))

    def broadcast_to(self, shape: Shape) -> "Tensor":
        return ops.shape.broadcast_to(self, tuple(shape))

    def expand(self, *shape: Any) -> "Tensor":
        """PyTorch's broadcast: -1 keeps an axis' size."""
        sizes = as_shape(shape, "expand")
        kept = (1,) * (len(sizes) - self.ndim) + self.shape
        return self.broadcast_to(tuple(k if s == -1 else s for s, k in zip(sizes, kept)))

    def squeeze(self, axis: Axis = None) -> "Tensor":
        """Drop size-1 axes (all of them, or the ones named)."""
        axes = normalize_axis(axis, self.ndim, self.shape, "squeeze")
        if axes is None:
            axes = tuple(i for i, n in enumerate(self.shape) if n == 1)
        for a in axes:
            if self.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} has size {self.shape[a]}, not 1 "
                                 f"(shape {self.shape})")
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def unsqueeze(self, axis: int) -> "Tensor":
        """Insert a size-1 axis at `axis` (which may be -1 for last)."""
        (axis,) = normalize_axis(axis, self.ndim + 1, self.shape, "unsqueeze")
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Merge axes start_dim..end_dim into one (PyTorch's flatten)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = normalize_axis((start_dim,), self.ndim, self.shape, "flatten")[0], \
            normalize_axis((end_dim,), self.ndim, self.shape, "flatten")[0]
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        # The merged size itself, not -1, which numpy cannot infer when another axis is 0
        # (an empty batch).
        merged = math.prod(self.shape[start:end + 1])
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def __getitem__(self, index: Any) -> "Tensor":
        return ops.shape.getitem(self, index)

