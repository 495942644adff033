"""nn: neural networks built only from autograd_engine operations.

Layers, losses, initialisation, optimizers, data, a training loop and saving, with
PyTorch's names, so what you learn here carries over. Every forward is engine ops, so every
gradient is the engine's and every step appears in its graphs.

    >>> import nn
    >>> model = nn.MLP([2, 16, 1], output_activation="sigmoid")
"""

from . import data, init, metrics, optim
from ._random import manual_seed
from .layers import (Dropout, Flatten, Identity, LeakyReLU, Linear, ReLU, Sequential, Sigmoid,
                     Softmax, Tanh)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, MSELoss
from .mlp import MLP
from .module import IncompatibleKeys, Module
from .parameter import Parameter
from .serialization import LoadError, load, save
from .training import History, TrainingDiverged, evaluate, fit, predict

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Flatten", "HingeLoss",
    "History", "Identity", "IncompatibleKeys", "LeakyReLU", "Linear", "LoadError", "MLP",
    "MSELoss", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh",
    "TrainingDiverged", "data", "evaluate", "fit", "init", "load", "manual_seed", "metrics",
    "optim", "predict", "save",
]
