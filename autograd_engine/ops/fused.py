"""Fused primitives: several ops as one node, where that is exact and saves real time.

Each is exactly the composite named in its docstring (the tests gradcheck both and compare
them), but records one node instead of four or five, which matters for small networks, where
Python's per-op overhead costs more than the arithmetic. Graphs show them as what they are:
`linear`, `binary_cross_entropy_with_logits`, `cross_entropy`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Function, Grads, call, constant, values
from ..tensor import Tensor, as_operand
from .elementwise import Clip, Exp, Log, Log1p, Maximum, Sigmoid
from .reductions import LogSoftmax


class Linear(Function):
    """x @ weightᵀ + bias, with weight of shape (out, in) as in PyTorch.
    d/dx = grad @ weight,   d/dweight = gradᵀ @ x (summed over batch axes),
    d/dbias = grad summed over every axis but the last"""

    __slots__ = ()
    rule = "∂/∂x = grad @ W,  ∂/∂W = gradᵀ @ x,  ∂/∂b = Σ grad"

    def forward(self, x: Any, weight: Any, bias: Any = None) -> Any:
        out = x @ weight.T
        if bias is not None:
            out += bias  # `out` is a fresh array: adding in place saves one allocation
        return out

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        x, weight = arrays[0], arrays[1]
        if np.ndim(weight) not in (1, 2):
            return ValueError(f"linear: weight must have shape (out_features, in_features), "
                              f"got shape {np.shape(weight)}")
        if len(arrays) == 3 and np.shape(x)[-1:] == np.shape(weight)[-1:]:  # so the bias failed
            return ValueError(f"linear: bias of shape {np.shape(arrays[2])} does not fit a "
                              f"weight of shape {np.shape(weight)}: it must have shape "
                              f"({np.shape(weight)[0]},) (out_features)")
        return ValueError(f"linear: input of shape {np.shape(x)} does not fit a weight of shape "
                          f"{np.shape(weight)}: the input's last axis must have size "
                          f"{np.shape(weight)[-1]} (in_features)")

    def backward(self, grad: Any, out: Any, x: Any, weight: Any, bias: Any = None) -> Grads:
        grad_x = grad @ weight if self.needs(0) else None
        if x.ndim != 2:  # fold batch axes: a (..., in) input is a (batch, in) matrix
            # (the batch size itself, not -1, which numpy cannot infer when in or out is 0)
            batch = math.prod(x.shape[:-1])
            grad, x = grad.reshape(batch, grad.shape[-1]), x.reshape(batch, x.shape[-1])
        grad_weight = grad.mT @ x if self.needs(1) else None
        grad_bias = grad.sum(axis=0) if bias is not None and self.needs(2) else None
        return grad_x, grad_weight, grad_bias


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """The affine map of a Linear layer: x @ weight.T + bias (PyTorch's F.linear). Each
    operand may be a Tensor, or numbers, a list or an array (a constant)."""
    x = as_operand(x, "linear (input)", wrap_numbers=True)
    weight = as_operand(weight, "linear (weight)", wrap_numbers=True)
    if bias is None:
        return Linear.apply(x, weight)
    return Linear.apply(x, weight, as_operand(bias, "linear (bias)", wrap_numbers=True))


def softplus(z: Any) -> Any:
    """log(1 + e^z), computed by numpy's logaddexp as max(z, 0) + log(1 + e^-|z|): no
    exponent is positive. Underflow of e^-|z| to 0 is the right answer, not an error."""
    try:
        return np.logaddexp(0, z)
    except FloatingPointError:
        with np.errstate(under="ignore"):
            return np.logaddexp(0, z)


class BinaryCrossEntropyWithLogits(Function):
    """The loss of logits z against targets y in [0, 1], elementwise
        log(1 + e^z) - z·y  =  -[y log σ(z) + (1-y) log(1-σ(z))],
    then averaged ("mean"), summed ("sum") or kept ("none"). Stable at logits of ±1000.
    d/dz = (σ(z) - y) · r,   d/dy = -z · r,   with r = 1/n for "mean", else 1"""

    __slots__ = ("reduction", "softplus_z")
    rule = "∂/∂z = σ(z) − y,  ∂/∂y = −z  (÷ n for the mean)"
    saved_by_forward = ("softplus_z",)

    def __init__(self, reduction: str) -> None:
        self.reduction = reduction

    def forward(self, logits: Any, target: Any) -> Any:
        self.softplus_z = softplus(logits)
        return _reduce(self.softplus_z - logits * target, self.reduction)

    def backward(self, grad: Any, out: Any, logits: Any, target: Any) -> Grads:
        if self.reduction == "mean":
            grad = grad / values(logits).size
        grad_logits = None
        if self.needs(0):
            # On arrays, σ(z) = 1 - e^-softplus(z) from the forward's softplus: one expm1, as
            # exact as sigmoid's five ufuncs. Recorded (create_graph), σ is computed again
            # from the logits, so that its graph reaches them.
            sigmoid = (call(Sigmoid, logits) if isinstance(logits, Tensor)
                       else -np.expm1(-self.softplus_z))
            grad_logits = (sigmoid - target) * grad
        grad_target = -logits * grad if self.needs(1) else None
        return grad_logits, grad_target

    @property
    def label(self) -> str:
        return f"binary_cross_entropy_with_logits({self.reduction})"


class BinaryCrossEntropy(Function):
    """The loss of probabilities p against targets y, elementwise
        -(y·log p + (1 - y)·log(1 - p)),  each log clamped at -100 as PyTorch does,
    log(1 - p) as log1p(-p), which keeps the digits of a small p (as PyTorch does),
    then averaged ("mean"), summed ("sum") or kept ("none").
    d/dp = (p - y) / max(p(1 - p), ε)   (PyTorch's rule, ε its float32 1e-12: finite at 0 and 1)
    d/dy = log(1 - p) - log p               (the clamped logs)"""

    __slots__ = ("reduction",)
    rule = "∂/∂p = (p − y) / (p·(1 − p)),  ∂/∂y = log(1 − p) − log p"
    LOG_FLOOR = -100.0
    EPSILON = float(np.float32(1e-12))  # PyTorch's 1e-12, which it holds as a float32

    def __init__(self, reduction: str) -> None:
        self.reduction = reduction

    def forward(self, p: Any, target: Any) -> Any:
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped to -100
            log_p = np.maximum(np.log(p), self.LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), self.LOG_FLOOR)
        return _reduce(-(target * log_p + (1 - target) * log_q), self.reduction)

    def backward(self, grad: Any, out: Any, p: Any, target: Any) -> Grads:
        if self.reduction == "mean":
            grad = grad / values(p).size
        grad_p = grad_target = None
        if self.needs(0):
            grad_p = grad * (p - target) / call(Maximum, p * (1 - p), self.EPSILON)
        if self.needs(1):
            with np.errstate(divide="ignore"):
                log_p, log_q = call(Log, p), call(Log1p, -p)
            grad_target = grad * (call(Clip, log_q, low=self.LOG_FLOOR, high=None)
                                  - call(Clip, log_p, low=self.LOG_FLOOR, high=None))
        return grad_p, grad_target

    @property
    def label(self) -> str:
        return f"binary_cross_entropy({self.reduction})"


class CrossEntropy(Function):
    """Softmax cross-entropy of logits z (N, C) against class indices y (N,), with PyTorch's
    label smoothing ε: per row, with log p = log_softmax(z),
        loss_n = -(1 - ε) · log p[y_n] - ε · mean_c(log p_c),
    then averaged ("mean"), summed ("sum") or kept ("none"). Stable at logits of ±1000.
    d loss_n/dz_n = softmax(z_n) - t_n,  t_n = (1 - ε) · onehot(y_n) + ε/C   (÷ N for the mean)
    The classes are an operand, not a parameter, so that a new batch's labels are data, as
    the logits are; they get no gradient."""

    __slots__ = ("reduction", "label_smoothing", "log_p")
    rule = "∂/∂z = softmax(z) − onehot(y)  (÷ N for the mean)"
    saved_by_forward = ("log_p",)

    def __init__(self, reduction: str, label_smoothing: float) -> None:
        self.reduction = reduction
        self.label_smoothing = label_smoothing

    def forward(self, logits: Any, classes: Any) -> Any:
        _check_class_indices(classes, logits.shape)  # here, in the op: replays run it too
        log_p = self.log_p = call(LogSoftmax, logits, axes=(1,))
        losses = -log_p[np.arange(len(classes)), classes]
        if self.label_smoothing:
            losses = (1 - self.label_smoothing) * losses - self.label_smoothing * log_p.mean(1)
        return _reduce(losses, self.reduction)

    def backward(self, grad: Any, out: Any, logits: Any, classes: Any) -> Grads:
        logit_values = values(logits)
        n, c = logit_values.shape
        if self.reduction == "mean":
            grad = grad / n
        elif self.reduction == "none":
            grad = grad.reshape(n, 1)  # one loss per row: scale each row of the softmax
        target = np.full((n, c), self.label_smoothing / c, dtype=logit_values.dtype)
        target[np.arange(n), values(classes)] += 1 - self.label_smoothing
        # On arrays, softmax comes from the forward's log-probabilities. Recorded (create_graph),
        # it is computed again from the logits, so that its graph reaches them.
        log_p = call(LogSoftmax, logits, axes=(1,)) if isinstance(logits, Tensor) else self.log_p
        softmax = call(Exp, log_p)
        return (softmax - constant(target, like=grad)) * grad, None

    @property
    def label(self) -> str:
        smoothing = f", label_smoothing={self.label_smoothing:g}" if self.label_smoothing else ""
        return f"cross_entropy({self.reduction}{smoothing})"


def _reduce(loss: Any, reduction: str) -> Any:
    if reduction == "mean":  # np.mean's own arithmetic, without its Python-level wrapper
        return loss.sum() / loss.size
    return loss.sum() if reduction == "sum" else loss


REDUCTIONS = ("mean", "sum", "none")


def binary_cross_entropy(p: Any, target: Any, reduction: str = "mean") -> Tensor:
    """PyTorch's F.binary_cross_entropy: probabilities and targets of the same shape."""
    return BinaryCrossEntropy.apply(*_loss_operands("binary_cross_entropy", p, target,
                                                    reduction), reduction=reduction)


def binary_cross_entropy_with_logits(logits: Any, target: Any,
                                     reduction: str = "mean") -> Tensor:
    """PyTorch's F.binary_cross_entropy_with_logits: logits and targets of the same shape."""
    return BinaryCrossEntropyWithLogits.apply(
        *_loss_operands("binary_cross_entropy_with_logits", logits, target, reduction),
        reduction=reduction)


def cross_entropy(logits: Any, target: Any, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """PyTorch's F.cross_entropy for class indices: logits (N, C), target integers (N,) in
    [0, C) (a Tensor or an array); one node. Class probabilities as targets are nn's
    CrossEntropyLoss's (a composite of log_softmax)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got "
                         f"{reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    logits = as_operand(logits, "cross_entropy (input)", wrap_numbers=True)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: input must be logits of shape (N, C), got shape "
                         f"{logits.shape}; for one sample use x.reshape(1, -1)")
    classes = as_operand(target, "cross_entropy (target)", wrap_numbers=True)
    return CrossEntropy.apply(logits, classes, reduction=reduction,
                              label_smoothing=float(label_smoothing))


def _check_class_indices(classes: Any, shape: tuple[int, ...]) -> None:
    """Raise unless `classes` are integers of shape (N,) in [0, C), for logits of `shape`."""
    n, count = shape
    classes = np.asarray(classes)
    if classes.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: class targets must be integers of shape ({n},), got "
                        f"dtype {classes.dtype} and shape {classes.shape}; convert with "
                        "y.astype(int), or pass class probabilities of shape (N, C) to "
                        "nn.CrossEntropyLoss")
    if classes.shape != (n,):
        one_hot = ("; for one-hot targets pass the class indices y.argmax(1), or float class "
                   "probabilities to nn.CrossEntropyLoss") if classes.shape == shape else ""
        raise ValueError(f"cross_entropy: class targets must have shape ({n},) for logits of "
                         f"shape {shape}, got shape {classes.shape}{one_hot}")
    bad = (classes < 0) | (classes >= count)
    if bad.any():
        where = np.flatnonzero(bad)
        one_output = ("; logits of one column are one class: for two classes give the model "
                      "two outputs, or use binary_cross_entropy_with_logits (nn.BCEWithLogitsLoss)"
                      " with one") if count == 1 else ""
        raise ValueError(f"cross_entropy: class index {classes[where[0]]} (at position "
                         f"{where[0]}; {where.size} bad in all) is out of range for {count} "
                         f"classes; targets must be in [0, {count - 1}]{one_output}")


def _loss_operands(loss: str, input: Any, target: Any, reduction: str) -> tuple[Tensor, Tensor]:
    """Check the reduction and that target has the input's shape (each a Tensor, or numbers,
    a list or an array: a constant); silently broadcasting (N, 1) against (N,) would give an
    (N, N) loss."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{loss}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    input = as_operand(input, f"{loss} (input)", wrap_numbers=True)
    target = as_operand(target, f"{loss} (target)", wrap_numbers=True)
    if input.shape != target.shape:
        raise ValueError(f"{loss}: input of shape {input.shape} and target of shape "
                         f"{target.shape} must have the same shape")
    return input, target
