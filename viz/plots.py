"""The classic figures of training from scratch, written to files with matplotlib's Agg backend.

`plot_history` (loss and accuracy per epoch, train and validation), `plot_decision_boundary`
(for 2-D data, micrograd's moons figure), `plot_grad_flow` (mean and max |grad| per parameter,
to spot vanishing gradients) and `plot_weights` (a histogram per parameter).
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import matplotlib

matplotlib.use("Agg")  # files only: no window, works on a server
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from autograd_engine import Tensor, no_grad  # noqa: E402

from .dot import FLAG_COLOURS  # noqa: E402
from .labels import count_flags  # noqa: E402
from .modules import named_parameters  # noqa: E402
from .render import file_path  # noqa: E402

NONFINITE_TEXT = FLAG_COLOURS["nonfinite"]

PathLike = Union[str, Path]
#: Values beyond this size are a diverged run's, and draw no point, as nan and inf do:
#: matplotlib's axes cannot span them (its log axis overflows near 1e270).
DRAWABLE = 1e100
#: A history as plain data: {metric: {"train": [...], "validation": [...]}}.
Series = dict[str, dict[str, list[float]]]


def history_series(history: Any) -> Series:
    """Normalise a training history to `{metric: {"train": [...], "validation": [...]}}`.

    Accepts nn's `History` (`.train` and `.validation` dicts), a dict with "train" and
    "validation" dicts, or a Keras-style flat dict (`loss`, `val_loss`, `accuracy`, ...)."""
    series = _series(history)
    if not series:
        raise ValueError("history is empty: train for at least one epoch before plotting")
    return series


def _series(history: Any) -> Series:
    """history_series, empty for a run that finished no epoch."""
    if hasattr(history, "train") and hasattr(history, "validation"):
        parts = {"train": history.train, "validation": history.validation}
    elif isinstance(history, Mapping) and ("train" in history or "validation" in history):
        parts = {"train": history.get("train", {}), "validation": history.get("validation", {})}
    elif isinstance(history, Mapping):
        parts = {"train": {k: v for k, v in history.items() if not k.startswith("val_")},
                 "validation": {k[4:]: v for k, v in history.items() if k.startswith("val_")}}
    else:
        raise TypeError(f"history must be an nn.History or a dict of per-epoch lists, got "
                        f"{type(history).__name__}")
    series: Series = {}
    for part, metrics in parts.items():
        for metric, values in metrics.items():
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise TypeError(f"history: {metric!r} must be a list of per-epoch values, got "
                                f"{type(values).__name__}")
            if len(values):
                series.setdefault(metric, {})[part] = [float(v) for v in values]
    return series


def plot_history(history: Any, path: PathLike, title: str = "Training history",
                 validation_label: str = "validation") -> Path:
    """Loss and every metric against the epoch: train solid, validation dashed (labelled
    `validation_label`, e.g. "test" when the held-out split is the test set).

    `history` is one run's history, or `{run name: history}` to compare runs in one figure,
    each in its own colour (the from-scratch story: plain gradient descent against Adam).
    A loss that spans more than two decades is drawn on a log scale. A diverged run's nan,
    inf and values beyond 1e100 draw no point, and a run that finished no epoch is named in
    the title. One legend, shared by the panels, sits below them, where it cannot hide a
    line."""
    return _save(history_figure(history, title, validation_label), path)


def history_figure(history: Any, title: str = "Training history",
                   validation_label: str = "validation") -> Any:
    """The matplotlib figure `plot_history` saves (for tests and for adding to it)."""
    runs, unfinished = _named_runs(history)
    if unfinished:  # a comparison in which one run diverged in its first epoch
        title += f"\n(no epoch finished: {', '.join(unfinished)})"
    metrics = sorted({m for series in runs.values() for m in series},
                     key=lambda m: (m != "loss", m))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics) + 1, 4.2),
                             squeeze=False, layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics):
        for (run, series), colour in zip(runs.items(), colours * len(runs)):
            for part, values in series.get(metric, {}).items():
                epochs = np.arange(1, len(values) + 1)
                values = np.asarray(values)
                values = np.where(np.abs(values) <= DRAWABLE, values, np.nan)
                ax.plot(epochs, values, color=colour if run else None,
                        marker="o" if len(values) <= 30 else None, markersize=3,
                        label=_part_label(run, part, validation_label),
                        linestyle="-" if part == "train" else "--")
        values = np.concatenate([v for series in runs.values()
                                 for v in series.get(metric, {}).values()])
        values = values[np.abs(values) <= DRAWABLE]  # a diverged run's nan and inf, neither
        if (metric == "loss" and values.size and values.min() > 0
                and values.max() > 100 * values.min()):
            ax.set_yscale("log")
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    _legend_outside(fig, axes[0])
    return fig


def _legend_outside(fig: Any, axes: Any) -> None:
    """One legend for all panels, below them, so it never covers data; each label once, in
    the order first drawn."""
    entries: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    if entries:
        fig.legend(list(entries.values()), list(entries), loc="outside lower center",
                   # entries come train, validation per run: one column per run
                   ncol=len(entries) if len(entries) <= 2 else -(-len(entries) // 2),
                   fontsize=9, frameon=False)


def _part_label(run: str, part: str, validation_label: str) -> str:
    shown = validation_label if part == "validation" else part
    return f"{run} ({shown})" if run else shown


def _named_runs(history: Any) -> tuple[dict[str, Series], list[str]]:
    """{run name: series}, and the names of runs that finished no epoch (left out); a single
    history is the one run named ""."""
    is_single = (hasattr(history, "train") or not isinstance(history, Mapping)
                 or set(history) <= {"train", "validation"}
                 or any(not isinstance(v, Mapping) and not hasattr(v, "train")
                        for v in history.values()))
    if is_single:
        return {"": history_series(history)}, []
    if not history:
        raise ValueError("plot_history: no runs to plot")
    runs, unfinished = {}, []
    for name, run in history.items():
        series = _series(run)
        if series:
            runs[str(name)] = series
        else:  # it diverged in its first epoch
            unfinished.append(str(name))
    if not runs:
        raise ValueError("plot_history: no run finished an epoch, so there is nothing to plot")
    return runs, unfinished


def plot_decision_boundary(model: Any, X: Any, y: Any, path: PathLike,
                           threshold: Optional[float] = None, resolution: int = 200,
                           title: str = "Decision boundary") -> Path:
    """The regions a classifier of 2-D points assigns to each class, with the data on top.

    One output column is a score: class 1 where it exceeds `threshold` (default 0.5 when the
    outputs are probabilities in [0, 1], else 0); several columns: the argmax."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise ValueError(f"plot_decision_boundary: X must be points of shape (N, 2) with "
                         f"N >= 1, got shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"plot_decision_boundary: y has {len(y)} labels for {len(X)} points")
    if threshold is not None and not isinstance(threshold, numbers.Real):
        raise TypeError(f"plot_decision_boundary: threshold must be a number or None, got "
                        f"{type(threshold).__name__}")
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    labels = _predict_labels(model, grid, threshold).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.contourf(xx, yy, labels, alpha=0.3, cmap="coolwarm",
                levels=np.arange(labels.max() + 2) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=14, edgecolors="k", linewidths=0.3)
    ax.set_title(title)
    return _save(fig, path)


