"""`fit`: the training loop every from-scratch tutorial writes, once, with the checks they
skip: seeded shuffling, validation in eval mode without a graph, a live progress bar, and a
clear stop when the loss turns nan."""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from autograd_engine import Tensor, no_grad

from ._checks import check_finite, from_objects, whole_number
from ._random import manual_seed
from .data import batches
from .losses import CrossEntropyLoss, gives_labels
from .metrics import accuracy, as_labels
from .module import Module
from .optim import LRScheduler, Optimizer

Metric = Union[str, Callable[[np.ndarray, np.ndarray], float]]
METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {"accuracy": accuracy}


class TrainingDiverged(FloatingPointError):
    """The loss became nan or infinite; `history` holds the epochs completed before."""

    def __init__(self, message: str, epoch: int, batch: int, history: "History") -> None:
        super().__init__(message)
        self.epoch, self.batch, self.history = epoch, batch, history


@dataclass
class History:
    """Per-epoch results of `fit`: `train` and `validation` map "loss" and each metric name to
    a list with one value per epoch; `seconds` is the wall time per epoch. `history["loss"]`
    and `history["val_accuracy"]` read like Keras' history."""

    train: dict[str, list[float]] = field(default_factory=dict)
    validation: dict[str, list[float]] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        """1, 2, ... for the epochs run (the x axis of a training plot)."""
        return list(range(1, len(self.seconds) + 1))

    def __getitem__(self, key: str) -> list[float]:
        if key.startswith("val_"):
            return self.validation[key[4:]]
        return self.train[key]

    def record(self, part: str, values: dict[str, float]) -> None:
        """Append one epoch's values to `train` or `validation`."""
        store = getattr(self, part)
        for name, value in values.items():
            store.setdefault(name, []).append(value)

    def last(self) -> dict[str, float]:
        """The final epoch's values, keyed like `history[key]`."""
        out = {k: v[-1] for k, v in self.train.items()}
        out.update({f"val_{k}": v[-1] for k, v in self.validation.items()})
        return out


def predict(model: Module, X: Any, batch_size: Optional[int] = None) -> np.ndarray:
    """The model's outputs on X, in eval mode and without recording a graph."""
    batch_size = whole_number(batch_size, "predict: batch_size", allow_none=True)
    X = _inputs(X, _dtype_of(model), "predict: X")
    size = max(len(X), 1) if batch_size is None else batch_size
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            parts = [np.asarray(model(Tensor(X[start:start + size])).data)
                     for start in range(0, len(X), size)]
    finally:
        model.train(was_training)
    return np.concatenate(parts) if parts else np.zeros((0,))


def evaluate(model: Module, X: Any, y: Any, loss_fn: Module,
             metrics: Sequence[Metric] = ("accuracy",)) -> dict[str, float]:
    """Loss and metrics on a data set, in eval mode and without recording a graph."""
    _check_loss(loss_fn, "evaluate")
    metrics = _metric_list(metrics, "evaluate")
    X, y = _samples(X, y, _dtype_of(model), "evaluate: ")
    _check_targets(metrics, loss_fn, y, "evaluate")
    return _scores(model, X, y, loss_fn, metrics, "evaluate")


def _scores(model: Module, X: np.ndarray, y: np.ndarray, loss_fn: Module,
            metrics: Sequence[Metric], caller: str) -> dict[str, float]:
    """evaluate's loss and metrics, on data and metrics its caller has checked (fit checks
    its validation pair once, not every epoch)."""
    outputs = predict(model, X)
    with no_grad():
        loss = float(loss_fn(Tensor(outputs), _targets(y, outputs, loss_fn)).item())
    if _sums(loss_fn):
        loss /= max(len(outputs), 1)
    return {"loss": loss, **_metric_values(metrics, loss_fn, outputs, y, caller)}


