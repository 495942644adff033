"""Shared graphs for the viz tests: micrograd's neuron and a tiny stand-in for nn modules."""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pytest

from autograd_engine import Tensor


def make_neuron() -> Tensor:
    """micrograd's neuron: tanh(x1*w1 + x2*w2 + b), output 0.7071."""
    x1, x2 = Tensor(2.0, name="x1"), Tensor(0.0, name="x2")
    w1 = Tensor(-3.0, requires_grad=True, name="w1")
    w2 = Tensor(1.0, requires_grad=True, name="w2")
    b = Tensor(6.8813735870195432, requires_grad=True, name="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.name = "out"
    return out


@pytest.fixture
def neuron() -> Tensor:
    return make_neuron()


class TinyLinear:
    """A stand-in with the module interface viz reads (named_parameters, named_children)."""

    def __init__(self, n_in: int, n_out: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.in_features, self.out_features = n_in, n_out
        self.weight = Tensor(rng.normal(size=(n_out, n_in)), requires_grad=True)
        self.bias = Tensor(np.zeros(n_out), requires_grad=True)

    def named_parameters(self) -> Iterator[tuple[str, Tensor]]:
        yield "weight", self.weight
        yield "bias", self.bias

    def named_children(self) -> Iterator:
        return iter(())

    def __call__(self, x: Tensor) -> Tensor:
        return x @ self.weight.T + self.bias


class TinyTanh:
    def named_parameters(self) -> Iterator:
        return iter(())

    def named_children(self) -> Iterator:
        return iter(())

    def __call__(self, x: Tensor) -> Tensor:
        return x.tanh()


class TinySequential:
    def __init__(self, *layers: object) -> None:
        self.layers = list(layers)

    def named_children(self) -> Iterator:
        return ((str(i), m) for i, m in enumerate(self.layers))

    def named_parameters(self) -> Iterator[tuple[str, Tensor]]:
        for i, m in enumerate(self.layers):
            for name, p in m.named_parameters():
                yield f"{i}.{name}", p

    def __call__(self, x: Tensor) -> Tensor:
        for m in self.layers:
            x = m(x)
        return x


@pytest.fixture
def tiny_model() -> TinySequential:
    return TinySequential(TinyLinear(3, 4, 0), TinyTanh(), TinyLinear(4, 1, 1))
