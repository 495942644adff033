"""Shape primitives: reshape, transpose, broadcast_to, indexing and concatenate. They move
numbers around without changing them, so each backward moves the gradient back the same way."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..function import Function, Grads, call, values
from ..shapes import Shape, normalize_axis
from ..tensor import Tensor, as_operand


class _View(Function):
    """An op whose result may be a numpy view of its input (reshape, transpose, slicing): the
    result then shares its input's version counter, so changing either in place is seen by
    the graphs that saved the other."""

    __slots__ = ()

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        out = super().apply(*inputs, **params)
        # a view has a base; a copy made by the op may have one too, which only makes the
        # check cautious (a shared counter where none was needed), never blind
        if isinstance(out.data, np.ndarray) and out.data.base is not None:
            out._counter = inputs[0].shared_counter()
        return out


class Reshape(_View):
    """Same numbers, new shape.   backward: reshape the gradient back."""

    __slots__ = ("shape",)
    rule = "grad is reshaped back to the input's shape"
    reads_inputs = False

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def forward(self, a: Any) -> Any:
        return a.reshape(self.shape)

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        shape = np.shape(arrays[0])
        size = int(np.prod(shape))
        return ValueError(f"reshape: cannot reshape a tensor of shape {shape} ({size}"
                          f" elements) into shape {self.shape}")

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad.reshape(a.shape),)

    @property
    def label(self) -> str:
        return f"reshape{self.shape}"


class Transpose(_View):
    """Permute axes.   backward: the inverse permutation."""

    __slots__ = ("axes",)
    rule = "grad is permuted back with the inverse permutation"
    reads_inputs = False

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, a: Any) -> Any:
        return a.transpose(self.axes)

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (call(Transpose, grad, axes=tuple(int(i) for i in np.argsort(self.axes))),)

    @property
    def label(self) -> str:
        return f"transpose{self.axes}"


class BroadcastTo(Function):
    """Repeat along new leading axes and size-1 axes.   backward: sum the copies (sum_to)."""

    __slots__ = ("shape",)
    rule = "grad is summed back over the broadcast axes"
    reads_inputs = False

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def forward(self, a: Any) -> Any:
        # A copy, not np.broadcast_to's read-only view: as fast for the small arrays of
        # backward passes (np.broadcast_to costs microseconds in Python), and writable.
        out = np.empty(self.shape, dtype=a.dtype)
        out[...] = a
        return out

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        return ValueError(f"broadcast_to: cannot broadcast shape {np.shape(arrays[0])} to "
                          f"{self.shape}; each axis must match or be 1 in the input")

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        from .reductions import SumTo  # noqa: PLC0415  (reductions imports this module)

        return (call(SumTo, grad, shape=a.shape, input_shape=grad.shape),)

    @property
    def label(self) -> str:
        return f"broadcast_to{self.shape}"


def _has_advanced_index(index: Any) -> bool:
    """Integer or boolean arrays in an index may pick an element twice: their gradients must
    then add up (np.add.at), not overwrite each other."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (np.ndarray, list)) for p in parts)


class GetItem(_View):
    """a[index] (slices, integer arrays, boolean masks).   backward: scatter the gradient into
    zeros shaped like a, adding where an element was picked more than once."""

    __slots__ = ("index",)
    op_name = "getitem"
    rule = "grad is scattered back to the picked positions (repeats add up)"
    reads_inputs = False

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, a: Any) -> Any:
        return a[self.index]

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (call(IndexAdd, grad, index=self.index, shape=a.shape),)

    @property
    def label(self) -> str:
        return "getitem"


class IndexAdd(Function):
    """zeros(shape) with `a` added at `index`: the backward of indexing.
    backward: read the gradient back at the same index."""

    __slots__ = ("index", "shape")
    rule = "grad is read back at the index"
    reads_inputs = False

    def __init__(self, index: Any, shape: Shape) -> None:
        self.index, self.shape = index, shape

    def forward(self, a: Any) -> Any:
        result = np.zeros(self.shape, dtype=np.result_type(a))
        if _has_advanced_index(self.index):
            np.add.at(result, self.index, a)
        else:
            result[self.index] = a  # basic indexing never picks an element twice
        return result

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (grad[self.index],)


class Concatenate(Function):
    """Join along an axis.   backward: slice the gradient into the inputs' pieces."""

    __slots__ = ("axis",)
    rule = "grad is split back into each input's slice"
    reads_inputs = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *arrays: Any) -> Any:
        return np.concatenate(arrays, axis=self.axis)

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        shapes = ", ".join(str(np.shape(a)) for a in arrays)
        return ValueError(f"concatenate: all shapes must match except along axis {self.axis}, "
                          f"got {shapes}")

    def backward(self, grad: Any, out: Any, *inputs: Any) -> Grads:
        grads, start = [], 0
        for position, x in enumerate(inputs):
            stop = start + x.shape[self.axis]
            index = (slice(None),) * self.axis + (slice(start, stop),)
            grads.append(grad[index] if self.needs(position) else None)
            start = stop
        return tuple(grads)

    @property
    def label(self) -> str:
        return f"concatenate(axis={self.axis})"


#: What compile suggests instead of a traced index: [integer indices, a boolean mask].
_INDEX_ADVICE = ["To pick each row's class score, use cross_entropy(logits, classes); else "
                 "run the step uncompiled.",
                 "A mask's selection also has a shape that depends on the values; keep the "
                 "shape with where(mask, x, 0.0), or run the step uncompiled."]


def getitem(x: Tensor, index: Any) -> Tensor:
    """x[index]; the index may hold Tensors (e.g. a boolean mask made by a comparison). Their
    values become the op's setting, which compile could not recompute: while it traces, an
    index Tensor that it follows (an input, or computed from the inputs or parameters) is
    refused."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, Tensor):
            part._check_value_read("x[index] with it in the index", _INDEX_ADVICE[part.dtype
                                                                                  == bool])
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(values(i) for i in index)
    elif isinstance(index, list):
        index = np.asarray(index)
        if not index.size:  # an empty list selects nothing, as in numpy: not a float index
            index = index.astype(np.intp)
    return GetItem.apply(x, index=index)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy's `concatenate`)."""
    tensors = [as_operand(t, "concatenate", wrap_numbers=True) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated; use stack")
    (axis,) = normalize_axis(axis, first.ndim, first.shape, "concatenate")  # type: ignore[misc]
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along a new axis: unsqueeze each, then concatenate."""
    tensors = [as_operand(t, "stack", wrap_numbers=True) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    ndim = tensors[0].ndim + 1
    (axis,) = normalize_axis(axis, ndim, tensors[0].shape, "stack")  # type: ignore[misc]
    return concatenate([t.unsqueeze(axis) for t in tensors], axis=axis)


def broadcast_to(x: Tensor, shape: Shape) -> Tensor:
    """Broadcast to `shape` (numpy's rules); a no-op when the shape already matches."""
    if x.shape == shape:
        return x
    return BroadcastTo.apply(x, shape=shape)