def fit(model: Module, X: Any, y: Any, loss_fn: Module, optimizer: Optimizer, epochs: int,
        batch_size: Optional[int] = None, validation: Optional[tuple[Any, Any]] = None,
        metrics: Sequence[Metric] = ("accuracy",), progress: bool = True,
        seed: Optional[int] = None, scheduler: Optional[LRScheduler] = None) -> History:
    """Train `model` for `epochs` passes over (X, y) and return the History.

    Each batch: forward, `loss_fn(output, y)`, backward, `optimizer.step()`. batch_size=None
    trains on the whole set at once (full-batch gradient descent). `seed` makes the run repeat
    exactly: batches are shuffled by a generator seeded with it, and fit first calls
    `nn.manual_seed(seed)`, so Dropout layers without their own generator draw the same masks
    every run (seed=None leaves the global generator alone and shuffles unpredictably).
    `validation=(X_val, y_val)` is evaluated after every epoch.
    Metrics are names ("accuracy") or functions f(y_true, y_pred_labels); labels come from
    the loss's decision rule (`loss_fn.predict`). Labels of shape (N,) are reshaped to
    (N, 1) for a model with one output column (CrossEntropyLoss takes them as they
    are). `scheduler.step()` runs after each epoch.
    A nan or infinite loss stops training with TrainingDiverged (a FloatingPointError) naming
    the epoch and the batch, and carrying the History of the epochs before.
    The loss recorded is per sample, whatever the loss's reduction: batch means weighted by
    batch size (or batch sums) over the epoch's samples."""
    # everything is checked now, not after an epoch of updates
    _check_fit_args(model, loss_fn, optimizer, epochs, batch_size, seed, scheduler)
    metrics = _metric_list(metrics, "fit")
    X, y = _samples(X, y, _dtype_of(model), "fit: ")
    _check_targets(metrics, loss_fn, y, "fit")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError("fit: validation must be a pair (X_val, y_val)")
        validation = _samples(*validation, _dtype_of(model), "fit: validation ")
        _check_targets(metrics, loss_fn, validation[1], "fit (validation)")
    generator = np.random.default_rng(seed)
    if seed is not None:
        manual_seed(seed)  # Dropout masks come from nn's global generator
    history = History()
    bar = _progress_bar(epochs, progress)
    model.train()
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        total, outputs, targets = 0.0, [], []
        for number, (xb, yb) in enumerate(batches(X, y, batch_size, generator=generator), 1):
            output = model(Tensor(xb))
            loss = loss_fn(output, _targets(yb, output, loss_fn))
            if loss.numel() != 1:
                raise ValueError(f"fit: loss_fn must return one number, got shape {loss.shape}; "
                                 "use reduction='mean' (or 'sum')")
            value = float(loss.item())
            if not math.isfinite(value):
                bar.close()
                raise TrainingDiverged(
                    f"fit: the loss became {value} at epoch {epoch}, batch {number}; the "
                    "updates diverged. Lower the learning rate, standardise the inputs "
                    "(nn.data.Standardizer), or check the data for nan/inf",
                    epoch, number, history)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += value if _sums(loss_fn) else value * len(xb)
            outputs.append(np.asarray(output.data))
            targets.append(yb)
        if scheduler is not None:
            scheduler.step()
        out, tgt = np.concatenate(outputs), np.concatenate(targets)
        history.record("train", {"loss": total / len(X),
                                 **_metric_values(metrics, loss_fn, out, tgt, "fit")})
        if validation is not None:
            history.record("validation", _scores(model, *validation, loss_fn, metrics, "fit"))
        history.seconds.append(time.perf_counter() - started)
        bar.set_postfix_str(_summary(history.last()), refresh=False)
        bar.update(1)
    bar.close()
    return history


def _dtype_of(model: Module) -> np.dtype:
    """Inputs take the parameters' dtype, so a float32 model trains in float32 end to end."""
    first = next(model.parameters(), None)
    return np.dtype(np.float64) if first is None else first.dtype


def _sums(loss_fn: Module) -> bool:
    """Whether the loss adds its samples up (reduction="sum") rather than averaging them."""
    return getattr(loss_fn, "reduction", "mean") == "sum"


def _targets(y: np.ndarray, output: Any, loss_fn: Module) -> Any:
    """Targets as the loss wants them: labels of shape (N,) stay as they are for a
    cross-entropy loss (which checks that they are class indices the model's outputs can
    hold) and for a many-column output;
    otherwise they take the output's dtype (BCE on float32 stays float32), and labels of
    shape (N,) become the column (N, 1) that a one-output model produces."""
    y = np.asarray(y)
    shape = np.shape(getattr(output, "data", output))
    if y.ndim == 1 and (isinstance(loss_fn, CrossEntropyLoss) or (len(shape) == 2
                                                                   and shape[1] > 1)):
        return y
    if y.ndim == 1 and shape == (len(y), 1):
        y = y.reshape(-1, 1)
    return y.astype(np.asarray(getattr(output, "data", output)).dtype, copy=False)


