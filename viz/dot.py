"""Writing a `Scene` as DOT text with HTML-like labels, clusters and a legend.

Every piece of user text goes through `labels.escape`; ids are generated (`v3`, `f3`), so
nothing a user names a tensor can break the DOT or inject markup into the SVG.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .labels import escape, format_shape, gradient_text, norm, summarize
from .scene import Edge, Node, Scene, node_grad

#: Fill colours of value nodes, by role (forward view) - the legend explains them.
ROLE_COLOURS = {
    "output": "#ffd8a8",
    "parameter": "#a5d8ff",
    "leaf": "#b2f2bb",
    "input": "#e9ecef",
    "constant": "#fff3bf",
    "intermediate": "#ffffff",
}
ROLE_TEXT = {
    "output": "output", "parameter": "parameter", "leaf": "leaf (requires grad)",
    "input": "input / no grad", "constant": "constant", "intermediate": "intermediate",
}
#: |grad| from small to large on a log scale (backward view).
MAGNITUDE_COLOURS = ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d")
ZERO_COLOUR = "#ffc9c9"
MISSING_COLOUR = "#f8f9fa"
OP_COLOUR = "#f1f3f5"
MODULE_COLOUR = "#e7f5ff"
FONT = "Helvetica"
MONO = "Courier"


def scene_to_dot(scene: Scene, rankdir: str = "LR", show_data: bool = True) -> str:
    """The DOT text of `scene`."""
    scale = _MagnitudeScale(scene)
    lines = [
        "digraph autograd {",
        f'  graph [rankdir={rankdir}, fontname="{FONT}", fontsize=11, labelloc=b, '
        f'labeljust=l, nodesep=0.25, ranksep=0.35, label=<{_legend(scene, scale)}>]',
        f'  node [fontname="{FONT}", fontsize=11]',
        f'  edge [fontname="{MONO}", fontsize=9, arrowsize=0.7]',
    ]
    members: dict[str, list[Node]] = {}
    for node in scene.nodes.values():
        cluster = node.cluster if node.cluster in scene.clusters else ""
        members.setdefault(cluster, []).append(node)
    lines += [f"  {_node(n, scene, scale, show_data)}" for n in members.get("", [])]
    for path in scene.clusters:
        if _parent(path, scene.clusters) is None:
            lines += _cluster(path, scene, members, scale, show_data, "  ")
    for edge in scene.edges:
        lines.append(f"  {_edge(edge, scene)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _cluster(path: str, scene: Scene, members: dict[str, list[Node]], scale: "_MagnitudeScale",
             show_data: bool, indent: str) -> list[str]:
    number = list(scene.clusters).index(path)
    lines = [f'{indent}subgraph "cluster_{number}" {{',
             f'{indent}  label=<<B>{escape(scene.clusters[path])}</B>>; style="rounded,dashed"; '
             f'color="#868e96"; fontsize=10']
    lines += [f"{indent}  {_node(n, scene, scale, show_data)}" for n in members.get(path, [])]
    for child in scene.clusters:
        if _parent(child, scene.clusters) == path:
            lines += _cluster(child, scene, members, scale, show_data, indent + "  ")
    lines.append(f"{indent}}}")
    return lines


def _parent(path: str, clusters: dict[str, str]) -> Optional[str]:
    while "." in path:
        path = path.rpartition(".")[0]
        if path in clusters:
            return path
    return None


def _node(node: Node, scene: Scene, scale: "_MagnitudeScale", show_data: bool) -> str:
    attrs = {"id": node.id}
    if node.kind == "value":
        attrs.update(shape="plain", label=f"<{_value_label(node, scene, scale, show_data)}>")
    elif node.kind == "op":
        attrs.update(shape="ellipse", style="filled", fillcolor=OP_COLOUR, fontsize="10",
                     margin="0.05,0.02", height="0.3", label=f"<{escape(node.text)}>")
    elif node.kind == "constant":
        attrs.update(shape="box", style="rounded,filled", fillcolor=ROLE_COLOURS["constant"],
                     fontname=MONO, fontsize="10", height="0.3", label=f"<{escape(node.text)}>")
    elif node.kind == "fold":
        attrs.update(shape="box3d", style="filled", fillcolor=OP_COLOUR, fontsize="10",
                     label=f"<{escape(node.text)}>")
    elif node.kind == "module":
        attrs.update(shape="plain", label=f"<{_module_label(node, scene, scale)}>")
    else:
        attrs.update(shape="note", style="filled", fillcolor="#fff9db",
                     label=f"<{escape(node.text)}>")
    body = ", ".join(f'{k}={v}' if v.startswith("<") else f'{k}="{v}"' for k, v in attrs.items())
    return f'"{node.id}" [{body}]'


def _value_label(node: Node, scene: Scene, scale: "_MagnitudeScale", show_data: bool) -> str:
    t = node.tensor
    role_fill = ROLE_COLOURS[node.role]
    grad = node_grad(scene, t) if scene.show_grad else None
    body_fill = scale.colour(grad) if scene.view == "backward" and scene.show_grad \
        else role_fill
    cells = []
    title = node.name or ("" if node.role == "intermediate" else ROLE_TEXT[node.role])
    if title:
        cells.append(f'<TD BGCOLOR="{role_fill}"><B>{escape(title)}</B></TD>')
    if t.ndim:
        cells.append(f'<TD><FONT FACE="{MONO}">{escape(format_shape(t.shape))}</FONT></TD>')
    if show_data:
        cells.append(f"<TD>data {escape(summarize(t.data))}</TD>")
    if scene.show_grad:
        cells.append(_grad_cell(grad, scale))
    if not cells:
        cells.append("<TD> </TD>")
    border = "#c92a2a" if grad is not None and not np.any(grad) else "#495057"
    # scalars read left to right like micrograd's boxes; arrays stack their longer lines
    rows = f'<TR>{"".join(cells)}</TR>' if not t.ndim else "".join(f"<TR>{c}</TR>" for c in cells)
    return (f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'BGCOLOR="{body_fill}" COLOR="{border}">{rows}</TABLE>')


def _grad_cell(grad: Optional[np.ndarray], scale: "_MagnitudeScale") -> str:
    if grad is None:
        return f'<TD BGCOLOR="{MISSING_COLOUR}"><FONT COLOR="#868e96"><I>no grad</I></FONT></TD>'
    if not np.any(grad):
        return (f'<TD BGCOLOR="{ZERO_COLOUR}"><FONT COLOR="#c92a2a"><B>grad 0 (zero)</B>'
                f"</FONT></TD>")
    text = summarize(grad) if grad.size == 1 else f"|g| {norm(grad):.3g}"
    zeros = grad.size - int(np.count_nonzero(grad))
    if zeros:  # some elements got nothing: dead ReLU units, masked entries
        text += f" ({zeros}/{grad.size} zero)"
    return f'<TD BGCOLOR="{scale.colour(grad)}">grad {escape(text)}</TD>'


def _module_label(node: Node, scene: Scene, scale: "_MagnitudeScale") -> str:
    rows = [f'<TR><TD COLSPAN="3" BGCOLOR="{MODULE_COLOUR}"><B>{escape(node.text)}</B></TD></TR>']
    for t in node.tensors:
        name = scene.names.get(t, "").rpartition(".")[2]
        grad = node_grad(scene, t) if scene.show_grad else None
        grad_text = f"|g| {norm(grad):.3g}" if grad is not None else ""
        rows.append(f'<TR><TD ALIGN="LEFT">{escape(name)}</TD>'
                    f'<TD><FONT FACE="{MONO}">{escape(format_shape(t.shape))}</FONT></TD>'
                    f'<TD BGCOLOR="{scale.colour(grad)}">{escape(grad_text)}</TD></TR>')
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
            f'BGCOLOR="{MODULE_COLOUR}">{"".join(rows)}</TABLE>')


def _edge(edge: Edge, scene: Scene) -> str:
    forward = f'"{edge.src}" -> "{edge.dst}"'
    if scene.view == "forward" or not scene.show_grad:
        return forward
    if edge.has_grad and edge.grad is None:  # nothing flows back: a constant, a no-grad input
        return f'{forward} [style="dotted"{", dir=back" if scene.view == "backward" else ""}]'
    label = ""
    if edge.has_grad:
        colour = "#c92a2a" if not np.any(edge.grad) else "#1c7ed6"
        label = f', label=<<FONT COLOR="{colour}">{escape(gradient_text(edge.grad))}</FONT>>'
    # backward: arrows point back along the forward layout; both: arrows at both ends
    direction = "back" if scene.view == "backward" else "both"
    return f'{forward} [dir={direction}, color="#1c7ed6"{label}]'


class _MagnitudeScale:
    """Maps |grad| (the norm) to a colour on a log scale spanning the graph's gradients."""

    def __init__(self, scene: Scene) -> None:
        logs = []
        if scene.show_grad:
            for node in scene.nodes.values():
                for t in ([node.tensor] if node.tensor is not None else node.tensors):
                    grad = node_grad(scene, t)
                    if grad is not None and np.any(grad):
                        logs.append(math.log10(norm(grad)))
        self.low = min(logs) if logs else 0.0
        self.high = max(logs) if logs else 0.0

    def colour(self, grad: Optional[np.ndarray]) -> str:
        if grad is None:
            return MISSING_COLOUR
        if not np.any(grad):
            return ZERO_COLOUR
        return MAGNITUDE_COLOURS[self.bucket(math.log10(norm(grad)))]

    def bucket(self, log_norm: float) -> int:
        if self.high - self.low < 1e-12:
            return len(MAGNITUDE_COLOURS) // 2
        position = (log_norm - self.low) / (self.high - self.low)
        return min(int(position * len(MAGNITUDE_COLOURS)), len(MAGNITUDE_COLOURS) - 1)


