"""Metrics on predicted labels: accuracy, and scikit-learn's classification report."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from ._checks import from_objects


def as_labels(values: Any, what: str) -> np.ndarray:
    """One label per sample, as an array of shape (N,); `what` names it in the error. An
    object array of numbers becomes numbers, which compare with labels of any other dtype."""
    array = from_objects(np.asarray(getattr(values, "data", values)))
    if array.ndim == 2 and array.shape[1] == 1:  # a column of labels, as (N, 1) targets give
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{what} must be one label per sample, shape (N,) or (N, 1); got "
                         f"shape {array.shape}")
    return array


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of samples whose predicted label equals the true one."""
    true = as_labels(y_true, "accuracy: y_true")
    pred = as_labels(y_pred, "accuracy: y_pred")
    if true.shape != pred.shape:
        raise ValueError(f"accuracy: y_true has {true.shape[0]} labels, y_pred "
                         f"{pred.shape[0]}")
    if true.size == 0:
        raise ValueError("accuracy: no samples")
    _check_comparable(true, pred)
    return float(np.mean(true == pred))


def _check_comparable(true: np.ndarray, pred: np.ndarray) -> None:
    """Labels that can never be equal would score 0 without a word: text against numbers
    ('1' != 1), or probabilities against labels (0.9 != 1)."""
    kinds = [_kind(labels) for labels in (true, pred)]
    if kinds[0] != kinds[1]:
        raise TypeError(f"accuracy: y_true holds {kinds[0]} but y_pred {kinds[1]}, so no label "
                        "can match; convert one, e.g. y.astype(int)")
    for labels, name in ((true, "y_true"), (pred, "y_pred")):
        if labels.dtype.kind == "f" and not (labels == np.round(labels)).all():
            found = labels[labels != np.round(labels)][:3].tolist()
            raise ValueError(f"accuracy: {name} holds non-integer values such as {found}, not "
                             "labels; threshold probabilities first, e.g. (p > 0.5).astype(int), "
                             "or use the loss's decision rule, loss_fn.predict(output)")


def _kind(labels: np.ndarray) -> str:
    kind = labels.dtype.kind
    return "numbers" if kind in "biuf" else "text" if kind in "US" else f"{labels.dtype} values"


def classification_report(y_true: Any, y_pred: Any,
                          target_names: Optional[Sequence[str]] = None, digits: int = 3,
                          labels: Optional[Sequence[Any]] = None) -> str:
    """Precision, recall, F1 and support per class (scikit-learn's report, as text). The
    target names stand for `labels` when given; else, for two names, for HingeLoss's -1 and
    +1 when every label is one of them; for classes 0..C-1 when every true label fits them
    and every prediction does or is -1 (a diverged model's "no class", counted as wrong);
    or for the C labels of y_true, sorted (else of y_true and y_pred together)."""
    from sklearn.metrics import classification_report as sklearn_report

    true, pred = as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred")
    if labels is None and target_names is not None:
        labels = _named_labels(true, pred, len(target_names))
    return sklearn_report(true, pred, labels=labels, target_names=target_names, digits=digits,
                          zero_division=0)


def _named_labels(true: np.ndarray, pred: np.ndarray, names: int) -> list[Any]:
    truth, seen = np.unique(true), np.union1d(true, pred)
    if names == 2 and np.isin(seen, [-1, 1]).all():
        return [-1, 1]
    coded = np.arange(names)
    if np.isin(truth, coded).all() and np.isin(pred[pred != -1], coded).all():
        return list(range(names))
    for labels in (truth, seen):  # the classes of y_true, else with the predicted ones
        if len(labels) == names:
            return labels.tolist()
    raise ValueError(f"classification_report: {names} target_names for the labels "
                     f"{seen.tolist()[:10]} of y_true and y_pred; pass labels=[...], one per "
                     "name, to say which label each name stands for")
