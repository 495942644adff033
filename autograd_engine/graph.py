"""The graph walk and the backward pass.

`topological_order` is the one walk of the library: backward, `grad` and the pictures in viz
all use it, so the order a learner is shown is the order the engine ran.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any, Callable, Iterable, Optional, Sequence

import numpy as np

from .function import call, values
from .grad_mode import as_bool, set_grad_enabled, state
from .ops.reductions import SumTo
from .tensor import Tensor

#: Called by `run_backward` after each node's backward: (node, grad_of_node, input_grads).
StepHook = Callable[[Tensor, Tensor, tuple[Optional[Tensor], ...]], None]


def topological_order(roots: Iterable[Tensor], only_requires_grad: bool = True) -> list[Tensor]:
    """Every tensor the roots depend on, each after all of its inputs (post-order).

    Iterative, with an explicit stack, so a chain of a million ops needs no recursion. A node
    is popped twice: the first time it is marked open and pushed back under its inputs; when
    it surfaces again, all its inputs are in `order`, so it follows them. (In a DAG no input
    can lead back to an open node, so a second pop of an open node is always that moment.)
    With `only_requires_grad=False` constants are included too (viz draws them).

    The marks live on the nodes (`walk_mark`, tokens unique to this walk) rather than in a
    set: for a million-op graph a set costs more memory than the marks. Walks take a lock, so
    two threads walking graphs that share nodes never see each other's marks (a walk reads
    attributes only: it is quick and calls no user code). Leaves, which graphs share, are
    remembered in a set."""
    with _walk_lock:
        return _post_order(roots, only_requires_grad)


_walk_lock = threading.Lock()


def _post_order(roots: Iterable[Tensor], only_requires_grad: bool) -> list[Tensor]:
    order: list[Tensor] = []
    opened, done = object(), object()
    visited_leaves: set[Tensor] = set()
    stack: list[Tensor] = list(reversed(list(roots)))
    while stack:
        node = stack.pop()
        function = node.grad_fn
        if function is None:  # a leaf: no inputs to wait for
            if node not in visited_leaves:
                visited_leaves.add(node)
                order.append(node)
        elif function.walk_mark is opened:  # back again: its inputs are all in `order`
            function.walk_mark = done
            order.append(node)
        elif function.walk_mark is not done:
            function.walk_mark = opened
            stack.append(node)
            for x in reversed(function.inputs):  # reversed: the first input is walked first
                if isinstance(x, Tensor) and (x.requires_grad or not only_requires_grad):
                    stack.append(x)
    return order


def reverse_topological_order(roots: Iterable[Tensor]) -> list[Tensor]:
    """The order backward visits nodes: each node only after every node that uses it, so its
    gradient is complete when it is passed on."""
    order = topological_order(roots)
    order.reverse()
    return order


def run_backward(roots: Sequence[Tensor], gradients: Sequence[Any], retain_graph: bool,
                 create_graph: bool, capture: Optional[Sequence[Tensor]] = None,
                 on_step: Optional[StepHook] = None, inspect: bool = False
                 ) -> dict[Tensor, Tensor]:
    """Backpropagate from `roots` (seeded with `gradients`).

    `inspect=True` is a read-only pass for pictures (viz): it may go through a graph that an
    earlier backward released, releases nothing itself, and should be given `capture=[]` so
    that no `.grad` changes.

    Gradients flow through a dict keyed by node and are popped as the walk passes, so each
    intermediate gradient is freed as soon as it has been used. Leaves that require grad (and
    tensors that called retain_grad) accumulate into `.grad`; when `capture` is given
    (functional `grad`), the gradients of those tensors are returned instead and no `.grad` is
    touched.

    Each op's backward formula runs on plain arrays (nothing to record, so no Tensor is made
    for an intermediate gradient), or on Tensors when `create_graph` records it (and when
    `on_step` wants to see Tensors)."""
    if state.trace is not None and not inspect:  # (viz's read-only pass changes nothing)
        state.trace.refuse_backward()
    create_graph = as_bool(create_graph, "create_graph")  # "no" would be true
    retain_graph = as_bool(retain_graph, "retain_graph")
    on_arrays = not create_graph and on_step is None
    grads: dict[Tensor, Any] = {}
    for root, gradient in zip(roots, gradients):
        seed = seed_gradient(root, gradient)
        seed = seed.data if on_arrays else seed
        grads[root] = grads[root] + seed if root in grads else seed
    wanted = set(capture) if capture is not None else None
    captured: dict[Tensor, Tensor] = {}
    check_finite = state.detect_anomaly and not inspect  # a picture draws the nan instead
    releasing = not (retain_graph or inspect)
    order = reverse_topological_order(roots)
    # functional grad runs only the ops between the outputs and the wanted tensors
    on_the_way = _leading_to(order, wanted) if wanted else None
    # Formulas on arrays record nothing whatever the grad mode; on Tensors the mode decides
    # whether the backward itself is recorded (create_graph).
    with nullcontext() if on_arrays else set_grad_enabled(create_graph):
        for node in order:
            grad = grads.pop(node, None)
            if grad is None:
                continue  # no path from a root carries a gradient here (e.g. only via constants)
            function = node.grad_fn
            if wanted is not None:
                if node in wanted:  # each result its own: one gradient can reach two inputs
                    captured[node] = grad + 0.0 if isinstance(grad, Tensor) else Tensor._from_op(
                        np.array(grad), None)
            elif function is None or node._retains_grad:
                node.grad = accumulate_gradient(node.grad, grad, create_graph)
            if function is None or (on_the_way is not None and node not in on_the_way):
                continue
            inputs = function.inputs
            arrays = function.saved_values(node, inspect, releasing)
            if on_arrays:
                input_grads = function.backward(grad, node.data, *arrays)
            else:
                input_grads = function.backward(grad, node, *inputs)
            if check_finite:
                _check_finite(function, input_grads)
                if releasing:
                    state.creation_sites.pop(function, None)  # its backward has run: let it go
            if on_step is not None:
                on_step(node, grad, input_grads)
            for x, g in zip(inputs, input_grads):
                if g is None or not isinstance(x, Tensor) or not x.requires_grad:
                    continue
                g = fit_gradient(g, x.data)
                previous = grads.get(x)
                grads[x] = g if previous is None else previous + g
    return captured


def fit_gradient(g: Any, data: Any) -> Any:
    """An input's gradient in the input's own shape and dtype: the one place numpy
    broadcasting is undone (summed back by `SumTo`), and a float32 input gets a float32
    gradient."""
    if g.shape != data.shape:
        g = call(SumTo, g, shape=data.shape, input_shape=g.shape)
    if g.dtype != data.dtype:
        if data.dtype.kind != "f":  # set by `x.requires_grad = True`, which nothing checks
            raise TypeError(
                f"backward: a tensor of dtype {data.dtype} (shape {np.shape(data)}) requires "
                "grad, but only floating-point tensors can: its gradient would be truncated "
                "to integers. Make it a float tensor (Tensor(x, dtype=float)); "
                "requires_grad_() checks this.")
        g = g.astype(data.dtype)
    return g


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Optional[Tensor], ...]:
    """The gradients of `outputs` with respect to `inputs`, returned, not stored in `.grad`.

    With `create_graph=True` the results are themselves differentiable (gradients of
    gradients). An input the outputs do not depend on is an error unless `allow_unused`,
    which returns None for it."""
    outputs = _as_tensor_list(outputs, "outputs")
    inputs = _as_tensor_list(inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)) or np.isscalar(grad_outputs):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: inputs[{i}] (shape {x.shape}) does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    captured = run_backward(outputs, grad_outputs, retain_graph=retain, create_graph=create_graph,
                            capture=inputs)
    results = tuple(captured.get(x) for x in inputs)
    for i, (x, g) in enumerate(zip(inputs, results)):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: inputs[{i}] (shape {x.shape}) was not used to compute the "
                               "outputs; pass allow_unused=True to get None for it")
    return results


def _leading_to(order: list[Tensor], wanted: set[Tensor]) -> set[Tensor]:
    """The nodes whose backward sends gradient towards a wanted tensor: those with an input
    that is wanted or leads to one. `order` has every node after the nodes that use it."""
    leads = set(wanted)
    on_the_way = set()
    for node in reversed(order):  # inputs first
        function = node.grad_fn
        if function is not None and any(x in leads for x in function.inputs
                                        if isinstance(x, Tensor)):
            leads.add(node)
            on_the_way.add(node)
    return on_the_way


def accumulate_gradient(current: Optional[Tensor], grad: Any, create_graph: bool,
                        fresh: bool = False) -> Tensor:
    """The new `.grad`: the sum with what it had, or, the first time, a copy of its own (one
    gradient can reach two leaves, as in a + b, and the user may change a `.grad` in place),
    unless the caller knows the gradient is `fresh`: a new array that nothing else holds.
    With create_graph the gradient itself is kept, graph and all."""
    if current is not None:
        _check_grad_set_by_hand(current, grad)
    if create_graph:  # `grad + 0.0`: a recorded copy, as another leaf may get the same grad
        return grad + 0.0 if current is None else current + grad
    grad = values(grad)
    if current is not None:
        return Tensor._from_op(current.data + grad, None)
    # a numpy scalar (a 0-d gradient) is immutable: no copy needed
    share = fresh or type(grad) is not np.ndarray
    return Tensor._from_op(grad if share else grad.copy(), None)


def _check_grad_set_by_hand(current: Any, grad: Any) -> None:
    """A `.grad` that backward adds to must be a Tensor of the gradient's shape: one set by
    hand to an array, or to another shape, would otherwise fail inside numpy or, worse,
    broadcast silently."""
    if not isinstance(current, Tensor):
        raise TypeError(f"backward: .grad must be a Tensor or None, got "
                        f"{type(current).__name__}; set it with x.grad = Tensor(...), or to "
                        "None to start afresh")
    if current.shape != np.shape(grad):
        raise ValueError(f"backward: the .grad already there has shape {current.shape}, but "
                         f"the tensor and its gradient have shape {np.shape(grad)}; a "
                         ".grad set by hand must have its tensor's shape (set it to None, "
                         "or call optimizer.zero_grad(), to start afresh)")


def seed_gradient(root: Tensor, gradient: Any) -> Tensor:
    """The gradient backward starts from: 1 for a one-element output, else the user's."""
    if not isinstance(root, Tensor):
        raise TypeError(f"backward: expected a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(
            f"backward: this tensor (shape {root.shape}) does not require grad and has no "
            "graph: it was computed under no_grad(), or only from tensors without "
            "requires_grad=True (create the leaves with requires_grad=True), or it is a "
            "derivative that is constant in the inputs (relu's and abs's are masks, so "
            "differentiating them again finds no graph), or it is the loss a compiled step "
            "returns, detached (its backward has run already)."
        )
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError(
                f"backward: the output has shape {root.shape}, so its gradient is not implied; "
                "call backward(gradient) with a tensor of that shape (or reduce the output to "
                "a scalar first, e.g. .sum())"
            )
        return Tensor._from_op(root.data.dtype.type(1) if root.ndim == 0
                               else np.ones_like(root.data), None)
    seed = gradient if isinstance(gradient, Tensor) else Tensor(gradient, dtype=root.dtype)
    if seed.shape != root.shape:
        raise ValueError(f"backward: gradient has shape {seed.shape} but the output has shape "
                         f"{root.shape}; they must match")
    return seed if seed.dtype == root.dtype else seed.astype(root.dtype)


def _check_finite(function: Any, input_grads: tuple[Any, ...]) -> None:
    for i, g in enumerate(input_grads):
        if g is not None and not np.all(np.isfinite(values(g))):
            where = function.created_at or "<created outside detect_anomaly()>"
            raise RuntimeError(
                f"detect_anomaly: the backward of op '{function.name}' produced nan or inf in "
                f"the gradient of its input {i}. The op was created at:\n  {where}"
            )


def _as_tensor_list(value: Any, argument: str) -> list[Tensor]:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            raise TypeError(f"grad: {argument}[{i}] must be a Tensor, got {type(item).__name__}")
    return items
