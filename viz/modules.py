"""What a model tells a picture: parameter names, module names and which ops each module ran.

Works with any object shaped like a PyTorch module: `named_parameters()` (dotted names such as
`0.weight`) and `named_children()` (or `children()`); a Linear's `in_features/out_features`
appear in its title, `0: Linear(30 -> 16)`.

The graph does not record which module ran an op, so ops are assigned by their parameters:
an op belongs to module M when it lies on a path from one of M's own parameters to an op that
reads one of them (a Linear's transpose, matmul and bias add). An op left over right after
module k of a container goes to child k+1 when that child has no parameters (an activation
such as Tanh or ReLU). Ops of no module (the loss) stay outside every cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from autograd_engine import Tensor


@dataclass
class ModuleInfo:
    """One module of the model: its dotted path (`""` for the model itself), its title and its
    own (not inherited) parameters."""

    path: str
    title: str
    own_parameters: list[Tensor] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return 0 if not self.path else self.path.count(".") + 1


def named_children(module: Any) -> list[tuple[str, Any]]:
    """A module's direct submodules under every name they are held by (the `_modules` dict of
    nn and PyTorch modules: one activation reused at two places is drawn at both, while
    `named_children()` lists it once), else from `named_children()`, or numbered from
    `children()`."""
    held = getattr(module, "_modules", None)
    if isinstance(held, Mapping):
        return [(name, child) for name, child in held.items() if child is not None]
    if hasattr(module, "named_children"):
        return list(module.named_children())
    if hasattr(module, "children"):
        return [(str(i), child) for i, child in enumerate(module.children())]
    return []


def module_title(name: str, module: Any) -> str:
    """`0: Linear(30 -> 16)`: the module's name, class and (for a Linear) its sizes."""
    title = type(module).__name__
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        title += f"({module.in_features} -> {module.out_features})"
    return f"{name}: {title}" if name else title


def walk_modules(model: Any) -> list[ModuleInfo]:
    """Every module of `model`, parents before children, with its own parameters."""
    named = dict(named_parameters(model))
    by_id = {id(t): name for name, t in named.items()}
    infos: list[ModuleInfo] = []
    stack: list[tuple[str, str, Any]] = [("", "", model)]
    while stack:
        path, name, module = stack.pop()
        info = ModuleInfo(path, module_title(name, module))
        children = named_children(module)
        info.children = [_join(path, child_name) for child_name, _ in children]
        prefix = path + "." if path else ""
        for param_name, tensor in named.items():
            rest = param_name[len(prefix):] if param_name.startswith(prefix) else None
            if rest is not None and "." not in rest and by_id.get(id(tensor)) == param_name:
                info.own_parameters.append(tensor)
        infos.append(info)
        stack.extend((_join(path, n), n, c) for n, c in reversed(children))
    return infos


def named_parameters(model: Any) -> list[tuple[str, Tensor]]:
    """`model.named_parameters()` as a list, or a clear error for an object without it."""
    if not hasattr(model, "named_parameters"):
        raise TypeError(f"model must have named_parameters() like a PyTorch module, got "
                        f"{type(model).__name__}")
    return list(model.named_parameters())


def parameter_names(model: Any) -> dict[Tensor, str]:
    """`{tensor: "0.weight", ...}` for every parameter of the model."""
    return {tensor: name for name, tensor in named_parameters(model)}


def assign_ops(order: list[Tensor], modules: list[ModuleInfo]) -> dict[Tensor, str]:
    """The module path of each op (tensor with a grad_fn) of the graph, for ops a module ran."""
    consumers: dict[Tensor, list[Tensor]] = {}
    for t in order:
        for x in _tensor_inputs(t):
            consumers.setdefault(x, []).append(t)
    position = {t: i for i, t in enumerate(order)}
    owner: dict[Tensor, str] = {}
    for info in sorted(modules, key=lambda m: m.depth):  # deeper modules overwrite parents
        params = set(info.own_parameters)
        readers = {t for p in params for t in consumers.get(p, ())}
        if not readers:
            continue
        # The module's ops lie between its first and last reader in the topological order:
        # each walk stops at that window, so a model of many modules is not quadratic.
        window = (min(position[t] for t in readers), max(position[t] for t in readers))
        for t in _descendants(params, consumers, position, window[1]) & _ancestors(
                readers, position, window[0]):
            owner[t] = info.path
    _give_leftovers_to_activations(order, modules, owner)
    return owner


def _give_leftovers_to_activations(order: list[Tensor], modules: list[ModuleInfo],
                                   owner: dict[Tensor, str]) -> None:
    by_path = {m.path: m for m in modules}
    has_params = {m.path: _subtree_has_params(m, by_path) for m in modules}
    next_sibling: dict[str, str] = {}
    for m in modules:
        for a, b in zip(m.children, m.children[1:]):
            next_sibling[a] = b
    taken: set[str] = set()
    for t in order:
        if t.grad_fn is None or t in owner:
            continue
        inputs = [x for x in _tensor_inputs(t) if x.grad_fn is not None]
        if len(inputs) != 1 or inputs[0] not in owner:
            continue
        source = owner[inputs[0]]
        while source and source not in next_sibling:  # climb to the child of a container
            source = source.rpartition(".")[0]
        sibling = next_sibling.get(source)
        if sibling is None or has_params[sibling]:
            continue
        target = _deepest_first_child(sibling, by_path)
        if target not in taken:  # one op per activation: the ops after it may be the loss
            owner[t] = target
            taken.add(target)


def _deepest_first_child(path: str, by_path: dict[str, ModuleInfo]) -> str:
    while by_path[path].children:
        path = by_path[path].children[0]
    return path


def _subtree_has_params(info: ModuleInfo, by_path: dict[str, ModuleInfo]) -> bool:
    return bool(info.own_parameters) or any(_subtree_has_params(by_path[c], by_path)
                                            for c in info.children)


def _descendants(starts: set[Tensor], consumers: dict[Tensor, list[Tensor]],
                 position: dict[Tensor, int], last: int) -> set[Tensor]:
    """The tensors computed from `starts`, up to topological position `last`."""
    seen: set[Tensor] = set()
    stack = [c for s in starts for c in consumers.get(s, [])]
    while stack:
        t = stack.pop()
        if t not in seen and position[t] <= last:
            seen.add(t)
            stack.extend(consumers.get(t, []))
    return seen


def _ancestors(ends: set[Tensor], position: dict[Tensor, int], first: int) -> set[Tensor]:
    """The ops that `ends` are computed from, back to topological position `first`."""
    seen: set[Tensor] = set()
    stack = list(ends)
    while stack:
        t = stack.pop()
        if t not in seen and t.grad_fn is not None and position.get(t, -1) >= first:
            seen.add(t)
            stack.extend(_tensor_inputs(t))
    return seen


def _tensor_inputs(t: Tensor) -> Iterator[Tensor]:
    if t.grad_fn is not None:
        yield from (x for x in t.grad_fn.inputs if isinstance(x, Tensor))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
