"""What a picture of a graph contains, before it becomes DOT: nodes, edges and clusters.

A `Scene` is built from the engine's own walk (`topological_order`), so node ids follow the walk
(`v3` is the value of the 4th tensor, `f3` the op that made it, `c3_1` a constant operand) and
the same graph always gives the same DOT. Big graphs are shrunk here: repeated chains of the
same op are folded into one node with a count, and what is still beyond `max_nodes` (the part
farthest from the output) is replaced by one node saying how much was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from autograd_engine import ModifiedInPlaceError, Tensor, topological_order

from .modules import ModuleInfo, assign_ops, parameter_names, walk_modules
from .steps import GradientFlow, gradient_flow, picture_seed

#: Chains of at least this many identical ops are folded when a graph is too big.
MIN_FOLD = 3


@dataclass
class Node:
    """A drawn node: `kind` is value, op, constant, fold, module or summary. Ids: `v3` the
    value of the 4th tensor of the walk, `f3` its op, `c3_1` its op's constant operand 1,
    `r3` a folded chain ending at it, `m2` a collapsed module, `summary` what was left out."""

    id: str
    kind: str
    tensor: Optional[Tensor] = None
    role: str = ""        # value nodes: output, parameter, leaf, input or intermediate
    name: str = ""
    text: str = ""        # ops, folds, summaries and constants: what the node says
    cluster: str = ""     # the module path whose cluster holds it ("" = none)
    tensors: list[Tensor] = field(default_factory=list)  # module boxes: their parameters


@dataclass
class Edge:
    """A drawn edge; `grad` is the gradient it carries backward (None when unknown)."""

    src: str
    dst: str
    grad: Optional[np.ndarray] = None
    has_grad: bool = False
    source: Any = None  # the tensor the edge comes from; None once it stands for several


@dataclass
class Scene:
    """Everything `dot.py` needs to write the picture, plus where each tensor was drawn."""

    view: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)  # module path -> title
    notes: list[str] = field(default_factory=list)
    flow: Optional[GradientFlow] = None
    names: dict[Tensor, str] = field(default_factory=dict)  # parameter -> dotted name
    show_grad: bool = False
    drawn_value: dict[Tensor, str] = field(default_factory=dict)
    drawn_op: dict[Tensor, str] = field(default_factory=dict)
    edge_index: dict[tuple[str, str], Edge] = field(default_factory=dict)  # (src, dst) -> edge


def build_scene(root: Tensor, view: str, model: Any = None, depth: Optional[int] = None,
                max_nodes: int = 300, show_grad: bool = True) -> Scene:
    """Collect the nodes and edges of the picture of `root`'s graph (see draw_graph)."""
    order = topological_order([root], only_requires_grad=False)
    scene = Scene(view=view)
    scene.names = names = parameter_names(model) if model is not None else {}
    index = {t: i for i, t in enumerate(order)}
    modules = walk_modules(model) if model is not None else []
    owner = assign_ops(order, modules) if modules else {}
    for t in names:
        if t in index:  # a parameter sits in the cluster of the module that owns it
            owner[t] = names[t].rpartition(".")[0]
    _gradients(scene, root, order, view, show_grad)

    value_id: dict[Tensor, str] = {}
    op_id: dict[Tensor, str] = {}
    boxes = _module_boxes(modules, depth)
    for t in order:
        box = _box_of(owner[t], boxes) if t in owner else None
        if box is not None:
            value_id[t] = op_id[t] = box.id
            if t in names:
                box.tensors.append(t)
            continue
        i = index[t]
        value_id[t] = f"v{i}"
        if t.grad_fn is not None:
            op_id[t] = f"f{i}"
    if _count(order, value_id, op_id) > max_nodes:
        _fold_chains(order, root, names, value_id, op_id, scene)
    if _count(order, value_id, op_id) > max_nodes:
        _drop_far_nodes(order, value_id, op_id, max_nodes, scene)

    for t in order:
        i = index[t]
        if value_id[t] == f"v{i}":
            role = _role(t, root, names)
            name = names.get(t) or (t.name or "")
            scene.nodes[value_id[t]] = Node(value_id[t], "value", t, role, name,
                                            cluster=owner.get(t, "") if depth is None else "")
        if t.grad_fn is not None and op_id[t] == f"f{i}":
            scene.nodes[op_id[t]] = Node(op_id[t], "op", t, text=t.grad_fn.label,
                                         cluster=owner.get(t, "") if depth is None else "")
        if t.grad_fn is not None:
            _edges_into(scene, t, i, value_id, op_id)
    used = set(value_id.values())
    scene.nodes.update((box.id, box) for box in boxes.values() if box.id in used)
    if depth is None:
        for info in modules:
            if info.path:
                scene.clusters[info.path] = info.title
    scene.drawn_value, scene.drawn_op = value_id, op_id
    return scene


