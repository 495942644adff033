"""no_grad, enable_grad and set_grad_enabled in every form PyTorch allows."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_engine import (Function, GradcheckError, Tensor, enable_grad, gradcheck,
                             is_grad_enabled, no_grad, set_grad_enabled)

x = Tensor(1.0, requires_grad=True)


def test_no_grad_on_a_generator_holds_while_its_body_runs() -> None:
    @no_grad()
    def doubled():
        yield x * 2
        yield x * 3

    values = doubled()
    assert not next(values).requires_grad
    assert is_grad_enabled()  # not while the caller runs
    assert not next(values).requires_grad


def test_bare_decorators() -> None:
    @no_grad
    def recorded_nothing() -> bool:
        return (x * 2).requires_grad

    assert recorded_nothing() is False and recorded_nothing.__name__ == "recorded_nothing"
    with no_grad():
        @enable_grad
        def recorded() -> bool:
            return (x * 2).requires_grad

        assert recorded() is True


def test_set_grad_enabled_as_a_call_a_block_and_a_decorator() -> None:
    set_grad_enabled(False)
    assert not is_grad_enabled()
    set_grad_enabled(True)
    assert is_grad_enabled()
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @set_grad_enabled(False)
    def inside() -> bool:
        return is_grad_enabled()

    assert is_grad_enabled() and inside() is False


def test_gradcheck_fails_when_a_numerical_entry_is_nan() -> None:
    class WrongSqrt(Function):
        """backward three times too large"""

        def forward(self, a):
            return np.sqrt(a)

        def backward(self, grad, out, a):
            return (grad * 3.0 / (2 * out),)

    with np.errstate(all="ignore"), pytest.raises(GradcheckError):
        gradcheck(lambda t: WrongSqrt.apply(t), [Tensor([1e-7, 4.0, 9.0], requires_grad=True)])
