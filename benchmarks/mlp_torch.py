"""PyTorch CPU eager, one thread: the same MLP step as idiomatic PyTorch code.

Optional: torch is a benchmark extra, never a dependency of the library or its tests.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .data import MLPCase, cycle, pytorch_style_step, sequential_mlp


def import_torch() -> Any:
    """torch pinned to one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable once, before any parallel work: already done
        pass
    return torch


def make_step(case: MLPCase) -> Callable[[], float]:
    """One SGD training step on the next batch; returns the batch loss."""
    torch = import_torch()
    dtype = torch.float32 if case.dtype == np.float32 else torch.float64
    model = sequential_mlp(torch.nn, case.sizes, dtype)
    model.load_state_dict({name: torch.from_numpy(value)
                           for name, value in case.initial_state_dict().items()})
    loss_fn = (torch.nn.BCEWithLogitsLoss() if case.loss == "bce"
               else torch.nn.CrossEntropyLoss())
    optimizer = torch.optim.SGD(model.parameters(), lr=case.lr)
    batches = cycle([(torch.from_numpy(x), torch.from_numpy(y)) for x, y in case.batches])
    return pytorch_style_step(model, loss_fn, optimizer, batches)
