"""Data: seeded shuffled mini-batches over numpy arrays, standardisation, and the data sets
that ship with scikit-learn (no download): breast cancer, digits, moons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import numpy as np

from ._checks import check_finite, real_number, whole_number
from ._random import RandomGenerator, resolve

DATASETS = ("breast-cancer", "digits", "moons")


def batches(X: Any, y: Any, batch_size: Optional[int] = None, shuffle: bool = True,
            generator: Optional[RandomGenerator] = None, seed: Optional[int] = None
            ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (X_batch, y_batch) pairs covering every row once; the last batch may be smaller.

    batch_size=None gives one batch of everything (full-batch gradient descent). Rows are
    shuffled by `generator`, or by a fresh generator seeded with `seed` (None: unseeded)."""
    X, y = np.asarray(X), np.asarray(y)
    for name, array in (("X", X), ("y", y)):
        if array.ndim == 0:
            raise TypeError(f"batches: {name} must be an array with one row per sample, got "
                            f"{type(array.item()).__name__}")
    if len(X) != len(y):
        raise ValueError(f"batches: X has {len(X)} rows but y has {len(y)}; they must match")
    n = len(X)
    batch_size = whole_number(batch_size, "batches: batch_size", allow_none=True)
    size = n if batch_size is None else batch_size
    seed = whole_number(seed, "batches: seed", minimum=0, allow_none=True)
    generator = np.random.default_rng(seed) if generator is None else resolve(generator)
    order = np.arange(n)
    if shuffle:
        generator.shuffle(order)
    for start in range(0, n, size):
        rows = order[start:start + size]
        yield X[rows], y[rows]


@dataclass
class Standardizer:
    """x -> (x - mean) / std per feature, with mean and std learnt from the training split
    only (so nothing about the test set leaks into training). Constant features get std 1,
    including those whose computed std is only rounding error (scikit-learn's test)."""

    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    std: np.ndarray = field(default_factory=lambda: np.ones(0))

    def fit(self, X: Any) -> "Standardizer":
        """Learn the per-feature mean and standard deviation."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or not len(X):
            raise ValueError(f"Standardizer.fit: X must be (samples, features) with at least one "
                             f"sample, got shape {X.shape}; for one feature use "
                             "X.reshape(-1, 1)")
        check_finite(X, "Standardizer.fit: X")  # else nan statistics, silently
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        # a column of 0.1s has std 4e-17, not 0: anything within the rounding of the mean
        # and variance over len(X) samples counts as constant
        eps, n = np.finfo(np.float64).eps, len(X)
        constant = std ** 2 <= n * eps * std ** 2 + (n * self.mean * eps) ** 2
        self.std = np.where(constant, 1.0, std)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Apply the learnt scaling."""
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1:] != self.mean.shape:
            raise ValueError(f"Standardizer: fitted on {self.mean.shape} features, got data of "
                             f"shape {X.shape}")
        return (X - self.mean) / self.std

    def fit_transform(self, X: Any) -> np.ndarray:
        """fit, then transform the same data."""
        return self.fit(X).transform(X)


@dataclass
class Dataset:
    """A train/test split with its description."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    target_names: list[str]
    scaler: Optional[Standardizer] = None

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.target_names)

    def standardized(self) -> "Dataset":
        """A copy with features standardised by the training split's statistics."""
        scaler = Standardizer().fit(self.X_train)
        return Dataset(self.name, scaler.transform(self.X_train), scaler.transform(self.X_test),
                       self.y_train, self.y_test, self.feature_names, self.target_names, scaler)


def load_dataset(name: str, test_size: float = 0.2, standardize: bool = False,
                 seed: int = 0, n_samples: int = 100, noise: float = 0.1) -> Dataset:
    """Load a scikit-learn data set and split it (stratified, seeded) into train and test.

    name: "breast-cancer" (569 tumours x 30 measurements, malignant 0 / benign 1), "digits"
    (1797 8x8 images x 64 pixels, classes 0-9) or "moons" (two interleaved half circles in 2D,
    `n_samples` points with Gaussian `noise`, micrograd's toy problem). Labels are integers.
    `standardize=True` scales features with the training split's mean and std."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    whole_number(seed, "load_dataset: seed", minimum=0)
    whole_number(n_samples, "load_dataset: n_samples")
    real_number(noise, "load_dataset: noise", low=0)
    if name in ("breast-cancer", "breast_cancer"):
        bunch = datasets.load_breast_cancer()
        X, y = bunch.data, bunch.target
        features, targets = list(map(str, bunch.feature_names)), list(map(str, bunch.target_names))
    elif name == "digits":
        bunch = datasets.load_digits()
        X, y = bunch.data, bunch.target
        features, targets = list(map(str, bunch.feature_names)), list(map(str, bunch.target_names))
    elif name == "moons":
        X, y = datasets.make_moons(n_samples=n_samples, noise=noise, random_state=seed)
        features, targets = ["x1", "x2"], ["upper", "lower"]
    else:
        raise ValueError(f"load_dataset: unknown data set {name!r}; choose one of "
                         f"{', '.join(DATASETS)}")
    _check_split(test_size, y)
    X_train, X_test, y_train, y_test = train_test_split(
        np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64), test_size=test_size,
        random_state=seed, stratify=y)
    dataset = Dataset(name, X_train, X_test, y_train, y_test, features, targets)
    return dataset.standardized() if standardize else dataset


def _check_split(test_size: Any, y: np.ndarray) -> None:
    """What scikit-learn's split would refuse in its own words: a stratified split needs
    every class in each part."""
    real_number(test_size, "load_dataset: test_size", low=0, high=1, low_open=True,
                high_open=True)
    n_test = int(np.ceil(test_size * len(y)))
    classes = len(np.unique(y))
    if min(n_test, len(y) - n_test) < classes:
        raise ValueError(f"load_dataset: test_size={test_size} leaves {len(y) - n_test} training "
                         f"and {n_test} test samples of {len(y)}, but a stratified split needs "
                         f"each of the {classes} classes in both; choose a test_size nearer 0.2")


def load_breast_cancer(**kwargs: Any) -> Dataset:
    """`load_dataset("breast-cancer", ...)`."""
    return load_dataset("breast-cancer", **kwargs)


def load_digits(**kwargs: Any) -> Dataset:
    """`load_dataset("digits", ...)`."""
    return load_dataset("digits", **kwargs)


def load_moons(**kwargs: Any) -> Dataset:
    """`load_dataset("moons", ...)`."""
    return load_dataset("moons", **kwargs)