def _gradients(scene: Scene, root: Tensor, order: list[Tensor], view: str,
               show_grad: bool) -> None:
    """Record the gradient flow when the picture shows gradients: always in the backward
    views, and in the forward view once backward has run (some `.grad` is set)."""
    after_backward = any(t.grad is not None for t in order)
    scene.show_grad = show_grad and root.requires_grad and (view != "forward" or after_backward)
    if not scene.show_grad:
        return
    seed = picture_seed(root)
    if seed is not None:
        scene.notes.append(f"the output has shape {root.shape}: gradients are those of its "
                           "sum (backward seeded with ones)")
    try:
        scene.flow = gradient_flow(root, seed)
    except ModifiedInPlaceError:  # since the forward (e.g. by optimizer.step())
        scene.notes.append("values in this graph were changed in place after the forward "
                           "(an optimizer step?), so only leaf .grad values are shown; draw "
                           "before changing them to see every gradient")


def node_grad(scene: Scene, t: Tensor) -> Optional[np.ndarray]:
    """The gradient shown on tensor `t`: d(root)/d(t) from the flow recorded for the drawn root
    (None where no gradient reaches `t`), for leaves too, so a node always agrees with its edges
    even when `.grad` holds another root's gradient or several accumulated passes. Only when no
    flow could be recorded is `.grad` shown (the legend then says so)."""
    if scene.flow is not None:
        return scene.flow.node_grads.get(t)
    return np.asarray(t.grad.data) if t.grad is not None else None


def _role(t: Tensor, root: Tensor, names: dict[Tensor, str]) -> str:
    if t is root:
        return "output"
    if t in names:
        return "parameter"
    if t.grad_fn is None:
        return "leaf" if t.requires_grad else "input"
    return "intermediate"


def _module_boxes(modules: list[ModuleInfo], depth: Optional[int]) -> dict[str, Node]:
    """When modules are collapsed: one box per module at `depth` levels (0 is the model), and
    per module without children above that depth, so every op of a module lands in a box."""
    if depth is None:
        return {}
    return {info.path: Node(f"m{k}", "module", text=info.title)
            for k, info in enumerate(modules)
            if info.depth == depth or (info.depth < depth and not info.children)}


def _box_of(path: str, boxes: dict[str, Node]) -> Optional[Node]:
    """The box holding module `path`: the box of it or of its nearest boxed ancestor."""
    parts = path.split(".") if path else []
    for n in range(len(parts) + 1):
        box = boxes.get(".".join(parts[:n]))
        if box is not None:
            return box
    return None


def _edges_into(scene: Scene, t: Tensor, i: int, value_id: dict[Tensor, str],
                op_id: dict[Tensor, str]) -> None:
    """The edges of `t`'s op: each input to the op, then the op to `t`; none inside a box,
    a fold or the summary, and each pair of drawn nodes joined once."""
    dst = op_id[t]
    for k, x in enumerate(t.grad_fn.inputs):
        if isinstance(x, Tensor):
            src = value_id[x]
        else:
            src = f"c{i}_{k}"
            if dst != f"f{i}":
                continue  # constants of folded or boxed ops are not drawn
            scene.nodes[src] = Node(src, "constant", text=f"{x:g}" if isinstance(x, float)
                                    else str(x), cluster=scene.nodes[dst].cluster)
        if src == dst:
            continue
        grad, has_grad = None, False
        if scene.flow is not None and (t, k) in scene.flow.edge_grads:
            grad, has_grad = scene.flow.edge_grads[(t, k)], True
        edge = scene.edge_index.get((src, dst))
        if edge is None:
            _add_edge(scene, Edge(src, dst, grad, has_grad, x))
        else:
            _merge_into(edge, x, grad, has_grad)
    if value_id[t] != dst and (dst, value_id[t]) not in scene.edge_index:
        _add_edge(scene, Edge(dst, value_id[t]))


