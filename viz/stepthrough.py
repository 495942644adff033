"""The backprop step-through: one HTML page (or report section) that walks `.backward()` one
node at a time over the SVG of the graph, with the chain-rule arithmetic of each step in numbers.

Everything is inline (SVG, CSS, script, data), so the page works offline and from a file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from autograd_engine import Tensor

from .draw import DEFAULT_MAX_NODES, Graph, draw_graph
from .labels import escape, format_number, format_shape, gradient_text, summarize
from .render import file_path
from .steps import BackpropStep, gradient_flow, picture_seed

_HERE = Path(__file__).resolve().parent


def save_backprop(root: Tensor, path: Union[str, Path], model: Any = None,
                  depth: Optional[int] = None, max_nodes: int = DEFAULT_MAX_NODES,
                  title: str = "Backprop, one step at a time") -> Path:
    """Write a self-contained HTML page stepping through `root.backward()`: the graph with the
    current node highlighted, the chain rule of the step in numbers, Prev/Next/Play buttons and
    the arrow keys. Nothing's `.grad` changes. Returns the path."""
    path = file_path(path, "backprop.html")
    body = stepthrough_section(root, model=model, depth=depth, max_nodes=max_nodes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_page(title, f"<h1>{escape(title)}</h1>\n{body}"), encoding="utf-8")
    return path


def stepthrough_section(root: Tensor, model: Any = None, depth: Optional[int] = None,
                        max_nodes: int = DEFAULT_MAX_NODES, element_id: str = "backprop") -> str:
    """The step-through as an HTML fragment (a div with its own data and script), for pages
    that hold other things too, like the demo report."""
    # "both" draws every gradient; the page hides each until its step has run
    graph = draw_graph(root, view="both", model=model, depth=depth, max_nodes=max_nodes)
    # the picture's own backward pass; run here only when the picture could not (to raise
    # its error: an in-place change, or a root without a graph)
    flow = graph.scene.flow
    steps = (flow if flow is not None else gradient_flow(root, picture_seed(root))).steps
    data = [{"ids": _drawn_ids(graph, step), "value": graph.node_id(step.node),
             "op": graph.op_id(step.node), "html": _step_html(step, graph, len(steps))}
            for step in steps]
    payload = json.dumps(data).replace("</", "<\\/")
    return (f'<div class="bp" id="{escape(element_id)}">\n'
            '<div class="bp-controls"><button class="bp-prev" title="Left arrow">&#9664; Prev'
            '</button> <button class="bp-play" title="Space">Play</button> '
            '<button class="bp-next" title="Right arrow">Next &#9654;</button> '
            '<span class="bp-counter"></span> <span class="bp-zoom">zoom '
            '<button class="bp-zoom-out" title="Smaller">&#8722;</button> '
            '<button class="bp-zoom-fit" title="Fit the width">fit</button> '
            '<button class="bp-zoom-in" title="Larger">+</button></span></div>\n'
            '<div class="bp-legend"><span class="bp-key bp-key-current">current step</span> '
            '<span class="bp-key bp-key-done">done</span> '
            '<span class="bp-key bp-key-flowed">&#8592; 0.5: gradient sent back along an '
            'arrow</span> '
            '<span class="bp-key bp-key-hidden">grad: shown once its step runs</span></div>\n'
            '<div class="bp-panel"></div>\n'
            f'<div class="bp-graph">{strip_xml_prolog(graph.svg())}</div>\n'
            f'<script type="application/json" class="bp-steps">{payload}</script>\n'
            f"<script>{(_HERE / 'stepthrough.js').read_text(encoding='utf-8')}"
            f"\nbackpropStepThrough(document.getElementById({json.dumps(element_id)}));"
            "</script>\n</div>")


def html_page(title: str, body: str) -> str:
    """A complete offline HTML page with the viz style sheet."""
    style = (_HERE / "page.css").read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>\n{style}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


def strip_xml_prolog(svg: str) -> str:
    """The `<svg>` element alone, ready to inline in HTML (no XML declaration or DOCTYPE)."""
    return svg[svg.index("<svg"):]


def _drawn_ids(graph: Graph, step: BackpropStep) -> list[str]:
    ids = [graph.node_id(step.node), graph.op_id(step.node)]
    return list(dict.fromkeys(i for i in ids if i))