def _legend(scene: Scene, scale: _MagnitudeScale) -> str:
    roles = sorted({n.role for n in scene.nodes.values() if n.kind == "value"}
                   | ({"constant"} if any(n.kind == "constant" for n in scene.nodes.values())
                      else set()), key=list(ROLE_COLOURS).index)
    cells = [f'<TD BGCOLOR="{ROLE_COLOURS[r]}" BORDER="1">{escape(ROLE_TEXT[r])}</TD>'
             for r in roles]
    rows = [f'<TR>{"".join(cells)}</TR>'] if cells else []
    if scene.show_grad:
        swatches = "".join(f'<TD BGCOLOR="{c}" BORDER="1"> </TD>' for c in MAGNITUDE_COLOURS)
        rows.append(
            f'<TR><TD COLSPAN="{max(len(cells), 1)}" ALIGN="LEFT"><TABLE BORDER="0" '
            f'CELLSPACING="2"><TR><TD>|grad| {10 ** scale.low:.2g}</TD>{swatches}'
            f'<TD>{10 ** scale.high:.2g} (log scale)</TD><TD BGCOLOR="{ZERO_COLOUR}" BORDER="1">'
            f'zero</TD><TD BGCOLOR="{MISSING_COLOUR}" BORDER="1">no grad</TD></TR></TABLE>'
            f"</TD></TR>")
    rows += [f'<TR><TD COLSPAN="{max(len(cells), 1)}" ALIGN="LEFT"><I>{escape(note)}</I></TD>'
             f"</TR>" for note in scene.notes]
    return f'<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2">{"".join(rows)}</TABLE>'
