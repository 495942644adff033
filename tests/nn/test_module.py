"""Module: registration, names, walking the tree, modes, repr, state dicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
from autograd_engine import Tensor


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3))
        self.inner = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2, bias=False))
        self.note = "not registered"

    def forward(self, x: Tensor) -> Tensor:
        return self.inner(x * self.scale)


def test_named_parameters_use_pytorchs_dotted_names() -> None:
    block = Block()
    assert [name for name, _ in block.named_parameters()] == [
        "scale", "inner.0.weight", "inner.0.bias", "inner.2.weight"]
    assert [name for name, _ in nn.Sequential(nn.Linear(2, 3)).named_parameters()] == \
        ["0.weight", "0.bias"]
    assert [name for name, _ in nn.MLP([2, 3, 1]).named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert block.num_parameters() == 3 + 12 + 4 + 8


def test_children_modules_and_reassignment() -> None:
    block = Block()
    assert list(block.children()) == [block.inner]
    assert [name for name, _ in block.named_modules()] == ["", "inner", "inner.0", "inner.1",
                                                           "inner.2"]
    block.inner = nn.Linear(3, 2)  # replacing a submodule replaces its parameters
    assert [name for name, _ in block.named_parameters()] == ["scale", "inner.weight",
                                                              "inner.bias"]
    del block.scale  # del unregisters (assigning a plain value is an error, as in PyTorch)
    assert "scale" not in dict(block.named_parameters())
    block.scale = 5.0  # now a plain attribute again
    assert block.scale == 5.0 and "scale" not in dict(block.named_parameters())
    del block.inner
    assert list(block.children()) == []


def test_a_parameter_replaces_a_plain_attribute_of_the_same_name() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = None  # declared first, filled in later (a common pattern)
            self.scale = nn.Parameter(np.ones(2))
            self.head = "todo"
            self.head = nn.Linear(2, 1)

    net = Net()
    assert isinstance(net.scale, nn.Parameter) and isinstance(net.head, nn.Linear)
    assert "scale" not in vars(net) and "head" not in vars(net)
    assert [name for name, _ in net.named_parameters()] == ["scale", "head.weight", "head.bias"]


@pytest.mark.parametrize("value", [Tensor(np.zeros((2, 3))), np.zeros((2, 3)), 1.5])
def test_a_non_parameter_cannot_replace_a_registered_parameter(value: object) -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=r"'weight'.*nn\.Parameter"):
        layer.weight = value
    assert isinstance(layer.weight, nn.Parameter)  # still registered, unchanged
    assert "weight" in dict(layer.named_parameters())


def test_a_non_module_cannot_replace_a_registered_submodule() -> None:
    block = Block()
    with pytest.raises(TypeError, match=r"'inner'.*nn\.Module or None"):
        block.inner = Tensor(np.ones(3))
    assert isinstance(block.inner, nn.Sequential)


def test_none_keeps_a_parameter_or_submodule_registered_as_absent() -> None:
    layer = nn.Linear(3, 2)
    layer.bias = None
    assert layer.bias is None and "bias" in layer._parameters
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert list(layer.state_dict()) == ["weight"]
    layer.bias = nn.Parameter(np.zeros(2))  # and can be filled again
    assert list(layer.state_dict()) == ["weight", "bias"]
    block = Block()
    block.inner = None
    assert block.inner is None and "inner" in block._modules
    assert list(block.children()) == [] and [n for n, _ in block.named_modules()] == [""]
    assert list(block.state_dict()) == ["scale"]
    block.train(False)  # walking the tree skips the empty slot
    assert "(inner): None" in repr(block)


def test_shared_parameters_are_listed_once() -> None:
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.Tanh(), layer)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_forgetting_super_init_is_a_clear_error() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_zero_grad_train_eval_and_call() -> None:
    block = Block()
    block(np.ones((2, 3))).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad(set_to_none=False)
    assert all(not p.grad.data.any() for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())
    assert block.eval() is block and not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())


def test_repr_prints_the_tree_with_shapes() -> None:
    text = repr(Block())
    assert text == (
        "Block(\n"
        "  scale: (3,)\n"
        "  (inner): Sequential(\n"
        "    (0): Linear(in_features=3, out_features=4, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Linear(in_features=4, out_features=2, bias=False)\n"
        "  )\n"
        ")")


def test_state_dict_round_trip() -> None:
    source, target = Block(), Block()
    state = source.state_dict()
    assert list(state) == ["scale", "inner.0.weight", "inner.0.bias", "inner.2.weight"]
    assert state["inner.0.weight"].shape == (4, 3)
    state["scale"][0] = 99.0  # a copy: changing it leaves the model alone
    assert source.scale.data[0] == 1.0
    array = target.inner[0].weight.data
    result = target.load_state_dict(source.state_dict())
    assert result == ([], [])
    assert target.inner[0].weight.data is array  # loaded in place
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(target(x).data, source(x).data)


def test_state_dict_keeps_every_name_of_a_tied_parameter() -> None:
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight  # weight tying
    model = nn.Sequential(a, b)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias"]  # PyTorch's keys
    np.testing.assert_array_equal(state["0.weight"], state["1.weight"])
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert len(list(model.parameters())) == 3  # an optimizer still sees it once
    shared_module = nn.Sequential(a, nn.Tanh(), a)
    assert list(shared_module.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_load_state_dict_fills_a_tied_parameter_under_either_name() -> None:
    def tied() -> nn.Sequential:
        a, b = nn.Linear(2, 2), nn.Linear(2, 2)
        b.weight = a.weight
        return nn.Sequential(a, b)

    source, target = tied(), tied()
    assert target.load_state_dict(source.state_dict()) == ([], [])
    np.testing.assert_array_equal(target[1].weight.data, source[0].weight.data)
    assert target[0].weight is target[1].weight  # still tied after loading
    state = source.state_dict()
    del state["1.weight"]  # a dict naming the shared tensor once (an older save) still loads
    assert tied().load_state_dict(state) == ([], [])
    state = source.state_dict()
    state["1.weight"] = state["1.weight"] + 1.0
    with pytest.raises(ValueError, match=r"'0.weight' and '1.weight'.*same"):
        target.load_state_dict(state)


def test_a_module_held_under_two_names_is_listed_as_pytorch_lists_it() -> None:
    """One child, however many names; every name in state_dict and in named_modules when
    duplicates are kept (PyTorch 2.13 gives these lists)."""
    model, layer = nn.Module(), nn.Linear(1, 1)
    model.a, model.b = layer, layer
    assert [name for name, _ in model.named_children()] == ["a"]
    assert [name for name, _ in model.named_modules()] == ["", "a"]
    assert [name for name, _ in model.named_modules(remove_duplicate=False)] == ["", "a", "b"]
    assert list(model.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_train_mode_must_be_a_bool() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with pytest.raises(ValueError, match="mode must be True or False, got 'False'"):
        model.train("False")  # a non-empty string would have meant True
    assert model.train(np.bool_(False)).training is False


def test_load_accepts_tensors_and_casts_to_the_parameters_dtype() -> None:
    layer = nn.Linear(2, 1, dtype=np.float32)
    layer.load_state_dict({"weight": Tensor([[1.0, 2.0]]), "bias": [0.5]})
    assert layer.weight.dtype == np.float32 and layer.bias.data.tolist() == [0.5]


class LikeATorchParameter:
    """What torch's parameters do: refuse to become an array until detached."""

    def __init__(self, values: list) -> None:
        self.values = np.array(values)
        self.shape = self.values.shape

    def detach(self) -> np.ndarray:
        return self.values

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad.")