def plot_grad_flow(model: Any, path: PathLike, title: str = "Gradient flow") -> Path:
    """Mean and max |grad| of each parameter (after a backward), on a log scale: layers whose
    bars sink towards zero are where gradients vanish. A parameter with inf or nan gradient
    entries is flagged in purple (its name and a count over its bars); the bars show its
    finite entries."""
    named = [(n, p) for n, p in named_parameters(model) if p.grad is not None]
    if not named:
        raise ValueError("plot_grad_flow: no parameter has a .grad; call loss.backward() first")
    names = [n for n, _ in named]
    grads = [np.abs(np.asarray(p.grad.data, dtype=np.float64)).ravel() for _, p in named]
    finite = [g[np.isfinite(g)] for g in grads]
    tiny = 1e-12  # zeros drawn at the bottom of the log axis instead of vanishing
    maxes = [max(f.max(), tiny) if f.size else tiny for f in finite]
    means = [max(f.mean(), tiny) if f.size else tiny for f in finite]
    positions = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(5, 0.6 * len(names) + 2), 4.2), layout="constrained")
    ax.bar(positions - 0.2, maxes, 0.4, label="max |grad|")
    ax.bar(positions + 0.2, means, 0.4, label="mean |grad|")
    ax.set_yscale("log")
    ax.set_xticks(positions, names, rotation=45, ha="right")
    for position, grad, tick in zip(positions, grads, ax.get_xticklabels()):
        if np.all(np.isfinite(grad)):
            continue
        flags = count_flags(grad, zeros=False) or ("inf" if np.isinf(grad).any() else "nan")
        tick.set_color(NONFINITE_TEXT)
        ax.annotate(flags, (position, maxes[position]), xytext=(0, 4),
                    textcoords="offset points", ha="center", fontsize=8, color=NONFINITE_TEXT,
                    fontweight="bold")
    ax.set_ylabel("|grad|")
    ax.grid(alpha=0.3, axis="y")
    fig.suptitle(title)
    _legend_outside(fig, [ax])
    return _save(fig, path)


