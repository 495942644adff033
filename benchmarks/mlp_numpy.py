"""The hand-written numpy MLP: the classic from-scratch network, and the practical speed limit.

Forward keeps what backward needs (each layer's input), backward is written by hand, the update
is in place, and nothing is computed that the step does not use: no gradient for the input
batch, the bias added in place, relu applied in place, its derivative read off the cached
activation. An engine on numpy can only add overhead to this.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .data import MLPCase, cycle

LossAndGrad = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of logits z against 0/1 labels, and d loss / dz.
    Stable form: max(z, 0) - z*y + log(1 + e^-|z|); the derivative is sigmoid(z) - y."""
    e = np.exp(-np.abs(z))
    loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(e)))
    sigmoid = np.where(z >= 0, 1, e) / (1 + e)
    return loss, (sigmoid - y) / len(z)


def cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of logits z (batch, classes) against class indices y, and d loss / dz
    = (softmax(z) - onehot(y)) / batch."""
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(len(z))
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
    dz = e / total
    dz[rows, y] -= 1
    dz /= len(z)
    return loss, dz


LOSSES: dict[str, LossAndGrad] = {"bce": bce_with_logits, "cross_entropy": cross_entropy}


def make_step(case: MLPCase) -> Callable[[], float]:
    """One SGD training step on the next batch; returns the batch loss."""
    # (in, out) layout, as from-scratch code writes it: z = a @ w + b.
    layers = [(np.ascontiguousarray(w.T), b.copy()) for w, b in case.initial_weights()]
    batches = cycle(case.batches)
    loss_and_grad = LOSSES[case.loss]
    lr = case.dtype(case.lr)
    last = len(layers) - 1

    def step() -> float:
        x, y = next(batches)
        inputs = []  # the cache: each layer's input
        a = x
        for i, (w, b) in enumerate(layers):
            inputs.append(a)
            a = a @ w
            a += b
            if i < last:
                np.maximum(a, 0, out=a)
        loss, dz = loss_and_grad(a, y)
        for i in range(last, -1, -1):
            w, b = layers[i]
            a_in = inputs[i]
            dw = a_in.T @ dz
            db = dz.sum(axis=0)
            if i > 0:  # the input batch needs no gradient
                dz = dz @ w.T
                dz *= a_in > 0  # relu' read off the cached activation
            w -= lr * dw
            b -= lr * db
        return loss

    return step
