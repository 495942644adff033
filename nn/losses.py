"""Losses, written with engine ops (their gradients are the engine's), with PyTorch's names,
formulas and `reduction` ("mean" | "sum" | "none").

Each loss also knows its decision rule, `predict(output)`, which turns the model's output
into class labels; `nn.fit` and `nn.metrics.accuracy` use it, so accuracy is computed the
way the loss reads the output (probability > 0.5, logit > 0, sign, or argmax).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from autograd_engine import (Tensor, binary_cross_entropy, binary_cross_entropy_with_logits,
                             cross_entropy, log_softmax)

from ._checks import real_number
from .module import Module

REDUCTIONS = ("mean", "sum", "none")


def _input(x: Any, loss: str) -> Tensor:
    if isinstance(x, Tensor):
        if x.dtype.kind != "f":
            raise TypeError(f"{loss}: input must be floating point, got dtype {x.dtype}")
        return x
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{loss}: input must be a Tensor or a numeric array, got "
                        f"{type(x).__name__}")
    return Tensor(array, dtype=np.float64 if array.dtype.kind != "f" else None)


def _target_like(target: Any, input: Tensor, loss: str) -> Any:
    """A target of exactly the input's shape (a Tensor, or a constant array in input's dtype).
    Shapes must match: silently broadcasting (N, 1) against (N,) gives an (N, N) loss."""
    shape = target.shape if isinstance(target, Tensor) else np.shape(target)
    if tuple(shape) != tuple(input.shape):
        hint = (" (reshape the target with y.reshape(-1, 1))"
                if tuple(shape) == tuple(input.shape[:1]) and input.shape[1:] == (1,) else "")
        raise ValueError(f"{loss}: target shape {tuple(shape)} must equal the input shape "
                         f"{tuple(input.shape)}{hint}")
    if isinstance(target, Tensor):
        return target
    array = np.asarray(target)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{loss}: target must be numbers, got dtype {array.dtype}")
    return Tensor(array.astype(input.dtype, copy=False))


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


class _Loss(Module):
    """Holds `reduction` and checks it."""

    #: The two labels of a binary loss's decision rule (BCE's 0 and 1, HingeLoss's -1 and
    #: +1), which fit requires of the targets; None for class indices and for regression.
    label_values: Optional[tuple[int, int]] = None

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{', '.join(REDUCTIONS)}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"

    def predict(self, output: Any) -> Optional[np.ndarray]:
        """Class labels this loss's output stands for; None for regression losses."""
        return None


def gives_labels(loss_fn: Any) -> bool:
    """Whether `loss_fn` has a decision rule of its own (`predict`: outputs to class labels);
    regression losses keep _Loss's, which gives None."""
    predict = getattr(type(loss_fn), "predict", None)
    return predict is not None and predict is not _Loss.predict


def _check_probabilities(tensor: Tensor, loss: str, what: str, hint: str) -> None:
    """Values in [0, 1], else a ValueError naming `loss` and `what`, with `hint` the fix."""
    values = np.asarray(tensor.data)
    if values.size and (np.nanmin(values) < 0 or np.nanmax(values) > 1):
        raise ValueError(f"{loss}: {what} must be probabilities in [0, 1], found values from "
                         f"{np.nanmin(values):.4g} to {np.nanmax(values):.4g}; {hint}")


def _binary_labels(output: Any, threshold: float) -> np.ndarray:
    return (np.asarray(output) > threshold).astype(np.int64)