def _inputs(X: Any, dtype: np.dtype, what: str) -> np.ndarray:
    """X as an array of the model's dtype, one row per sample."""
    if X is None:  # numpy would make it nan
        raise TypeError(f"{what} is None; pass an array with one row per sample")
    try:
        X = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be an array of numbers, got {type(X).__name__} "
                        f"({error})") from None
    if X.ndim == 0:
        raise ValueError(f"{what} must hold one row per sample, got a single number")
    return X


def _samples(X: Any, y: Any, dtype: np.dtype, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets as arrays, as many targets as samples and at least one; `what`
    ("fit: ", "fit: validation ") starts the error."""
    X = _inputs(X, dtype, f"{what}X")
    y = np.asarray(y)
    if y.ndim == 0:
        raise TypeError(f"{what}y must be an array of targets, one per sample, got "
                        f"{type(y.item()).__name__}")
    if y.dtype == object:  # a pandas column of 0/1, say: numbers, in the dtype they have
        objects, y = y, from_objects(y)
        if y.dtype.kind not in "biuf":
            odd = [item for item in objects.ravel().tolist()
                   if not isinstance(item, numbers.Real)]
            held = (f"{type(odd[0]).__name__} {odd[0]!r:.40}, not a number" if odd
                    else "numbers with no common numeric dtype")  # Fractions, say
            raise TypeError(f"{what}y has dtype object and holds {held}; pass numeric targets "
                            "(y.astype(float)), or for text labels class indices: "
                            "np.unique(y, return_inverse=True)[1]")
    if len(X) != len(y):
        raise ValueError(f"{what}X has {len(X)} samples but y has {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{what}X and y have no samples")
    # once, here: in training they would show only as a nan loss, blamed on the updates
    check_finite(X, f"{what}X")
    check_finite(y, f"{what}y")
    return X, y


def _check_loss(loss_fn: Any, caller: str) -> None:
    if isinstance(loss_fn, type):
        raise TypeError(f"{caller}: loss_fn is the class {loss_fn.__name__}; pass an "
                        f"instance: nn.{loss_fn.__name__}()")
    if not callable(loss_fn):
        raise TypeError(f"{caller}: loss_fn must be a loss such as nn.MSELoss(), got "
                        f"{type(loss_fn).__name__}")


def _metric_list(metrics: Any, caller: str) -> tuple[Metric, ...]:
    """Metrics as a tuple: one name or function alone is one metric (a string would
    otherwise be read as metrics 'a', 'c', ...)."""
    if metrics is None:
        return ()
    if isinstance(metrics, str) or callable(metrics):
        return (metrics,)
    try:
        metrics = tuple(metrics)
    except TypeError:
        metrics = (metrics,)  # refused below, by name
    for i, metric in enumerate(metrics):
        if not isinstance(metric, str) and not callable(metric):
            raise TypeError(f"{caller}: metrics[{i}] is {metric!r:.40}; a metric is a name "
                            f"({', '.join(METRICS)}) or a function f(y_true, y_pred)")
    return metrics


def _check_metrics(metrics: Sequence[Metric], loss_fn: Module, y: np.ndarray,
                   caller: str) -> None:
    """What can be checked without the model: known metric names, a loss with a decision
    rule (labels to score), and one label per sample for accuracy. Functions the user gives
    are first called at the end of an epoch."""
    if not metrics:
        return
    if not gives_labels(loss_fn):
        _no_labels(metrics, loss_fn, caller)
    for metric in metrics:
        if isinstance(metric, str) and metric not in METRICS:
            raise ValueError(f"{caller}: unknown metric {metric!r}; known: "
                             f"{', '.join(METRICS)}, or pass a function f(y_true, y_pred)")
    if "accuracy" in metrics:
        as_labels(y, f"{caller}: accuracy compares labels, so y")


def _check_targets(metrics: Sequence[Metric], loss_fn: Module, y: np.ndarray,
                   caller: str) -> None:
    """The checks of targets that need no model: the metrics', and a binary loss's labels."""
    _check_metrics(metrics, loss_fn, y, caller)
    _check_binary_labels(loss_fn, y, metrics, caller)


def _check_binary_labels(loss_fn: Module, y: np.ndarray, metrics: Sequence[Metric],
                         caller: str) -> None:
    """A binary loss trains silently on labels {1, 2} or {-1, 1} and scores accuracy 0, so
    its targets must be its two labels: or, without accuracy, soft targets between them."""
    labels = getattr(loss_fn, "label_values", None)
    if labels is None or y.dtype.kind not in "biuf" or not y.size:
        return
    found = np.unique(y)
    low, high = labels
    whole = (found == found.round()).all()
    between = found.min() >= low and found.max() <= high
    if np.isin(found, labels).all() or (between and "accuracy" not in metrics):
        return
    if between and not whole:
        soft = found[found != found.round()][:3].tolist()
        raise ValueError(f"{caller}: y holds soft targets such as {soft}, between {low} and "
                         f"{high}, which accuracy (the default metric) cannot score: it counts "
                         f"{low}/{high} labels. To train on soft targets, pass metrics=() (or "
                         "metrics=[f] with your own f(y_true, y_pred))")
    if set(found.tolist()) == {-1, 1}:
        hint = "use (y + 1) / 2, or HingeLoss for ±1 labels"
    elif len(found) == 2 and whole:
        hint = f"map them with np.where(y == {found[1].item()!r}, {high}, {low})"
    elif whole:
        hint = "for more than two classes use CrossEntropyLoss with one output per class"
    else:
        hint = f"soft targets must lie between {low} and {high}"
    raise ValueError(f"{caller}: labels {found[:10].tolist()} are not {low}/{high}, which "
                     f"{type(loss_fn).__name__} needs: {hint}")


def _no_labels(metrics: Sequence[Metric], loss_fn: Module, caller: str) -> None:
    raise ValueError(f"{caller}: metrics {list(metrics)} need class labels, but "
                     f"{type(loss_fn).__name__} is not a classification loss; pass "
                     "metrics=() for regression")


def _metric_values(metrics: Sequence[Metric], loss_fn: Module, outputs: np.ndarray,
                   y: np.ndarray, caller: str) -> dict[str, float]:
    """The metrics' values; their callers have run _check_metrics on them first."""
    if not metrics:
        return {}
    predictions = loss_fn.predict(outputs)
    if predictions is None:  # a loss's own predict that gives no labels
        _no_labels(metrics, loss_fn, caller)
    values = {}
    for metric in metrics:
        function = METRICS[metric] if isinstance(metric, str) else metric
        name = metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
        values[name] = float(function(y, predictions))
    return values


def _check_fit_args(model: Module, loss_fn: Any, optimizer: Optimizer, epochs: int,
                    batch_size: Optional[int], seed: Optional[int], scheduler: Any) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    _check_loss(loss_fn, "fit")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nn.optim optimizer, got "
                        f"{type(optimizer).__name__}")
    if scheduler is not None and not isinstance(scheduler, LRScheduler):
        hint = (": pass the optimizer as optimizer, and a scheduler made from it, e.g. "
                "nn.optim.StepLR(optimizer, step_size=10)" if isinstance(scheduler, Optimizer)
                else "")
        raise TypeError(f"fit: scheduler must be None or an nn.optim scheduler, got "
                        f"{type(scheduler).__name__}{hint}")
    whole_number(epochs, "fit: epochs")
    whole_number(batch_size, "fit: batch_size", allow_none=True)
    whole_number(seed, "fit: seed", minimum=0, allow_none=True)


def _summary(values: dict[str, float]) -> str:
    """Compact live numbers for the bar: "loss=0.1234 acc=0.950 val_loss=... val_acc=..."."""
    return " ".join(f"{k.replace('accuracy', 'acc')}={v:.4g}" for k, v in values.items())


def _progress_bar(epochs: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    # disable=None: no bar when the output is not a terminal (a log, a pipe), where the
    # redrawn bar would be one long line of carriage returns
    return tqdm(total=epochs, desc="training", unit="epoch", disable=None if enabled else True)