def _add_edge(scene: Scene, edge: Edge) -> None:
    scene.edges.append(edge)
    scene.edge_index[(edge.src, edge.dst)] = edge


def _merge_into(edge: Edge, x: Any, grad: Optional[np.ndarray], has_grad: bool) -> None:
    """One drawn edge standing for another input slot. The same tensor in several slots (the x
    of `x * x`, or an input read by two ops inside a module box) receives the sum of what they
    send, so the edge carries that sum, as the node it points back to shows. Different tensors
    drawn as one node (a box, the summary) have no single gradient: the label is dropped."""
    if edge.source is not x:
        edge.source, edge.grad, edge.has_grad = None, None, False
        return
    if grad is not None:
        edge.grad = grad if edge.grad is None else edge.grad + grad
    edge.has_grad = edge.has_grad or has_grad


def _count(order: list[Tensor], value_id: dict[Tensor, str], op_id: dict[Tensor, str]) -> int:
    drawn = set(value_id.values()) | set(op_id.values())
    constants = sum(1 for t in order if t.grad_fn is not None and op_id[t].startswith("f")
                    for x in t.grad_fn.inputs if not isinstance(x, Tensor))
    return len(drawn) + constants


def _fold_chains(order: list[Tensor], root: Tensor, names: dict[Tensor, str],
                 value_id: dict[Tensor, str], op_id: dict[Tensor, str], scene: Scene) -> None:
    """Fold each run of the same op applied one after another (`y = y * 1.0001` a thousand
    times) into one node `mul x 998`; only the run's last value stays drawn."""
    uses: dict[Tensor, int] = {}
    for t in order:
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                if isinstance(x, Tensor):
                    uses[x] = uses.get(x, 0) + 1
    def link_of(t: Tensor) -> Optional[Tensor]:
        """The previous tensor of the chain when `t` continues one, else None."""
        if t.grad_fn is None or not op_id[t].startswith("f"):
            return None
        tensors = [x for x in t.grad_fn.inputs if isinstance(x, Tensor)]
        if len(tensors) != 1:
            return None
        x = tensors[0]
        foldable = (x.grad_fn is not None and op_id[x].startswith("f") and uses.get(x) == 1
                    and x is not root and x not in names and not x.name
                    and x.grad_fn.label == t.grad_fn.label)
        return x if foldable else None

    folded = 0
    chain_of: dict[Tensor, list[Tensor]] = {}
    for t in order:
        previous = link_of(t)
        chain = chain_of.pop(previous, None) if previous is not None else None
        if chain is None:
            chain = [] if previous is None else [previous]
        chain.append(t)  # in place: a copy per link made long chains quadratic
        chain_of[t] = chain
    for last, chain in chain_of.items():
        if len(chain) < MIN_FOLD:
            continue
        fold = f"r{value_id[last][1:]}"
        for t in chain:
            op_id[t] = fold
            if t is not last:
                value_id[t] = fold
        scene.nodes[fold] = Node(fold, "fold", text=f"{last.grad_fn.label} x {len(chain)}")
        folded += len(chain)
    if folded:
        scene.notes.append(f"{folded} ops in repeated chains folded into one node each")


def _drop_far_nodes(order: list[Tensor], value_id: dict[Tensor, str], op_id: dict[Tensor, str],
                    max_nodes: int, scene: Scene) -> None:
    """Keep the `max_nodes` nodes nearest the output; the rest become one summary node."""
    kept: set[str] = set()
    cut = 0
    for position in range(len(order) - 1, -1, -1):
        t = order[position]
        ids = {value_id[t], op_id.get(t, value_id[t])}
        constants = sum(1 for x in t.grad_fn.inputs if not isinstance(x, Tensor)) \
            if t.grad_fn is not None else 0
        if len(kept | ids) + constants + 1 > max_nodes:
            cut = position + 1
            break
        kept |= ids
        kept |= {f"c{position}_{k}" for k in range(constants)}
    dropped = [t for t in order[:cut] if value_id[t] not in kept]
    if not dropped:
        return
    for t in dropped:
        value_id[t] = "summary"
        if t in op_id:
            op_id[t] = "summary"
    scene.nodes["summary"] = Node("summary", "summary",
                                  text=f"... {len(dropped)} earlier tensors not drawn")
    scene.notes.append(f"{len(dropped)} tensors farthest from the output are summarised in one "
                       f"node (max_nodes={max_nodes}); raise max_nodes to see them")
