"""`autograd-engine demo`: the main job. Until the nn package lands, a small engine example."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("demo", help="run the classic example end to end")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograd_engine import Tensor

    x1, x2 = Tensor(2.0, name="x1"), Tensor(0.0, name="x2")
    w1 = Tensor(-3.0, requires_grad=True, name="w1")
    w2 = Tensor(1.0, requires_grad=True, name="w2")
    b = Tensor(6.8813735870195432, requires_grad=True, name="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.backward()
    print(f"neuron: tanh(x1*w1 + x2*w2 + b) = {out.item():.4f}")
    for p in (w1, w2, b):
        print(f"  d out / d {p.name} = {p.grad.item():.4f}")
    return 0
