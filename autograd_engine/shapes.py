"""Shape arithmetic shared by the ops: axis normalisation and undoing numpy broadcasting.

Every message here names the shapes and the argument involved, so a user sees what was wrong
instead of a numpy traceback from deep inside an op.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

Shape = tuple[int, ...]
Axis = Optional[Union[int, Sequence[int]]]


def normalize_axis(axis: Axis, ndim: int, shape: Shape, op: str) -> Optional[tuple[int, ...]]:
    """Turn `axis` (None, an int or a sequence of ints, negatives allowed) into sorted
    non-negative axes, or None for "all axes".

    A 0-d tensor accepts axis 0 or -1 and reduces over nothing, as in PyTorch
    (`Tensor(2.).sum(axis=0)` is 2)."""
    if axis is None:
        return None
    if hasattr(axis, "__index__"):
        axes = (axis,)
    else:
        try:
            axes = tuple(axis)
        except TypeError:
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}") from None
    normalized = []
    for a in axes:
        if not hasattr(a, "__index__"):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        a = a.__index__()
        if ndim == 0:
            if a not in (0, -1):
                raise ValueError(f"{op}: axis {a} is out of range for a 0-d tensor (only 0 or "
                                 "-1, which reduce nothing)")
            continue
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor of shape {shape} "
                             f"(valid axes are {-ndim}..{ndim - 1})")
        normalized.append(a % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis (shape {shape})")
    return tuple(sorted(normalized))


def keepdims_shape(shape: Shape, axes: Optional[tuple[int, ...]]) -> Shape:
    """The shape a reduction over `axes` has with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def broadcast_shapes(*shapes: Shape, op: str = "broadcast") -> Shape:
    """numpy's broadcast result shape, or a ValueError naming every shape."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for position in range(-ndim, 0):
        sizes = {s[position] for s in shapes if len(s) >= -position} - {1}
        if len(sizes) > 1:
            listed = " and ".join(str(tuple(s)) for s in shapes)
            raise ValueError(
                f"{op}: shapes {listed} cannot be broadcast together: axis {position} has sizes "
                f"{sorted(sizes)}; sizes must match or be 1 (reshape or unsqueeze one operand)"
            )
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def sum_to_axes(shape: Shape, target: Shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The axes to sum to bring a broadcast `shape` back to `target`: first the leading axes
    numpy added, then the axes where `target` has size 1. Returns (leading, size_one)."""
    extra = len(shape) - len(target)
    if extra < 0 or any(t not in (1, s) for s, t in zip(shape[extra:], target)):
        raise ValueError(f"sum_to: shape {shape} cannot be reduced to shape {target}")
    leading = tuple(range(extra))
    size_one = tuple(i for i, t in enumerate(target) if t == 1 and shape[extra + i] != 1)
    return leading, size_one


def as_shape(shape: Iterable[int] | tuple, op: str) -> Shape:
    """Accept `f(2, 3)` and `f((2, 3))` alike, as PyTorch's reshape does."""
    if len(shape) == 1 and not hasattr(shape[0], "__index__"):  # type: ignore[index]
        shape = shape[0]  # type: ignore[index]
    try:
        return tuple(int(n.__index__()) for n in shape)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}: a shape is ints or one tuple of ints, got {shape!r}") from None
