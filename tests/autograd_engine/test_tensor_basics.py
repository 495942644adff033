"""The Tensor itself: construction, dtypes, attributes and conversions."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_engine import Tensor, where


def test_construction_copies_the_data() -> None:
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    source[0] = 99.0
    assert t.data.tolist() == [1.0, 2.0]


def test_construction_from_a_tensor_copies_data_and_drops_the_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    copy = Tensor(x * 2)
    assert copy.grad_fn is None and not copy.requires_grad
    assert copy.data.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("data, dtype, expected", [
    (1.5, None, np.float64), ([1.0, 2.0], None, np.float64), ([1, 2], None, np.int64),
    ([True], None, np.bool_), (np.ones(2, np.float32), None, np.float32),
    ([1, 2], np.float32, np.float32), (np.ones(2, np.float32), np.float64, np.float64),
])
def test_dtype_follows_numpy_and_float32_is_kept(data: object, dtype: object,
                                                 expected: type) -> None:
    assert Tensor(data, dtype=dtype).dtype == expected


def test_attributes() -> None:
    t = Tensor(np.zeros((2, 3)), requires_grad=True, name="w")
    assert (t.shape, t.ndim, t.numel(), len(t), t.name) == ((2, 3), 2, 6, 2, "w")
    assert t.is_leaf and t.requires_grad and t.grad is None and t.grad_fn is None
    assert t.version == 0
    scalar = Tensor(3.0)
    assert scalar.shape == () and scalar.ndim == 0 and scalar.numel() == 1
    assert isinstance(scalar.data, np.floating)


def test_zero_dimensional_tensors_have_no_length() -> None:
    with pytest.raises(TypeError):
        len(Tensor(1.0))
    with pytest.raises(TypeError):
        iter(Tensor(1.0))


def test_numpy_and_array_conversion() -> None:
    t = Tensor([[1.0, 2.0]])
    assert isinstance(t.numpy(), np.ndarray) and t.numpy().shape == (1, 2)
    assert np.asarray(t).tolist() == [[1.0, 2.0]]
    assert np.asarray(Tensor(2.0)).shape == ()


def test_item_gives_a_python_number() -> None:
    assert Tensor([[2.5]]).item() == 2.5 and isinstance(Tensor([[2.5]]).item(), float)
    assert isinstance(Tensor(3).item(), int)


def test_requires_grad_in_place() -> None:
    t = Tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    hidden = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        hidden.requires_grad_(False)


def test_results_require_grad_only_when_an_input_does() -> None:
    x, c = Tensor([1.0], requires_grad=True), Tensor([2.0])
    assert (x * c).requires_grad and not (c * c).requires_grad
    assert (c * c).grad_fn is None


def test_retain_grad_on_a_tensor_without_grad_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="require"):
        Tensor([1.0]).retain_grad()


def test_repr_is_readable() -> None:
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert "requires_grad=True" in repr(Tensor(1.0, requires_grad=True))
    assert "grad_fn=<Mul>" in repr(Tensor(1.0, requires_grad=True) * 2)
    assert "float32" in repr(Tensor([1.0], dtype=np.float32))
    assert "name='w'" in repr(Tensor(1.0, name="w"))
    assert f"{Tensor(2.0):.2f}" == "2.00"


def test_float_and_int_of_a_one_element_tensor() -> None:
    assert float(Tensor(1.5)) == 1.5 and int(Tensor([3.0])) == 3
    with pytest.raises(TypeError, match=r"shape \(2,\).*\.item\(\)"):
        float(Tensor([1.0, 2.0]))


def test_where_keeps_its_condition_in_the_graph() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    condition = x > 0
    y = where(condition, x, 0.0)
    assert y.grad_fn.inputs[0] is condition
    assert where(np.array([1, 0]), x, 0.0).grad_fn.inputs[0].dtype == bool
