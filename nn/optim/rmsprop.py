"""RMSprop, with PyTorch's update formula."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .optimizer import Optimizer, ParamsArg


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)

    Hinton's RMSprop as PyTorch computes it:

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        s = sqrt(v - a * a) + eps   with a = a + (1 - alpha) * (g - a)  if centered
        s = sqrt(v) + eps                                              otherwise
        b = momentum * b + g / s;  p = p - lr * b      if momentum > 0
        p = p - lr * g / s                              otherwise

    Note eps is added outside the square root (Adam's bias correction is absent too).
    """

    def __init__(self, params: ParamsArg, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _check(self, group: Mapping[str, Any]) -> None:
        super()._check(group)
        self._check_numbers(group, ("alpha", "eps", "momentum"))

    def _state_names(self, group: Mapping[str, Any]) -> set[str]:
        return ({"step", "square_avg"} | ({"momentum_buffer"} if group["momentum"] > 0 else set())
                | ({"grad_avg"} if group["centered"] else set()))

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: Mapping[str, Any]) -> None:
        alpha = group["alpha"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)
            scale = np.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            scale = np.sqrt(square_avg) + group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer *= group["momentum"]
            buffer += grad / scale
            param -= group["lr"] * buffer
        else:
            param += -group["lr"] * grad / scale
