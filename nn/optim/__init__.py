"""Optimizers and learning-rate schedulers with PyTorch's names, arguments and formulas."""

from . import lr_scheduler
from .adam import Adam, AdamW
from .lr_scheduler import CosineAnnealingLR, LinearLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adam", "AdamW", "CosineAnnealingLR", "LRScheduler", "LinearLR", "Optimizer",
           "RMSprop", "SGD", "StepLR", "lr_scheduler"]