def describe(t: Any, graph: Graph) -> str:
    """How the panel names a tensor: its name, its parameter name, else its op and what the
    picture shows of it (its data, or its shape)."""
    if not isinstance(t, Tensor):
        return f"the constant {t:g}" if isinstance(t, float) else f"the constant {t}"
    name = graph.scene.names.get(t) or t.name
    if name:
        return name
    value = f"data {summarize(t.data)}" if t.numel() == 1 else format_shape(t.shape)
    if t.grad_fn is not None:
        return f"{t.grad_fn.name} result ({value})"
    return f"leaf ({value})" if t.requires_grad else f"input ({value})"


def _step_html(step: BackpropStep, graph: Graph, total: int) -> str:
    node = escape(describe(step.node, graph))
    head = f"<h3>Step {step.index + 1} of {total}: {node}</h3>"
    arriving = (f"<p>Gradient arriving: <code>∂L/∂{node} = "
                f"{escape(gradient_text(step.grad.data))}</code></p>")
    if not np.all(np.isfinite(step.grad.data)):
        arriving += ("<p class=\"bp-warning\">This gradient is not finite (inf or nan): every "
                     "gradient computed from it will be too. Run the forward and backward under "
                     "<code>detect_anomaly()</code> to stop at the op that made it.</p>")
    if step.is_leaf:
        return (f"{head}{arriving}<p>A leaf has no op to go through: this gradient is added to "
                f"<code>{node}.grad</code>.</p>")
    rows = []
    for x, contribution in zip(step.inputs, step.contributions):
        rows.append(f"<li>{_contribution_html(x, contribution, step, graph)}</li>")
    chain_rule = "<p>Chain rule, ∂L/∂input = ∂L/∂out × ∂out/∂input:</p>"
    return (f"{head}{arriving}<p>It went through <b>{escape(step.op)}</b>. Local rule: "
            f"<code>{escape(step.rule)}</code></p>{chain_rule}<ul>{''.join(rows)}</ul>"
            + _shared_inputs_html(step, graph))


def _shared_inputs_html(step: BackpropStep, graph: Graph) -> str:
    """For a tensor the op reads in several slots (the x of `x * x`): it receives the sum of
    its rows, which is what the one arrow drawn for it carries."""
    slots: dict[Tensor, list[np.ndarray]] = {}
    for x, contribution in zip(step.inputs, step.contributions):
        if isinstance(x, Tensor) and contribution is not None:
            slots.setdefault(x, []).append(contribution)
    lines = []
    for x, parts in slots.items():
        if len(parts) < 2:
            continue
        total = sum(parts[1:], parts[0])
        if total.size == 1:
            terms = " + ".join(format_number(float(p.reshape(()))) for p in parts)
            text = f"{terms} = {format_number(float(total.reshape(())))}"
        else:
            text = gradient_text(total)
        lines.append(f"<p>{escape(describe(x, graph))} is used {len(parts)} times by this op, "
                     f"so it receives the sum (the number on its one drawn arrow): "
                     f"<code>{escape(text)}</code></p>")
    return "".join(lines)


def _contribution_html(x: Any, contribution: Optional[np.ndarray], step: BackpropStep,
                       graph: Graph) -> str:
    name = escape(describe(x, graph))
    if contribution is None:
        why = "a constant" if not isinstance(x, Tensor) else "it does not require grad"
        return f"{name}: nothing sent ({why})"
    grad = np.asarray(step.grad.data)
    if grad.size == 1 and contribution.size == 1:
        g, c = float(grad.reshape(())), float(contribution.reshape(()))
        if g == 0:
            return f"{name}: <code>0 × … = {format_number(c)}</code> (nothing arrived)"
        if not math.isfinite(g):  # c / g would not give the local derivative back
            return f"{name}: <code>{format_number(g)} × … = {format_number(c)}</code>"
        return (f"{name}: <code>{format_number(g)} × {format_number(c / g)} = "
                f"{format_number(c)}</code>")
    shape = format_shape(contribution.shape)
    return f"{name} {escape(shape)}: <code>{escape(gradient_text(contribution))}</code>"
