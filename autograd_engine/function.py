"""`Function`: one differentiable primitive, its forward and backward side by side.

A subclass writes two methods and a docstring with the derivative:

    class Mul(Function):
        '''a * b.   d(a*b)/da = b,   d(a*b)/db = a'''
        def forward(self, a, b):            # numpy arrays in, numpy array out
            return a * b
        def backward(self, grad, out, a, b):    # one gradient (or None) per input
            return grad * b, grad * a

`Function.apply` runs the forward and, when a graph is being recorded, keeps the instance as
the output's `grad_fn`: the node of the graph, whose `inputs` are its edges.

A backward formula is written once, with what numpy arrays and Tensors share (operators,
`reshape`, `sum`, `.mT`, ...) and `call(Op, ...)` for other ops, and the engine runs it two
ways: on plain arrays for an ordinary `backward()` (fast: nothing is recorded), and on Tensors
with `create_graph=True`, where it is recorded like any computation: that graph of the
gradient is what makes second derivatives work.

Operands that are plain Python numbers stay numbers (`y * 1.0001` records one Tensor input and
the constant), which keeps scalar chains small; numpy arrays are wrapped into Tensors.
"""

from __future__ import annotations

import functools
import linecache
import re
import sys
from pathlib import Path
from typing import Any, ClassVar, Optional

from .grad_mode import state

_PACKAGE_DIR = str(Path(__file__).resolve().parent)

#: What a backward returns: per input, its gradient (an array, or a Tensor when the backward
#: is recorded) or None (a number, or an input that needs no gradient).
Grads = tuple[Any, ...]


class Function:
    """Base class of every primitive op. See the module docstring."""

    __slots__ = ("inputs", "version_stamp", "walk_mark")

    #: The local derivative rule, as a learner reads it in the backprop step-through.
    rule: ClassVar[str] = ""
    #: Does backward read the input values? Then changing an input in place before backward
    #: must be an error. Ops that only route gradients (add, reshape, ...) set this False.
    reads_inputs: ClassVar[bool] = True
    #: Does backward read the output value (tanh, exp, sigmoid, ...)?
    reads_output: ClassVar[bool] = False
    #: The op's name where the class name in snake case is not what code calls it.
    op_name: ClassVar[str] = ""
    #: False for ops whose result carries no gradient at all (comparisons): never recorded
    #: for backward, whatever their inputs (compile's trace still keeps them).
    differentiable: ClassVar[bool] = True
    #: Slots the forward fills with an intermediate result that its backward on arrays reuses
    #: instead of recomputing (PyTorch's ctx.save_for_backward): values of one call, not
    #: settings of the op, so compile does not compare them between calls.
    saved_by_forward: ClassVar[tuple[str, ...]] = ()

    inputs: tuple[Any, ...]
    version_stamp: int  # sum of the inputs' versions at the forward; ~sum once released
    walk_mark: Optional[object]  # set by the graph walk: "visited in walk X"

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> "Tensor":
        """Run the forward on the inputs' data; record the node when a gradient is wanted.

        One pass over the inputs gathers their data, whether any needs a gradient, and the sum
        of their version counters (which only go up, so one sum later tells whether any input
        was changed in place). This is the hot path of every op: keep it lean."""
        function = cls(**params) if params else cls()
        arrays = []
        version_sum = 0
        wants_grad = False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x.data)
                if x._counter is not None:
                    version_sum += x._counter.value
                if x.requires_grad:
                    wants_grad = True
            else:
                arrays.append(x)
        try:
            data = function.forward(*arrays)
        except ValueError as error:  # numpy's shape errors, re-said in the user's terms
            raise function.explain_error(error, arrays) from None
        recording = wants_grad and state.grad_enabled and cls.differentiable
        if not recording and state.trace is None:
            return Tensor._from_op(data, None)
        function.inputs = inputs
        function.version_stamp = version_sum
        function.walk_mark = None
        if state.detect_anomaly:
            state.creation_sites[function] = _user_code_line()
        out = Tensor._from_op(data, function)
        if not recording:  # kept for compile's trace only: no gradient flows through it
            out.requires_grad = False
        return out

    # --- what subclasses write ---------------------------------------------------------------

    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        """One gradient (or None) per input.

        For an ordinary backward, `grad`, `out` and the Tensor inputs arrive as numpy arrays
        (numpy scalars when 0-d: no in-place ops on them); when the backward is recorded
        (create_graph, or viz's step hook) they arrive as Tensors. Constant operands stay
        Python numbers either way. So write the formula with what both share (operators,
        reshape, sum, .mT, astype, indexing), `call(Op, ...)` for any other op, `values(x)`
        to read numbers, `constant(array, like=grad)` for a mask made from them, and
        `self.needs(i)` to skip inputs that want no gradient. Never `np.where(...)` on `grad`:
        it would silently drop the recorded graph."""
        raise NotImplementedError

    def needs(self, position: int) -> bool:
        """Whether input `position` wants a gradient: work for the others is skipped."""
        return needs_grad(self.inputs[position])

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        """A clearer error for a forward that numpy refused; ops with shape rules override."""
        return error

    # --- what the engine and viz read -------------------------------------------------------

    @property
    def name(self) -> str:
        """The op's name as code would call it: `mul`, `leaky_relu`, `matmul`."""
        cls = type(self)
        return cls.op_name or re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    @property
    def created_at(self) -> Optional[str]:
        """The user's line that recorded this op, when it was recorded under detect_anomaly()."""
        return state.creation_sites.get(self)

    @property
    def label(self) -> str:
        """A short label with the op's parameters, e.g. `sum(axis=1)`; graphs show it."""
        return self.name

    def saved_values(self, out: "Tensor", inspecting: bool = False, release: bool = False
                     ) -> list[Any]:
        """The inputs' values for backward (arrays; numbers stay numbers), in one pass that
        also checks they can be used. It raises if the graph was released by an earlier
        backward (unless `inspecting`: a read-only pass for pictures), or if a value backward
        reads was changed in place after the forward (the gradient would be silently wrong).

        `release` marks the node as used by a backward with retain_graph=False, so that a
        second backward through it is an error, as in PyTorch. The edges and values stay, so
        the graph can still be drawn with its gradients; the stamp is kept as its bitwise
        complement (~stamp < 0), so those drawings still detect in-place changes."""
        stamp = self.version_stamp
        if stamp < 0:
            if not inspecting:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time (at op '{self.name}'): "
                    "the first backward released it (every node, even one that saved no "
                    "values). Pass retain_graph=True to the first backward() (or grad()) if you "
                    "need to backward through it again."
                )
            stamp = ~stamp
        arrays = []
        version_sum = 0
        for x in self.inputs:
            if isinstance(x, Tensor):
                arrays.append(x.data)
                if x._counter is not None:
                    version_sum += x._counter.value
            else:
                arrays.append(x)
        if (self.reads_inputs and version_sum != stamp) or (
                self.reads_output and out._counter is not None and out._counter.value):
            raise ModifiedInPlaceError(
                f"A value needed to compute the gradient of op '{self.name}' was modified by an "
                "in-place operation after the forward pass, so its gradient would be wrong. "
                "Use an out-of-place operation (x = x + y instead of x += y), or redo the forward."
            )
        if release and self.version_stamp >= 0:
            self.version_stamp = ~stamp
        return arrays

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class ModifiedInPlaceError(RuntimeError):
    """A value that a backward formula reads was changed in place after the forward."""


