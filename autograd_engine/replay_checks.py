"""What compile checks, and what it says when a check fails: two traced calls must record the
same ops, settings and constants; inputs and parameters must keep their shapes and dtypes;
nothing a replay could not repeat (a value read in Python, a change in place) may happen
while tracing. replay.py makes and runs the plan; this module only judges."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from .function import Function, values
from .tensor import Tensor


class CompileError(RuntimeError):
    """The step cannot be replayed: its inputs or what it records changed."""


class Trace:
    """What compile watches while step_fn runs: reading the value of a tensor that changes
    from call to call would freeze it in the replay, and a change made in place would be
    skipped by it."""

    def __init__(self, inputs: tuple[Tensor, ...]) -> None:
        self.inputs = set(inputs)

    def follows(self, tensor: Tensor) -> bool:
        """Whether `tensor`'s value changes from call to call: an input, a parameter, or
        computed from them."""
        return tensor.grad_fn is not None or tensor.requires_grad or tensor in self.inputs

    def refuse_value_read(self, tensor: Tensor, what: str, advice: str = "") -> None:
        if self.follows(tensor):
            raise CompileError(
                f"compile: step_fn reads the value of a traced tensor ({what} on a tensor of "
                f"shape {tensor.shape}). A replay does not run step_fn's Python: it would "
                "use this call's value forever. " + (advice or "Keep values as Tensors inside "
                "step_fn (return the loss, log outside), or run the step uncompiled."))

    def refuse_backward(self) -> None:
        raise CompileError(
            "compile: step_fn runs a backward pass itself (backward() or grad()). Its results "
            "are computed from this call's values, partly outside the graph (a backward's "
            "masks and signs are constants), so a replay would reuse them forever: a "
            "gradient penalty would stay the first call's. Return the loss and let the "
            "compiled step run backward; run steps that differentiate inside uncompiled.")

    def refuse_change(self, tensor: Tensor, what: str) -> None:
        raise CompileError(
            f"compile: step_fn changes a tensor of shape {tensor.shape} in place ({what}). A "
            "replay runs only the recorded ops, so it would skip the change. Write x = x - y "
            "instead of x -= y inside step_fn, and call optimizer.step() outside it.")


def input_data(x: Any, position: int) -> Any:
    """Input `position`'s data: data, not a parameter. (The traced calls wrap it in a fresh
    leaf, so that the same tensor passed twice is still two inputs.)"""
    if isinstance(x, Tensor):
        if x.requires_grad:
            raise CompileError(
                f"compile: input {position} requires grad (or was computed from tensors that "
                "do). Inputs of a compiled step are data that change from call to call (a "
                "batch, its labels); parameters belong in step_fn itself (model.parameters()), "
                "and a value computed from them should be computed inside step_fn.")
        return x.data
    return Tensor(x).data


ADVICE = ("Replay would silently repeat the first call's. A compiled step must record the "
          "same ops on every call, and every value that changes between calls (a batch, its "
          "labels, a mask) must come in as an input Tensor. Move the changing part out of "
          "step_fn, or run the step uncompiled.")


def check_loss(loss: Any) -> None:
    """Raise unless step_fn returned a one-element loss with a graph not yet walked."""
    if not isinstance(loss, Tensor):
        raise CompileError(f"compile: step_fn must return the loss as a Tensor, got "
                           f"{type(loss).__name__}")
    if not loss.requires_grad:
        raise CompileError("compile: step_fn's loss has no graph to backward through: no "
                           "parameter that requires grad was used, or it ran under no_grad()")
    if loss.grad_fn is None:
        raise CompileError("compile: step_fn returned a parameter itself, not a loss computed "
                           "from it")
    if loss.grad_fn.version_stamp < 0:
        raise CompileError("compile: step_fn already ran backward(); return the loss and let "
                           "the compiled step run backward")
    if loss.numel() != 1:
        raise CompileError(f"compile: step_fn must return a one-element loss, got shape "
                           f"{loss.shape}")


def check_same_recording(first_inputs: Any, first_ops: list[tuple[Any, ...]],
                         second_inputs: Any, second_ops: list[tuple[Any, ...]]) -> None:
    """Raise CompileError, naming the first difference, unless two traced calls recorded the
    same ops (each as (function, its settings, its operands)) on inputs of the same shapes."""
    if second_inputs != first_inputs:
        raise CompileError(changed_inputs(first_inputs, second_inputs))
    for position, (mine, theirs) in enumerate(zip(first_ops, second_ops)):
        (first, first_settings, first_operands) = mine
        (second, second_settings, second_operands) = theirs
        if type(first) is not type(second):
            raise CompileError(f"compile: op {position} of step_fn was '{first.name}' on the "
                               f"first call and '{second.name}' on the second. " + ADVICE)
        if not same(first_settings, second_settings):
            raise CompileError(f"compile: op {position} of step_fn ('{first.name}') had "
                               f"{short(first_settings)} on the first call and "
                               f"{short(second_settings)} on the second. " + ADVICE)
        for k, (a, b) in enumerate(zip(first_operands, second_operands)):
            if not same_operand(a, b):
                raise CompileError(f"compile: op {position} of step_fn ('{first.name}') "
                                   f"took {says(a)} as operand {k} on the first call and "
                                   f"{says(b)} on the second. " + ADVICE)
    if len(first_ops) != len(second_ops):
        raise CompileError(f"compile: step_fn recorded {len(first_ops)} ops on its first call "
                           f"and {len(second_ops)} on its second: Python control flow changed "
                           "what it computes. " + ADVICE)


def leaf_signature(x: Tensor) -> tuple[Any, ...]:
    """What every replay checks of a parameter or constant the step reads."""
    return x.data.shape, x.data.dtype, x.requires_grad


def signature(inputs: Any) -> tuple[tuple[Any, ...], ...]:
    """(shape, dtype) of each input, Tensors or arrays."""
    return tuple((np.shape(x), values(x).dtype) for x in inputs)


def parameters(function: Function) -> dict[str, Any]:
    """An op's own settings (axes, index, reduction, ...): every slot below Function's but
    what the forward saved for backward."""
    skipped = {"__weakref__", *function.saved_by_forward}
    names = [name for cls in type(function).__mro__ if cls is not Function
             for name in cls.__dict__.get("__slots__", ()) if name not in skipped]
    found = {name: getattr(function, name) for name in names if hasattr(function, name)}
    found.update((name, value) for name, value in getattr(function, "__dict__", {}).items()
                 if name not in skipped)  # an op written without __slots__
    return found


def same(a: Any, b: Any) -> bool:
    """Equal values, arrays compared by shape, dtype and elements, containers item by item."""
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        return (np.shape(a) == np.shape(b) and np.asarray(a).dtype == np.asarray(b).dtype
                and bool(np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind in "fc")))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def same_operand(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "leaf":  # a parameter is the same tensor; a constant has the same value
        first, second = a[1], b[1]
        if first.requires_grad or second.requires_grad:
            return first is second
        return same(first.data, second.data)
    return same(a[1], b[1])


def says(operand: tuple[str, Any]) -> str:
    kind, value = operand
    if kind == "leaf":
        if value.requires_grad:
            return f"a parameter of shape {value.shape}"
        return f"a constant {short(value.data)}"
    return {"input": f"input {value}", "node": "an op's result",
            "number": f"the number {value!r}"}[kind]


def short(value: Any) -> str:
    return textwrap.shorten(repr(value), 160, placeholder=" ...")


def changed_inputs(traced: tuple[Any, ...], given: tuple[Any, ...]) -> str:
    if len(traced) != len(given):
        return (f"compile: the step was traced with {len(traced)} inputs, and is called with "
                f"{len(given)}")
    for i, (then, now) in enumerate(zip(traced, given)):
        if then != now:
            return (f"compile: input {i} has shape {now[0]}, {now[1]}, but the step was traced "
                    f"with shape {then[0]}, {then[1]}. A compiled step replays fixed shapes: "
                    "compile another step for this one (e.g. for a smaller last batch), or "
                    "drop it.")
    return "compile: the inputs changed"
