"""Adam and AdamW, with PyTorch's update formulas."""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional

import numpy as np

from .._checks import as_scalar, real_number
from .optimizer import Optimizer, ParamsArg


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)

    Kingma & Ba (2015), as PyTorch computes it, at step t:

        g = g + weight_decay * p                      (L2 penalty through the gradient)
        m = m + (1 - beta1) * (g - m)                 (a running mean of g)
        v = beta2 * v + (1 - beta2) * g * g           (a running mean of g^2)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Each parameter moves about lr per step whatever its gradient's scale, which is why Adam
    copes with inputs that were never standardised far better than plain gradient descent.
    """

    #: AdamW decouples weight decay from the gradient; Adam adds it to the gradient.
    decoupled_weight_decay = False

    def __init__(self, params: ParamsArg, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps,
                                      weight_decay=weight_decay))

    def _check(self, group: Mapping[str, Any]) -> None:
        super()._check(group)
        name, betas = type(self).__name__, group["betas"]
        # a tuple, a list or a 1-d array, as PyTorch takes any pair it can index
        pair = isinstance(betas, (tuple, list)) or (isinstance(betas, np.ndarray)
                                                     and betas.ndim == 1)
        if not pair or len(betas) != 2:
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), such as "
                            f"(0.9, 0.999), got {betas!r}")
        for i, beta in enumerate(betas):
            real_number(beta, f"{name}: betas[{i}]", low=0, high=1, high_open=True)
        self._check_numbers(group, ("eps",))

    def _torch_flags(self) -> dict[str, Optional[tuple[bool, str]]]:
        other = "Adam" if self.decoupled_weight_decay else "AdamW"
        return {**super()._torch_flags(),
                "amsgrad": (False, f"{type(self).__name__} has no AMSGrad variant"),
                # PyTorch's Adam(decoupled_weight_decay=True) is its AdamW
                "decoupled_weight_decay": (self.decoupled_weight_decay,
                                           f"that is {other}'s weight decay: load it into "
                                           f"nn.optim.{other}")}

    def _loaded_settings(self, groups: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """A PyTorch state dict must be from its Adam or AdamW: RAdam's, Adamax's and
        SparseAdam's have Adam's settings and state too, but another update. PyTorch's Adam
        and AdamW always save `amsgrad`, the others never do. A dict from a PyTorch old enough
        to save no `decoupled_weight_decay` is Adam's or AdamW's alike: with weight decay,
        whose it is must be said."""
        settings = super()._loaded_settings(groups)  # first: another kind's settings named
        name = f"{type(self).__name__}.load_state_dict"
        pytorch_only = set(self._pytorch_only_flags())
        for saved in groups:
            if not pytorch_only & set(saved):
                continue  # saved by nn
            if "amsgrad" not in saved:
                raise ValueError(f"{name}: this PyTorch state dict has no 'amsgrad', which "
                                 "torch.optim.Adam and AdamW always save: it is another "
                                 "optimizer's (RAdam, Adamax, SparseAdam), with another update")
            if "decoupled_weight_decay" not in saved and as_scalar(saved.get("weight_decay")):
                raise ValueError(f"{name}: this PyTorch state dict has weight decay but no "
                                 "'decoupled_weight_decay' (older PyTorch saves none), so it "
                                 "may be Adam's or AdamW's, which decay weights differently; "
                                 "if it is this optimizer's, set that entry of each param group "
                                 f"to {self.decoupled_weight_decay}")
        return settings

    def _state_names(self, group: Mapping[str, Any]) -> set[str]:
        return {"step", "exp_avg", "exp_avg_sq"}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: Mapping[str, Any]) -> None:
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if decay and self.decoupled_weight_decay:
            param *= 1 - lr * decay
        elif decay:
            grad = grad + decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)  # PyTorch's lerp, in the same order
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad  # addcmul's order: (value * g) * g
        step_size = lr / (1 - beta1 ** step)
        denominator = np.sqrt(exp_avg_sq) / math.sqrt(1 - beta2 ** step) + group["eps"]
        param += -step_size * exp_avg / denominator  # addcdiv's order: (value * m) / d


class AdamW(Adam):
    """AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)

    Loshchilov & Hutter (2019): Adam with decoupled weight decay. The parameter shrinks by
    p = p * (1 - lr * weight_decay) before the Adam step, instead of the penalty passing
    through the moment estimates (where Adam's rescaling would weaken it).
    """

    decoupled_weight_decay = True

    def __init__(self, params: ParamsArg, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
