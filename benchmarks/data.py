"""What every MLP contender shares: the data, the starting weights, and (for the libraries
with PyTorch's API: ours via nn, and PyTorch) the very same training step.

All contenders start from the same weights and see the same batches, so their losses agree to
rounding and the benchmark can check that before it times anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np


@dataclass
class MLPCase:
    """One MLP benchmark: layer sizes, loss, dtype and the batches one epoch walks through."""

    name: str
    sizes: tuple[int, ...]
    loss: str  # "bce" (one logit, labels 0/1 as floats) or "cross_entropy" (class indices)
    dtype: type
    batches: list[tuple[np.ndarray, np.ndarray]]
    lr: float = 0.1

    def initial_weights(self, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        """(weight (out, in), bias (out,)) per layer, PyTorch's layout and default init
        U(-1/sqrt(in), 1/sqrt(in))."""
        rng = np.random.default_rng(seed)
        layers = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            bound = 1 / np.sqrt(fan_in)
            layers.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(self.dtype),
                           rng.uniform(-bound, bound, fan_out).astype(self.dtype)))
        return layers

    def initial_state_dict(self) -> dict[str, np.ndarray]:
        """The starting weights under the names nn.Sequential (ours and PyTorch's) gives them:
        Linear layers at even positions, ReLUs between them."""
        return {f"{2 * i}.{name}": value for i, pair in enumerate(self.initial_weights())
                for name, value in zip(("weight", "bias"), pair)}


def cycle(batches: list[tuple[np.ndarray, np.ndarray]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The batches in order, forever (an endless stream of epochs)."""
    while True:
        yield from batches


def sequential_mlp(nn: Any, sizes: tuple[int, ...], dtype: Any) -> Any:
    """Linear, ReLU, ..., Linear as nn.Sequential, for `nn` = our nn or torch.nn (same API)."""
    layers: list[Any] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out, dtype=dtype), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def pytorch_style_step(model: Any, loss_fn: Any, optimizer: Any,
                       batches: Iterator[tuple[Any, Any]]) -> Callable[[], float]:
    """The textbook training step, word for word the same in PyTorch and in our nn: forward,
    loss, zero_grad, backward, step. Returns the batch loss."""

    def step() -> float:
        x, y = next(batches)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def breast_cancer_case(batch_size: int) -> MLPCase:
    """Wisconsin breast cancer (569 x 30), standardised, 30-16-8-1, BCE with logits, float64."""
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = y.astype(np.float64).reshape(-1, 1)
    return MLPCase(name=f"breast cancer MLP 30-16-8-1, batch {batch_size}", sizes=(30, 16, 8, 1),
                   loss="bce", dtype=np.float64, batches=_split(x, y, batch_size))


def wide_mlp_case(batch_size: int = 128, samples: int = 1024, seed: int = 0) -> MLPCase:
    """MNIST-shaped random data (784 features, 10 classes), 784-256-10, cross-entropy, float32."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, 784)).astype(np.float32)
    y = rng.integers(0, 10, samples)
    return MLPCase(name=f"wide MLP 784-256-10 float32, batch {batch_size}", sizes=(784, 256, 10),
                   loss="cross_entropy", dtype=np.float32, batches=_split(x, y, batch_size),
                   lr=0.01)


def _split(x: np.ndarray, y: np.ndarray, batch_size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Contiguous copies of each full batch, made once, so no contender pays for the slicing
    (a short last batch is dropped, so every step really has `batch_size` rows)."""
    return [(np.ascontiguousarray(x[i:i + batch_size]), np.ascontiguousarray(y[i:i + batch_size]))
            for i in range(0, len(x) - batch_size + 1, batch_size)]