class MSELoss(_Loss):
    """(input - target)^2, averaged or summed."""

    def forward(self, input: Any, target: Any) -> Tensor:
        input = _input(input, "MSELoss")
        diff = input - _target_like(target, input, "MSELoss")
        return _reduce(diff * diff, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p in [0, 1] (a sigmoid's output):
    -(y log p + (1 - y) log(1 - p)), each log clamped at -100 as PyTorch does, so p = 0 or 1
    gives a finite loss and gradient: the engine's fused primitive, with PyTorch's gradient
    (p - y) / max(p(1 - p), 1e-12). Prefer BCEWithLogitsLoss on raw scores: it is exact
    where a sigmoid has rounded to 0 or 1."""

    label_values = (0, 1)

    def forward(self, input: Any, target: Any) -> Tensor:
        input = _input(input, "BCELoss")
        _check_probabilities(input, "BCELoss", "input", "put a sigmoid in front, or use "
                             "BCEWithLogitsLoss on raw scores")
        target = _target_like(target, input, "BCELoss")
        # as PyTorch does: a target of 2 or -1 would give a finite loss that means nothing
        _check_probabilities(target, "BCELoss", "target", "binary labels are 0 and 1")
        return binary_cross_entropy(input, target, self.reduction)

    def predict(self, output: Any) -> np.ndarray:
        return _binary_labels(output, 0.5)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one, on raw scores x: log(1 + e^x) - y x, the
    engine's fused primitive (one node; stable at x = +-1000, gradient sigmoid(x) - y)."""

    label_values = (0, 1)

    def forward(self, input: Any, target: Any) -> Tensor:
        input = _input(input, "BCEWithLogitsLoss")
        target = _target_like(target, input, "BCEWithLogitsLoss")
        return binary_cross_entropy_with_logits(input, target, self.reduction)

    def predict(self, output: Any) -> np.ndarray:
        return _binary_labels(output, 0.0)


class HingeLoss(_Loss):
    """micrograd's max-margin loss for labels y in {-1, +1}: relu(1 - y * score). Zero once a
    point is on the right side with margin 1."""

    label_values = (-1, 1)

    def forward(self, input: Any, target: Any) -> Tensor:
        input = _input(input, "HingeLoss")
        target = _target_like(target, input, "HingeLoss")
        labels = np.asarray(target.data)
        if not np.isin(labels, (-1, 1)).all():
            raise ValueError(f"HingeLoss: labels must be -1 or +1, found "
                             f"{np.unique(labels)[:10].tolist()}; map 0/1 labels with 2 * y - 1")
        return _reduce((1 - target * input).relu(), self.reduction)

    def predict(self, output: Any) -> np.ndarray:
        return np.where(np.asarray(output) > 0, 1, -1)


class CrossEntropyLoss(_Loss):
    """Softmax and negative log-likelihood in one, on raw scores (logits) of shape (N, C):
    -log softmax(x)[n, y_n], computed as x - logsumexp(x) so no score overflows.

    Targets are class indices, integers in [0, C) of shape (N,), as a numpy array or an
    integer Tensor; or class probabilities of shape (N, C) (floating). `label_smoothing` is
    PyTorch's: the target mixes (1 - eps) of the class with eps spread evenly over all C.
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.label_smoothing = real_number(label_smoothing, "CrossEntropyLoss: label_smoothing",
                                           low=0, high=1)

    def forward(self, input: Any, target: Any) -> Tensor:
        input = _input(input, "CrossEntropyLoss")
        if input.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: input must be logits of shape (N, C), got shape "
                             f"{input.shape}; for one sample use x.reshape(1, -1)")
        probabilities = self._target_probabilities(target, input)
        if probabilities is None:  # class indices: the engine's fused node
            return cross_entropy(input, target, self.reduction, self.label_smoothing)
        losses = -(probabilities * log_softmax(input, axis=1)).sum(axis=1)
        return _reduce(losses, self.reduction)

    def _target_probabilities(self, target: Any, input: Tensor) -> Optional[Any]:
        """Floating targets shaped like the input are class probabilities (smoothed here);
        anything else is read as class indices."""
        dtype = target.dtype if isinstance(target, Tensor) else np.asarray(target).dtype
        shape = target.shape if isinstance(target, Tensor) else np.shape(target)
        if dtype.kind != "f" or tuple(shape) != tuple(input.shape):
            return None
        target = _target_like(target, input, "CrossEntropyLoss")
        eps = self.label_smoothing
        return target if not eps else target * (1 - eps) + eps / input.shape[1]

    def predict(self, output: Any) -> np.ndarray:
        return np.argmax(np.asarray(output), axis=-1)
