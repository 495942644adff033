"""Regenerate torch_reference.json: PyTorch's numbers that the tests compare against.

Run with a Python that has torch (never a project dependency), from this folder:
    /tmp/torchenv/bin/python make_torch_reference.py
The inputs are written to the file too, so the tests need neither torch nor this script.
"""

from __future__ import annotations

import json

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)


def as_list(t: torch.Tensor) -> list:
    return t.detach().numpy().tolist()


def loss_case(name, make, x, target, **info):
    out = {}
    for reduction in ("mean", "sum", "none"):
        xt = torch.tensor(x, requires_grad=True)
        value = make(reduction)(xt, torch.tensor(target) if not isinstance(target, torch.Tensor)
                                else target)
        value.backward(torch.ones_like(value))
        out[reduction] = {"value": as_list(value), "grad": as_list(xt.grad)}
    return {"name": name, "input": x.tolist(), "target": np.asarray(target).tolist(),
            "results": out, **info}


def losses() -> list:
    p = rng.uniform(0.02, 0.98, (4, 3))
    y01 = (rng.uniform(size=(4, 3)) > 0.5).astype(float)
    logits = rng.normal(0, 2, (5, 4))
    classes = np.array([0, 3, 1, 3, 2])
    probs = rng.dirichlet(np.ones(4), 5)
    extreme = np.array([[-1000.0, 1000.0, 0.0], [35.0, -40.0, 1e-3]])
    extreme_y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
    scores = rng.normal(0, 1.5, (6,))
    signs = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0])
    nn = torch.nn
    return [
        loss_case("MSELoss", lambda r: nn.MSELoss(reduction=r), rng.normal(size=(3, 4)),
                  rng.normal(size=(3, 4))),
        loss_case("BCELoss", lambda r: nn.BCELoss(reduction=r), p, y01),
        loss_case("BCELoss", lambda r: nn.BCELoss(reduction=r), np.array([0.0, 1.0, 1e-50, 0.5]),
                  np.array([1.0, 0.0, 1.0, 0.0]), value_only=True),
        loss_case("BCEWithLogitsLoss", lambda r: nn.BCEWithLogitsLoss(reduction=r), logits[:4, :3],
                  y01),
        loss_case("BCEWithLogitsLoss", lambda r: nn.BCEWithLogitsLoss(reduction=r), extreme,
                  extreme_y),
        loss_case("CrossEntropyLoss", lambda r: nn.CrossEntropyLoss(reduction=r), logits, classes),
        loss_case("CrossEntropyLoss", lambda r: nn.CrossEntropyLoss(reduction=r,
                  label_smoothing=0.1), logits, classes, label_smoothing=0.1),
        loss_case("CrossEntropyLoss", lambda r: nn.CrossEntropyLoss(reduction=r), logits, probs),
        loss_case("CrossEntropyLoss", lambda r: nn.CrossEntropyLoss(reduction=r),
                  np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]]), np.array([1, 2])),
        loss_case("HingeLoss", lambda r: (lambda x, y: {"mean": torch.mean, "sum": torch.sum,
                  "none": lambda t: t}[r](torch.relu(1 - y * x))), scores, signs),
    ]


OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.02}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.3}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True,
                 "weight_decay": 0.05}),
]


def optimizers() -> dict:
    w0, b0 = rng.normal(size=(2, 3)), rng.normal(size=(2,))
    X = rng.normal(size=(5, 3))
    cases = []
    for name, kwargs in OPTIMIZERS:
        w, b = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        opt = getattr(torch.optim, name)([w, b], **kwargs)
        steps = []
        for _ in range(6):
            opt.zero_grad()
            (torch.tanh(torch.tensor(X) @ w.T + b) ** 2).sum().backward()
            opt.step()
            steps.append([as_list(w), as_list(b)])
        cases.append({"name": name, "kwargs": kwargs, "steps": steps})
    return {"w0": w0.tolist(), "b0": b0.tolist(), "X": X.tolist(), "cases": cases}


def schedulers() -> list:
    cases = [("StepLR", {"step_size": 3, "gamma": 0.5}),
             ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 10}),
             ("LinearLR", {}),
             ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01})]
    out = []
    for name, kwargs in cases:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
        scheduler = getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)
        lrs = [scheduler.get_last_lr()[0]]
        for _ in range(15):
            opt.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
        out.append({"name": name, "kwargs": kwargs, "lrs": lrs})
    return out


#: Schedules that build on the current rate: two schedulers on one optimizer, a rate set by
#: hand between epochs ("set_lr": {epoch: rate}), a cosine past its first period.
CHAINED = [
    {"lr": 0.1, "schedulers": [["StepLR", {"step_size": 2, "gamma": 0.5}],
                               ["LinearLR", {"start_factor": 0.5, "total_iters": 4}]],
     "epochs": 10, "set_lr": {}},
    {"lr": 0.1, "schedulers": [["StepLR", {"step_size": 3, "gamma": 0.5}]],
     "epochs": 10, "set_lr": {"4": 1.0}},
    {"lr": 0.5, "schedulers": [["CosineAnnealingLR", {"T_max": 4, "eta_min": 0.01}],
                               ["StepLR", {"step_size": 5, "gamma": 0.1}]],
     "epochs": 12, "set_lr": {"6": 0.3}},
]


def chained_schedulers() -> list:
    out = []
    for case in CHAINED:
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=case["lr"])
        made = [getattr(torch.optim.lr_scheduler, name)(opt, **kwargs)
                for name, kwargs in case["schedulers"]]
        lrs = [opt.param_groups[0]["lr"]]
        for epoch in range(1, case["epochs"] + 1):
            opt.step()
            for scheduler in made:
                scheduler.step()
            if str(epoch) in case["set_lr"]:
                opt.param_groups[0]["lr"] = case["set_lr"][str(epoch)]
            lrs.append(opt.param_groups[0]["lr"])
        out.append({**case, "lrs": lrs})
    return out


if __name__ == "__main__":
    reference = {"torch": torch.__version__, "losses": losses(), "optimizers": optimizers(),
                 "schedulers": schedulers(), "chained_schedulers": chained_schedulers()}
    with open("torch_reference.json", "w") as file:
        json.dump(reference, file, indent=1)
