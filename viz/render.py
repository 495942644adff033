"""Turning DOT text into SVG or PNG with a Graphviz binary.

The system `dot` is used when it is on PATH; otherwise the `graphviz-pure` binary that pip
installed with the project (next to the Python executable of the venv). A render runs in a
subprocess with a timeout, so a graph too big to lay out is an error, never a hang.
"""

from __future__ import annotations

import numbers
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional, Union

#: Output formats a render understands (taken from the file suffix).
FORMATS = ("svg", "png")
#: Seconds a layout may take before the render is abandoned.
DEFAULT_TIMEOUT = 20.0


class RenderError(RuntimeError):
    """No renderer, a renderer that failed, or a layout that took too long."""


def find_renderer() -> Optional[str]:
    """The Graphviz binary to run: system `dot` first, then the pip-installed `graphviz-pure`
    (looked up beside `sys.executable`, then on PATH). None when neither exists."""
    system_dot = shutil.which("dot")
    if system_dot:
        return system_dot
    beside_python = Path(sys.executable).parent / "graphviz-pure"
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which("graphviz-pure")


def file_path(path: Union[str, Path], example: str) -> Path:
    """`path` as a Path to write a file to; a folder is refused, with a file name in it as
    the example (writing would otherwise fail with a bare IsADirectoryError)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder: give a file name, such as {path / example}")
    return path


def format_of(path: Union[str, Path]) -> str:
    """The output format named by a file's suffix (`graph.svg` -> `svg`), or a clear error."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"render: cannot tell the format of {str(path)!r} from its suffix; "
                         f"use one of {', '.join('.' + f for f in FORMATS)} (for the DOT text, "
                         "write graph.source to a file; for a step-through page, "
                         "viz.save_backprop)")
    return suffix


def render_bytes(source: str, fmt: str, timeout: Optional[float] = DEFAULT_TIMEOUT,
                 node_count: Optional[int] = None) -> bytes:
    """Lay out `source` (DOT) and return the picture in `fmt` (svg or png)."""
    if fmt not in FORMATS:
        raise ValueError(f"render: format must be one of {FORMATS}, got {fmt!r}")
    if timeout is not None:  # None: no limit, as for subprocess
        if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
            raise TypeError(f"render: timeout must be a number of seconds (or None for no "
                            f"limit), got {type(timeout).__name__}")
        if not timeout > 0:
            raise ValueError(f"render: timeout must be > 0 seconds, got {timeout!r}")
    renderer = find_renderer()
    if renderer is None:
        raise RenderError(_NO_RENDERER)
    try:
        done = subprocess.run([renderer, f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        size = f"{node_count} nodes" if node_count is not None else "this graph"
        raise RenderError(
            f"render: laying out {size} took longer than {timeout:g} s and was stopped. Draw "
            "less: lower max_nodes, pass a model with depth=1 to collapse modules, or raise "
            "the timeout (render(path, timeout=...)).") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"render: {Path(renderer).name} failed (exit {done.returncode}): "
                          f"{message}")
    return done.stdout


def render_file(source: str, path: Union[str, Path], timeout: Optional[float] = DEFAULT_TIMEOUT,
                node_count: Optional[int] = None) -> Path:
    """Write the picture of `source` to `path` (format from its suffix) and return the path.

    Without any renderer the DOT source is written to `path` with suffix `.gv` and the error
    says where it is and how to get a renderer."""
    path = file_path(path, "graph.svg")
    fmt = format_of(path)
    try:
        data = render_bytes(source, fmt, timeout, node_count)
    except RenderError as error:
        if find_renderer() is not None:
            raise
        gv_path = path.with_suffix(".gv")
        gv_path.parent.mkdir(parents=True, exist_ok=True)
        gv_path.write_text(source, encoding="utf-8")
        raise RenderError(f"{error} The DOT source was written to {gv_path}.") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


_NO_RENDERER = (
    "render: no Graphviz renderer found. Either install the project's dependencies "
    "(`pip install graphviz-pure`, which provides the `graphviz-pure` binary next to your "
    "Python), or install Graphviz so that `dot` is on PATH (e.g. `apt-get install graphviz` "
    "or `brew install graphviz`)."
)
