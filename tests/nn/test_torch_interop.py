"""Cross-checks against a live PyTorch, skipped where torch is not installed (as in CI).

The hard-coded reference numbers in torch_reference.json cover the same ground without it.
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_engine import Tensor

torch = pytest.importorskip("torch")


def test_state_dict_loads_into_the_equivalent_torch_model_unchanged() -> None:
    model = nn.MLP([4, 6, 3], activation="tanh")
    reference = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(),
                                    torch.nn.Linear(6, 3)).double()
    wrapper = torch.nn.Module()
    wrapper.layers = reference
    wrapper.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 4))
    np.testing.assert_allclose(reference(torch.from_numpy(x)).detach().numpy(), model(x).data,
                               rtol=1e-12)
    back = nn.MLP([4, 6, 3], activation="tanh")
    back.load_state_dict(wrapper.state_dict())  # torch tensors load too
    np.testing.assert_array_equal(back(x).data, model(x).data)
    again = nn.MLP([4, 6, 3], activation="tanh")
    again.load_state_dict(dict(wrapper.named_parameters()))  # parameters, requiring grad
    np.testing.assert_array_equal(again(x).data, model(x).data)


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.3)),
])
def test_training_a_layer_follows_torchs_trajectory(name: str, kwargs: dict) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)
    ours = nn.Linear(3, 2)
    theirs = torch.nn.Linear(3, 2).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    our_opt = getattr(nn.optim, name)(ours.parameters(), **kwargs)
    their_opt = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    for _ in range(10):
        our_opt.zero_grad()
        nn.CrossEntropyLoss()(ours(Tensor(x)), y).backward()
        our_opt.step()
        their_opt.zero_grad()
        torch.nn.CrossEntropyLoss()(theirs(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        their_opt.step()
        for key, value in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-11,
                                       atol=1e-14)