def test_load_accepts_parameters_that_must_be_detached_first() -> None:
    """dict(torch_model.named_parameters()) loads as torch_model.state_dict() does."""
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": LikeATorchParameter([[1.0, 2.0]]),
                           "bias": LikeATorchParameter([0.5])})
    assert layer.weight.data.tolist() == [[1.0, 2.0]] and layer.bias.data.tolist() == [0.5]


def test_bad_state_dict_lists_every_offending_key() -> None:
    model = nn.MLP([3, 4, 2])
    state = model.state_dict()
    del state["layers.0.bias"]
    state["layers.2.weight"] = np.zeros((2, 5))
    state["layers.9.weight"] = np.zeros(7)
    before = model.state_dict()
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "3 problems" in message
    assert "missing key 'layers.0.bias' (expected shape (4,))" in message
    assert "unexpected key 'layers.9.weight' (found shape (7,))" in message
    assert "'layers.2.weight': shape mismatch, expected (2, 4), found (2, 5)" in message
    for name, value in model.state_dict().items():  # nothing was half-loaded
        np.testing.assert_array_equal(value, before[name])


def test_non_strict_load_reports_and_skips_but_shapes_must_match() -> None:
    model = nn.MLP([3, 4, 2])
    state = {"layers.0.weight": np.ones((4, 3)), "extra": np.zeros(1)}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == ["layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert unexpected == ["extra"] and model.layers[0].weight.data.sum() == 12
    with pytest.raises(ValueError, match="shape mismatch"):
        model.load_state_dict({"layers.0.weight": np.ones(3)}, strict=False)


def test_non_numeric_state_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="'bias': value is not numeric"):
        nn.Linear(1, 1).load_state_dict({"weight": [[1.0]], "bias": np.array(["x"])})
    with pytest.raises(TypeError, match="expected a mapping"):
        nn.Linear(1, 1).load_state_dict([("weight", 1)])


def test_parameter_is_a_tensor_leaf() -> None:
    p = nn.Parameter([1, 2])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf and p.dtype == np.float64
    assert type(p * 2) is Tensor
    assert nn.Parameter(np.zeros(2, dtype=np.float32)).dtype == np.float32
    assert repr(p).startswith("Parameter containing:")
    with pytest.raises(AttributeError):
        p.extra = 1  # __slots__: no per-instance dict
