"""Backprop one node at a time: the steps `.backward()` takes, recorded from the engine.

The steps come from the engine's own `run_backward` (through its `on_step` hook, with
`capture=[]` so no `.grad` is touched) and its own `reverse_topological_order`, so the order a
learner steps through is exactly the order the engine used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import numpy as np

from autograd_engine import Tensor, reverse_topological_order, run_backward
from autograd_engine.function import needs_grad


@dataclass
class BackpropStep:
    """One node of the backward pass.

    `grad` is d(root)/d(node), complete when the step runs. For an op node, `rule` is the local
    derivative rule of its op and `contributions[i]` the gradient it sends to `inputs[i]`
    (summed to that input's shape; None where nothing is sent). A leaf has no op: its step is
    the gradient being accumulated into `.grad`."""

    index: int
    node: Tensor
    grad: Tensor
    inputs: tuple[Any, ...] = ()
    contributions: tuple[Optional[np.ndarray], ...] = ()
    op: str = ""
    rule: str = ""

    @property
    def is_leaf(self) -> bool:
        return self.node.grad_fn is None


@dataclass
class GradientFlow:
    """Every gradient of one backward pass, keyed by tensor: `node_grads[t]` arrives at `t`,
    `edge_grads[(t, i)]` is what `t`'s op sends to its input `i`."""

    steps: list[BackpropStep]
    node_grads: dict[Tensor, np.ndarray] = field(default_factory=dict)
    edge_grads: dict[tuple[Tensor, int], Optional[np.ndarray]] = field(default_factory=dict)


def backprop_steps(root: Tensor, gradient: Any = None) -> Iterator[BackpropStep]:
    """Yield one `BackpropStep` per node, in exactly the order `root.backward()` processes them.

    Runs the engine's backward as a read-only pass (`inspect=True`, `capture=[]`): nothing's
    `.grad` changes, it works on a graph that `backward()` already went through, and the graph
    can still be backpropagated afterwards if it could before. `gradient` seeds a
    non-scalar root, as in `backward(gradient)`."""
    yield from gradient_flow(root, gradient).steps


def picture_seed(root: Tensor) -> Any:
    """The gradient a picture's backward starts from: None (1) for a one-element root, else
    ones, so a non-scalar root shows the gradients of its sum."""
    return None if root.numel() == 1 else np.ones(root.shape, dtype=root.dtype)


def gradient_flow(root: Tensor, gradient: Any = None) -> GradientFlow:
    """Run the engine's backward from `root` once and record every step (see backprop_steps)."""
    if not isinstance(root, Tensor):
        raise TypeError(f"backprop_steps: root must be a Tensor, got {type(root).__name__}")
    recorded: list[tuple[Tensor, Tensor, tuple[Optional[Tensor], ...]]] = []
    # a rerun of a backward the user already ran: its numpy warnings (1/0) were seen then
    with np.errstate(all="ignore"):
        run_backward([root], [gradient], retain_graph=True, create_graph=False, capture=[],
                     inspect=True, on_step=lambda node, grad, input_grads: recorded.append(
                         (node, grad, input_grads)))
    flow = GradientFlow(steps=[])
    # a leaf root is its own step; run_backward accepted the seed, so it is well formed
    seed = np.ones_like(root.data) if gradient is None else np.asarray(gradient,
                                                                       dtype=root.dtype)
    arrived: dict[Tensor, np.ndarray] = {root: seed} if root.grad_fn is None else {}
    ops = iter(recorded)
    for node in reverse_topological_order([root]):
        if node.grad_fn is None:
            if node in arrived:  # leaves have no backward; their step is the accumulation
                flow.node_grads[node] = arrived[node]
                flow.steps.append(BackpropStep(len(flow.steps), node,
                                               Tensor(arrived[node], dtype=arrived[node].dtype)))
            continue
        if node is not root and node not in arrived:
            continue  # the engine skips nodes no gradient reaches (e.g. only via constants)
        op_node, grad, input_grads = next(ops)
        if op_node is not node:
            raise RuntimeError("backprop_steps: the engine's backward visited nodes in a "
                               "different order than reverse_topological_order")
        function = node.grad_fn
        # as the engine routes them: an input that needs no gradient is sent none
        contributions = tuple(_summed(g, x) if needs_grad(x) else None
                              for x, g in zip(function.inputs, input_grads))
        flow.node_grads[node] = np.asarray(grad.data)
        for i, (x, g) in enumerate(zip(function.inputs, contributions)):
            flow.edge_grads[(node, i)] = g
            if g is not None:
                arrived[x] = g if x not in arrived else arrived[x] + g
        flow.steps.append(BackpropStep(len(flow.steps), node, grad, tuple(function.inputs),
                                       contributions, function.label, function.rule))
    return flow


def _summed(g: Optional[Tensor], x: Tensor) -> Optional[np.ndarray]:
    """The contribution as the input receives it: broadcasting summed away, as the engine's
    `sum_to` does."""
    if g is None:
        return None
    if g.shape != x.shape:
        g = g.sum_to(x.shape)
    return np.asarray(g.data)
