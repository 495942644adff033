"""`write_report`: one self-contained HTML page with the results of a training run.

Everything is embedded (PNG plots as data URIs, graphs as inline SVG, the step-through's script
and data), so `out/report.html` reads offline, can be mailed, and makes no network request.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from autograd_engine import Tensor

from .draw import draw_graph
from .labels import escape, escape_lines
from .modules import named_parameters
from .plots import plot_grad_flow, plot_history, plot_weights
from .stepthrough import html_page, stepthrough_section, strip_xml_prolog

_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
                ".jpeg": "image/jpeg"}


def write_report(out_dir: Union[str, Path], *, title: str = "autograd-engine report",
                 intro: str = "", reports: Optional[Mapping[str, str]] = None,
                 histories: Optional[Mapping[str, Any]] = None, model: Any = None,
                 graph_root: Optional[Tensor] = None, graph_depth: Optional[int] = None,
                 backprop_root: Optional[Tensor] = None,
                 figures: Optional[Mapping[str, Union[str, Path]]] = None,
                 filename: str = "report.html", validation_label: str = "validation") -> Path:
    """Write `out_dir/report.html` and return its path. Every part is optional:

    reports: {heading: text}, e.g. sklearn's classification_report per data set (shown as is).
    histories: {heading: History or dict of per-epoch lists} -> loss/accuracy plots, the
    held-out curves labelled `validation_label` ("test" when the held-out split is the test set).
    model: its weight histograms (and gradient flow when its parameters have .grad); with
    graph_root (e.g. the loss of one batch) also the model graph, collapsed to `graph_depth`.
    backprop_root: a small scalar expression to step through (keep it tiny: every node is a step).
    figures: {caption: path of a PNG/SVG already made} (e.g. decision boundaries), embedded."""
    for argument, value in (("reports", reports), ("histories", histories),
                            ("figures", figures)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"write_report: {argument} must be a dict {{heading: ...}}, got "
                            f"{type(value).__name__}")
    out_dir = Path(out_dir)
    sections = [f"<h1>{escape(title)}</h1>"]
    if intro:
        sections.append(f"<p>{escape(intro)}</p>")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for heading, text in (reports or {}).items():
            sections.append(f"<h2>{escape(heading)}</h2>\n<pre>{escape_lines(text)}</pre>")
        for k, (heading, history) in enumerate((histories or {}).items()):
            image = plot_history(history, work / f"history{k}.png", title=str(heading),
                                 validation_label=validation_label)
            sections.append(_figure(image, f"Training history: {heading}", level="h2"))
        for caption, image in (figures or {}).items():
            sections.append(_figure(Path(image), str(caption), level="h2"))
        if model is not None:
            sections += _model_sections(model, graph_root, graph_depth, work)
    if backprop_root is not None:
        sections.append("<h2>Backprop, one step at a time</h2>\n<p>Use the buttons or the "
                        "arrow keys: each step is one node of <code>.backward()</code>, in the "
                        "engine's order.</p>")
        sections.append(stepthrough_section(backprop_root))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / filename
    path.write_text(html_page(title, "\n".join(sections)), encoding="utf-8")
    return path


def _model_sections(model: Any, graph_root: Optional[Tensor], depth: Optional[int],
                    work: Path) -> list[str]:
    sections = [f"<h2>Model</h2>\n<pre>{escape_lines(repr(model))}</pre>"]
    if graph_root is not None:
        # top to bottom: a model graph is long and narrow, and pages are tall
        graph = draw_graph(graph_root, view="backward", model=model, depth=depth, rankdir="TB")
        sections.append(f'<h3>Graph of one forward and backward pass</h3>\n'
                        f'<div class="graph">{strip_xml_prolog(graph.svg())}</div>')
    sections.append(_figure(plot_weights(model, work / "weights.png"), "Parameter values"))
    if any(p.grad is not None for _, p in named_parameters(model)):
        sections.append(_figure(plot_grad_flow(model, work / "grad_flow.png"),
                                "Gradient flow (last backward)"))
    return sections


def _figure(image: Path, caption: str, level: str = "h3") -> str:
    """An image file embedded as a data URI (so the page needs no other file)."""
    kind = _IMAGE_TYPES.get(image.suffix.lower())
    if kind is None:
        raise ValueError(f"write_report: cannot embed {image}; use one of "
                         f"{', '.join(_IMAGE_TYPES)}")
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    return (f"<{level}>{escape(caption)}</{level}>\n<figure><img alt=\"{escape(caption)}\" "
            f'src="data:{kind};base64,{data}"></figure>')
