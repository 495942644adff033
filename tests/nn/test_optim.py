"""Optimizers and schedulers: PyTorch's trajectories step for step, the formulas by hand,
in-place updates, state dicts, errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import nn
from autograd_engine import Tensor


def quadratic_problem(reference: dict) -> tuple[nn.Parameter, nn.Parameter, callable]:
    w, b = nn.Parameter(reference["w0"]), nn.Parameter(reference["b0"])
    X = np.array(reference["X"])

    def loss() -> Tensor:
        return ((Tensor(X) @ w.T + b).tanh() ** 2).sum()

    return w, b, loss


def run_steps(optimizer: nn.optim.Optimizer, loss: callable, steps: int) -> None:
    for _ in range(steps):
        optimizer.zero_grad()
        loss().backward()
        optimizer.step()


def test_trajectories_equal_pytorch_step_for_step(torch_reference: dict) -> None:
    reference = torch_reference["optimizers"]
    for case in reference["cases"]:
        w, b, loss = quadratic_problem(reference)
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
        optimizer = getattr(nn.optim, case["name"])([w, b], **kwargs)
        for number, (w_expected, b_expected) in enumerate(case["steps"], 1):
            run_steps(optimizer, loss, 1)
            label = f"{case['name']}({case['kwargs']}) step {number}"
            np.testing.assert_allclose(w.data, w_expected, rtol=1e-12, atol=1e-15, err_msg=label)
            np.testing.assert_allclose(b.data, b_expected, rtol=1e-12, atol=1e-15, err_msg=label)


def test_sgd_momentum_formula_by_hand() -> None:
    p = nn.Parameter([1.0, -2.0])
    optimizer = nn.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)
    grads = [np.array([0.5, 1.0]), np.array([-1.0, 2.0])]
    value, buffer = np.array([1.0, -2.0]), None
    for g in grads:
        p.grad = Tensor(g)
        optimizer.step()
        g = g + 0.1 * value
        buffer = g if buffer is None else 0.9 * buffer + 0.5 * g
        value = value - 0.1 * buffer
        np.testing.assert_allclose(p.data, value)


def test_adam_first_step_moves_each_parameter_by_lr() -> None:
    # with bias correction, step 1 is lr * g / (|g| + eps'): a move of lr whatever g's scale
    p = nn.Parameter([0.0, 0.0, 0.0])
    p.grad = Tensor([1e-4, -3.0, 5000.0])
    nn.optim.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, [-0.01, 0.01, -0.01], rtol=1e-3)


@pytest.mark.parametrize("grad, error, message", [
    (Tensor(np.ones(1)), ValueError, r"SGD.step: parameter 1's .grad has shape \(1,\) but the "
                                     r"parameter has shape \(2,\)"),
    (np.ones(2), TypeError, "SGD.step: parameter 1's .grad is of type ndarray, not a Tensor"),
])
def test_a_hand_set_grad_of_the_wrong_shape_or_kind_is_refused(grad, error, message) -> None:
    """A (1,) gradient was broadcast over every element; a numpy array failed inside numpy."""
    layer = nn.Linear(3, 2)
    before = layer.state_dict()
    layer.weight.grad, layer.bias.grad = Tensor(np.ones((2, 3))), grad
    with pytest.raises(error, match=message):
        nn.optim.SGD(layer.parameters(), lr=0.1).step()
    np.testing.assert_array_equal(layer.bias.data, before["bias"])
    layer.bias.grad = Tensor(np.ones(2, dtype=np.float32))  # another dtype is cast, as before
    nn.optim.SGD(layer.parameters(), lr=0.1).step()
    np.testing.assert_allclose(layer.bias.data, before["bias"] - 0.1)


def test_update_is_in_place_and_keeps_float32() -> None:
    layer = nn.Linear(3, 2, dtype=np.float32)
    array = layer.weight.data
    for optimizer in (nn.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9),
                      nn.optim.Adam(layer.parameters()), nn.optim.AdamW(layer.parameters()),
                      nn.optim.RMSprop(layer.parameters(), centered=True, momentum=0.1)):
        before = array.copy()
        layer(np.ones((4, 3), dtype=np.float32)).sum().backward()
        optimizer.step()
        assert layer.weight.data is array and array.dtype == np.float32
        assert not np.array_equal(array, before)
        assert all(v.dtype == np.float32 for s in optimizer.state.values() for v in s.values()
                   if isinstance(v, np.ndarray))
        layer.zero_grad()


def test_parameters_without_gradient_are_skipped_and_scalars_work() -> None:
    a, b = nn.Parameter(2.0), nn.Parameter([1.0])
    optimizer = nn.optim.SGD([a, b], lr=0.5)
    a.grad = Tensor(4.0)
    optimizer.step()
    assert a.item() == 0.0 and b.data.tolist() == [1.0]
    assert a.version == 1  # one in-place change, declared once
    c = nn.Parameter(np.float32(2.0))
    c.grad = Tensor(np.float32(4.0))
    nn.optim.SGD([c], lr=0.5).step()
    assert c.item() == 0.0 and c.dtype == np.float32 and c.ndim == 0


def test_zero_grad_to_none_and_to_zeros() -> None:
    p = nn.Parameter([1.0, 2.0])
    optimizer = nn.optim.Adam([p])
    p.grad = Tensor([3.0, 4.0])
    optimizer.zero_grad(set_to_none=False)
    assert p.grad.data.tolist() == [0.0, 0.0]
    optimizer.zero_grad()
    assert p.grad is None


def test_state_dict_resumes_exactly(torch_reference: dict) -> None:
    reference = torch_reference["optimizers"]
    w, b, loss = quadratic_problem(reference)
    optimizer = nn.optim.Adam([w, b], lr=0.05)
    run_steps(optimizer, loss, 3)
    saved = copy.deepcopy(optimizer.state_dict())
    weights = [w.data.copy(), b.data.copy()]
    run_steps(optimizer, loss, 3)
    assert saved["param_groups"][0]["params"] == [0, 1]
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}

    w2, b2, loss2 = quadratic_problem(reference)
    w2.data[...], b2.data[...] = weights
    resumed = nn.optim.Adam([w2, b2], lr=0.999)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.05
    run_steps(resumed, loss2, 3)
    np.testing.assert_array_equal(w2.data, w.data)
    np.testing.assert_array_equal(b2.data, b.data)


def test_load_state_dict_rejects_a_different_model() -> None:
    optimizer = nn.optim.SGD(nn.Linear(3, 2).parameters(), lr=0.1, momentum=0.9)
    other = nn.optim.SGD([nn.Parameter([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="groups of sizes"):
        other.load_state_dict(optimizer.state_dict())
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        other.load_state_dict({"lr": 1})
    saved = {"state": {0: {"momentum_buffer": np.zeros(5)}},
             "param_groups": [{"lr": 0.1, "params": [0]}]}
    with pytest.raises(ValueError, match=r"expected shape \(1,\), found \(5,\)"):
        other.load_state_dict(saved)
    for value, found in [([0.0], "builtins.list"), (1.0, "builtins.float"),
                         (Tensor([0.0]), "autograd_engine.tensor.Tensor")]:
        saved["state"][0]["momentum_buffer"] = value  # (a torch optimizer's would be torch's)
        with pytest.raises(ValueError, match=f"momentum_buffer: expected a numpy array, found "
                                             f"{found}"):
            other.load_state_dict(saved)
    saved["state"][0] = {"step": np.zeros(1)}
    with pytest.raises(ValueError, match="step: expected a number, found numpy.ndarray"):
        other.load_state_dict(saved)


def test_load_state_dict_checks_settings_and_state_entries_before_changing_anything() -> None:
    """Each failed only at the next step() (KeyError), or not at all (a negative lr)."""
    def stepped(optimizer: nn.optim.Optimizer) -> dict:
        optimizer.param_groups[0]["params"][0].grad = Tensor([1.0])
        optimizer.step()
        return copy.deepcopy(optimizer.state_dict())

    sgd = stepped(nn.optim.SGD([nn.Parameter([1.0])], lr=0.1, momentum=0.9))
    adam_state = stepped(nn.optim.Adam([nn.Parameter([1.0])]))
    adam = nn.optim.Adam([nn.Parameter([1.0])], lr=0.01)
    with pytest.raises(ValueError, match=r"settings \['dampening', 'momentum', 'nesterov'\] are "
                                         r"not Adam's and it lacks \['betas', 'eps'\]: it was "
                                         "saved from another kind of optimizer"):
        adam.load_state_dict(sgd)
    del adam_state["state"][0]["exp_avg_sq"]
    with pytest.raises(ValueError, match=r"parameter 0 has state \['exp_avg', 'step'\], but Adam "
                                         r"keeps \['exp_avg', 'exp_avg_sq', 'step'\]"):
        adam.load_state_dict(adam_state)
    sgd["state"][0] = {"exp_avg": np.zeros(1)}
    sgd["param_groups"][0]["lr"] = -5
    plain = nn.optim.SGD([nn.Parameter([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be a finite number >= 0, got -5"):
        plain.load_state_dict(sgd)
    sgd["param_groups"][0]["lr"] = 0.2
    with pytest.raises(ValueError, match=r"state \['exp_avg'\], but SGD keeps "
                                         r"\['momentum_buffer'\]"):
        plain.load_state_dict(sgd)
    assert adam.param_groups[0]["lr"] == 0.01 and plain.param_groups[0]["lr"] == 0.1
    assert not adam.state and not plain.state


# torch.optim state dicts as PyTorch 2.13 writes them, the tensors converted with .numpy()
# (pasted here so no test needs torch): each optimizer made with the settings shown and
# stepped once from p = [1, 2] with the gradient [0.5, -0.5]; then p after that step, and
# after a second step with the same gradient
TORCH_FLAGS = {"maximize": False, "foreach": None, "differentiable": False}
ADAM_FLAGS = {**TORCH_FLAGS, "amsgrad": False, "capturable": False, "fused": None}
ADAM_STATE = {"step": np.array(1.0, dtype=np.float32),
              "exp_avg": np.array([0.04999999999999999, -0.04999999999999999]),
              "exp_avg_sq": np.array([0.0002500000000000002, 0.0002500000000000002])}
FROM_TORCH = {
    "SGD": (lambda p: nn.optim.SGD(p, lr=0.5),
            {"lr": 0.1, "momentum": 0.9, "dampening": 0, "weight_decay": 0, "nesterov": False,
             **TORCH_FLAGS, "fused": None},
            {"momentum_buffer": np.array([0.5, -0.5])}, [0.95, 2.05], [0.855, 2.145]),
    "Adam": (lambda p: nn.optim.Adam(p, lr=0.5),
             {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, **ADAM_FLAGS,
              "decoupled_weight_decay": False},
             ADAM_STATE, [0.900000002, 2.099999998], [0.8000000040000006, 2.1999999959999994]),
    "AdamW": (lambda p: nn.optim.AdamW(p, lr=0.5),
              {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0.01,
               **ADAM_FLAGS, "decoupled_weight_decay": True},
              ADAM_STATE, [0.899000002, 2.097999998], [0.7981010039980005, 2.1959019960019996]),
    "RMSprop": (lambda p: nn.optim.RMSprop(p, lr=0.5),
                {"lr": 0.1, "momentum": 0.5, "alpha": 0.99, "eps": 1e-08, "centered": True,
                 "weight_decay": 0, **TORCH_FLAGS, "capturable": False},
                {"step": np.array(1.0, dtype=np.float32),
                 "square_avg": np.array([0.0025000000000000022, 0.0025000000000000022]),
                 "momentum_buffer": np.array([10.050376132390502, -10.050376132390502]),
                 "grad_avg": np.array([0.0050000000000000044, -0.0050000000000000044])},
                [-0.0050376132390502655, 3.0050376132390504],
                [-1.2235979385360107, 4.2235979385360105]),
}


def torch_state_dict(name: str, **changes) -> dict:
    _, group, state, _, _ = FROM_TORCH[name]
    return {"state": {0: copy.deepcopy(state)},
            "param_groups": [{**group, **changes, "params": [0]}]}


@pytest.mark.parametrize("name", FROM_TORCH)
def test_a_torch_optimizer_state_dict_loads_and_carries_on_as_torch_did(name: str) -> None:
    """They were refused: "the saved settings ['amsgrad', 'capturable', ...] are not Adam's"."""
    make, _, _, after_one, after_two = FROM_TORCH[name]
    p = nn.Parameter(after_one)
    optimizer = make([p])
    optimizer.load_state_dict(torch_state_dict(name))
    assert "maximize" not in optimizer.param_groups[0] and optimizer.param_groups[0]["lr"] == 0.1
    p.grad = Tensor([0.5, -0.5])
    optimizer.step()
    np.testing.assert_allclose(p.data, after_two, rtol=1e-14)


@pytest.mark.parametrize("name, changes, message", [
    ("Adam", {"amsgrad": True}, "the saved amsgrad=True is not supported; Adam has no AMSGrad"),
    ("SGD", {"maximize": True}, "maximize=True is not supported; nn's optimizers minimise"),
    ("RMSprop", {"differentiable": True}, "differentiable=True is not supported"),
    ("AdamW", {"decoupled_weight_decay": False},
     "decoupled_weight_decay=False is not supported; that is Adam's weight decay: load it "
     "into nn.optim.Adam"),
    ("Adam", {"foreach": True, "fused": True, "capturable": True, "decoupled_weight_decay": True},
     "that is AdamW's weight decay: load it into nn.optim.AdamW"),
])
def test_a_torch_setting_that_would_change_the_update_is_refused_by_name(name, changes,
                                                                         message) -> None:
    optimizer = FROM_TORCH[name][0]([nn.Parameter([1.0, 2.0])])
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(torch_state_dict(name, **changes))
    assert optimizer.param_groups[0]["lr"] == 0.5 and not optimizer.state
    # how PyTorch computed (a loop, a fused kernel, CUDA graphs) is no such setting
    optimizer.load_state_dict(torch_state_dict(name, foreach=True, fused=True))


def test_torch_s_other_adams_are_refused_by_what_they_lack() -> None:
    """RAdam's, Adamax's and SparseAdam's settings and state are all Adam's, but their
    update is not: only PyTorch's Adam and AdamW save `amsgrad`. A dict from a PyTorch that
    saved no `decoupled_weight_decay` is Adam's or AdamW's alike when it decays weights."""
    adam, adamw = (kind([nn.Parameter([1.0, 2.0])]) for kind in (nn.optim.Adam,
                                                                  nn.optim.AdamW))
    radam = torch_state_dict("Adam")
    del radam["param_groups"][0]["amsgrad"]
    with pytest.raises(ValueError, match="no 'amsgrad'.*another optimizer's \\(RAdam"):
        adam.load_state_dict(radam)
    older = torch_state_dict("AdamW")
    del older["param_groups"][0]["decoupled_weight_decay"]
    with pytest.raises(ValueError, match="may be Adam's or AdamW's.*to True"):
        adamw.load_state_dict(older)
    older["param_groups"][0]["decoupled_weight_decay"] = True  # said: it loads
    adamw.load_state_dict(older)
    without_decay = torch_state_dict("Adam")
    del without_decay["param_groups"][0]["decoupled_weight_decay"]
    adam.load_state_dict(without_decay)  # no weight decay: Adam's and AdamW's are one update


def test_a_torch_flag_converted_to_a_0d_array_is_read_as_its_value() -> None:
    adam = nn.optim.Adam([nn.Parameter([1.0, 2.0])])
    adam.load_state_dict(torch_state_dict("Adam", maximize=np.array(False),
                                          amsgrad=np.array(False)))
    with pytest.raises(ValueError, match="the saved maximize=True is not supported"):
        adam.load_state_dict(torch_state_dict("Adam", maximize=np.array(True)))


def test_torch_settings_do_not_hide_another_kind_of_optimizer() -> None:
    adam = nn.optim.Adam([nn.Parameter([1.0, 2.0])])
    with pytest.raises(ValueError, match=r"settings \['dampening', 'momentum', 'nesterov'\] are "
                                         "not Adam's and it lacks"):
        adam.load_state_dict(torch_state_dict("SGD"))


def test_parameter_groups_have_their_own_settings() -> None:
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    optimizer = nn.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = Tensor([1.0]), Tensor([1.0])
    optimizer.step()
    assert a.data.tolist() == [0.9] and b.data.tolist() == [0.5]


def test_a_parameter_may_be_in_one_group_only() -> None:
    """Checked across groups in the constructor and by add_param_group (PyTorch refuses
    this too: one parameter would be stepped twice)."""
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    for groups in ([a, a], [{"params": [a]}, {"params": [b, a]}]):
        with pytest.raises(ValueError, match="appears in more than one parameter group"):
            nn.optim.SGD(groups, lr=0.1)
    optimizer = nn.optim.SGD([{"params": [a]}], lr=0.1)
    with pytest.raises(ValueError, match="appears in more than one parameter group"):
        optimizer.add_param_group({"params": [b, a]})
    optimizer.add_param_group({"params": [b]})
    assert len(optimizer.param_groups) == 2


@pytest.mark.parametrize("make, message", [
    (lambda p: nn.optim.SGD(p, lr=-1), "lr must be a finite number >= 0, got -1"),
    (lambda p: nn.optim.SGD(p, lr=0.1, nesterov=True), "nesterov"),
    (lambda p: nn.optim.Adam(p, betas=(1.0, 0.9)),
     r"betas\[0\] must be a finite number in \[0, 1\), got 1.0"),
    (lambda p: nn.optim.RMSprop(p, alpha=-0.1), "alpha must be a finite number >= 0"),
    (lambda p: nn.optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: nn.optim.SGD([{"params": p, "momentun": 0.9}], lr=0.1), "unknown settings"),
    (lambda p: nn.optim.SGD(p + p, lr=0.1), "more than one"),
])
def test_bad_settings_are_clear_errors(make: callable, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter([1.0])])


@pytest.mark.parametrize("make, error, message", [
    (lambda p: nn.optim.SGD(p, lr="a"), TypeError, "SGD: lr must be a number, got str 'a'"),
    (lambda p: nn.optim.SGD(p, lr=None), TypeError, "SGD: lr must be a number, got NoneType"),
    (lambda p: nn.optim.SGD(p, lr=np.array([0.1, 0.2])), TypeError,
     "SGD: lr must be a number, got ndarray"),
    (lambda p: nn.optim.SGD(p, lr=float("nan")), ValueError, "lr must be a finite number"),
    (lambda p: nn.optim.SGD(p, lr=0.1, momentum="a"), TypeError, "SGD: momentum must be a "),
    (lambda p: nn.optim.SGD(p, lr=0.1, weight_decay="a"), TypeError, "weight_decay must be a "),
    (lambda p: nn.optim.Adam(p, betas=0.9), TypeError,
     r"Adam: betas must be a pair \(beta1, beta2\), such as \(0.9, 0.999\), got 0.9"),
    (lambda p: nn.optim.Adam(p, betas=(0.9,)), TypeError, r"got \(0.9,\)"),
    (lambda p: nn.optim.AdamW(p, betas=(0.9, "x")), TypeError, r"AdamW: betas\[1\] must be a"),
])
def test_settings_of_the_wrong_type_name_the_argument(make, error, message) -> None:
    with pytest.raises(error, match=message):
        make([nn.Parameter([1.0])])


def test_a_subclass_needs_only_the_settings_it_uses() -> None:
    """A custom optimizer without weight_decay failed with KeyError: 'weight_decay'."""
    class Plain(nn.optim.Optimizer):
        def __init__(self, params, lr: float = 0.1) -> None:
            super().__init__(params, dict(lr=lr))

        def _update(self, param, grad, state, group) -> None:
            param -= group["lr"] * grad

    p = nn.Parameter([1.0])
    optimizer = Plain([p])
    p.grad = Tensor([1.0])
    optimizer.step()
    assert p.data.tolist() == [0.9]
    with pytest.raises(ValueError, match="Plain: lr must be a finite number >= 0, got -1"):
        Plain([p], lr=-1)


def test_betas_may_be_any_pair_of_numbers() -> None:
    """An array of two was refused ('betas must be a pair'), as it had been accepted."""
    trained = []
    for betas in ((0.8, 0.99), [0.8, 0.99], np.array([0.8, 0.99])):
        p = nn.Parameter([1.0, 2.0])
        optimizer = nn.optim.Adam([p], lr=0.1, betas=betas)
        for _ in range(2):
            p.grad = Tensor([0.5, -0.5])
            optimizer.step()
        trained.append(p.data.tolist())
    assert trained[0] == trained[1] == trained[2]
    for betas in ("ab", np.array([[0.8], [0.99]]), {0.8, 0.99}):
        with pytest.raises(TypeError, match="betas must be a pair"):
            nn.optim.Adam([p], betas=betas)


def test_only_leaf_tensors_that_need_grad_are_accepted() -> None:
    with pytest.raises(TypeError, match="requires_grad=True"):
        nn.optim.Adam([Tensor([1.0])])


def test_schedulers_equal_pytorch(torch_reference: dict) -> None:
    for case in torch_reference["schedulers"]:
        optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=0.5)
        scheduler = getattr(nn.optim, case["name"])(optimizer, **case["kwargs"])
        lrs = [scheduler.get_last_lr()[0]]
        for _ in range(15):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
        np.testing.assert_allclose(lrs, case["lrs"], rtol=1e-12, err_msg=case["name"])
        assert optimizer.param_groups[0]["lr"] == lrs[-1]


def test_schedulers_chain_and_carry_on_from_a_rate_set_by_hand(torch_reference: dict) -> None:
    """Each step moves the current rate (PyTorch's chainable form): a warm-up under a step
    decay multiplies with it, a cosine goes on past its first period, and a rate set by hand
    between epochs is where the schedule continues from."""
    for case in torch_reference["chained_schedulers"]:
        optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=case["lr"])
        made = [getattr(nn.optim, name)(optimizer, **kwargs)
                for name, kwargs in case["schedulers"]]
        lrs = [optimizer.param_groups[0]["lr"]]
        for epoch in range(1, case["epochs"] + 1):
            optimizer.step()
            for scheduler in made:
                scheduler.step()
            if str(epoch) in case["set_lr"]:
                optimizer.param_groups[0]["lr"] = case["set_lr"][str(epoch)]
            lrs.append(optimizer.param_groups[0]["lr"])
        np.testing.assert_allclose(lrs, case["lrs"], rtol=1e-12, err_msg=str(case))


def test_scheduler_state_dict_resumes() -> None:
    """Resuming loads the optimizer's state (its rates) and the scheduler's (its epoch)."""
    optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=1.0)
    scheduler = nn.optim.CosineAnnealingLR(optimizer, T_max=8)
    for _ in range(3):
        scheduler.step()
    state = scheduler.state_dict()
    fresh_optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=1.0)
    fresh = nn.optim.CosineAnnealingLR(fresh_optimizer, T_max=8)
    fresh_optimizer.load_state_dict(optimizer.state_dict())
    fresh.load_state_dict(state)
    for _ in range(10):
        scheduler.step()
        fresh.step()
        assert fresh_optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    assert "optimizer" not in state


@pytest.mark.parametrize("make", [
    lambda opt: nn.optim.StepLR(opt, step_size=3, gamma=0.5),
    lambda opt: nn.optim.LinearLR(opt, start_factor=0.5, end_factor=1.0, total_iters=4),
    lambda opt: nn.optim.CosineAnnealingLR(opt, T_max=5, eta_min=0.01),
])
def test_a_scheduler_state_saved_to_a_file_resumes(make, tmp_path) -> None:
    """nn.load gives each saved number back as a 0-d array (step_size as array(3)), which
    the checks refused as 'not an integer' or 'not a number'."""
    optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=1.0)
    scheduler = make(optimizer)
    for _ in range(2):
        scheduler.step()
    nn.save(scheduler.state_dict(), tmp_path / "scheduler.npz")
    fresh_optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=1.0)
    fresh = make(fresh_optimizer)
    fresh_optimizer.load_state_dict(optimizer.state_dict())
    fresh.load_state_dict(dict(nn.load(tmp_path / "scheduler.npz")))
    assert type(fresh.last_epoch) is int
    for _ in range(6):
        scheduler.step()
        fresh.step()
        assert fresh_optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]


def test_numpy_scalars_and_0d_arrays_are_numbers_but_not_bools_or_text() -> None:
    trained = []
    for lr in (0.5, np.array(0.5), np.float32(0.5)):
        p = nn.Parameter([1.0, 2.0])
        optimizer = nn.optim.Adam([p], lr=lr)
        p.grad = Tensor([1.0, -1.0])
        optimizer.step()
        trained.append(p.data.tolist())
    assert trained[0] == trained[1] == trained[2]
    assert nn.optim.StepLR(optimizer, step_size=np.array(3)).step_size == 3
    refused = [
        (lambda: nn.optim.SGD([p], lr=np.array(True)), TypeError, "lr must be a number, got bool"),
        (lambda: nn.optim.SGD([p], lr=np.array([0.1])), TypeError, "got ndarray"),
        (lambda: nn.optim.SGD([p], lr=np.array(np.inf)), ValueError, "got inf"),
        (lambda: nn.optim.StepLR(optimizer, step_size=np.array(2.7)), ValueError, "got 2.7"),
        (lambda: nn.optim.StepLR(optimizer, step_size=np.str_("3")), ValueError, "got '3'"),
        (lambda: nn.optim.StepLR(optimizer, step_size=np.bool_(True)), ValueError, "got True"),
    ]
    for make, error, message in refused:
        with pytest.raises(error, match=message):
            make()


def test_linear_lr_decays_like_micrograds_demo() -> None:
    optimizer = nn.optim.SGD([nn.Parameter([0.0])], lr=1.0)
    scheduler = nn.optim.LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=100)
    rates = [scheduler.get_last_lr()[0]]
    for _ in range(120):
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    assert rates[0] == 1.0 and rates[50] == pytest.approx(0.55) and rates[100:] == \
        pytest.approx([0.1] * 21)


def test_a_graph_recorded_before_a_step_refuses_to_backward() -> None:
    """The step changes the weights in place; a backward through a graph that saved the old
    weights would give a wrong gradient, so it raises (as PyTorch does)."""
    layer = nn.Linear(3, 1)
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.1)
    x = Tensor(np.ones((2, 3)))
    first = layer(x).sum()
    stale = layer(x).sum()
    first.backward()
    optimizer.step()
    with pytest.raises(RuntimeError, match="in-place"):
        stale.backward()


def test_an_optimizer_given_a_model_or_the_unbound_method_says_what_to_pass() -> None:
    model = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        nn.optim.Adam(model)
    with pytest.raises(TypeError, match="parentheses"):
        nn.optim.SGD(model.parameters, lr=0.1)


@pytest.mark.parametrize("make, message", [
    (lambda opt: nn.optim.StepLR(opt, step_size=0), "StepLR: step_size must be a positive"),
    (lambda opt: nn.optim.LinearLR(opt, total_iters=0), "LinearLR: total_iters must be a"),
    (lambda opt: nn.optim.CosineAnnealingLR(opt, T_max=-1), "CosineAnnealingLR: T_max must"),
])
def test_schedule_lengths_must_be_positive(make, message) -> None:
    optimizer = nn.optim.SGD([nn.Parameter([1.0])], lr=0.1)
    with pytest.raises(ValueError, match=message):
        make(optimizer)
    assert nn.optim.StepLR(optimizer, step_size=np.int64(3)).step_size == 3


def test_a_whole_float_is_no_length_anywhere_but_the_error_says_what_to_pass() -> None:
    """One rule for sizes and counts: an int, as nn.Linear (and PyTorch's Linear and
    DataLoader) require; PyTorch's schedulers do not check, so StepLR(step_size=3.0) runs
    there. The error names the int to pass."""
    optimizer = nn.optim.SGD([nn.Parameter([1.0])], lr=0.1)
    for make, message in [
            (lambda: nn.optim.StepLR(optimizer, step_size=3.0), "StepLR: step_size must be a "
                                                                "positive integer, got 3.0"),
            (lambda: nn.Linear(3.0, 2), "Linear: in_features must be a positive integer, got "
                                        "3.0"),
            (lambda: nn.optim.CosineAnnealingLR(optimizer, T_max=np.float64(5)), "got 5.0")]:
        with pytest.raises(ValueError, match=message + r" \(a float: pass \d\)$"):
            make()
    with pytest.raises(ValueError, match="got 0.0$"):  # no int would do either
        nn.optim.StepLR(optimizer, step_size=0.0)


@pytest.mark.parametrize("make, error, message", [
    # lengths that were rounded or parsed
    (lambda opt: nn.optim.StepLR(opt, step_size=2.7), ValueError,
     "StepLR: step_size must be a positive integer, got 2.7"),
    (lambda opt: nn.optim.StepLR(opt, step_size="3"), ValueError, "got '3'"),
    (lambda opt: nn.optim.StepLR(opt, step_size=None), ValueError, "got None"),
    (lambda opt: nn.optim.CosineAnnealingLR(opt, T_max=10.9), ValueError,
     "T_max must be a positive integer, got 10.9"),
    # factors that made the rate negative or nan
    (lambda opt: nn.optim.StepLR(opt, 2, gamma=-1), ValueError,
     "StepLR: gamma must be a finite number > 0, got -1"),
    (lambda opt: nn.optim.StepLR(opt, 2, gamma=float("nan")), ValueError, "got nan"),
    (lambda opt: nn.optim.StepLR(opt, 2, gamma="0.5"), TypeError,
     "StepLR: gamma must be a number, got str"),
    (lambda opt: nn.optim.CosineAnnealingLR(opt, 4, eta_min=-0.1), ValueError,
     "eta_min must be a finite number >= 0"),
    (lambda opt: nn.optim.LinearLR(opt, "a"), TypeError, "LinearLR: start_factor must be a "
                                                         "number"),
    (lambda opt: nn.optim.LinearLR(opt, 0.5, end_factor=1.5), ValueError,
     r"end_factor must be a finite number in \[0, 1\], got 1.5"),
])
def test_scheduler_settings_are_refused_not_rounded(make, error, message) -> None:
    optimizer = nn.optim.SGD([nn.Parameter([1.0])], lr=0.1)
    with pytest.raises(error, match=message):
        make(optimizer)


@pytest.mark.parametrize("state, error, message", [
    (None, TypeError, "StepLR.load_state_dict: expected the dict scheduler.state_dict"),
    ({"step_size": 0}, ValueError, "StepLR: step_size must be a positive integer, got 0"),
    ({"gamma": -2.0}, ValueError, "StepLR: gamma must be a finite number > 0"),
    ({"T_max": 3}, ValueError, r"unknown entries \['T_max'\], not a StepLR's"),
    ({"last_epoch": -1}, ValueError, "last_epoch must be a non-negative integer"),
])
def test_a_scheduler_state_dict_is_checked_when_loaded(state, error, message) -> None:
    """It failed at the next step() (ZeroDivisionError), or on load with a Python message."""
    optimizer = nn.optim.SGD([nn.Parameter([1.0])], lr=0.1)
    scheduler = nn.optim.StepLR(optimizer, step_size=2)
    with pytest.raises(error, match=message):
        scheduler.load_state_dict(state)
    assert (scheduler.step_size, scheduler.gamma, scheduler.last_epoch) == (2, 0.1, 0)