def plot_weights(model: Any, path: PathLike, bins: int = 30,
                 title: str = "Parameter values") -> Path:
    """A histogram of the values of each parameter, one panel per parameter, in `bins` bins."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"plot_weights: bins must be a whole number >= 1, got {bins!r}")
    named = named_parameters(model)
    if not named:
        raise ValueError("plot_weights: the model has no parameters")
    columns = min(4, len(named))
    rows = -(-len(named) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False)
    for ax, (name, p) in zip(axes.ravel(), named):
        values = np.asarray(p.data, dtype=np.float64).ravel()
        ax.hist(values[np.isfinite(values)], bins=bins, color="#4c6ef5")
        flags = count_flags(values, zeros=False)
        ax.set_title(f"{name} {tuple(np.shape(p.data))}" + (f"\n{flags}" if flags else ""),
                     fontsize=9, color=NONFINITE_TEXT if flags else "black")
    for ax in axes.ravel()[len(named):]:
        ax.axis("off")
    fig.suptitle(title)
    return _save(fig, path)


def _predict_labels(model: Any, points: np.ndarray, threshold: Optional[float]) -> np.ndarray:
    dtype = _parameter_dtype(model)
    try:
        with no_grad():
            out = model(Tensor(points, dtype=dtype))
    except ValueError as error:  # its message names the grid's shape, not the user's data
        raise ValueError(f"plot_decision_boundary: the model cannot take 2-D points (it is "
                         f"given its grid of them, shape {points.shape}): {error}") from None
    scores = np.asarray(out, dtype=np.float64)
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1)
    scores = scores.reshape(-1)
    if threshold is None:
        threshold = 0.5 if scores.min() >= 0 and scores.max() <= 1 else 0.0
    return (scores > threshold).astype(int)


def _parameter_dtype(model: Any) -> Any:
    for _, p in named_parameters(model):
        return p.dtype
    return np.float64


def _save(fig: Any, path: PathLike) -> Path:
    """Write the figure to `path` (a PNG when it has no suffix, as matplotlib would) and
    return the path of the file written."""
    try:
        path = file_path(path, "plot.png")
    except ValueError:
        plt.close(fig)
        raise
    if not path.suffix:
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
