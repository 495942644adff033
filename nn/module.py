"""`Module`: the base class of every layer and model, with PyTorch's registration rules.

Assigning a `Parameter` or a `Module` to an attribute registers it, in assignment order;
`named_parameters()` walks the tree and names each parameter by its path
(`layers.0.weight`), which is also its key in `state_dict()`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator, Mapping, NamedTuple, Optional

import numpy as np

from autograd_engine import Tensor, no_grad

from .parameter import Parameter, copy_into


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped (PyTorch returns the same pair)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class for layers and models: subclass it, assign parameters and submodules in
    `__init__`, and write `forward`. Calling the module runs `forward`."""

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # --- registration -------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                     f"assigning parameters or submodules (setting {name!r})")
            object.__setattr__(self, name, value)
            return
        if isinstance(value, (Parameter, Module)):
            # registered values live in the dicts: an instance attribute of the same name
            # (`self.scale = None` before `self.scale = Parameter(...)`) would hide them
            self.__dict__.pop(name, None)
            mine, other = ((self._parameters, self._modules) if isinstance(value, Parameter)
                           else (self._modules, self._parameters))
            other.pop(name, None)
            mine[name] = value
            return
        for registry, what in ((self._parameters, "parameter: assign an nn.Parameter (wrap a "
                                "tensor t as nn.Parameter(t) to keep it trainable)"),
                               (self._modules, "submodule: assign an nn.Module")):
            if name in registry:
                if value is not None:  # as PyTorch: never unregister silently
                    raise TypeError(f"{type(self).__name__}: cannot assign "
                                    f"{type(value).__name__} to {name!r}, a registered {what} "
                                    f"or None, or `del` it first to unregister it")
                registry[name] = None  # kept as an absent slot (Linear's bias=False)
                return
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: registered things live in the two dicts.
        attributes = self.__dict__
        if name in attributes.get("_parameters", ()):  # Linear reads its weight here each call
            return attributes["_parameters"][name]
        if name in attributes.get("_modules", ()):
            return attributes["_modules"][name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, parameter: Optional[Parameter]) -> None:
        """Register `parameter` under `name`; None records an absent one (Linear's bias=False)."""
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, got "
                            f"{type(parameter).__name__}")
        self._parameters[name] = parameter

    def add_module(self, name: str, module: "Module") -> None:
        """Register a submodule under `name` (names may be digits, as in Sequential)."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be an nn.Module, got "
                            f"{type(module).__name__}")
        self._modules[name] = module

    # --- walking the tree ---------------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The direct submodules with their attribute names (slots set to None are skipped;
        a module held under two names comes once, by its first, as in PyTorch)."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, "Module"]]:
        """This module (named `prefix`, "" by default) and every module below it, depth first,
        each with its dotted path. A module shared in two places is listed once, unless
        `remove_duplicate=False` (then under every path, as state_dict needs)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{child}" if name else child, m)  # every name, even a repeat
                     for child, m in module._modules.items() if m is not None]
            stack.extend(reversed(below))

    def modules(self) -> Iterator["Module"]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`layers.0.weight`), in registration order; a
        parameter shared by two modules (tied weights) is listed once, under its first name,
        unless `remove_duplicate=False` (then under every name, as in state_dict)."""
        seen: set[int] = set()
        modules = (self.named_modules(prefix, remove_duplicate) if recurse
                   else iter([(prefix, self)]))
        for module_name, module in modules:
            for name, parameter in module._parameters.items():
                if parameter is None or (remove_duplicate and id(parameter) in seen):
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (what an optimizer is given)."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def num_parameters(self) -> int:
        """How many numbers the model learns."""
        return sum(p.numel() for p in self.parameters())

    # --- training helpers ---------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward: set `.grad` to None (the default, as in
        PyTorch), or to zeros with `set_to_none=False`."""
        for parameter in self.parameters():
            if set_to_none or parameter.grad is None:
                parameter.grad = None
            else:
                parameter.grad = Tensor(np.zeros_like(np.asarray(parameter.data)))

    def train(self, mode: bool = True) -> "Module":
        """Switch this module and all below it to training mode (Dropout active)."""
        if not isinstance(mode, (bool, np.bool_)):  # train("False") would mean True
            raise ValueError(f"train: mode must be True or False, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Switch to evaluation mode (Dropout passes inputs through)."""
        return self.train(False)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- state dict ---------------------------------------------------------------------------

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """name -> a copy of the parameter's values; names and shapes are PyTorch's for the
        same architecture, so `torch_model.load_state_dict({k: torch.tensor(v) ...})` works.
        A tied parameter appears under each of its names, as in PyTorch."""
        return OrderedDict((name, np.array(p.data, copy=True))
                           for name, p in self.named_parameters(remove_duplicate=False))

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy values into the parameters, in place. Missing or unexpected keys are an error
        when `strict` (else returned), a shape mismatch always is; the error lists every
        offending key with the expected and found shape, and nothing is changed. A tied
        parameter loads from any of its names; two of its names with different values are an
        error."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping name -> array (as state_dict() "
                            f"or nn.load() return), got {type(state_dict).__name__}")
        own = dict(self.named_parameters(remove_duplicate=False))
        names_of: dict[int, list[str]] = {}  # a tied parameter has several names
        for name, parameter in own.items():
            names_of.setdefault(id(parameter), []).append(name)
        # a tied parameter is filled by any of its names (a dict saved with one name loads)
        missing = [name for name in own
                   if not any(alias in state_dict for alias in names_of[id(own[name])])]
        unexpected = [str(name) for name in state_dict if name not in own]
        problems = [f"missing key {name!r} (expected shape {own[name].shape})"
                    for name in missing] if strict else []
        problems += [f"unexpected key {name!r} (found shape {_shape_of(state_dict[name])})"
                     for name in unexpected] if strict else []
        arrays: dict[str, np.ndarray] = {}
        for name, parameter in own.items():
            if name not in state_dict:
                continue
            array = as_numeric_array(state_dict[name])
            if array is None:
                problems.append(f"key {name!r}: value is not numeric "
                                f"({type(state_dict[name]).__name__})")
            elif array.shape != parameter.shape:
                problems.append(f"key {name!r}: shape mismatch, expected {parameter.shape}, "
                                f"found {array.shape}")
            else:
                arrays[name] = array
        for names in names_of.values():
            given = [name for name in names if name in arrays]
            problems += [f"keys {given[0]!r} and {other!r} name the same (tied) parameter but "
                         f"hold different values" for other in given[1:]
                         if not np.array_equal(arrays[given[0]], arrays[other])]
        if problems:
            raise ValueError(f"load_state_dict into {type(self).__name__} failed "
                             f"({len(problems)} problem{'s' * (len(problems) > 1)}):\n  "
                             + "\n  ".join(problems))
        with no_grad():
            for name, array in arrays.items():
                copy_into(own[name], array)
        return IncompatibleKeys(missing, unexpected)

    # --- display ------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside this module's parentheses; by default its own parameters' shapes."""
        return ", ".join(f"{name}: {tuple(p.shape)}" for name, p in self._parameters.items()
                         if p is not None)

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(module).replace("\n", "\n  ")
                 for name, module in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = [extra] if extra else []
        return f"{type(self).__name__}(\n  " + "\n  ".join(head + lines) + "\n)"


def _shape_of(value: Any) -> Any:
    return getattr(value, "shape", type(value).__name__)


def as_numeric_array(value: Any) -> Optional[np.ndarray]:
    """A numeric numpy array of the value (a Tensor, array, list or anything with
    `__array__`, e.g. a torch tensor), or None when it is not numbers."""
    if not isinstance(value, Tensor) and callable(getattr(value, "detach", None)):
        value = value.detach()  # a torch parameter (requires grad) refuses to become an array
    try:
        array = np.asarray(value)  # a Tensor gives its data (Tensor.__array__)
    except (TypeError, ValueError):
        return None
    return array if array.dtype.kind in "biuf" else None
