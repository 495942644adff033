"""nn.data: batches, standardisation, the bundled data sets; nn.metrics."""

from __future__ import annotations

import numpy as np
import pytest

import nn


def test_batches_cover_every_row_once_and_are_seeded() -> None:
    X, y = np.arange(10)[:, None] * 1.0, np.arange(10)
    parts = list(nn.data.batches(X, y, batch_size=4, seed=0))
    assert [len(xb) for xb, _ in parts] == [4, 4, 2]
    rows = np.concatenate([yb for _, yb in parts])
    assert sorted(rows) == list(range(10)) and list(rows) != list(range(10))
    for xb, yb in parts:
        np.testing.assert_array_equal(xb[:, 0], yb)  # rows stay paired
    again = np.concatenate([yb for _, yb in nn.data.batches(X, y, batch_size=4, seed=0)])
    np.testing.assert_array_equal(rows, again)
    (whole, _), = nn.data.batches(X, y, shuffle=False)
    np.testing.assert_array_equal(whole, X)


def test_a_legacy_random_state_shuffles_as_it_did() -> None:
    """batches(..., generator=np.random.RandomState(0)) was refused with a TypeError; nn draws
    only with methods a RandomState has too, in init and Dropout as well."""
    X, y = np.arange(10)[:, None] * 1.0, np.arange(10)
    legacy = np.random.RandomState(0)
    rows = np.concatenate([yb for _, yb in nn.data.batches(X, y, 4, generator=legacy)])
    order = np.arange(10)
    np.random.RandomState(0).shuffle(order)
    np.testing.assert_array_equal(rows, order)
    weight = nn.Linear(3, 2, generator=np.random.RandomState(0)).weight.data
    again = nn.Linear(3, 2, generator=np.random.RandomState(0)).weight.data
    np.testing.assert_array_equal(weight, again)
    mask = nn.Dropout(0.5, generator=np.random.RandomState(1))(np.ones(20)).data
    assert set(mask.tolist()) == {0.0, 2.0}


def test_batches_errors() -> None:
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        list(nn.data.batches(np.zeros((3, 1)), np.zeros(2)))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        list(nn.data.batches(np.zeros((3, 1)), np.zeros(3), batch_size=0))


def test_standardizer_learns_from_train_only() -> None:
    train = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaler = nn.data.Standardizer().fit(train)
    np.testing.assert_allclose(scaler.transform(train), [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(scaler.transform([[5.0, 6.0]]), [[3.0, 1.0]])  # constant: std 1
    with pytest.raises(ValueError, match="fitted on \\(2,\\) features"):
        scaler.transform(np.zeros((1, 3)))


def test_a_feature_constant_up_to_rounding_counts_as_constant() -> None:
    """A column of 0.1s has a computed std of 4e-17: dividing by it would blow a test value
    of 0.2 up to 2e15. scikit-learn's StandardScaler gives 0.1, and so does ours."""
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    train = np.c_[rng.normal(size=(50, 2)), np.full(50, 0.1), np.full(50, 1e-3)]
    test = np.c_[rng.normal(size=(3, 2)), np.full(3, 0.2), np.full(3, 2e-3)]
    ours, theirs = nn.data.Standardizer().fit(train), StandardScaler().fit(train)
    np.testing.assert_allclose(ours.std, theirs.scale_)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test))


@pytest.mark.parametrize("name, features, classes, size", [
    ("breast-cancer", 30, 2, 569), ("digits", 64, 10, 1797), ("moons", 2, 2, 100)])
def test_bundled_data_sets(name: str, features: int, classes: int, size: int) -> None:
    data = nn.data.load_dataset(name, test_size=0.25, seed=1)
    assert data.n_features == features and data.n_classes == classes
    assert len(data.X_train) + len(data.X_test) == size
    assert len(data.X_test) == pytest.approx(size / 4, abs=1)
    assert data.y_train.dtype == np.int64 and set(data.y_train) == set(range(classes))
    standardized = nn.data.load_dataset(name, test_size=0.25, seed=1, standardize=True)
    np.testing.assert_allclose(standardized.X_train.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_array_equal(standardized.y_test, data.y_test)  # the same split
    assert all(isinstance(t, str) for t in data.target_names)


def test_unknown_data_set() -> None:
    with pytest.raises(ValueError, match="unknown data set 'iris'.*breast-cancer"):
        nn.data.load_dataset("iris")


def test_accuracy_and_report() -> None:
    assert nn.metrics.accuracy([0, 1, 1, 0], np.array([[0], [1], [0], [0]])) == 0.75
    with pytest.raises(ValueError, match="3 labels, y_pred 2"):
        nn.metrics.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="one label per sample"):
        nn.metrics.accuracy(np.zeros((2, 3)), np.zeros((2, 3)))
    report = nn.metrics.classification_report([0, 1, 1], [0, 1, 0], target_names=["no", "yes"])
    assert "no" in report and "yes" in report and "precision" in report
    signed = nn.metrics.classification_report([-1, 1], [-1, 1], target_names=["neg", "pos"])
    assert "1.000" in signed


