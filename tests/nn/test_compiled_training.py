"""Training with a compiled step: the same parameters as eager training, bit for bit, for the
layers, losses and optimizers nn users combine; Dropout's fresh masks are refused, not frozen."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import nn
from autograd_engine import CompileError, Tensor, compile
from nn import optim


def twin_models(make_model: Callable[[], Any]) -> tuple[Any, Any]:
    first, second = make_model(), make_model()
    second.load_state_dict(first.state_dict())
    return first, second


@pytest.mark.parametrize("case", ["bce, sgd with momentum", "cross entropy, adam, float32"])
def test_compiled_training_equals_eager_training_bit_for_bit(case: str) -> None:
    rng = np.random.default_rng(1)
    if case.startswith("bce"):
        dtype, loss_fn = np.float64, nn.BCEWithLogitsLoss()
        targets = [rng.integers(0, 2, (8, 1)).astype(np.float64) for _ in range(6)]
        make_optimizer = lambda params: optim.SGD(params, lr=0.1, momentum=0.9)  # noqa: E731
    else:
        dtype, loss_fn = np.float32, nn.CrossEntropyLoss(label_smoothing=0.1)
        targets = [rng.integers(0, 3, 8) for _ in range(6)]
        make_optimizer = lambda params: optim.Adam(params, lr=0.01)  # noqa: E731
    classes = 1 if case.startswith("bce") else 3
    eager, replayed = twin_models(lambda: nn.Sequential(
        nn.Linear(4, 5, dtype=dtype), nn.ReLU(), nn.Linear(5, classes, dtype=dtype)))
    eager_optimizer, replayed_optimizer = make_optimizer(eager.parameters()), make_optimizer(
        replayed.parameters())
    step = compile(lambda x, y: loss_fn(replayed(x), y))
    for y in targets:
        x = rng.standard_normal((8, 4)).astype(dtype)
        eager_optimizer.zero_grad()
        loss = loss_fn(eager(Tensor(x)), y)
        loss.backward()
        eager_optimizer.step()
        replayed_optimizer.zero_grad()
        replayed_loss = step(x, y)
        replayed_optimizer.step()
        assert replayed_loss.item() == loss.item()
    for (name, p), q in zip(eager.named_parameters(), replayed.parameters()):
        assert p.dtype == q.dtype == dtype
        assert np.array_equal(p.data, q.data), name


def test_dropout_masks_are_refused_in_training_and_fine_in_eval() -> None:
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 1))
    step = compile(lambda x: model(x).sum())
    step(np.ones((3, 4)))
    with pytest.raises(CompileError, match="constant"):
        step(np.ones((3, 4)))
    model.eval()
    step = compile(lambda x: model(x).sum())
    for _ in range(3):
        step(np.ones((3, 4)))
    assert step.verified


def test_an_optimizer_step_inside_the_compiled_step_is_refused() -> None:
    model = nn.Linear(3, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for p in model.parameters():  # gradients from an earlier step, so that step() updates
        p.grad = Tensor(np.ones_like(p.data))

    def whole_step(x: Tensor) -> Tensor:
        loss = model(x).sum()
        optimizer.step()  # belongs outside: a replay would not run it
        return loss

    with pytest.raises(CompileError, match="optimizer.step\\(\\)"):
        compile(whole_step)(np.ones((2, 3)))


def test_a_refused_optimizer_step_changes_nothing() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    for p in model.parameters():
        p.grad = Tensor(np.ones_like(p.data))
    before = model.state_dict()

    def whole_step(x: Tensor) -> Tensor:
        loss = model(x).sum()
        optimizer.step()
        return loss

    with pytest.raises(CompileError):
        compile(whole_step)(np.ones((2, 3)))
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    assert all(not state for state in optimizer.state.values())  # no Adam step counted
