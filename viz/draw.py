"""`draw_graph`: the picture of a tensor's graph, as DOT text, SVG/PNG files or notebook output."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

from autograd_engine import Tensor

from .dot import scene_to_dot
from .render import DEFAULT_TIMEOUT, RenderError, render_bytes, render_file
from .scene import Scene, build_scene

VIEWS = ("forward", "backward", "both")
RANKDIRS = ("LR", "RL", "TB", "BT")
#: Default cap on drawn nodes, chosen by measurement (docs/viz.md): graphviz-pure renders a
#: random 300-node graph in the slowest case (PNG, backward view with edge labels) in 1.2 s
#: here, 420 nodes in 3.6 s and 614 in 6.2 s, so past 300 the picture is summarised.
DEFAULT_MAX_NODES = 300


class Graph:
    """A drawn graph. `.source` is the DOT text (no binary needed); `.render(path)` writes an
    SVG or PNG; in Jupyter it displays itself as SVG."""

    def __init__(self, source: str, scene: Scene, node_count: int) -> None:
        self.source = source
        self.scene = scene
        self.node_count = node_count

    def render(self, path: Union[str, Path], timeout: Optional[float] = DEFAULT_TIMEOUT) -> Path:
        """Write the picture to `path` (`.svg` or `.png`) and return the path."""
        return render_file(self.source, path, timeout, self.node_count)

    def svg(self, timeout: Optional[float] = DEFAULT_TIMEOUT) -> str:
        """The picture as SVG text (for embedding in HTML)."""
        return render_bytes(self.source, "svg", timeout, self.node_count).decode("utf-8")

    def node_id(self, tensor: Tensor) -> Optional[str]:
        """The id of the drawn node (and SVG element) that shows `tensor`, if drawn."""
        return self.scene.drawn_value.get(tensor)

    def op_id(self, tensor: Tensor) -> Optional[str]:
        """The id of the drawn node showing the op that made `tensor`, if drawn."""
        return self.scene.drawn_op.get(tensor)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        try:
            return {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        except RenderError as error:
            return {"text/plain": f"{error}\n\n{self.source}"}

    def __repr__(self) -> str:
        return f"<viz.Graph: {self.node_count} nodes, view={self.scene.view!r}>"


def draw_graph(root: Tensor, view: str = "forward", model: Any = None, rankdir: str = "LR",
               max_nodes: int = DEFAULT_MAX_NODES, show_data: bool = True,
               show_grad: bool = True, depth: Optional[int] = None) -> Graph:
    """Draw the graph that produced `root`.

    view: "forward" (values and ops, gradients shown once backward has run), "backward" (the
    gradient each edge carries, nodes coloured by |grad| on a log scale, zero and missing
    gradients flagged) or "both". Gradients come from the engine's own backward run with
    `capture=[]`, so drawing never changes any `.grad`.
    model: a module whose `named_parameters()` name the parameters; ops are grouped into one
    cluster per module, and `depth` collapses modules at that depth into single boxes
    (depth=1: one box per layer of a Sequential).
    max_nodes: past this the graph is summarised (repeated chains folded, the part farthest
    from the output replaced by one node), so a render stays within a couple of seconds."""
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: root must be a Tensor, got {type(root).__name__}")
    if view not in VIEWS:
        raise ValueError(f"draw_graph: view must be one of {VIEWS}, got {view!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if not isinstance(max_nodes, int) or max_nodes < 2:
        raise ValueError(f"draw_graph: max_nodes must be an int >= 2, got {max_nodes!r}")
    if depth is not None and (model is None or not isinstance(depth, int) or depth < 0):
        raise ValueError(f"draw_graph: depth needs a model and must be an int >= 0, got "
                         f"depth={depth!r} with model={type(model).__name__}")
    scene = build_scene(root, view, model, depth, max_nodes, show_grad)
    source = scene_to_dot(scene, rankdir, show_data)
    return Graph(source, scene, len(scene.nodes))
