"""`Optimizer`: the base class. Holds parameter groups and per-parameter state, and saves
both in PyTorch's `state_dict` layout.

Updates are plain numpy arithmetic on `p.data`, in place and under `no_grad`: an update is
not part of any graph, and writing into the same array keeps every reference to the
parameter valid. State (momentum buffers, moment estimates) has the parameter's dtype, so
float32 training stays float32.
"""

from __future__ import annotations

import copy
import numbers
from typing import Any, Iterable, Mapping, Optional, Union

import numpy as np

from autograd_engine import Tensor, no_grad

from .._checks import as_scalar, real_number


ParamsArg = Union[Iterable[Tensor], Iterable[Mapping[str, Any]]]


class Optimizer:
    """Base class: subclasses set `defaults` and write `_update(p, grad, state, group)`."""

    #: State entries that are counts (Adam's and RMSprop's step); every other entry is an
    #: array of its parameter's shape.
    COUNTS = ("step",)

    def __init__(self, params: ParamsArg, defaults: Mapping[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        if callable(params) and not hasattr(params, "__iter__"):
            raise TypeError(f"{type(self).__name__}: params is a function; call it: "
                            "model.parameters() (with the parentheses)")
        if isinstance(params, Tensor) or hasattr(params, "named_parameters"):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of parameters, "
                            f"got a {type(params).__name__}; pass model.parameters() (or "
                            "[tensor] for a single tensor)")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list; pass "
                             "model.parameters() of a model that has parameters")
        if not isinstance(groups[0], Mapping):
            groups = [{"params": groups}]
        seen: set[int] = set()  # one set for all groups: a set per group was quadratic
        for group in groups:
            self._add_group(group, seen)

    def add_param_group(self, group: Mapping[str, Any]) -> None:
        """Add parameters with their own settings (e.g. a smaller lr); unset ones default."""
        self._add_group(group, {id(p) for g in self.param_groups for p in g["params"]})

    def _add_group(self, group: Mapping[str, Any], seen: set[int]) -> None:
        """add_param_group, given the ids of the parameters the groups so far hold."""
        if not isinstance(group, Mapping) or "params" not in group:
            raise TypeError(f"{type(self).__name__}: a parameter group is a dict with a "
                            f"'params' list, got {type(group).__name__}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, p in enumerate(params):
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise TypeError(f"{type(self).__name__}: parameter {i} must be a leaf Tensor with "
                                f"requires_grad=True (an nn.Parameter), got {p!r:.60}")
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: parameter {i} appears in more than one "
                                 "parameter group (or twice)")
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown settings {sorted(unknown)}; "
                             f"known: {sorted(self.defaults)}")
        full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        self._check(full)
        full["params"] = params
        self.param_groups.append(full)

    def _check(self, group: Mapping[str, Any]) -> None:
        """Validate a group's hyperparameters (subclasses add their own): each a finite
        number, so lr='a' or lr=None fails here, naming it, not at the first step(). A
        subclass's defaults need not have either (an optimizer with lr alone)."""
        self._check_numbers(group, [name for name in ("lr", "weight_decay") if name in group])

    def _check_numbers(self, group: Mapping[str, Any], names: Iterable[str]) -> None:
        """The settings `names` of `group` must be finite numbers >= 0."""
        for name in names:
            real_number(group[name], f"{type(self).__name__}: {name}", low=0)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient (None by default, zeros otherwise)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None if set_to_none or p.grad is None else Tensor(np.zeros_like(
                    np.asarray(p.data)))

    @no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient (those without one are skipped, as in
        PyTorch)."""
        states, update = self.state, self._update
        for group in self.param_groups:
            for p in group["params"]:
                gradient = p.grad
                if gradient is None:
                    continue
                data = p.data
                try:
                    grad = gradient.data
                    if grad.dtype != data.dtype or grad.shape != data.shape:  # set by hand
                        grad = self._grad_like(p, grad)
                except AttributeError:  # not a Tensor (a numpy array's .data is a memoryview)
                    raise TypeError(f"{type(self).__name__}.step: parameter "
                                    f"{self._index_of(p)}'s .grad is of type "
                                    f"{type(gradient).__name__}, not a Tensor; set "
                                    "p.grad = Tensor(array)") from None
                state = states.get(p)
                if state is None:
                    state = states[p] = {}
                # Graphs recorded before this step must not backward. Declared before the
                # change, so that a refused change (inside a compiled step) leaves no trace.
                p.bump_version()
                if type(data) is np.ndarray:
                    update(data, grad, state, group)
                else:  # a 0-d parameter holds an immutable numpy scalar: update a copy
                    param = np.array(data)
                    update(param, grad, state, group)
                    p.data = param[()]  # the same dtype; its version was bumped above

    def _grad_like(self, p: Tensor, grad: np.ndarray) -> np.ndarray:
        """A hand-set gradient in the parameter's dtype; of another shape it is an error,
        since numpy would broadcast a (1,) gradient silently over every element."""
        if grad.shape != p.data.shape:
            raise ValueError(f"{type(self).__name__}.step: parameter {self._index_of(p)}'s "
                             f".grad has shape {grad.shape} but the parameter has shape "
                             f"{p.data.shape}; a gradient must have its parameter's shape")
        return grad.astype(p.data.dtype)

    def _index_of(self, p: Tensor) -> int:
        """p's number in the order of state_dict() (by identity: == is elementwise)."""
        params = [q for group in self.param_groups for q in group["params"]]
        return next(i for i, q in enumerate(params) if q is p)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: Mapping[str, Any]) -> None:
        """Change `param` in place by one step (`grad` is the caller's: never change it)."""
        raise NotImplementedError

    # --- saving ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: value}}, "param_groups": [{settings, "params": [index]}]},
        PyTorch's layout: parameters are numbered in group order, so the dict is independent
        of the objects and loads into a fresh optimizer over a fresh model."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[p] = index.get(p, len(index))
                ids.append(index[p])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[p]: copy.deepcopy(s) for p, s in self.state.items() if p in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore settings and state saved by `state_dict()` from an optimizer over parameters
        of the same shapes, in the same order."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, Mapping) else None
        if groups is None or "state" not in state_dict:
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected a dict with "
                             "'state' and 'param_groups' (from optimizer.state_dict())")
        sizes = [len(g["params"]) for g in self.param_groups]
        if [len(g["params"]) for g in groups] != sizes:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved optimizer has "
                             f"groups of sizes {[len(g['params']) for g in groups]}, this one "
                             f"{sizes}")
        settings = self._loaded_settings(groups)
        by_index = {i: p for saved, mine in zip(groups, self.param_groups)
                    for i, p in zip(saved["params"], mine["params"])}
        group_of = {i: group for saved, group in zip(groups, settings) for i in saved["params"]}
        problems = []
        for i, saved in state_dict["state"].items():
            p = by_index.get(i)
            if p is None:
                problems.append(f"state for parameter {i}, which no group lists")
                continue
            # a missing entry would fail only at the next step(), with a KeyError
            expected = self._state_names(group_of[i])
            if saved and set(saved) != expected:
                problems.append(f"parameter {i} has state {sorted(saved)}, but "
                                f"{type(self).__name__} keeps {sorted(expected)} (was it saved "
                                "from another kind of optimizer?)")
            for name, value in saved.items():
                is_count = name in self.COUNTS
                if is_count:  # PyTorch's step is a tensor: converted, a 0-d array
                    value = as_scalar(value)
                if not isinstance(value, numbers.Number if is_count else np.ndarray):
                    kind = type(value)
                    problems.append(f"parameter {i} {name}: expected "
                                    f"{'a number' if is_count else 'a numpy array'}, found "
                                    f"{kind.__module__}.{kind.__qualname__}")
                elif not is_count and value.shape != p.shape:
                    problems.append(f"parameter {i} {name}: expected shape {p.shape}, found "
                                    f"{value.shape}")
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(problems))
        self.state = {by_index[i]: {k: (as_scalar(v) if k in self.COUNTS
                                        else np.array(v, dtype=by_index[i].dtype))
                                    for k, v in saved.items()}
                      for i, saved in state_dict["state"].items()}
        for loaded, mine in zip(settings, self.param_groups):
            mine.update(loaded)

    def _loaded_settings(self, groups: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Each saved group's settings over this optimizer's own, checked as the constructor
        checks them (a saved lr of -5 is no more valid than a given one). PyTorch's settings
        that this optimizer has none for are dropped where they change nothing here."""
        name, kind = f"{type(self).__name__}.load_state_dict", type(self).__name__
        flags = self._pytorch_only_flags()
        settings = []
        for saved, mine in zip(groups, self.param_groups):
            loaded = {k: v for k, v in saved.items() if k != "params"}
            unknown = set(loaded) - set(self.defaults) - set(flags) - {"initial_lr"}
            if unknown:
                missing = sorted(set(self.defaults) - set(loaded))
                raise ValueError(f"{name}: the saved settings {sorted(unknown)} are not "
                                 f"{kind}'s" + (f" and it lacks {missing}" if missing else "")
                                 + f": it was saved from another kind of optimizer ({kind} has "
                                 f"{sorted(self.defaults)})")
            for flag in sorted(set(flags) & set(loaded)):
                value, needed = as_scalar(loaded.pop(flag)), flags[flag]  # array(False) too
                # a bool (== alone would take 0 for False, and fail on an array)
                if needed and not (isinstance(value, bool) and value == needed[0]):
                    raise ValueError(f"{name}: the saved {flag}={value!r} is not supported; "
                                     f"{needed[1]}")
            loaded = {**{k: v for k, v in mine.items() if k != "params"}, **loaded}
            self._check(loaded)
            settings.append(loaded)
        return settings

    def _pytorch_only_flags(self) -> dict[str, Optional[tuple[bool, str]]]:
        """`_torch_flags` without this optimizer's own settings: the keys that mark a state
        dict as saved by PyTorch."""
        return {k: v for k, v in self._torch_flags().items() if k not in self.defaults}

    def _torch_flags(self) -> dict[str, Optional[tuple[bool, str]]]:
        """Settings of torch.optim's that this optimizer has none for, which a state dict
        saved by PyTorch carries. None for a switch of how PyTorch computes (a loop or one
        kernel over the tensors, CUDA graphs), never of what: any value loads. Else the one
        value under which PyTorch's update is this one's, and what to do instead."""
        return {"foreach": None, "fused": None, "capturable": None,
                "maximize": (False, "nn's optimizers minimise: negate the loss instead"),
                "differentiable": (False, "nn never records an optimizer step in a graph")}

    def _state_names(self, group: Mapping[str, Any]) -> set[str]:
        """The entries of a parameter's state once it has been stepped with `group`'s
        settings (subclasses that keep state say which)."""
        return set()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])
