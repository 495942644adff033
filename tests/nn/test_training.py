"""nn.fit, History, predict and evaluate."""

from __future__ import annotations

import sys
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import nn

X = np.random.default_rng(0).normal(size=(64, 2))
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def model_and_optimizer(lr: float = 0.05) -> tuple[nn.MLP, nn.optim.Optimizer]:
    model = nn.MLP([2, 8, 1], generator=np.random.default_rng(0))
    return model, nn.optim.Adam(model.parameters(), lr=lr)


def test_fit_learns_and_records_history() -> None:
    model, optimizer = model_and_optimizer()
    history = nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=30, batch_size=16,
                     validation=(X[:16], Y[:16]), progress=False, seed=0)
    assert history.epochs == list(range(1, 31))
    assert set(history.train) == {"loss", "accuracy"} == set(history.validation)
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["accuracy"][-1] >= 0.95 and history["val_accuracy"][-1] >= 0.9
    assert len(history.seconds) == 30 and history.last()["val_loss"] == history["val_loss"][-1]
    assert model.training  # fit leaves the model in train mode


def test_mistakes_that_would_train_nothing_or_waste_an_epoch_fail_before_any_update() -> None:
    """Cross-entropy's class indices with a one-output model (as probabilities they would
    give a loss of 0 and no gradient), and accuracy for a regression loss."""
    for loss_fn, labels, message in [
            (nn.CrossEntropyLoss(), Y, "out of range for 1 classes.*two outputs, or use "
                                       "binary_cross_entropy_with_logits"),
            (nn.CrossEntropyLoss(), Y.astype(float), "class targets must be integers"),
            (nn.MSELoss(), Y, "not a classification loss")]:
        model, optimizer = model_and_optimizer()
        before = model.state_dict()
        with pytest.raises((ValueError, TypeError), match=message):
            nn.fit(model, X, labels, loss_fn, optimizer, epochs=2, progress=False)
        for name, value in model.state_dict().items():
            np.testing.assert_array_equal(value, before[name], err_msg=name)


