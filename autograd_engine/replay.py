"""`compile(step_fn)`: trace a training step, then replay its forward and backward as plain
array operations. What `torch.compile` and `jax.jit` do, in miniature.

    step = compile(lambda x, y: loss_fn(model(x), y))
    for x, y in batches:
        optimizer.zero_grad()
        loss = step(x, y)        # forward and backward: every .grad as loss.backward() leaves it
        optimizer.step()

The graph *is* the trace: the first call runs `step_fn` eagerly, and its graph records every
op with its settings and operands. From it compile writes a Python function of straight-line
array code (`step.code`, worth reading): the ops' forwards in topological order, then their
backward formulas in the order `backward()` walks, each value and gradient in a variable of
its own. A replay skips what eager mode pays per op: a Tensor for each result, the graph walk
and its sort, the dictionary of gradients, the version checks. The arithmetic is the same
calls in the same order, so the results are the same to the last bit.

What a replay cannot see, it checks for, or refuses:
- on every call: the inputs' shapes and dtypes (a replay is for fixed shapes), and the shape,
  dtype and requires_grad of every tensor the step reads (parameters, constants); under
  no_grad() a compiled step refuses to run, under detect_anomaly() it runs eagerly;
- while tracing: every op is kept, with or without a gradient (`y.reshape(-1, 1)`, `x / 255`,
  a mask `z > 0`, `astype(int)`, `detach()`), so values computed from the inputs are
  recomputed by each replay; reading a traced value in Python (`item()`, `float()`, `bool()`:
  a branch on a value; `numpy()`, `Tensor(x)`; a tensor index), running a backward inside
  step_fn (a gradient penalty's masks would be frozen) and changing a tensor in place are
  errors; inputs must be data, not tensors that require grad;
- on the second call, which also runs eagerly: its graph must match the first op for op,
  setting for setting, constant for constant, so labels read through `.data` into an index
  or a Dropout mask show up as a difference (when the two calls differ), and compile says
  where. `.data` is
  the one way out of the trace that cannot be watched: `w * x.data` makes a constant, caught
  only if the two traced calls differ; write `w * x`.
What it cannot see is Python state that changes after tracing: a hyperparameter or a numpy
array that step_fn reads, a module switched between train() and eval(), a parameter replaced
by another object, checks written in Python (HingeLoss's labels, BCELoss's range), an
`optimizer.zero_grad()` inside step_fn. As with jax.jit, compile the step again when those
change.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable, Optional

import numpy as np

from .grad_mode import state
from .graph import (accumulate_gradient, fit_gradient, reverse_topological_order, run_backward,
                    seed_gradient, topological_order)
from .replay_checks import (CompileError, Trace, changed_inputs, check_loss,
                            check_same_recording, input_data, leaf_signature, parameters,
                            signature)
from .tensor import Tensor

#: Past this many tensors in a graph, generating (and compiling) its code costs more than
#: replaying it could save.
MAX_NODES = 20_000
#: Where the library's own ops live: their backward formulas never return an array they keep.
_OPS_PACKAGE = "autograd_engine.ops."


def compile(step_fn: Callable[..., Tensor]) -> "CompiledStep":  # noqa: A001 (torch's name)
    """Trace `step_fn` (Tensors in, a one-element loss Tensor out) on its first calls and
    replay it after. Each call runs forward and backward (`step_fn` must not call backward
    itself) and returns the loss, detached. See the module docstring."""
    if not callable(step_fn):
        raise TypeError(f"compile: expected a function, got {type(step_fn).__name__}")
    return CompiledStep(step_fn)


class CompiledStep:
    """A step function that runs eagerly twice (trace, then check the trace), then replays."""

    def __init__(self, step_fn: Callable[..., Tensor]) -> None:
        self.step_fn = step_fn
        self.plan: Optional[Plan] = None
        self.verified = False

    @property
    def code(self) -> Optional[str]:
        """The Python source a replay runs (None before the first call): read it to see a
        training step as the straight-line program it is."""
        return None if self.plan is None else self.plan.code

    def __call__(self, *inputs: Any) -> Tensor:
        if not state.grad_enabled:
            raise CompileError("compile: a compiled step runs backward, and gradients are off "
                               "here (no_grad()); to evaluate, call the model directly")
        if self.verified and not state.detect_anomaly:
            return self.plan.replay([input_data(x, i) for i, x in enumerate(inputs)])
        inputs = tuple(Tensor._from_op(input_data(x, i), None) for i, x in enumerate(inputs))
        loss = self._trace(inputs)
        if self.verified:  # under detect_anomaly: run eagerly, with its checks; the plan stays
            check_loss(loss)
        else:
            plan = Plan(loss, inputs)
            if self.plan is not None:
                self.plan.check_same_as(plan)
        run_backward([loss], [None], retain_graph=False, create_graph=False)
        if not self.verified:  # verified once the second call's backward has run
            self.verified, self.plan = self.plan is not None, plan
        return Tensor._from_op(loss.data, None)

    def _trace(self, inputs: tuple[Tensor, ...]) -> Any:
        """step_fn, run eagerly with every op kept in its graph, differentiable or not."""
        previous, state.trace = state.trace, Trace(inputs)
        try:
            return self.step_fn(*inputs)
        finally:
            state.trace = previous


class Plan:
    """One recorded graph as a Python function of straight-line array code (`code`): the
    forward's calls in topological order, then the backward formulas in the order backward()
    walks, each value and gradient in a variable named after its slot (v3, g3). A probe run
    first finds where gradients need `fit` or a sum, so the code has no checks left to do."""

    def __init__(self, loss: Any, inputs: tuple[Tensor, ...]) -> None:
        check_loss(loss)
        self.input_signature = signature(inputs)
        # read afresh on each call: (tensor, its signature, where step_fn first reads it)
        self.leaves: list[tuple[Tensor, tuple[Any, ...], str]] = []
        self.described: list[tuple[Any, ...]] = []  # what `check_same_as` compares
        self.slot_of: dict[Tensor, int] = {x: i for i, x in enumerate(inputs)}
        self.slots = len(inputs)  # values are numbered: inputs first, then in forward order
        self.names: dict[str, Any] = {"fit": fit_gradient, "accumulate": accumulate_gradient,
                                      "as_stored": _as_stored}
        self.forward_lines: list[str] = []
        self.operands_of: dict[int, list[str]] = {}  # a node's slot -> its operands' names
        order = topological_order([loss], only_requires_grad=False)  # constants too
        if len(order) > MAX_NODES:
            raise CompileError(f"compile: step_fn records {len(order)} tensors; straight-line "
                               f"code is made for at most {MAX_NODES:,}. Run it uncompiled.")
        for node in order:
            if node.grad_fn is not None:
                self._write_forward(node)
        self.loss_slot = self.slot_of[loss]
        self.names["seed"] = seed_gradient(loss, None).data
        self.backward_order = reverse_topological_order([loss])  # exactly backward()'s order
        self.code = self._source(self._backward_lines(self._probe(inputs)))
        self.run = self._define(self.code, self.names)

    def _new_slot(self) -> int:
        self.slots += 1
        return self.slots - 1

    def _write_forward(self, node: Tensor) -> None:
        function = node.grad_fn
        if node._retains_grad:
            raise CompileError("compile: a compiled step cannot keep an intermediate gradient "
                               "(retain_grad()); compute it in an uncompiled step")
        operands, refs = [], []
        for x in function.inputs:
            if not isinstance(x, Tensor):  # a Python number operand
                name = f"k{self._new_slot()}"
                self.names[name] = x
                operands.append(name)
                refs.append(("number", x))
                continue
            if x not in self.slot_of:  # a leaf met for the first time: parameter or constant
                slot = self.slot_of[x] = self._new_slot()
                self.names[f"t{slot}"] = x
                self.leaves.append((x, leaf_signature(x), f"t{slot} in step.code, first "
                                    f"read by '{function.name}'"))
                what = "parameter" if x.requires_grad else "constant"
                self.forward_lines.append(f"    v{slot} = t{slot}.data  # {what} {_shape(x)}")
            slot = self.slot_of[x]
            operands.append(f"v{slot}")
            refs.append(("input", slot) if slot < len(self.input_signature)
                        else ("node", slot) if x.grad_fn is not None else ("leaf", x))
        slot = self.slot_of[node] = self._new_slot()
        self.names[f"forward{slot}"] = function.forward
        self.names[f"backward{slot}"] = function.backward
        call = f"forward{slot}({', '.join(operands)})"
        if node.ndim == 0:  # 0-d results are numpy scalars, as Tensor._from_op keeps them
            call = f"as_stored({call})"
        self.forward_lines.append(f"    v{slot} = {call}  # {function.label} -> {_shape(node)}")
        self.described.append((function, parameters(function), tuple(refs)))
        self.operands_of[slot] = operands

    def _probe(self, inputs: tuple[Tensor, ...]) -> dict[tuple[int, int], Any]:
        """Run the step once as general code, every gradient routed the way run_backward
        routes it, and note for each (node, input) whether its gradient was None, or needed
        `fit` (broadcasting undone, or a dtype cast). Shapes and dtypes are fixed from call to
        call, so the code that replays can leave out the checks. The probe writes no .grad."""
        notes: dict[tuple[int, int], Any] = {}

        def count(grads: Any, slot: int) -> Any:  # a backward may return more than it has
            notes[slot, -1] = len(grads)          # inputs (linear without a bias): unpack all
            return grads

        def route(previous: Any, g: Any, data: Any, key: tuple[int, int], target: int,
                  incoming: Any, results: tuple[Any, ...]) -> Any:
            if g is None:
                notes[key] = None
                return previous
            fitted = fit_gradient(g, data)
            notes[key] = fitted is not g  # fit_gradient hands back a gradient that already fits
            g = fitted
            if previous is not None:
                notes[target, "fresh"] = True  # a sum is a new array
                return previous + g
            # Our own ops return new arrays, `grad` passed on, or views of it: a new array
            # (not a view, not the incoming gradient, not given to two inputs) is held by
            # nothing else, so a parameter can keep it as its .grad without a copy (if it is
            # in C order, as the copy would be).
            notes[target, "fresh"] = (key[0] in built_in and type(g) is np.ndarray
                                      and g.base is None and g.flags.c_contiguous
                                      and g is not incoming
                                      and sum(other is g for other in results) <= 1)
            return g

        built_in = {self.slot_of[node] for node in self.backward_order
                    if type(node.grad_fn).__module__.startswith(_OPS_PACKAGE)}

        lines = [f"    given = {{{self.loss_slot}: seed}}  # slot -> gradient, as in run_backward"]
        for node in self.backward_order:
            slot, function = self.slot_of[node], node.grad_fn
            lines.append(f"    g{slot} = given.pop({slot}, None)")
            if function is None:
                continue
            lines += [f"    if g{slot} is not None:",
                      f"        grads = count(backward{slot}(g{slot}, v{slot}, "
                      f"{', '.join(self.operands_of[slot])}), {slot})"]
            for i, x in enumerate(function.inputs):
                if isinstance(x, Tensor) and x.requires_grad:
                    target = self.slot_of[x]
                    lines.append(f"        given[{target}] = route(given.get({target}), "
                                 f"grads[{i}], v{target}, ({slot}, {i}), {target}, "
                                 f"g{slot}, grads)")
        probe = self._define(self._source(lines),
                             {**self.names, "route": route, "count": count})
        probe(*[x.data for x in inputs])
        return notes

    def _backward_lines(self, notes: dict[tuple[int, int], Any]) -> list[str]:
        """The backward as straight-line code: each formula's results unpacked into the
        gradients they are (g12, g9, ...); `fit` and sums only where the probe saw them."""
        # A 0-d loss is seeded with a numpy scalar, which nothing can change: no copy.
        seed = "seed" if np.isscalar(self.names["seed"]) else "seed.copy()"
        lines = ["    # backward, in the order backward() walks: loss first",
                 f"    g{self.loss_slot} = {seed}"]
        reached = {self.loss_slot}  # the gradients assigned so far
        for node in self.backward_order:
            slot, function = self.slot_of[node], node.grad_fn
            if slot not in reached:
                continue  # no gradient reaches it (as backward() skips it)
            if function is None:  # a parameter: into its .grad
                fresh = ", fresh=True" if notes.get((slot, "fresh")) else ""
                lines.append(f"    t{slot}.grad = accumulate(t{slot}.grad, g{slot}, "
                             f"create_graph=False{fresh})")
                continue
            results, after = [], []
            for i, x in enumerate(function.inputs):
                note = notes.get((slot, i))
                if note is None:  # a number, a constant, or no gradient for this input
                    results.append("_")
                    continue
                target = self.slot_of[x]
                if not note and target not in reached:
                    results.append(f"g{target}")  # the first and ready: no temporary
                else:
                    results.append(f"d{slot}_{i}")
                    value = f"fit(d{slot}_{i}, v{target})" if note else f"d{slot}_{i}"
                    after.append(f"    g{target} = {value}" if target not in reached
                                 else f"    g{target} = g{target} + {value}")
                reached.add(target)
            results += ["_"] * (notes[slot, -1] - len(results))
            unpacked = results[0] + "," if len(results) == 1 else ", ".join(results)
            lines.append(f"    {unpacked} = backward{slot}(g{slot}, v{slot}, "
                         f"{', '.join(self.operands_of[slot])})  # {function.label}")
            lines += after
        return lines

    def _source(self, backward_lines: list[str]) -> str:
        arguments = ", ".join(f"v{i}" for i in range(len(self.input_signature)))
        return "\n".join([f"def step({arguments}):", *self.forward_lines,
                          *backward_lines, f"    return v{self.loss_slot}"]) + "\n"

    @staticmethod
    def _define(source: str, names: dict[str, Any]) -> Callable[..., Any]:
        namespace = dict(names)
        exec(builtins.compile(source, "<compiled step>", "exec"), namespace)
        return namespace["step"]

    def replay(self, arrays: list[Any]) -> Tensor:
        """Forward and backward on new inputs of the traced shapes; returns the loss."""
        traced = self.input_signature
        if len(arrays) != len(traced):
            raise CompileError(changed_inputs(traced, signature(arrays)))
        for data, (shape, dtype) in zip(arrays, traced):  # field by field: this runs each call
            if data.shape != shape or data.dtype != dtype:
                raise CompileError(changed_inputs(traced, signature(arrays)))
        for leaf, traced, first_read in self.leaves:
            shape, dtype, requires_grad = traced
            data = leaf.data  # (compared field by field: this runs for every leaf, every call)
            if data.shape != shape or data.dtype != dtype or leaf.requires_grad != requires_grad:
                now = leaf_signature(leaf)
                raise CompileError(f"compile: a tensor the step reads ({first_read}: shape "
                                   f"{traced[0]}, {traced[1]}, requires_grad={traced[2]} when "
                                   f"traced) is now shape {now[0]}, {now[1]}, "
                                   f"requires_grad={now[2]}. Compile the step again after "
                                   "changing a model.")
        return Tensor._from_op(self.run(*arrays), None)

    def check_same_as(self, other: "Plan") -> None:
        """Raise CompileError, naming the first difference, unless `other` (the next call's
        graph) records what this plan does."""
        check_same_recording(self.input_signature, self.described, other.input_signature,
                             other.described)


def _as_stored(value: Any) -> Any:
    return value[()] if type(value) is np.ndarray and not value.shape else value


def _shape(x: Tensor) -> str:
    return f"{tuple(x.shape)} {x.dtype}"