def constant(array: Any, like: Any) -> Any:
    """An array a backward just made (a mask, a sign), in the kind of value `like` is: a
    Tensor (no copy: nothing else holds it; no gradient: the second derivative treats it as
    fixed) when backward runs on Tensors, else the array itself."""
    return Tensor._from_op(array, None) if isinstance(like, Tensor) else array


def values(x: Any) -> Any:
    """The numbers inside `x`, whether a backward was given a Tensor or an array."""
    return x.data if isinstance(x, Tensor) else x


def call(op: "type[Function]", *operands: Any, **params: Any) -> Any:
    """Run `op` inside a backward formula on what that backward was given: recorded, when
    its operands are Tensors; just its forward on plain arrays otherwise."""
    for x in operands:  # (a loop, not any(...): this runs inside backward formulas)
        if isinstance(x, Tensor):
            return op.apply(*operands, **params)
    return (op(**params) if params else op()).forward(*operands)


def needs_grad(x: Any) -> bool:
    """Whether an op input wants a gradient (numbers and constant tensors do not)."""
    return isinstance(x, Tensor) and x.requires_grad


def _user_code_line() -> str:
    """`file:line in function` of the innermost frame outside this package: where the user
    wrote the operation. Walks up from here only as far as that frame (runs for every op
    under detect_anomaly: the whole stack, formatted, cost time in its depth)."""
    frame = sys._getframe(1)
    while frame is not None and _in_package(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    filename, line = frame.f_code.co_filename, frame.f_lineno
    return (f'File "{filename}", line {line}, in {frame.f_code.co_name}\n'
            f"    {linecache.getline(filename, line).strip()}")


@functools.lru_cache(maxsize=None)
def _in_package(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(_PACKAGE_DIR)


from .tensor import Tensor  # noqa: E402  (tensor.py imports this module first)
