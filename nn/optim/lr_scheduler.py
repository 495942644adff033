"""Learning-rate schedules: StepLR, LinearLR, CosineAnnealingLR (PyTorch's names and
arguments). Call `scheduler.step()` once per epoch, after `optimizer.step()`.

Each step moves every parameter group's current rate, in PyTorch's chainable form, rather
than computing it afresh from the epoch: so two schedulers on one optimizer compose (a
warm-up and a step decay multiply), and a rate set by hand carries on from where it was set.
Alone, each follows its closed form (in its docstring) to rounding. To resume a run, load
the optimizer's state_dict (which holds the rates) and the scheduler's (its epoch), as in
PyTorch.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Mapping

from .._checks import real_number, whole_number
from .optimizer import Optimizer


class LRScheduler:
    """Base class: subclasses write `next_lr(lr, base_lr)`, the rate after step number
    `last_epoch` given the current one, may write `first_lr(lr, base_lr)`, the rate they
    start from, and check their settings in `_check_settings()`."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an nn.optim optimizer, got "
                            f"{type(optimizer).__name__}")
        self._check_settings()
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._move_rates(self.first_lr)

    def _check_settings(self) -> None:
        """Check the settings and keep them as int or float: when the scheduler is made, and
        when load_state_dict brings new ones (a step_size of 0 would fail only at step())."""

    def first_lr(self, lr: float, base_lr: float) -> float:
        """The rate when the scheduler is made, from the group's current one."""
        return lr

    def next_lr(self, lr: float, base_lr: float) -> float:
        """The rate after step number `last_epoch`, from the current rate `lr`."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and move the optimizer's learning rates."""
        self.last_epoch += 1
        self._move_rates(self.next_lr)

    def _move_rates(self, rule: Any) -> None:
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = rule(group["lr"], base_lr)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest step, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer, as PyTorch does."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a saved schedule position and settings, checked as the constructor checks
        them; nothing changes if any is wrong. The rates themselves are the optimizer's: load
        its state_dict too."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}: expected the dict scheduler.state_dict() returns, got "
                            f"{type(state_dict).__name__}")
        unknown = set(state_dict) - set(self.state_dict())
        if unknown:
            raise ValueError(f"{name}: unknown entries {sorted(unknown)}, not a "
                             f"{type(self).__name__}'s; it saves {sorted(self.state_dict())}")
        trial = copy.copy(self)
        trial.__dict__.update(state_dict)
        trial._check_settings()
        trial.last_epoch = whole_number(trial.last_epoch, f"{name}: last_epoch", minimum=0)
        if len(trial.base_lrs) != len(self.optimizer.param_groups):
            raise ValueError(f"{name}: base_lrs has {len(trial.base_lrs)} rates for "
                             f"{len(self.optimizer.param_groups)} parameter groups")
        self.__dict__.update(trial.__dict__)


class StepLR(LRScheduler):
    """Decay by gamma every step_size epochs: lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def _check_settings(self) -> None:
        self.step_size = whole_number(self.step_size, "StepLR: step_size")
        # gamma <= 0 or nan would make every rate after the first decay <= 0 or nan
        self.gamma = real_number(self.gamma, "StepLR: gamma", low=0, low_open=True)

    def next_lr(self, lr: float, base_lr: float) -> float:
        return lr * self.gamma if self.last_epoch % self.step_size == 0 else lr


class LinearLR(LRScheduler):
    """lr = base_lr * factor, the factor moving linearly from start_factor to end_factor over
    total_iters epochs and then staying there. micrograd's demo decays 1.0 -> 0.1:
    LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=epochs).

    Each step multiplies the rate by factor(epoch) / factor(epoch - 1), which is
    1 + (end - start) / (total_iters * start + (epoch - 1) * (end - start))."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5) -> None:
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer)

    def _check_settings(self) -> None:
        self.start_factor = real_number(self.start_factor, "LinearLR: start_factor", low=0,
                                        high=1, low_open=True)
        self.end_factor = real_number(self.end_factor, "LinearLR: end_factor", low=0, high=1)
        self.total_iters = whole_number(self.total_iters, "LinearLR: total_iters")

    def first_lr(self, lr: float, base_lr: float) -> float:
        return lr * self.start_factor

    def next_lr(self, lr: float, base_lr: float) -> float:
        if self.last_epoch > self.total_iters:
            return lr
        change = self.end_factor - self.start_factor
        return lr * (1.0 + change / (self.total_iters * self.start_factor
                                     + (self.last_epoch - 1) * change))


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2: half a cosine
    from base_lr down to eta_min over T_max epochs (and back up after, as in PyTorch).

    Each step scales the rate's distance from eta_min by the ratio of that cosine term at
    this epoch and the last; just after a minimum, where the ratio would be 0/0, it adds the
    first step of the climb instead."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def _check_settings(self) -> None:
        self.T_max = whole_number(self.T_max, "CosineAnnealingLR: T_max")
        # the rates approach eta_min, so a negative one would make them negative
        self.eta_min = real_number(self.eta_min, "CosineAnnealingLR: eta_min", low=0)

    def next_lr(self, lr: float, base_lr: float) -> float:
        epoch, period = self.last_epoch, self.T_max
        if (epoch - 1 - period) % (2 * period) == 0:
            return lr + (base_lr - self.eta_min) * (1 - math.cos(math.pi / period)) / 2
        return ((1 + math.cos(math.pi * epoch / period))
                / (1 + math.cos(math.pi * (epoch - 1) / period))
                * (lr - self.eta_min) + self.eta_min)
