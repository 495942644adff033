"""Grad modes: `no_grad` records nothing, `enable_grad` records again, both work as context
managers and decorators, the mode is per thread; `detect_anomaly` names the op and the line."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from autograd_engine import (Tensor, detect_anomaly, enable_grad, is_anomaly_enabled,
                             is_grad_enabled, no_grad, set_grad_enabled)


def test_no_grad_records_nothing() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 2).exp().sum()
    assert is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    assert y.item() == pytest.approx(np.exp(2) + np.exp(4))


def test_no_grad_as_a_decorator() -> None:
    @no_grad()
    def update(w: Tensor) -> Tensor:
        assert not is_grad_enabled()
        return w * 0.5

    w = Tensor(1.0, requires_grad=True)
    assert update(w).grad_fn is None
    assert is_grad_enabled()
    assert update.__name__ == "update"


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = Tensor(2.0, requires_grad=True)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = x * x
        assert not is_grad_enabled()
    y.backward()
    assert x.grad.item() == 4.0


def test_enable_grad_as_a_decorator_inside_no_grad() -> None:
    @enable_grad()
    def square(t: Tensor) -> Tensor:
        return t * t

    x = Tensor(3.0, requires_grad=True)
    with no_grad():
        y = square(x)
    assert y.requires_grad and y.grad_fn is not None


def test_set_grad_enabled() -> None:
    x = Tensor(1.0, requires_grad=True)
    with set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with set_grad_enabled(True):
            assert (x * 2).requires_grad
    assert set_grad_enabled(False)(lambda: is_grad_enabled())() is False


@pytest.mark.parametrize("switch", [set_grad_enabled, detect_anomaly])
@pytest.mark.parametrize("mode", ["no", 1, None])
def test_switches_take_only_true_or_false(switch: type, mode: object) -> None:
    """"no" is true to Python: read as a bool it would switch the wrong way (PyTorch refuses
    it too). The mode in force is left as it was."""
    before = (is_grad_enabled(), is_anomaly_enabled())
    with pytest.raises(TypeError, match=f"{switch.__name__}: mode must be True or False"):
        switch(mode)
    assert (is_grad_enabled(), is_anomaly_enabled()) == before
    with switch(np.bool_(False)):  # numpy's bool is a bool
        pass


def test_one_no_grad_instance_can_be_nested_in_itself() -> None:
    context = no_grad()
    with context:
        with context:
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    """A no_grad block in this thread does not stop another thread from recording."""
    inside_no_grad, other_done = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def other_thread() -> None:
        inside_no_grad.wait(timeout=10)
        seen["enabled"] = is_grad_enabled()
        seen["recorded"] = (Tensor(1.0, requires_grad=True) * 2).requires_grad
        other_done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with no_grad():
        inside_no_grad.set()
        assert other_done.wait(timeout=10)
        assert not is_grad_enabled()
    thread.join()
    assert seen == {"enabled": True, "recorded": True}


def test_a_new_thread_starts_recording_even_when_the_parent_is_in_no_grad() -> None:
    seen = []
    with no_grad():
        thread = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]


# --- detect_anomaly -------------------------------------------------------------------------

def test_detect_anomaly_names_the_op_and_the_users_line_sqrt() -> None:
    x = Tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="ignore"), detect_anomaly():
        assert is_anomaly_enabled()
        y = x.sqrt().sum()  # the anomaly's origin
        with pytest.raises(RuntimeError) as raised:
            y.backward()
    assert not is_anomaly_enabled()
    message = str(raised.value)
    assert "sqrt" in message
    assert "test_grad_modes.py" in message and "y = x.sqrt().sum()" in message


def test_detect_anomaly_names_the_op_and_the_users_line_log() -> None:
    x = Tensor(0.0, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"), detect_anomaly():
        y = x.log() * 2.0  # the anomaly's origin
        with pytest.raises(RuntimeError, match="log") as raised:
            y.backward()
    assert "y = x.log() * 2.0" in str(raised.value)


def test_without_detect_anomaly_nan_gradients_pass_silently() -> None:
    """As in PyTorch: checking every step costs time, so it is opt-in."""
    x = Tensor(0.0, requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().backward()
    assert np.isinf(x.grad.item())
