"""`Tensor`: a numpy array that remembers how it was made.

Every operation on tensors that require a gradient records a node (`grad_fn`, a `Function`)
whose `inputs` are the operands. `backward()` walks those edges from the output back to the
leaves in reverse topological order and leaves each leaf's gradient in `.grad`.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np

from .grad_mode import as_bool, state
from .shapes import Shape
from .tensor_methods import TensorMethods

if TYPE_CHECKING:
    from .function import Function

ArrayLike = Any


class Tensor(TensorMethods):
    """A numpy array with a gradient and a record of the operation that produced it.

    Tensor(data, requires_grad=False, dtype=None, name=None)

    Float data defaults to float64 (numpy's default, so hand calculations match); float32 is
    kept through every op and gradient. Only floating tensors can require gradients.
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "name", "_counter", "_retains_grad",
                 "__weakref__")
    # numpy must hand `ndarray * tensor` to Tensor.__rmul__ instead of looping over the array.
    __array_ufunc__ = None

    data: Any
    grad: Optional["Tensor"]
    requires_grad: bool
    grad_fn: Optional["Function"]
    name: Optional[str]

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None,
                 name: Optional[str] = None) -> None:
        if isinstance(data, Tensor):
            data._check_value_read("Tensor(...) of it")  # a copy would be frozen by replays
            data = data.data
        try:
            array = np.array(data, dtype=dtype)  # a copy: later changes to `data` don't leak in
        except (TypeError, ValueError) as error:
            raise TypeError(f"Tensor: cannot make a numeric array from {type(data).__name__} "
                            f"data ({error})") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: data must be numbers (bool, int or float), got dtype "
                            f"{array.dtype}; pass numeric data or dtype=np.float64")
        self.data = array[()] if array.ndim == 0 else array
        self.grad = None
        self.grad_fn = None
        self.name = name
        self._counter = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _from_op(data: Any, grad_fn: Optional["Function"]) -> "Tensor":
        """The hot path: wrap an op's result without copying or checking."""
        t = object.__new__(Tensor)
        if type(data) is np.ndarray and not data.shape:
            data = data[()]  # 0-d results are numpy scalars, as numpy's own ops give
        t.data = data
        t.grad = None
        t.requires_grad = grad_fn is not None
        t.grad_fn = grad_fn
        t.name = None
        t._counter = None  # made on the first in-place change or view: most tensors never need one
        t._retains_grad = False
        return t

    # --- attributes ---------------------------------------------------------------------------

    @property
    def shape(self) -> Shape:
        return self.data.shape  # numpy scalars have .shape == () too

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (not produced by a recorded op)."""
        return self.grad_fn is None

    @property
    def version(self) -> int:
        """How many in-place changes this tensor has had."""
        return 0 if self._counter is None else self._counter.value

    @property
    def T(self) -> "Tensor":
        """All axes reversed (numpy's `.T`)."""
        return self.transpose()

    @property
    def mT(self) -> "Tensor":
        """The last two axes swapped: the matrix transpose of a (batch of) matrices."""
        if self.ndim < 2:
            raise ValueError(f".mT needs at least 2 dimensions, got shape {self.shape}")
        permutation = list(range(self.ndim))
        permutation[-2], permutation[-1] = permutation[-1], permutation[-2]
        return _shape.Transpose.apply(self, axes=tuple(permutation))

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def bump_version(self) -> None:
        """Record that `.data` was changed in place by code outside the Tensor operators (an
        optimizer's numpy update, a weight initialiser), so that a graph which saved the old
        value refuses to backward instead of giving a wrong gradient."""
        if state.trace is not None:
            state.trace.refuse_change(self, "an update of its data (optimizer.step()?)")
        self.shared_counter().value += 1

    def shared_counter(self) -> "VersionCounter":
        """This tensor's version counter, shared with every tensor viewing the same memory
        (reshape, transpose, slices, detach), so an in-place change through one is seen by
        all of them."""
        if self._counter is None:
            self._counter = VersionCounter()
        return self._counter

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set requires_grad in place (only floating tensors may need a gradient)."""
        requires_grad = as_bool(requires_grad, "requires_grad_: requires_grad")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"Only floating-point tensors can require gradients, got dtype {self.dtype}. "
                "Pass float data or dtype=np.float64 (or np.float32)."
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad can only be turned off on leaves; use .detach()")
        if requires_grad and self.grad_fn is not None and not self.requires_grad:
            raise RuntimeError("requires_grad_() on a value computed inside a compiled step "
                               "(compile traces it as an op): create the tensor that needs a "
                               "gradient outside step_fn, as a parameter")
        self.requires_grad = requires_grad
        return self

    # --- gradients ----------------------------------------------------------------------------

    def backward(self, gradient: Optional[ArrayLike] = None, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into the `.grad` of every leaf that requires grad.

        A non-scalar output needs `gradient` (the vector in the vector-Jacobian product).
        `retain_graph=True` allows a second backward through the same graph;
        `create_graph=True` records the backward itself, for gradients of gradients.
        """
        _graph.run_backward([self], [gradient], retain_graph=retain_graph or create_graph,
                            create_graph=create_graph)

    def retain_grad(self) -> "Tensor":
        """Keep this non-leaf tensor's gradient in `.grad` after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True
        return self

    def detach(self) -> "Tensor":
        """The same data (shared, not copied) cut off from the graph. An in-place change to
        either is seen by both, and by the graphs that saved this tensor."""
        if state.trace is not None and state.trace.follows(self):
            return _elementwise.Detach.apply(self)  # recorded: a replay detaches the new value
        detached = Tensor._from_op(self.data, None)
        detached._counter = self.shared_counter()
        return detached

    def item(self) -> Union[float, int, bool]:
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        self._check_value_read("item()")
        return self.data.item()

    def _check_value_read(self, what: str, advice: str = "") -> None:
        """While compile traces a step, reading a traced value in Python is refused: a replay
        would keep this call's value forever. Outside a trace this does nothing."""
        if state.trace is not None:
            state.trace.refuse_value_read(self, what, advice)

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shared, not copied)."""
        self._check_value_read("numpy()")
        return np.asarray(self.data)

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
        self._check_value_read("np.asarray()")
        array = np.asarray(self.data, dtype=dtype)
        return array.copy() if copy else array

    # --- arithmetic ---------------------------------------------------------------------------

    def __add__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Add.apply(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Add.apply(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Sub.apply(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Sub.apply(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Mul.apply(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Mul.apply(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Div.apply(other, self)

    def __pow__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Pow.apply(self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        other = as_operand(other)
        return NotImplemented if other is NotImplemented else _arith.Pow.apply(other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        other = as_operand(other, wrap_numbers=True)
        return NotImplemented if other is NotImplemented else _arith.MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        other = as_operand(other, wrap_numbers=True)
        return NotImplemented if other is NotImplemented else _arith.MatMul.apply(other, self)

    def __neg__(self) -> "Tensor":
        return _arith.Neg.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    # --- in place: allowed only where no graph is being recorded ------------------------------

    def _in_place(self, other: Any, ufunc: np.ufunc, symbol: str) -> "Tensor":
        other = as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        if state.trace is not None:
            state.trace.refuse_change(self, f"'{symbol}'")
        recording = state.grad_enabled and (self.requires_grad or needs_grad(other))
        if recording:
            raise RuntimeError(
                f"In-place '{symbol}' on a tensor that is part of a recorded graph: the graph "
                "could not record it. Write `x = x {op} y` instead, or run it under no_grad() "
                "(as optimizer updates do).".format(op=symbol.rstrip("="))
            )
        value = values(other)
        data = self.data
        # A 0-d tensor holds an immutable numpy scalar: update a 0-d array copy of it instead,
        # so that the same rules (shape, and no float result cast into an int) refuse the same.
        target = data if isinstance(data, np.ndarray) else np.array(data)
        try:
            ufunc(target, value, out=target)
        except (TypeError, ValueError) as error:  # shapes that don't fit, or int /= float
            raise ValueError(f"in-place '{symbol}': cannot update a {self.dtype} tensor of shape "
                             f"{self.shape} with a value of shape {np.shape(value)} "
                             f"({type(error).__name__}: {error})") from None
        if target is not data:
            self.data = target[()]
        self.bump_version()
        return self

    def __iadd__(self, other: Any) -> "Tensor":
        return self._in_place(other, np.add, "+=")

    def __isub__(self, other: Any) -> "Tensor":
        return self._in_place(other, np.subtract, "-=")

    def __imul__(self, other: Any) -> "Tensor":
        return self._in_place(other, np.multiply, "*=")

    def __itruediv__(self, other: Any) -> "Tensor":
        return self._in_place(other, np.true_divide, "/=")

    def __ipow__(self, other: Any) -> "Tensor":  # in place, as in PyTorch (not a rebinding)
        return self._in_place(other, np.power, "**=")

    # --- comparisons: boolean tensors that carry no gradient ----------------------------------

    def _compare(self, other: Any, ufunc: np.ufunc) -> "Tensor":
        other = as_operand(other)
        if other is NotImplemented:
            return NotImplemented
        return _elementwise.Compare.apply(self, other, ufunc=ufunc)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater_equal)

    # `==` is elementwise, yet a Tensor stays usable as a dict key and in sets: by identity.
    __hash__ = object.__hash__

    def __float__(self) -> float:
        return float(self._one_element("float"))

    def __int__(self) -> int:
        return int(self._one_element("int"))

    def _one_element(self, conversion: str) -> Any:
        self._check_value_read(f"{conversion}()")
        if self.numel() != 1:
            raise TypeError(f"{conversion}() of a tensor of shape {self.shape}: only one-element "
                            "tensors convert to Python numbers (use .item() on a scalar, or "
                            ".numpy() for the array)")
        return self.data.item() if hasattr(self.data, "item") else self.data

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise ValueError(f"The truth value of a tensor of shape {self.shape} is ambiguous; "
                             "use .any() or .all() on its data, or compare .item()")
        self._check_value_read("bool()")
        return bool(self.data)

    # --- display ------------------------------------------------------------------------------

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self.data), separator=", ", prefix="Tensor(",
                               precision=4, threshold=20)
        extras = [] if self.dtype in (np.float64, np.int64, np.bool_) else [f"dtype={self.dtype}"]
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{type(self.grad_fn).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"Tensor({', '.join([body] + extras)})"

    def __iter__(self):  # noqa: ANN204
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __format__(self, spec: str) -> str:
        return format(self.data.item(), spec) if self.numel() == 1 and spec else repr(self)


class VersionCounter:
    """How many in-place changes a block of memory has had: shared by a tensor and its views."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


