"""Losses: values and gradients equal PyTorch's, gradcheck, stability, reductions, errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_engine import Tensor, gradcheck


def make_loss(case: dict, reduction: str) -> nn.Module:
    kwargs = {"reduction": reduction}
    if "label_smoothing" in case:
        kwargs["label_smoothing"] = case["label_smoothing"]
    return getattr(nn, case["name"])(**kwargs)


def target_of(case: dict) -> np.ndarray:
    target = np.array(case["target"])
    return target.astype(np.int64) if case["name"] == "CrossEntropyLoss" and target.ndim == 1 \
        else target


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_values_and_gradients_equal_pytorch(torch_reference: dict, reduction: str) -> None:
    for case in torch_reference["losses"]:
        x = Tensor(np.array(case["input"]), requires_grad=True)
        loss = make_loss(case, reduction)(x, target_of(case))
        expected = case["results"][reduction]
        np.testing.assert_allclose(loss.data, expected["value"], rtol=1e-12, atol=1e-14,
                                   err_msg=f"{case['name']} value")
        if case.get("value_only"):
            continue
        loss.backward(np.ones(loss.shape))
        np.testing.assert_allclose(x.grad.data, expected["grad"], rtol=1e-10, atol=1e-14,
                                   err_msg=f"{case['name']} gradient")


@pytest.mark.parametrize("name", ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss",
                                  "CrossEntropyLoss"])
def test_gradcheck(name: str) -> None:
    rng = np.random.default_rng(3)
    if name == "CrossEntropyLoss":
        x, target = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    elif name == "BCELoss":
        x, target = rng.uniform(0.1, 0.9, (4, 2)), rng.uniform(size=(4, 2))
    elif name == "HingeLoss":
        x, target = rng.normal(size=(6,)) * 3, np.array([1, -1, 1, 1, -1, 1.0])
    else:
        x, target = rng.normal(size=(4, 2)), rng.uniform(size=(4, 2))
    for reduction in ("mean", "sum", "none"):
        loss = getattr(nn, name)(reduction=reduction)
        assert gradcheck(lambda t: loss(t, target), [Tensor(x, requires_grad=True)])


def test_mse_formula_and_gradient_through_the_target() -> None:
    x = Tensor([1.0, 2.0, 4.0], requires_grad=True)
    y = Tensor([0.0, 2.0, 1.0], requires_grad=True)
    loss = nn.MSELoss()(x, y)
    assert loss.item() == pytest.approx((1 + 0 + 9) / 3)
    loss.backward()
    np.testing.assert_allclose(x.grad.data, [2 / 3, 0, 2])
    np.testing.assert_allclose(y.grad.data, [-2 / 3, 0, -2])


def test_bce_with_logits_is_finite_at_plus_minus_1000() -> None:
    x = Tensor([[-1000.0, 1000.0, -1000.0, 1000.0]], requires_grad=True)
    loss = nn.BCEWithLogitsLoss(reduction="sum")(x, np.array([[1.0, 0.0, 0.0, 1.0]]))
    loss.backward()
    assert loss.item() == pytest.approx(2000.0)
    np.testing.assert_array_equal(x.grad.data, [[-1.0, 1.0, 0.0, 0.0]])


def test_bce_clamps_the_log_at_minus_100_with_a_finite_gradient() -> None:
    p = Tensor([0.0, 1.0, 0.3], requires_grad=True)
    loss = nn.BCELoss(reduction="none")(p, np.array([1.0, 0.0, 1.0]))
    np.testing.assert_allclose(loss.data, [100.0, 100.0, -np.log(0.3)])
    loss.sum().backward()
    assert np.isfinite(p.grad.data).all()
    assert p.grad.data[2] == pytest.approx(-1 / 0.3)


def test_cross_entropy_accepts_a_tensor_of_classes_and_float32() -> None:
    logits = Tensor(np.array([[2.0, 0.5, -1.0]], dtype=np.float32), requires_grad=True)
    loss = nn.CrossEntropyLoss()(logits, Tensor(np.array([0])))
    assert loss.dtype == np.float32
    expected = -(2.0 - np.log(np.exp(2.0) + np.exp(0.5) + np.exp(-1.0)))
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    loss.backward()
    assert logits.grad.dtype == np.float32


def test_hinge_is_micrograds_max_margin() -> None:
    scores = Tensor([2.0, 0.5, -0.2, -3.0], requires_grad=True)
    labels = np.array([1.0, 1.0, 1.0, -1.0])
    loss = nn.HingeLoss()(scores, labels)
    assert loss.item() == pytest.approx((0 + 0.5 + 1.2 + 0) / 4)
    loss.backward()
    np.testing.assert_allclose(scores.grad.data, [0, -0.25, -0.25, 0])


@pytest.mark.parametrize("loss, output, labels", [
    (nn.BCELoss(), [[0.7], [0.2]], [1, 0]),
    (nn.BCEWithLogitsLoss(), [[0.3], [-0.1]], [1, 0]),
    (nn.HingeLoss(), [0.3, -2.0], [1, -1]),
    (nn.CrossEntropyLoss(), [[0.1, 2.0], [3.0, -1.0]], [1, 0]),
])
def test_predict_is_the_losss_decision_rule(loss: nn.Module, output: list, labels: list) -> None:
    np.testing.assert_array_equal(np.ravel(loss.predict(np.array(output))), labels)
    assert nn.MSELoss().predict(np.array(output)) is None


@pytest.mark.parametrize("loss, x, target, message", [
    (nn.MSELoss(), np.zeros((4, 1)), np.zeros(4), r"target shape \(4,\) must equal the input "
                                                   r"shape \(4, 1\).*reshape"),
    (nn.BCELoss(), np.array([0.5, 1.5]), np.zeros(2), "probabilities in \\[0, 1\\].*1.5"),
    (nn.BCELoss(), np.full((2, 1), 0.5), np.array([[2.0], [-1.0]]),
     "target must be probabilities in \\[0, 1\\], found values from -1 to 2; binary labels"),
    (nn.HingeLoss(), np.zeros(3), np.array([0, 1, 1.0]), "labels must be -1 or \\+1"),
    (nn.CrossEntropyLoss(), np.zeros((2, 3)), np.array([0, 3]),
     "class index 3 .*position 1.*\\[0, 2\\]"),
    (nn.CrossEntropyLoss(), np.zeros((2, 3)), np.array([-1, 0]), "class index -1"),
    (nn.CrossEntropyLoss(), np.zeros((2, 3)), np.array([0, 1, 2]), "shape \\(2,\\)"),
    (nn.CrossEntropyLoss(), np.zeros(3), np.array([0]), "shape \\(N, C\\)"),
])
def test_bad_targets_are_clear_errors(loss: nn.Module, x: np.ndarray, target: np.ndarray,
                                      message: str) -> None:
    with pytest.raises(ValueError, match=message):
        loss(Tensor(x), target)


def test_the_probability_check_names_the_loss_it_is_given() -> None:
    """It wrote 'BCELoss:' whichever loss called it."""
    from nn.losses import _check_probabilities

    with pytest.raises(ValueError, match="^MyLoss: input must be probabilities in "
                                         r"\[0, 1\], found values from 0 to 2; fix it$"):
        _check_probabilities(Tensor([0.0, 2.0]), "MyLoss", "input", "fix it")


def test_float_class_targets_and_bad_reduction_are_errors() -> None:
    with pytest.raises(TypeError, match="integers.*astype\\(int\\)"):
        nn.CrossEntropyLoss()(Tensor(np.zeros((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="reduction must be one of mean, sum, none"):
        nn.MSELoss(reduction="average")
