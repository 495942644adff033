"""`autograd-engine graph "EXPR"`: draw the graph of a small expression over named scalars.

    autograd-engine graph "tanh(x1*w1 + x2*w2 + b)" \
        --values x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432 -o neuron.svg

The expression is parsed safely (viz.expression: a whitelist of ops, never `eval`). Every
variable requires grad and backward is run, so the picture shows each gradient; `.html` writes
the backprop step-through instead of a picture.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .files import unwritable_folder


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "graph", help="draw the graph of a small expression",
        description="Draw the graph of EXPR over named scalars: numbers, variables, "
                    "+ - * / **, unary minus and tanh exp log sqrt abs relu sigmoid "
                    "leaky_relu maximum minimum.")
    parser.add_argument("expression", metavar="EXPR",
                        help='the expression to draw, in quotes, e.g. "tanh(x1*w1 + x2*w2 + b)"; '
                             'one that starts with a minus would be read as an option: write '
                             '"(-x)*w", " -x*w" (with a space), or -- before it, after '
                             'the options: graph --values x=2 -- "-x*2"')
    parser.add_argument("--values", default="", metavar="NAME=NUM,...",
                        help="the value of each variable of EXPR, e.g. x1=2,w1=-3 (every "
                             "variable needs one; default: none)")
    parser.add_argument("-o", "--output", default="graph.svg",
                        help="the file to write: .svg, .png, .html (the backprop "
                             "step-through) or .gv (DOT text) (default: %(default)s)")
    parser.add_argument("--view", choices=("forward", "backward", "both"), default="both",
                        help="forward: values and ops; backward: arrows reversed, each edge "
                             "labelled with the gradient it carries; both: values with "
                             "gradients on forward arrows (default: %(default)s; ignored "
                             "for .html)")
    parser.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR",
                        help="the direction the graph is laid out in: LR left to right, TB "
                             "top to bottom, ... (default: %(default)s; ignored for .html)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import numpy as np

    from autograd_engine import Tensor
    from viz import RenderError, draw_graph, save_backprop
    from viz.expression import Expression, ExpressionError, parse_values

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in (".svg", ".png", ".html", ".gv"):
        raise SystemExit(f"autograd-engine graph: --output must end in .svg, .png, .html or "
                         f".gv, got {args.output!r}")
    if output.is_dir():
        print(f"autograd-engine graph: cannot write {output}: it is a folder", file=sys.stderr)
        return 2
    try:
        expression = Expression(args.expression)
        values = parse_values(args.values)
        unused = sorted(set(values) - set(expression.variables))
        if unused:
            raise ExpressionError(f"--values names {', '.join(unused)}, which the expression "
                                  "does not use")
        tensors = {name: Tensor(values[name], requires_grad=True, name=name)
                   for name in expression.variables if name in values}
        with np.errstate(all="ignore"):  # inf and nan are drawn and flagged below instead
            out = expression.evaluate(tensors)
    except ExpressionError as error:
        raise SystemExit(f"autograd-engine graph: {error}") from None
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise SystemExit("autograd-engine graph: the expression has no variables, so it has no "
                         "graph to draw")
    problem = unwritable_folder(output.parent)  # (made only now: a bad expression leaves none)
    if problem:
        print(f"autograd-engine graph: cannot write {output}: {problem}", file=sys.stderr)
        return 2
    out.name = out.name or "out"
    with np.errstate(all="ignore"):
        out.backward(retain_graph=True)
    try:
        if suffix == ".html":
            save_backprop(out, output, title=f"Backprop through {args.expression}")
        elif suffix == ".gv":
            output.write_text(draw_graph(out, view=args.view, rankdir=args.rankdir).source,
                              encoding="utf-8")
        else:
            draw_graph(out, view=args.view, rankdir=args.rankdir).render(output)
    except RenderError as error:
        raise SystemExit(f"autograd-engine graph: {error}") from None
    print(f"{args.expression} = {out.item():.6g}")
    for name, t in tensors.items():
        print(f"  d out / d {name} = {t.grad.item():.6g}")
    if not all(np.isfinite(t.grad.data) for t in tensors.values()) or not np.isfinite(out.data):
        print("note: some values or gradients are inf or nan; the picture flags them")
    print(f"wrote {output}")
    return 0
