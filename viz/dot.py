"""Writing a `Scene` as DOT text with HTML-like labels, clusters and a legend.

Every piece of user text goes through `labels.escape`; ids are generated (`v3`, `f3`), so
nothing a user names a tensor can break the DOT or inject markup into the SVG.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .labels import count_flags, escape, format_shape, grad_status, gradient_text, norm, summarize
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
#: inf or nan gradients: the fill, and the text and border colour that flag them.
NONFINITE_COLOUR = "#e599f7"
#: Text (and backward-view border) colour of each flagged gradient status.
FLAG_COLOURS = {"zero": "#c92a2a", "partly zero": "#c92a2a", "nonfinite": "#862e9c"}
EDGE_COLOUR = "#1c7ed6"
FORWARD_EDGE_COLOUR = "#495057"
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
    # the backward view flags the whole box; elsewhere the grad cell alone carries the flag,
    # so the step-through can hide it until its step
    border = FLAG_COLOURS.get(grad_status(grad), "#495057") if scene.view == "backward" \
        else "#495057"
    # scalars read left to right like micrograd's boxes; arrays stack their longer lines
    rows = f'<TR>{"".join(cells)}</TR>' if not t.ndim else "".join(f"<TR>{c}</TR>" for c in cells)
    return (f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'BGCOLOR="{body_fill}" COLOR="{border}">{rows}</TABLE>')


def _grad_cell(grad: Optional[np.ndarray], scale: "_MagnitudeScale") -> str:
    status = grad_status(grad)
    if grad is None:
        return f'<TD BGCOLOR="{MISSING_COLOUR}"><FONT COLOR="#868e96"><I>no grad</I></FONT></TD>'
    if status == "zero":
        text = "0 (zero)"
    elif grad.size == 1:
        text = summarize(grad)
    else:
        text = _norm_text(grad)
    fill = scale.colour(grad)
    # on the darkest fills a red flag would be unreadable: white there (the border is red)
    colour = "#ffffff" if fill in MAGNITUDE_COLOURS[-2:] else None
    return f'<TD BGCOLOR="{fill}">{_flagged(f"grad {text}", status, colour)}</TD>'


def _flagged(text: str, status: str, colour: Optional[str] = None) -> str:
    """`text` escaped, in bold flag colour (or `colour`) when the gradient it describes is
    flagged."""
    if status not in FLAG_COLOURS:
        return escape(text)
    return f'<FONT COLOR="{colour or FLAG_COLOURS[status]}"><B>{escape(text)}</B></FONT>'


def _norm_text(grad: np.ndarray) -> str:
    """`|g| 2 (2/3 zero)`: the size of an array gradient, and its dead or non-finite entries."""
    flags = count_flags(grad)
    return f"|g| {norm(grad):.3g}" + (f" ({flags})" if flags else "")


def _module_label(node: Node, scene: Scene, scale: "_MagnitudeScale") -> str:
    rows = [f'<TR><TD COLSPAN="3" BGCOLOR="{MODULE_COLOUR}"><B>{escape(node.text)}</B></TD></TR>']
    for t in node.tensors:
        name = scene.names.get(t, "").rpartition(".")[2]
        grad = node_grad(scene, t) if scene.show_grad else None
        grad_text = _norm_text(grad) if grad is not None else ""
        rows.append(f'<TR><TD ALIGN="LEFT">{escape(name)}</TD>'
                    f'<TD><FONT FACE="{MONO}">{escape(format_shape(t.shape))}</FONT></TD>'
                    f'<TD BGCOLOR="{scale.colour(grad)}">{_flagged(grad_text, grad_status(grad))}'
                    "</TD></TR>")
    return (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
            f'BGCOLOR="{MODULE_COLOUR}">{"".join(rows)}</TABLE>')


def _edge(edge: Edge, scene: Scene) -> str:
    forward = f'"{edge.src}" -> "{edge.dst}"'
    if scene.view == "forward" or not scene.show_grad:
        return forward
    # backward: arrows point back, the way the gradient flows; both: arrows show the forward
    # computation and each gradient label says with its arrow that it flows back
    backward = scene.view == "backward"
    style = f'dir=back, color="{EDGE_COLOUR}"' if backward else f'color="{FORWARD_EDGE_COLOUR}"'
    if edge.has_grad and edge.grad is None:  # nothing flows back: a constant, a no-grad input
        return f'{forward} [style="dotted"{", dir=back" if backward else ""}]'
    if not edge.has_grad:
        return f"{forward} [{style}]"
    colour = FLAG_COLOURS.get(grad_status(edge.grad), EDGE_COLOUR)
    text = escape(gradient_text(edge.grad) if backward else f"← {gradient_text(edge.grad)}")
    return f'{forward} [{style}, label=<<FONT COLOR="{colour}">{text}</FONT>>]'


class _MagnitudeScale:
    """Maps |grad| (the norm) to a colour on a log scale spanning the graph's finite, nonzero
    gradients; zero, inf and nan gradients get their own flag colours."""

    def __init__(self, scene: Scene) -> None:
        logs = []
        self.has_nonfinite = False
        if scene.show_grad:
            for node in scene.nodes.values():
                for t in ([node.tensor] if node.tensor is not None else node.tensors):
                    status = grad_status(node_grad(scene, t))
                    self.has_nonfinite |= status == "nonfinite"
                    if status in ("ok", "partly zero"):
                        logs.append(math.log10(norm(node_grad(scene, t))))
        self.low = min(logs) if logs else 0.0
        self.high = max(logs) if logs else 0.0

    def colour(self, grad: Optional[np.ndarray]) -> str:
        status = grad_status(grad)
        if status == "missing":
            return MISSING_COLOUR
        if status == "zero":
            return ZERO_COLOUR
        if status == "nonfinite":
            return NONFINITE_COLOUR
        return MAGNITUDE_COLOURS[self.bucket(math.log10(norm(grad)))]

    def bucket(self, log_norm: float) -> int:
        if self.high - self.low < 1e-12:
            return len(MAGNITUDE_COLOURS) // 2
        position = (log_norm - self.low) / (self.high - self.low)
        return max(0, min(int(position * len(MAGNITUDE_COLOURS)), len(MAGNITUDE_COLOURS) - 1))


def _legend(scene: Scene, scale: _MagnitudeScale) -> str:
    roles = sorted({n.role for n in scene.nodes.values() if n.kind == "value"}
                   | ({"constant"} if any(n.kind == "constant" for n in scene.nodes.values())
                      else set()), key=list(ROLE_COLOURS).index)
    cells = [f'<TD BGCOLOR="{ROLE_COLOURS[r]}" BORDER="1">{escape(ROLE_TEXT[r])}</TD>'
             for r in roles]
    rows = [f'<TR>{"".join(cells)}</TR>'] if cells else []
    if scene.show_grad:
        nonfinite = (f'<TD BGCOLOR="{NONFINITE_COLOUR}" BORDER="1">inf / nan</TD>'
                     if scale.has_nonfinite else "")
        swatches = "".join(f'<TD BGCOLOR="{c}" BORDER="1"> </TD>' for c in MAGNITUDE_COLOURS)
        rows.append(
            f'<TR><TD COLSPAN="{max(len(cells), 1)}" ALIGN="LEFT"><TABLE BORDER="0" '
            f'CELLSPACING="2"><TR><TD>|grad| {10 ** scale.low:.2g}</TD>{swatches}'
            f'<TD>{10 ** scale.high:.2g} (log scale)</TD><TD BGCOLOR="{ZERO_COLOUR}" BORDER="1">'
            f'zero</TD>{nonfinite}<TD BGCOLOR="{MISSING_COLOUR}" BORDER="1">no grad</TD></TR>'
            f"</TABLE></TD></TR>")
    notes = list(scene.notes)
    if scene.view == "both" and scene.show_grad:
        notes.insert(0, "grey arrows: the forward computation; ← coloured numbers: the "
                        "gradient each edge carries back")
    rows += [f'<TR><TD COLSPAN="{max(len(cells), 1)}" ALIGN="LEFT"><I>{escape(note)}</I></TD>'
             f"</TR>" for note in notes]
    return f'<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2">{"".join(rows)}</TABLE>'