def test_accuracy_refuses_labels_that_could_never_match() -> None:
    """Text against numbers, or probabilities against labels, scored 0.0 without a word."""
    with pytest.raises(TypeError, match="y_true holds text but y_pred numbers"):
        nn.metrics.accuracy(np.array(["1", "0"]), [1, 0])
    with pytest.raises(ValueError, match=r"y_pred holds non-integer values such as \[0.9, "
                                         r"0.2\].*threshold probabilities first"):
        nn.metrics.accuracy([1.0, 0.0], [0.9, 0.2])
    assert nn.metrics.accuracy([1.0, 0.0], np.array([True, True])) == 0.5  # all labels
    assert nn.metrics.accuracy(np.array([1, 0], dtype=object), np.array([1, 1])) == 0.5
    assert nn.metrics.accuracy(np.array(["a", "b"], dtype=object), ["a", "a"]) == 0.5
    with pytest.raises(TypeError, match="y_true holds text but y_pred numbers"):
        nn.metrics.accuracy(np.array(["1", "0"], dtype=object), [1, 0])


@pytest.mark.parametrize("true, pred, names", [
    (np.random.default_rng(0).integers(1, 4, 30), np.random.default_rng(1).integers(1, 4, 30),
     ["a", "b", "c"]),                                        # classes coded 1..3
    ([-1, -1, 0, 0, 1, 1], [-1, 0, 0, 1, 1, 1], ["neg", "neutral", "pos"]),  # -1, 0, 1
    ([1, 1, 1, 1], [1, -1, -1, 1], ["neg", "pos"]),           # HingeLoss labels, one class seen
    ([0, 1, 1, 2], [0, 0, 1, 1], ["x", "y", "z"]),            # 0..C-1, a class never predicted
])
def test_the_report_is_scikit_learns_for_each_way_of_coding_the_classes(true, pred,
                                                                       names) -> None:
    from sklearn.metrics import classification_report

    ours = nn.metrics.classification_report(true, pred, target_names=names)
    labels = [-1, 1] if names == ["neg", "pos"] else None  # both classes, one never true
    expected = classification_report(true, pred, labels=labels, target_names=names, digits=3,
                                     zero_division=0)
    assert ours == expected
    with pytest.raises(ValueError, match="2 target_names for the labels \\[1, 2, 3\\].*labels="):
        nn.metrics.classification_report([1, 2, 3], [1, 2, 3], target_names=["a", "b"])


def test_the_report_takes_labels_and_a_diverged_models_no_class() -> None:
    from sklearn.metrics import classification_report

    names = ["a", "b", "c"]
    # the demo's diverged run predicts -1 ("no class") for every sample; class 2 never occurs
    ours = nn.metrics.classification_report([0, 0, 1, 1], [-1] * 4, target_names=names)
    assert ours == classification_report([0, 0, 1, 1], [-1] * 4, labels=[0, 1, 2],
                                         target_names=names, digits=3, zero_division=0)
    # classes 1..3 and a "no class" prediction: the names are y_true's classes
    ours = nn.metrics.classification_report([1, 1, 2, 2, 3, 3], [1, 1, 2, 2, 3, -1],
                                            target_names=names)
    assert ours == classification_report([1, 1, 2, 2, 3, 3], [1, 1, 2, 2, 3, -1],
                                         labels=[1, 2, 3], target_names=names, digits=3,
                                         zero_division=0)
    # classes coded 1..3 with 3 absent would be read as 0..2: labels= says what they are
    ours = nn.metrics.classification_report([1, 1, 2, 2], [1, 2, 2, 1], target_names=names,
                                            labels=[1, 2, 3])
    assert ours.split()[ours.split().index("a") + 4] == "2"  # "a" is class 1, support 2


@pytest.mark.parametrize("call, error, message", [
    (lambda: list(nn.data.batches(np.ones((4, 2)), None)), TypeError,
     "batches: y must be an array with one row per sample, got NoneType"),
    (lambda: list(nn.data.batches(np.ones((4, 2)), np.ones(4), generator=5)), TypeError,
     "generator must be a numpy.random.Generator"),
    (lambda: list(nn.data.batches(np.ones((4, 2)), np.ones(4), seed=-1)), ValueError,
     "batches: seed must be a non-negative integer or None, got -1"),
    (lambda: nn.data.load_dataset("moons", seed=-1), ValueError,
     "load_dataset: seed must be a non-negative integer, got -1"),
    (lambda: nn.data.load_dataset("moons", test_size="0.2"), TypeError,
     "load_dataset: test_size must be a number, got str"),
    (lambda: nn.data.load_dataset("breast-cancer", test_size=0.999), ValueError,
     "test_size=0.999 leaves 0 training and 569 test samples of 569, but a stratified split "
     "needs each of the 2 classes in both"),
    (lambda: nn.data.Standardizer().fit([[1.0, np.nan], [2.0, 3.0]]), ValueError,
     r"Standardizer.fit: X has 1 nan or infinite values \(the first at index \(0, 1\)\)"),
    (lambda: nn.data.Standardizer().fit(np.ones(30)), ValueError,
     r"X must be \(samples, features\).*got shape \(30,\); for one feature use "
     r"X.reshape\(-1, 1\)"),
])
def test_data_arguments_are_checked_in_nns_words(call, error, message) -> None:
    """Python's, numpy's or scikit-learn's messages before, or a silent nan std."""
    with pytest.raises(error, match=message):
        call()