def as_operand(value: Any, op: str = "", wrap_numbers: bool = False) -> Any:
    """What an operator accepts: a Tensor; a real number (kept as a Python number so that
    `float32_tensor * 0.5` stays float32 and scalar chains stay small); a numpy array or list
    (wrapped as a constant Tensor). Anything else: NotImplemented, so Python raises TypeError.
    `wrap_numbers` turns numbers into Tensors for functions that need arrays (matmul, stack)."""
    if isinstance(value, Tensor):
        return value
    if type(value) is float or type(value) is int:  # the common case, before the slow ABC check
        return Tensor._from_op(np.asarray(value)[()], None) if wrap_numbers else value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        value = value.item()  # numpy scalars act as Python numbers: no silent upcast of float32
    if isinstance(value, numbers.Real):
        return Tensor._from_op(np.asarray(value)[()], None) if wrap_numbers else value
    if isinstance(value, (np.ndarray, list, tuple)):
        try:
            array = np.array(value)  # a copy: the caller may change their array later
        except (TypeError, ValueError):
            array = np.array(None)  # ragged or mixed: refused below
        if array.dtype.kind in "biuf":
            return Tensor._from_op(array, None)
    if op:
        raise TypeError(f"{op}: expected a Tensor, a number or a numeric array, got "
                        f"{type(value).__name__}")
    return NotImplemented


from .function import needs_grad, values  # noqa: E402  (these modules import Tensor from here)
from .ops import arithmetic as _arith  # noqa: E402
from .ops import elementwise as _elementwise  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from . import graph as _graph  # noqa: E402  (backward() runs the walk it defines)
