"""Metrics on predicted labels: accuracy, and scikit-learn's classification report."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np


def _labels(values: Any, what: str) -> np.ndarray:
    array = np.asarray(getattr(values, "data", values))
    if array.ndim == 2 and array.shape[1] == 1:  # a column of labels, as (N, 1) targets give
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{what} must be one label per sample, shape (N,) or (N, 1); got "
                         f"shape {array.shape}")
    return array


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of samples whose predicted label equals the true one."""
    true, pred = _labels(y_true, "accuracy: y_true"), _labels(y_pred, "accuracy: y_pred")
    if true.shape != pred.shape:
        raise ValueError(f"accuracy: y_true has {true.shape[0]} labels, y_pred "
                         f"{pred.shape[0]}")
    if true.size == 0:
        raise ValueError("accuracy: no samples")
    return float(np.mean(true == pred))


def classification_report(y_true: Any, y_pred: Any,
                          target_names: Optional[Sequence[str]] = None, digits: int = 3) -> str:
    """Precision, recall, F1 and support per class (scikit-learn's report, as text)."""
    from sklearn.metrics import classification_report as sklearn_report

    true, pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    labels = None if target_names is None else _named_labels(true, pred, len(target_names))
    return sklearn_report(true, pred, labels=labels, target_names=target_names, digits=digits,
                          zero_division=0)


def _named_labels(true: np.ndarray, pred: np.ndarray, names: int) -> list[Any]:
    """The labels that `names` target names stand for, in order: classes 0..C-1 (some may be
    missing from this split), HingeLoss's -1 and +1, or else the sorted labels of y_true."""
    seen = np.union1d(true, pred)
    for coding in (list(range(names)), [-1, 1]):
        if len(coding) == names and np.isin(seen, coding).all():
            return coding
    in_truth = np.unique(true).tolist()
    if len(in_truth) == names:  # e.g. classes 1..3; a prediction outside them is an error
        return in_truth
    raise ValueError(f"classification_report: {names} target_names for the labels "
                     f"{seen.tolist()[:10]} of y_true and y_pred; give one name per class, in "
                     "the sorted order of the labels")
