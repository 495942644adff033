"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._checks import real_number
from .optimizer import Optimizer, ParamsArg


class SGD(Optimizer):
    """SGD(params, lr, momentum=0, dampening=0, nesterov=False, weight_decay=0)

    Per step, with g the gradient (PyTorch's formula, so trajectories match step for step):

        g = g + weight_decay * p
        b = g                                   (first step)
        b = momentum * b + (1 - dampening) * g  (later steps)
        g = g + momentum * b   if nesterov   else   g = b      (only when momentum != 0)
        p = p - lr * g

    With momentum=0 this is plain gradient descent, the from-scratch `p -= lr * p.grad`.
    """

    def __init__(self, params: ParamsArg, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay))

    def _check(self, group: Mapping[str, Any]) -> None:
        super()._check(group)
        self._check_numbers(group, ("momentum",))
        real_number(group["dampening"], "SGD: dampening")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")

    def _state_names(self, group: Mapping[str, Any]) -> set[str]:
        return {"momentum_buffer"}  # (an empty state, without momentum)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: Mapping[str, Any]) -> None:
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param -= group["lr"] * grad
