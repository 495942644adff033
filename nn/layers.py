"""Layers: Linear, the activations, Dropout, Flatten and the Sequential container.

Each forward is a few engine ops, so a layer's gradient is the engine's and every step shows
up in the graph pictures.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator, Optional, Union

import numpy as np

from autograd_engine import Tensor, linear

from . import init
from ._checks import real_number, whole_number
from ._random import RandomGenerator, resolve
from .module import Module
from .parameter import Parameter


def as_tensor(x: Any, caller: str) -> Tensor:
    """Layers accept Tensors and numpy arrays (wrapped as constants)."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except TypeError as error:
        raise TypeError(f"{caller}: expected a Tensor or numeric array, got "
                        f"{type(x).__name__} ({error})") from None


class Linear(Module):
    """y = x @ weight.T + bias, over the last axis of x.

    Linear(in_features, out_features, bias=True, dtype=None, generator=None)

    weight has shape (out_features, in_features) and bias (out_features,), as in PyTorch.
    Default init is PyTorch's: weight and bias from U(-1/sqrt(in), 1/sqrt(in)) (weight via
    kaiming_uniform_ with a=sqrt(5)); re-initialise with `nn.init` for another scheme.
    dtype defaults to float64; float32 is kept end to end when asked for.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: Any = None, generator: Optional[RandomGenerator] = None) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            whole_number(value, f"Linear: {name}")
        dtype = np.dtype(np.float64 if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be a floating type (float32 or float64), "
                            f"got {dtype}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        init.default_linear_(self.weight, self.bias, generator)

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x, "Linear")
        shape = x.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): the input's last "
                             f"axis must have size {self.in_features}, got input of shape "
                             f"{shape}")
        # one fused node: x @ weight.T + bias (read from the registry directly: `self.weight`
        # would go through Module.__getattr__, a Python call, on every forward)
        parameters = self._parameters
        return linear(x, parameters["weight"], parameters["bias"])

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "ReLU").relu()


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x (PyTorch's default slope 0.01)."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = real_number(negative_slope, "LeakyReLU: negative_slope")

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "LeakyReLU").leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """1 / (1 + exp(-x)), computed stably by the engine."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "Sigmoid").sigmoid()


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "Tanh").tanh()


class Identity(Module):
    """Passes its input through (the 'none' activation)."""

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "Identity")


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `axis` (PyTorch's `dim`), stable. For training with
    CrossEntropyLoss, leave it out: the loss takes raw scores (logits)."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = whole_number(axis, "Softmax: axis", minimum=None)  # not 1.5 read as 1

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "Softmax").softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Dropout(Module):
    """Inverted dropout: in training mode each element is zeroed with probability p and the
    survivors are scaled by 1/(1-p), so evaluation mode needs no rescaling and passes x
    through unchanged. Masks come from `generator`, else from the `nn.manual_seed` one."""

    def __init__(self, p: float = 0.5, generator: Optional[RandomGenerator] = None) -> None:
        super().__init__()
        self.p = real_number(p, "Dropout: p", low=0, high=1)
        self.generator = generator

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x, "Dropout")
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        keep = resolve(self.generator).random(x.shape) >= self.p
        return x * (keep.astype(x.dtype) / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Flatten(Module):
    """Merge axes start_dim..end_dim (default: all but the batch axis) into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = whole_number(start_dim, "Flatten: start_dim", minimum=None)
        self.end_dim = whole_number(end_dim, "Flatten: end_dim", minimum=None)

    def forward(self, x: Any) -> Tensor:
        return as_tensor(x, "Flatten").flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Sequential(Module):
    """Modules applied in order; submodules are named "0", "1", ... (or by an OrderedDict's
    keys), so parameters are `0.weight`, `2.bias`, as in PyTorch."""

    def __init__(self, *modules: Union[Module, "OrderedDict[str, Module]"]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(str(name), module)
        else:
            for module in modules:
                self.append(module)

    def append(self, module: Module) -> "Sequential":
        """Add a module at the end, named by its position."""
        self.add_module(str(len(self._modules)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if isinstance(index, slice):  # keeps the original names, as PyTorch does
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        modules = list(self._modules.values())
        try:
            return modules[index]
        except IndexError:
            raise IndexError(f"Sequential: index {index} out of range for {len(modules)} "
                             "modules") from None

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x
