"""Plots write PNG files from plain data, nn.History objects and models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import viz
from autograd_engine import Tensor
from viz.plots import history_series

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_png(path: Path) -> bool:
    return Path(path).read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("history", [
    {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.5], "accuracy": [0.5, 0.7, 0.9]},
    {"train": {"loss": [1.0, 0.5]}, "validation": {"loss": [1.2, 0.9]}},
])
def test_plot_history_from_dicts(history: dict, tmp_path: Path) -> None:
    assert is_png(viz.plot_history(history, tmp_path / "h.png"))


def test_plot_history_compares_named_runs_in_one_figure(tmp_path: Path) -> None:
    """{run name: history}: one line per run and part, labelled with the run's name."""
    import matplotlib.pyplot as plt

    runs = {"plain": {"loss": [10.0, 1.0, 0.05], "accuracy": [0.4, 0.5, 0.6]},
            "adam": {"train": {"loss": [0.7, 0.1]}, "validation": {"loss": [0.8, 0.2]}}}
    seen = {}
    original_save = viz.plots._save

    def keep_axes(fig: object, path: Path) -> Path:
        seen["axes"] = fig.axes
        return original_save(fig, path)

    viz.plots._save = keep_axes
    try:
        assert is_png(viz.plot_history(runs, tmp_path / "runs.png"))
    finally:
        viz.plots._save = original_save
    loss_axes = seen["axes"][0]
    labels = [line.get_label() for line in loss_axes.get_lines()]
    assert labels == ["plain (train)", "adam (train)", "adam (validation)"]
    assert loss_axes.get_yscale() == "log"  # 10 -> 0.05 spans more than two decades
    plt.close("all")


def test_history_series_reads_keras_and_nn_shapes() -> None:
    series = history_series({"loss": [1, 0.5], "val_loss": [2, 1], "accuracy": [0.1, 0.2]})
    assert series == {"loss": {"train": [1.0, 0.5], "validation": [2.0, 1.0]},
                      "accuracy": {"train": [0.1, 0.2]}}
    with pytest.raises(ValueError, match="empty"):
        history_series({})
    with pytest.raises(TypeError, match="nn.History or a dict"):
        history_series([1, 2])


def test_plots_with_a_trained_model(tiny_model, tmp_path: Path) -> None:
    X = np.random.default_rng(0).normal(size=(40, 3))[:, :2]
    model = _TwoD(tiny_model)
    loss = (model(Tensor(X)) ** 2).mean()
    loss.backward()
    assert is_png(viz.plot_decision_boundary(model, X, X[:, 0] > 0, tmp_path / "db.png",
                                             resolution=40))
    assert is_png(viz.plot_grad_flow(tiny_model, tmp_path / "gf.png"))
    assert is_png(viz.plot_weights(tiny_model, tmp_path / "w.png"))


def test_plot_errors_are_clear(tiny_model, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="call loss.backward"):
        viz.plot_grad_flow(tiny_model, tmp_path / "gf.png")
    with pytest.raises(ValueError, match=r"X must be points of shape \(N, 2\)"):
        viz.plot_decision_boundary(tiny_model, np.ones((5, 3)), np.ones(5), tmp_path / "d.png")


def test_bad_arguments_are_named_before_numpy_or_matplotlib_sees_them(tiny_model,
                                                                      tmp_path: Path) -> None:
    two_d = _TwoD(tiny_model)
    with pytest.raises(ValueError, match=r"shape \(N, 2\) with N >= 1, got shape \(0, 2\)"):
        viz.plot_decision_boundary(two_d, np.ones((0, 2)), np.ones(0), tmp_path / "d.png")
    with pytest.raises(TypeError, match="threshold must be a number or None, got str"):
        viz.plot_decision_boundary(two_d, np.ones((4, 2)), np.ones(4), tmp_path / "d.png",
                                   threshold="a")
    # tiny_model takes 3 inputs: the error says so, not only that a (1600, 2) grid failed
    with pytest.raises(ValueError, match=r"the model cannot take 2-D points.*\(3, 4\)"):
        viz.plot_decision_boundary(tiny_model, np.ones((4, 2)), np.ones(4), tmp_path / "d.png",
                                   resolution=40)
    for bins in (0, -3, 2.5, "a", True):
        with pytest.raises(ValueError, match="bins must be a whole number >= 1"):
            viz.plot_weights(tiny_model, tmp_path / "w.png", bins=bins)
    with pytest.raises(TypeError, match="'loss' must be a list of per-epoch values, got float"):
        viz.plot_history({"loss": 1.0}, tmp_path / "h.png")
    assert not list(tmp_path.iterdir())  # nothing written