@pytest.mark.parametrize("loss_fn, labels, metrics, message", [
    (nn.BCEWithLogitsLoss(), 2 * Y - 1, ("accuracy",),
     r"labels \[-1, 1\] are not 0/1, which BCEWithLogitsLoss needs: use \(y \+ 1\) / 2, or "
     "HingeLoss for ±1 labels"),
    (nn.BCEWithLogitsLoss(), Y + 1, (), r"labels \[1, 2\] are not 0/1.*np.where\(y == 2, 1, 0\)"),
    (nn.BCELoss(), np.arange(64) % 3, (), "more than two classes use CrossEntropyLoss"),
    (nn.HingeLoss(), Y, ("accuracy",), r"not -1/1, which HingeLoss.*np.where\(y == 1, 1, -1\)"),
    (nn.BCEWithLogitsLoss(), Y * 0.8, ("accuracy",),
     r"y holds soft targets such as \[0.8\], between 0 and 1, which accuracy \(the default "
     r"metric\) cannot score: it counts 0/1 labels. To train on soft targets, pass metrics=\(\)"),
    (nn.BCELoss(), Y * 1.5, (), r"labels \[0.0, 1.5\] are not 0/1.*soft targets must lie between "
                               "0 and 1"),
])
def test_labels_a_binary_loss_cannot_read_fail_before_any_update(
        loss_fn: nn.Module, labels: np.ndarray, metrics: tuple, message: str) -> None:
    """Trained on, they gave a meaningless model and accuracy 0.0 every epoch."""
    model, optimizer = model_and_optimizer()
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        nn.fit(model, X, labels, loss_fn, optimizer, epochs=1, metrics=metrics, progress=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    with pytest.raises(ValueError, match=message.replace("fit", "evaluate")):
        nn.evaluate(model, X, labels, loss_fn, metrics)


def test_soft_targets_between_a_binary_losss_labels_train_without_accuracy() -> None:
    """With fit's default metrics=("accuracy",) they are refused (see above), by design: an
    accuracy of soft targets would mean nothing. The error says to pass metrics=()."""
    model, optimizer = model_and_optimizer()
    history = nn.fit(model, X, Y * 0.8 + 0.1, nn.BCEWithLogitsLoss(), optimizer, epochs=2,
                     metrics=(), progress=False)
    assert len(history["loss"]) == 2


def test_labels_in_an_object_array_of_numbers_train_as_numbers() -> None:
    """A pandas object column of 0/1 was refused: 'y must be an array of targets ... got
    ndarray'."""
    histories, evaluations = [], []
    for labels in (Y, Y.astype(object), np.array(Y.tolist(), dtype=object).reshape(-1, 1)):
        model, optimizer = model_and_optimizer()
        histories.append(nn.fit(model, X, labels, nn.BCEWithLogitsLoss(), optimizer, epochs=2,
                                validation=(X, labels), progress=False, seed=0).train)
        evaluations.append(nn.evaluate(model, X, labels, nn.BCEWithLogitsLoss()))
    assert histories[0] == histories[1] == histories[2]
    assert evaluations[0] == evaluations[1] == evaluations[2]
    model, optimizer = model_and_optimizer()
    for labels, found in [(np.array(["no", "yes"] * 32, dtype=object), "str 'no', not a number"),
                          (np.array([0, None] * 32, dtype=object), "NoneType None, not a number"),
                          (np.array([Fraction(1), Fraction(0)] * 32, dtype=object),
                           "numbers with no common numeric dtype")]:  # not 'Fraction, not a ..'
        with pytest.raises(TypeError, match=f"fit: y has dtype object and holds {found}; "
                                            r"pass numeric targets \(y.astype"):
            nn.fit(model, X, labels, nn.BCEWithLogitsLoss(), optimizer, 1, progress=False)


def test_validation_labels_are_checked_before_any_update_too() -> None:
    """They were checked only when the first epoch's validation ran, after its updates."""
    model, optimizer = model_and_optimizer()
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"fit \(validation\): labels \[1, 2\] are not 0/1"):
        nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=2, progress=False,
               validation=(X, Y + 1))
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def test_the_checks_before_training_run_no_model_and_no_user_metric() -> None:
    """A model that mixes the samples of its full batch, and a metric that needs both
    classes: fit checks without calling either on a slice of the data."""
    rng = np.random.default_rng(2)
    mixing = nn.Parameter(rng.normal(size=(64, 64)) / 8)

    class MixesTheBatch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(2, 1)

        def forward(self, x: Any) -> Any:
            return mixing.detach() @ self.linear(x)

    calls: list[int] = []

    def needs_both_classes(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        calls.append(len(y_true))
        assert len(set(y_true.tolist())) == 2
        return 0.0

    model = MixesTheBatch()
    history = nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), nn.optim.SGD(model.parameters(), lr=0.1),
                     epochs=2, metrics=("accuracy", needs_both_classes), progress=False)
    assert calls == [64, 64] and len(history["loss"]) == 2
    two_classes = nn.MLP([2, 2])  # probability targets: accuracy names their real shape
    with pytest.raises(ValueError, match=r"so y must be one label per sample.*\(64, 2\)"):
        nn.fit(two_classes, X, np.eye(2)[Y], nn.CrossEntropyLoss(),
               nn.optim.SGD(two_classes.parameters(), lr=0.1), epochs=1, progress=False)


def test_a_users_loss_with_its_own_decision_rule_gets_metrics() -> None:
    """A predict that reads two columns: the check before training does not call it."""

    class TwoScores(nn.Module):
        def forward(self, output: Any, target: Any) -> Any:
            return nn.CrossEntropyLoss()(output, target)

        def predict(self, output: Any) -> np.ndarray:
            scores = np.asarray(output)
            return (scores[:, 1] > scores[:, 0]).astype(np.int64)

    model = nn.MLP([2, 4, 2], generator=np.random.default_rng(0))
    history = nn.fit(model, X, Y, TwoScores(), nn.optim.Adam(model.parameters(), lr=0.05),
                     epochs=2, validation=(X, Y), progress=False)
    assert 0 <= history["val_accuracy"][-1] <= 1
    assert set(nn.evaluate(model, X, Y, TwoScores())) == {"loss", "accuracy"}


def test_the_recorded_loss_is_per_sample_whatever_the_reduction_and_the_batches() -> None:
    def epoch_loss(reduction: str, batch_size: int) -> tuple[float, float]:
        model, _ = model_and_optimizer()
        history = nn.fit(model, X, Y, nn.BCEWithLogitsLoss(reduction=reduction),
                         nn.optim.SGD(model.parameters(), lr=0.0), epochs=1,
                         batch_size=batch_size, validation=(X, Y), progress=False, seed=0)
        return history["loss"][0], history["val_loss"][0]

    reference = epoch_loss("mean", 64)
    for reduction in ("mean", "sum"):
        for batch_size in (5, 16, 64):
            np.testing.assert_allclose(epoch_loss(reduction, batch_size), reference, rtol=1e-12)


