"""Our contenders: the MLP step as a user of the library writes it, eager and compiled.

`nn.Sequential` of `nn.Linear`/`nn.ReLU`, the library's loss, `nn.optim.SGD`: the same code a
PyTorch user would write, so the comparison with PyTorch is like for like. The compiled step
is the same model, loss and optimizer with the forward and backward under
`autograd_engine.compile` (the issue's stretch: trace once, replay many).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from autograd_engine import Tensor, compile

from .data import MLPCase, cycle, pytorch_style_step, sequential_mlp


def build(case: MLPCase) -> tuple[Any, Any, Any, Iterator[tuple[Any, Any]]]:
    """The model, loss, optimizer and endless batches of the case (the profiler times the
    step's phases from these)."""
    import nn
    from nn import optim

    model = sequential_mlp(nn, case.sizes, case.dtype)
    model.load_state_dict(case.initial_state_dict())
    loss_fn = nn.BCEWithLogitsLoss() if case.loss == "bce" else nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=case.lr)
    batches = cycle([(Tensor(x), Tensor(y) if case.loss == "bce" else y)
                     for x, y in case.batches])
    return model, loss_fn, optimizer, batches


def make_step(case: MLPCase) -> Callable[[], float]:
    """One SGD training step on the next batch; returns the batch loss."""
    return pytorch_style_step(*build(case))


def make_compiled_step(case: MLPCase) -> Callable[[], float]:
    """The same training step, its forward and backward compiled; returns the batch loss."""
    model, loss_fn, optimizer, batches = build(case)
    forward_and_backward = compile(lambda x, y: loss_fn(model(x), y))

    def step() -> float:
        x, y = next(batches)
        optimizer.zero_grad()
        loss = forward_and_backward(x, y)
        optimizer.step()
        return loss.item()

    return step