def test_nn_history_and_real_model(tmp_path: Path) -> None:
    nn = pytest.importorskip("nn")
    from sklearn.datasets import make_moons

    X, y = make_moons(60, noise=0.1, random_state=0)
    nn.manual_seed(0)
    model = nn.MLP([2, 8, 1])
    history = nn.fit(model, X, y, nn.BCEWithLogitsLoss(), nn.optim.SGD(model.parameters(), lr=0.5),
                     epochs=3, validation=(X, y), progress=False, seed=0)
    assert is_png(viz.plot_history(history, tmp_path / "h.png"))
    assert is_png(viz.plot_decision_boundary(model, X, y, tmp_path / "db.png", resolution=40))


class _TwoD:
    """The tiny model fed 2-D points (a zero third column), for the decision boundary."""

    def __init__(self, model) -> None:
        self.model = model

    def named_parameters(self):
        return self.model.named_parameters()

    def __call__(self, x: Tensor) -> Tensor:
        from autograd_engine import concatenate

        return self.model(concatenate([x, Tensor(np.zeros((x.shape[0], 1)))], axis=1))


def test_history_legend_never_covers_data() -> None:
    """Several runs (as the demo passes them): one legend, outside every panel."""
    import matplotlib.pyplot as plt

    epochs = np.arange(1, 41)
    runs = {name: {"train": {"loss": list(1 / epochs * k), "accuracy": list(1 - 0.5 / epochs)},
                   "validation": {"loss": list(1.2 / epochs * k),
                                  "accuracy": list(0.98 - 0.5 / epochs)}}
            for k, name in enumerate(["SGD", "SGD + momentum", "Adam"], start=1)}
    fig = viz.plots.history_figure(runs)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert len(legends) == 1 and len(legends[0].get_texts()) == 6
    box = legends[0].get_window_extent(renderer)
    for ax in fig.axes:
        assert not box.overlaps(ax.get_window_extent(renderer))
    plt.close(fig)


def test_plot_history_with_a_diverged_run(tmp_path: Path) -> None:
    history = {"loss": [1.0, float("inf"), float("nan")], "accuracy": [0.5, 0.5, float("nan")]}
    assert is_png(viz.plot_history(history, tmp_path / "h.png"))
    # huge but finite: matplotlib's log axis overflowed near 1e270; such points draw nothing
    for huge in (1e262, 1e270, 1e290, -1e200):
        assert is_png(viz.plot_history({"loss": [1.0, huge, 2.0]}, tmp_path / "huge.png"))


def test_a_plot_returns_the_file_it_wrote(tmp_path: Path) -> None:
    history = {"loss": [1.0, 0.5]}
    written = viz.plot_history(history, tmp_path / "history")
    assert written == tmp_path / "history.png" and is_png(written)
    with pytest.raises(ValueError, match="is a folder: give a file name"):
        viz.plot_history(history, tmp_path)


def test_a_run_that_finished_no_epoch_is_named_not_plotted(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt
    from viz.plots import history_figure

    figure = history_figure({"gradient descent": {"loss": []}, "Adam": {"loss": [1.0, 0.5]}})
    assert "no epoch finished: gradient descent" in figure._suptitle.get_text()
    plt.close(figure)
    with pytest.raises(ValueError, match="no run finished an epoch"):
        viz.plot_history({"a": {"loss": []}, "b": {}}, tmp_path / "none.png")