def test_fit_is_reproducible_with_a_seed() -> None:
    runs = []
    for _ in range(2):
        model, optimizer = model_and_optimizer()
        nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=3, batch_size=8,
               progress=False, seed=4)
        runs.append(model.state_dict())
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])


def test_a_seeded_fit_with_dropout_repeats_exactly() -> None:
    histories = []
    for run in range(2):
        nn.manual_seed(100 + run)  # whatever the global generator held before, seed decides
        model = nn.Sequential(nn.Linear(2, 16, generator=np.random.default_rng(0)), nn.ReLU(),
                              nn.Dropout(0.5), nn.Linear(16, 1, generator=np.random.default_rng(1)))
        optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
        histories.append(nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=3,
                                batch_size=16, progress=False, seed=0).train)
    assert histories[0] == histories[1]


def test_full_batch_plain_gradient_descent_is_one_step_per_epoch() -> None:
    model = nn.MLP([2, 1], generator=np.random.default_rng(0))
    start = model.state_dict()
    nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), nn.optim.SGD(model.parameters(), lr=0.1),
           epochs=1, progress=False)
    by_hand = nn.MLP([2, 1])
    by_hand.load_state_dict(start)
    loss = nn.BCEWithLogitsLoss()(by_hand(X), Y.reshape(-1, 1).astype(float))
    loss.backward()
    expected = start["layers.0.weight"] - 0.1 * by_hand.layers[0].weight.grad.data
    np.testing.assert_allclose(model.layers[0].weight.data, expected)


def test_nan_loss_names_epoch_and_batch_and_keeps_history() -> None:
    model, optimizer = model_and_optimizer()
    bad = X.copy()
    bad[40] = 1e308  # finite, but the outputs overflow (nan in X is refused up front)
    order = np.arange(64)
    np.random.default_rng(5).shuffle(order)  # the order fit's seeded generator gives
    batch = int(np.flatnonzero(order == 40)[0]) // 16 + 1
    with pytest.raises(nn.TrainingDiverged, match=f"epoch 1, batch {batch}.*learning rate") \
            as error, np.errstate(over="ignore", invalid="ignore"):
        nn.fit(model, bad, Y.reshape(-1, 1), nn.MSELoss(), optimizer, epochs=2, batch_size=16,
               metrics=(), progress=False, seed=5)
    assert error.value.epoch == 1 and error.value.batch == batch
    assert error.value.history.epochs == []
    assert isinstance(error.value, FloatingPointError)


def test_multiclass_custom_metric_scheduler_and_float32() -> None:
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    model = nn.MLP([2, 16, 3], dtype=np.float32)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    scheduler = nn.optim.StepLR(optimizer, step_size=5, gamma=0.5)

    def errors(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.sum(y_true != y_pred))

    history = nn.fit(model, X, y, nn.CrossEntropyLoss(), optimizer, epochs=10, batch_size=32,
                     metrics=("accuracy", errors), progress=False, seed=0, scheduler=scheduler)
    assert history["errors"][-1] == pytest.approx(64 * (1 - history["accuracy"][-1]))
    assert optimizer.param_groups[0]["lr"] == 0.5 * 0.25
    assert model.layers[0].weight.dtype == np.float32
    assert nn.predict(model, X).dtype == np.float32


