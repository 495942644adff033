"""nn.init: PyTorch's formulas, in place, seeded, with clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd_engine import Tensor

SHAPE = (300, 200)  # fan_out 300, fan_in 200


def fresh() -> nn.Parameter:
    return nn.Parameter(np.zeros(SHAPE))


@pytest.mark.parametrize("fill, std", [
    (lambda t: nn.init.normal_(t, 0.0, 0.5), 0.5),
    (lambda t: nn.init.uniform_(t, -1.0, 1.0), 1 / math.sqrt(3)),
    (lambda t: nn.init.naive_(t), 0.1),
    (lambda t: nn.init.xavier_uniform_(t), math.sqrt(2 / 500)),
    (lambda t: nn.init.xavier_normal_(t, gain=2.0), 2 * math.sqrt(2 / 500)),
    (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(2 / 200)),
    (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 200)),
    (lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
     math.sqrt(2 / 300)),
    (lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(3 * 200)),
])
def test_scale_matches_the_formula_and_fills_in_place(fill: callable, std: float) -> None:
    tensor = fresh()
    array = tensor.data
    assert fill(tensor) is tensor and tensor.data is array
    assert array.std() == pytest.approx(std, rel=0.03)
    assert abs(array.mean()) < 0.05 * std + 1e-3


def test_uniform_bounds_and_constants() -> None:
    tensor = nn.init.xavier_uniform_(fresh())
    bound = math.sqrt(6 / 500)
    assert np.abs(tensor.data).max() <= bound
    assert (nn.init.zeros_(fresh()).data == 0).all() and (nn.init.ones_(fresh()).data == 1).all()
    assert (nn.init.constant_(nn.Parameter(2.0), 3.0).data == 3.0)


def test_gain_table() -> None:
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("sigmoid") == 1.0
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        nn.init.calculate_gain("gelu")


def test_seeding_by_generator_and_by_manual_seed() -> None:
    a = nn.init.normal_(fresh(), generator=np.random.default_rng(1)).data
    b = nn.init.normal_(fresh(), generator=np.random.default_rng(1)).data
    np.testing.assert_array_equal(a, b)
    nn.init.manual_seed(9)
    c = nn.Linear(4, 3).state_dict()
    nn.manual_seed(9)
    d = nn.Linear(4, 3).state_dict()
    np.testing.assert_array_equal(c["weight"], d["weight"])
    with pytest.raises(ValueError, match="non-negative integer"):
        nn.manual_seed(-1)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        nn.init.normal_(fresh(), generator=42)


def test_fills_run_under_no_grad_and_keep_dtype() -> None:
    tensor = nn.Parameter(np.zeros((3, 2), dtype=np.float32))
    nn.init.kaiming_normal_(tensor)
    assert tensor.dtype == np.float32 and tensor.grad_fn is None and tensor.requires_grad


@pytest.mark.parametrize("call, message", [
    (lambda: nn.init.xavier_uniform_(nn.Parameter(np.zeros(5))), "at least 2 dimensions"),
    (lambda: nn.init.kaiming_normal_(fresh(), mode="fan_avg"), "'fan_in' or 'fan_out'"),
    (lambda: nn.init.uniform_(fresh(), 1.0, 0.0), "a <= b"),
    (lambda: nn.init.normal_(fresh(), std=-1.0), "std must be >= 0"),
])
def test_bad_arguments_are_clear_errors(call: callable, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
    with pytest.raises(TypeError, match="fill a Tensor"):
        nn.init.zeros_(np.zeros(3))


def test_receptive_field_counts_in_the_fans() -> None:
    tensor = Tensor(np.zeros((8, 4, 3, 3)))
    nn.init.kaiming_uniform_(tensor, nonlinearity="relu")
    assert np.abs(tensor.data).max() <= math.sqrt(2) * math.sqrt(3 / 36)
