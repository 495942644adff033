"""`Parameter`: a Tensor that a Module registers as something to learn."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from autograd_engine import Tensor


class Parameter(Tensor):
    """A leaf Tensor with `requires_grad=True` that a `Module` collects in `parameters()`.

    Parameter(data, requires_grad=True, dtype=None, name=None)

    Assigning a Parameter to a Module attribute registers it under that name, exactly as
    `torch.nn.Parameter` does. Integer data is stored as float64 (a parameter must be able to
    move by a fractional step); float32 stays float32. Results of operations on a Parameter
    are plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None,
                 name: Optional[str] = None) -> None:
        if dtype is None:
            if np.asarray(data).dtype.kind != "f":
                dtype = np.float64
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def copy_into(tensor: Tensor, values: Any) -> None:
    """Write `values` into `tensor.data` in place (the same array object stays, so views and
    optimizer references still see it), converting to the tensor's dtype. A 0-d tensor holds
    an immutable numpy scalar, so there the scalar is replaced instead."""
    tensor.bump_version()  # first: if the change is refused (inside a compiled step), none is made
    if isinstance(tensor.data, np.ndarray):
        np.copyto(tensor.data, values, casting="unsafe")
    else:
        tensor.data = tensor.dtype.type(np.asarray(values).reshape(()))
