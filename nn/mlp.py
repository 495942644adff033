"""`MLP`: a stack of Linear layers with activations, from a list of sizes or from the classic
from-scratch architecture list of layer dicts."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence

from autograd_engine import Tensor

from . import init as initializers
from ._checks import whole_number
from ._random import RandomGenerator
from .layers import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh
from .module import Module

ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "leaky_relu": LeakyReLU,
    "softmax": lambda: Softmax(axis=-1),
}

#: Weight schemes for `from_architecture(init=...)`; biases start at 0 except for "pytorch"
#: (Linear's own default) and "naive" (the from-scratch original drew them with randn too).
INIT_SCHEMES = ("pytorch", "naive", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                "kaiming_normal")


def make_activation(name: Optional[str], where: str) -> Optional[Module]:
    """The activation module for `name` (None / "none" -> no module)."""
    if name is None or name == "none":
        return None
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"{where}: unknown activation {name!r}; use one of "
                         f"{', '.join(ACTIVATIONS)}, or 'none'")
    return ACTIVATIONS[name]()


class MLP(Module):
    """A multilayer perceptron: Linear layers of the given sizes with `activation` between
    them and `output_activation` (None: raw scores, what the losses *WithLogits and
    CrossEntropy expect) after the last. `init` picks the weight scheme (INIT_SCHEMES; the
    default "pytorch" is Linear's own).

    MLP([30, 16, 8, 1], activation="relu", output_activation="sigmoid")

    The layers live in `self.layers` (a Sequential), so parameters are named
    `layers.0.weight`, `layers.0.bias`, `layers.2.weight`, ... as in PyTorch.
    """

    def __init__(self, sizes: Sequence[int], activation: Optional[str] = "relu",
                 output_activation: Optional[str] = None, dtype: Any = None,
                 generator: Optional[RandomGenerator] = None, init: str = "pytorch") -> None:
        super().__init__()
        if isinstance(sizes, (str, Mapping)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"MLP: sizes must be a list of layer sizes such as [30, 16, 1], "
                            f"got {sizes!r:.40}")
        sizes = list(sizes)
        for i, size in enumerate(sizes):
            _check_size(size, f"MLP: sizes[{i}]")
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got "
                             f"{sizes}")
        activations = [activation] * (len(sizes) - 2) + [output_activation]
        self._build(sizes, activations, init, dtype, generator)

    def _build(self, sizes: list[int], activations: list[Optional[str]], scheme: str,
               dtype: Any, generator: Optional[RandomGenerator]) -> None:
        if scheme not in INIT_SCHEMES:
            raise ValueError(f"MLP: unknown init {scheme!r}; use one of {', '.join(INIT_SCHEMES)}")
        self.layers = Sequential()
        for i, act in enumerate(activations):
            module = make_activation(act, f"MLP layer {i}")
            linear = Linear(sizes[i], sizes[i + 1], dtype=dtype, generator=generator)
            _initialise(linear, scheme, act, generator)
            self.layers.append(linear)
            if module is not None:
                self.layers.append(module)

    def forward(self, x: Any) -> Tensor:
        return self.layers(x)

    def linears(self) -> list[Linear]:
        """The Linear layers, first to last."""
        return [m for m in self.layers if isinstance(m, Linear)]

    @classmethod
    def from_architecture(cls, architecture: Sequence[Mapping[str, Any]], init: str = "pytorch",
                          dtype: Any = None, generator: Optional[RandomGenerator] = None
                          ) -> "MLP":
        """Build from the from-scratch list of layer dicts:

            [{"input_dim": 30, "output_dim": 16, "activation": "relu"},
             {"input_dim": 16, "output_dim": 1, "activation": "sigmoid"}]

        Activations: relu, sigmoid, tanh, leaky_relu, softmax, none. `init` picks the weight
        scheme: one of INIT_SCHEMES ("naive" is the original's randn * 0.1 for weights and
        biases). A layer whose input_dim is not the previous output_dim is an error naming it.
        """
        sizes, activations = _read_architecture(architecture)
        model = cls.__new__(cls)  # the layer list is already known: skip __init__'s parsing
        Module.__init__(model)
        model._build(sizes, activations, init, dtype, generator)
        return model

def _read_architecture(architecture: Sequence[Mapping[str, Any]]
                       ) -> tuple[list[int], list[Optional[str]]]:
    """Check the layer dicts and return the sizes and the activations."""
    if isinstance(architecture, (str, Mapping)) or not len(architecture):
        raise ValueError("MLP.from_architecture: expected a non-empty list of layer dicts like "
                         "{'input_dim': 30, 'output_dim': 16, 'activation': 'relu'}")
    sizes: list[int] = []
    activations: list[Optional[str]] = []
    for i, layer in enumerate(architecture):
        if not isinstance(layer, Mapping) or not {"input_dim", "output_dim"} <= set(layer):
            raise ValueError(f"architecture layer {i}: expected a dict with input_dim, "
                             f"output_dim and activation, got {layer!r}")
        unknown = set(layer) - {"input_dim", "output_dim", "activation"}
        if unknown:
            raise ValueError(f"architecture layer {i}: unknown keys {sorted(unknown)}; a layer "
                             "has input_dim, output_dim and activation")
        n_in, n_out = layer["input_dim"], layer["output_dim"]
        _check_size(n_in, f"architecture layer {i}: input_dim")
        _check_size(n_out, f"architecture layer {i}: output_dim")
        if sizes and n_in != sizes[-1]:
            raise ValueError(f"architecture layer {i}: input_dim is {n_in} but layer {i - 1} "
                             f"outputs {sizes[-1]} (output_dim); make them equal")
        if not sizes:
            sizes.append(n_in)
        sizes.append(n_out)
        activation = layer.get("activation", "none")
        make_activation(activation, f"architecture layer {i}")  # fail early on a typo
        activations.append(activation)
    return sizes, activations


def _check_size(size: Any, what: str) -> None:
    if isinstance(size, dict):
        raise TypeError(f"{what} is a layer dict: an architecture list goes to "
                        "nn.MLP.from_architecture(arch); nn.MLP takes sizes like [30, 16, 1]")
    whole_number(size, what)


def _initialise(linear: Linear, scheme: str, activation: Optional[str],
                generator: Optional[RandomGenerator]) -> None:
    """Re-initialise a Linear with a named scheme; Kaiming's gain follows the activation."""
    if scheme == "pytorch":
        return
    if scheme == "naive":
        initializers.naive_(linear.weight, generator=generator)
        initializers.naive_(linear.bias, generator=generator)
        return
    # the gain of what follows the layer (calculate_gain's names); the output layer and
    # softmax are linear for this purpose
    nonlinearity = activation if activation in ("relu", "leaky_relu", "tanh", "sigmoid") \
        else "linear"
    if scheme == "xavier_uniform":
        initializers.xavier_uniform_(linear.weight, generator=generator)
    elif scheme == "xavier_normal":
        initializers.xavier_normal_(linear.weight, generator=generator)
    elif scheme == "kaiming_uniform":
        initializers.kaiming_uniform_(linear.weight, nonlinearity=nonlinearity, generator=generator)
    else:
        initializers.kaiming_normal_(linear.weight, nonlinearity=nonlinearity, generator=generator)
    initializers.zeros_(linear.bias)