def test_predict_and_evaluate_run_in_eval_mode_without_a_graph() -> None:
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.9), nn.Linear(4, 1))
    first, second = nn.predict(model, X), nn.predict(model, X)
    np.testing.assert_array_equal(first, second)  # dropout off
    assert model.training
    metrics = nn.evaluate(model, X, Y, nn.BCEWithLogitsLoss())
    assert set(metrics) == {"loss", "accuracy"}


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(epochs=0), ValueError, "epochs must be a positive integer"),
    (dict(metrics=("f1",)), ValueError, "unknown metric 'f1'"),
    (dict(loss_fn=nn.MSELoss()), ValueError, "not a classification loss.*metrics=\\(\\)"),
    (dict(optimizer="adam"), TypeError, "nn.optim optimizer"),
    (dict(loss_fn=nn.BCEWithLogitsLoss(reduction="none")), ValueError, "reduction='mean'"),
    (dict(seed=-1), ValueError, "fit: seed must be a non-negative integer or None, got -1"),
    (dict(seed=1.5), ValueError, "fit: seed must be a non-negative integer or None"),
    (dict(validation=X), ValueError, "validation must be a pair \\(X_val, y_val\\)"),
    (dict(validation=(X[:0], Y[:0])), ValueError, "fit: validation X and y have no samples"),
    # caught before training, not after an epoch or with Python's words
    (dict(loss_fn=nn.BCEWithLogitsLoss), TypeError,
     r"loss_fn is the class BCEWithLogitsLoss; pass an instance: nn.BCEWithLogitsLoss\(\)"),
    (dict(metrics=[5]), TypeError, r"fit: metrics\[0\] is 5; a metric is a name"),
    (dict(scheduler=5), TypeError, "scheduler must be None or an nn.optim scheduler, got int"),
    (dict(scheduler="optimizer"), TypeError, "got Adam: pass the optimizer as optimizer"),
    (dict(X=np.where(X > 2, np.nan, X)), ValueError,
     r"fit: X has 1 nan or infinite values \(the first at index \(39, 1\)\); remove or fill"),
    (dict(validation=(X, np.where(Y, np.inf, 0.0))), ValueError, "fit: validation y has 31 nan"),
    (dict(X=None), TypeError, "fit: X is None; pass an array"),
    (dict(y=None), TypeError, "fit: y must be an array of targets, one per sample, got NoneType"),
    (dict(batch_size=2.5), ValueError, "batch_size must be a positive integer or None, got 2.5"),
    (dict(batch_size=True), ValueError, "batch_size must be a positive integer or None"),
])
def test_fit_argument_errors(kwargs: dict, error: type, message: str) -> None:
    model, optimizer = model_and_optimizer()
    arguments = dict(X=X, y=Y, loss_fn=nn.BCEWithLogitsLoss(), optimizer=optimizer, epochs=1,
                     progress=False)
    arguments.update(kwargs)
    if arguments.get("scheduler") == "optimizer":
        arguments["scheduler"] = optimizer
    before = model.state_dict()
    with pytest.raises(error, match=message):
        nn.fit(model, **arguments)
    for name, value in model.state_dict().items():  # refused before any update
        np.testing.assert_array_equal(value, before[name], err_msg=name)
    with pytest.raises(ValueError, match="64 samples but y has 3"):
        nn.fit(model, X, Y[:3], nn.BCEWithLogitsLoss(), optimizer, 1, progress=False)


@pytest.mark.parametrize("batch_size", [-1, 0, 2.5, "8"])
def test_predict_refuses_a_batch_size_fit_would_refuse(batch_size: Any) -> None:
    """-1 gave an empty array, 2.5 batches of 2, 0 a message from range()."""
    model, _ = model_and_optimizer()
    with pytest.raises(ValueError, match=f"predict: batch_size must be a positive integer or "
                                         f"None, got {batch_size!r}"):
        nn.predict(model, X, batch_size=batch_size)
    np.testing.assert_array_equal(nn.predict(model, X, batch_size=5), nn.predict(model, X))


def test_one_metric_name_is_one_metric_and_evaluate_names_itself() -> None:
    """metrics="accuracy" was read letter by letter ("unknown metric 'a'")."""
    model, optimizer = model_and_optimizer()
    history = nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=1,
                     metrics="accuracy", progress=False)
    assert set(history.train) == {"loss", "accuracy"}
    assert set(nn.evaluate(model, X, Y, nn.BCEWithLogitsLoss(), "accuracy")) == {"loss", "accuracy"}
    with pytest.raises(ValueError, match="^evaluate: metrics.*not a classification loss"):
        nn.evaluate(model, X, Y, nn.MSELoss())


def test_progress_bar_shows_live_loss(capsys: pytest.CaptureFixture,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # as in a terminal
    model, optimizer = model_and_optimizer()
    nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "loss=" in err and "acc=" in err and "val_" not in err


def test_no_progress_bar_when_the_output_is_a_log(capsys: pytest.CaptureFixture) -> None:
    """Not a terminal (a pipe, CI's log): there a redrawn bar would be one long line of
    carriage returns."""
    model, optimizer = model_and_optimizer()
    nn.fit(model, X, Y, nn.BCEWithLogitsLoss(), optimizer, epochs=2, progress=True)
    assert "loss=" not in capsys.readouterr().err
