"""Layers and MLP: each against its formula, gradcheck, dtypes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_engine import Tensor, gradcheck

RNG = np.random.default_rng(7)


def test_linear_formula_shapes_and_gradcheck() -> None:
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = RNG.normal(size=(4, 3))
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(x).data, expected)
    np.testing.assert_allclose(layer(Tensor(x[0])).data, expected[0])  # no batch axis
    weight, bias = layer.weight, layer.bias
    assert gradcheck(lambda t, w, b: t @ w.T + b,
                     [Tensor(x, requires_grad=True), weight, bias])


def test_linear_gradients_reach_weight_and_bias() -> None:
    layer = nn.Linear(3, 2)
    x = RNG.normal(size=(5, 3))
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, np.tile(x.sum(axis=0), (2, 1)))
    np.testing.assert_allclose(layer.bias.grad.data, [5.0, 5.0])


def test_linear_default_init_is_pytorchs_bound() -> None:
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # uniform over the whole range
    assert np.std(layer.weight.data) == pytest.approx(bound / np.sqrt(3), rel=0.02)


def test_linear_float32_end_to_end_and_no_bias() -> None:
    layer = nn.Linear(3, 2, bias=False, dtype=np.float32)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    out = layer(np.ones((2, 3), dtype=np.float32))
    out.sum().backward()
    assert out.dtype == np.float32 and layer.weight.grad.dtype == np.float32


@pytest.mark.parametrize("args, message", [
    ((0, 2), "in_features must be a positive integer"),
    ((2, 2.5), "out_features must be a positive integer"),
])
def test_linear_bad_sizes(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.Linear(*args)
    with pytest.raises(TypeError, match="floating"):
        nn.Linear(2, 2, dtype=np.int64)


def test_linear_wrong_input_width_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"last axis must have size 3, got input of shape "
                                         r"\(4, 5\)"):
        nn.Linear(3, 2)(np.zeros((4, 5)))


ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(axis=0, keepdims=True)),
    (nn.Softmax(), lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
    (nn.Identity(), lambda x: x),
    (nn.Flatten(), lambda x: x.reshape(len(x), -1)),
]


@pytest.mark.parametrize("module, formula", ACTIVATIONS, ids=lambda m: type(m).__name__)
def test_activation_formula_and_gradcheck(module: nn.Module, formula: callable) -> None:
    x = RNG.normal(size=(3, 4)) + 0.05  # away from relu's kink at 0
    np.testing.assert_allclose(module(x).data, formula(x), rtol=1e-12)
    assert gradcheck(module, [Tensor(x, requires_grad=True)])


def test_flatten_keeps_the_batch_axis() -> None:
    assert nn.Flatten()(np.zeros((2, 3, 4))).shape == (2, 12)
    assert nn.Flatten(0, 1)(np.zeros((2, 3, 4))).shape == (6, 4)
    assert nn.Flatten()(np.zeros((0, 3, 4))).shape == (0, 12)  # an empty batch


def test_dropout_is_inverted_train_only_and_seedable() -> None:
    x = np.ones((200, 50))
    drop = nn.Dropout(0.25, generator=np.random.default_rng(0))
    out = drop(x).data
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # inverted: the mean is kept
    again = nn.Dropout(0.25, generator=np.random.default_rng(0))(x).data
    np.testing.assert_array_equal(out, again)
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x)
    assert not nn.Dropout(1.0)(x).data.any()


def test_dropout_gradient_uses_the_same_mask() -> None:
    x = Tensor(np.ones((4, 5)), requires_grad=True)
    out = nn.Dropout(0.5)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, out.data)


def test_dropout_follows_manual_seed() -> None:
    nn.manual_seed(5)
    first = nn.Dropout(0.5)(np.ones(100)).data
    nn.manual_seed(5)
    np.testing.assert_array_equal(nn.Dropout(0.5)(np.ones(100)).data, first)
    with pytest.raises(ValueError, match="p must be a finite number in \\[0, 1\\], got 1.5"):
        nn.Dropout(1.5)


def test_sequential_order_indexing_and_slicing() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    x = RNG.normal(size=(4, 2))
    manual = model[2](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).data, manual.data)
    assert len(model) == 3 and isinstance(model[-1], nn.Linear)
    head = model[1:]
    assert [n for n, _ in head.named_parameters()] == ["2.weight", "2.bias"]
    with pytest.raises(IndexError, match="index 5 out of range for 3"):
        model[5]


def test_mlp_layers_and_activations() -> None:
    model = nn.MLP([4, 8, 8, 3], activation="tanh", output_activation="softmax")
    kinds = [type(m).__name__ for m in model.layers]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Softmax"]
    out = model(RNG.normal(size=(5, 4)))
    np.testing.assert_allclose(out.data.sum(axis=1), 1.0)
    assert [type(m).__name__ for m in nn.MLP([2, 1]).layers] == ["Linear"]


def test_mlp_gradcheck_through_every_parameter() -> None:
    model = nn.MLP([3, 4, 2], activation="tanh")
    x = RNG.normal(size=(2, 3))
    params = list(model.parameters())

    def forward(*values: Tensor) -> Tensor:
        with_values = dict(zip([n for n, _ in model.named_parameters()], values))
        w0, b0, w1, b1 = (with_values[k] for k in ("layers.0.weight", "layers.0.bias",
                                                   "layers.2.weight", "layers.2.bias"))
        return (Tensor(x) @ w0.T + b0).tanh() @ w1.T + b1

    np.testing.assert_allclose(forward(*params).data, model(x).data)
    assert gradcheck(forward, params)


ARCHITECTURE = [{"input_dim": 30, "output_dim": 16, "activation": "relu"},
                {"input_dim": 16, "output_dim": 8, "activation": "leaky_relu"},
                {"input_dim": 8, "output_dim": 1, "activation": "sigmoid"}]


def test_from_architecture_builds_the_listed_layers() -> None:
    model = nn.MLP.from_architecture(ARCHITECTURE)
    assert [type(m).__name__ for m in model.layers] == [
        "Linear", "ReLU", "Linear", "LeakyReLU", "Linear", "Sigmoid"]
    assert model.layers[2].weight.shape == (8, 16)
    assert model(np.zeros((2, 30))).shape == (2, 1)
    none = nn.MLP.from_architecture([{"input_dim": 2, "output_dim": 3, "activation": "none"}])
    assert [type(m).__name__ for m in none.layers] == ["Linear"]


@pytest.mark.parametrize("scheme", nn.mlp.INIT_SCHEMES)
def test_from_architecture_init_schemes_are_seedable(scheme: str) -> None:
    a = nn.MLP.from_architecture(ARCHITECTURE, init=scheme, generator=np.random.default_rng(3))
    b = nn.MLP.from_architecture(ARCHITECTURE, init=scheme, generator=np.random.default_rng(3))
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(x, y, err_msg=name)
    weight = a.layers[0].weight.data
    expected_std = {"naive": 0.1, "pytorch": 1 / np.sqrt(30) / np.sqrt(3),
                    "xavier_uniform": np.sqrt(2 / 46), "xavier_normal": np.sqrt(2 / 46),
                    "kaiming_uniform": np.sqrt(2 / 30), "kaiming_normal": np.sqrt(2 / 30)}
    assert weight.std() == pytest.approx(expected_std[scheme], rel=0.2)


@pytest.mark.parametrize("activation, gain", [("tanh", 5 / 3), ("relu", np.sqrt(2)),
                                              ("sigmoid", 1.0)])
def test_kaiming_init_takes_the_gain_of_each_layers_activation(activation: str,
                                                               gain: float) -> None:
    """As the docs say: the gain of what follows the layer; the output layer's is linear's."""
    model = nn.MLP([400, 400, 1], activation=activation, init="kaiming_normal",
                   generator=np.random.default_rng(0))
    hidden, output = model.layers[0].weight.data, model.layers[-1].weight.data
    assert hidden.std() * np.sqrt(400) == pytest.approx(gain, rel=0.02)
    assert output.std() * np.sqrt(400) == pytest.approx(1.0, rel=0.1)


@pytest.mark.parametrize("architecture, message", [
    ([{"input_dim": 30, "output_dim": 16, "activation": "relu"},
      {"input_dim": 12, "output_dim": 1, "activation": "sigmoid"}],
     "layer 1: input_dim is 12 but layer 0 outputs 16"),
    ([{"input_dim": 3, "output_dim": 2, "activation": "relu6"}],
     "layer 0: unknown activation 'relu6'"),
    ([{"input_dim": 3, "output_dim": 0}], "layer 0: output_dim must be a positive integer"),
    ([{"input_dim": 3}], "layer 0: expected a dict with input_dim"),
    ([{"input_dim": 3, "output_dim": 2, "activaton": "relu"}], "unknown keys \\['activaton'\\]"),
    ([], "non-empty list"),
])
def test_from_architecture_errors_name_the_layer(architecture: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.MLP.from_architecture(architecture)


def test_mlp_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="unknown init 'he'"):
        nn.MLP.from_architecture(ARCHITECTURE, init="he")


def test_mlp_given_an_architecture_list_points_to_from_architecture() -> None:
    with pytest.raises(TypeError, match="from_architecture"):
        nn.MLP([{"input_dim": 30, "output_dim": 1, "activation": "relu"}])


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.Dropout("a"), TypeError, "Dropout: p must be a number, got str"),
    (lambda: nn.LeakyReLU("a"), TypeError, "LeakyReLU: negative_slope must be a number"),
    (lambda: nn.CrossEntropyLoss(label_smoothing="a"), TypeError,
     "CrossEntropyLoss: label_smoothing must be a number"),
    (lambda: nn.Flatten("a"), ValueError, "Flatten: start_dim must be an integer, got 'a'"),
    (lambda: nn.Softmax(axis=1.5), ValueError, "Softmax: axis must be an integer, got 1.5"),
    (lambda: nn.MLP(2), TypeError, r"MLP: sizes must be a list of layer sizes such as "
                                   r"\[30, 16, 1\], got 2"),
])
def test_constructor_arguments_of_the_wrong_type_name_the_argument(make, error, message) -> None:
    """They gave Python's errors, or (Softmax's axis=1.5) silently used axis 1."""
    with pytest.raises(error, match=message):
        make()
