"""Text that goes into pictures: numbers, array summaries and HTML-escaped labels.

Graphviz HTML-like labels are XML, so every piece of user text (a tensor's name, a module's
name) passes through `escape` and can never close a tag, start an entity or break the DOT.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

_CONTROL = {i: " " for i in range(32)}  # newlines, tabs, NULs in a name draw as spaces


def escape(text: Any) -> str:
    """`text` made safe for a Graphviz HTML-like label (and for HTML pages): `& < > " '`
    become entities and control characters become spaces, so a name like `a"<b>{c}|d:e&f\\`
    shows literally. Braces, pipes, colons and backslashes mean nothing inside HTML labels."""
    text = str(text).translate(_CONTROL)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def escape_lines(text: Any) -> str:
    """`escape` for multi-line text shown in `<pre>` blocks: newlines are kept."""
    return "\n".join(escape(line) for line in str(text).splitlines())


def format_number(value: float) -> str:
    """A scalar the way micrograd prints it (`0.7071`), switching to `1.2e-07` when four
    decimals would hide it or the number is huge."""
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.3e}"


def format_shape(shape: tuple[int, ...]) -> str:
    """`(32, 30)`, `(5,)` or `()` for a scalar, as numpy and PyTorch print shapes."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def summarize(array: Any) -> str:
    """The value of a scalar, or a short summary of an array: the mean and std of its finite
    values, and how many are inf or nan (`mean 0.5 std 0.5 (1/3 nan)`)."""
    array = np.asarray(array)
    if array.size == 1:
        return format_number(array.reshape(()).item())
    if array.size == 0:
        return "empty"
    values = array.astype(np.float64)
    finite = values[np.isfinite(values)]
    text = f"mean {finite.mean():.3g} std {finite.std():.3g}" if finite.size else "no finite values"
    flags = count_flags(values, zeros=False)
    return f"{text} ({flags})" if flags else text


def gradient_text(array: Optional[Any]) -> str:
    """What an edge of the backward view says: the number for a scalar gradient, else its
    shape and norm (`(32, 30) |g| 0.0412`) and how many entries are zero, inf or nan
    (`(3,) |g| 2 (2/3 zero)`); `no grad` when none arrived."""
    if array is None:
        return "no grad"
    array = np.asarray(array)
    if array.size == 1:
        return format_number(array.reshape(()).item())
    flags = count_flags(array)
    return f"{format_shape(array.shape)} |g| {norm(array):.3g}" + (f" ({flags})" if flags else "")


def count_flags(array: Any, zeros: bool = True) -> str:
    """How many entries of an array are nan, inf (and, with `zeros`, exactly zero), as
    `1/3 nan, 2/3 zero`; empty when none are, or for a scalar (its value says it)."""
    array = np.asarray(array, dtype=np.float64)
    if array.size <= 1:
        return ""
    counts = {"nan": int(np.isnan(array).sum()), "inf": int(np.isinf(array).sum())}
    if zeros:
        counts["zero"] = array.size - int(np.count_nonzero(array))
    return ", ".join(f"{n}/{array.size} {what}" for what, n in counts.items() if n)


def grad_status(grad: Optional[Any]) -> str:
    """What a picture flags about a gradient: `missing` (none arrived), `nonfinite` (some
    entry is inf or nan: the thing to find with detect_anomaly), `zero` (all zero), `partly
    zero` (dead ReLU units, masked entries) or `ok`."""
    if grad is None:
        return "missing"
    grad = np.asarray(grad)
    if not np.all(np.isfinite(grad)):
        return "nonfinite"
    if not np.any(grad):
        return "zero"
    return "partly zero" if np.count_nonzero(grad) < grad.size else "ok"


def norm(array: Any) -> float:
    """The Euclidean norm of an array of any shape (the size of a gradient); inf or nan when
    an entry is, and no overflow for huge finite entries (scaled by the largest first)."""
    values = np.abs(np.asarray(array, dtype=np.float64))
    if values.size == 0:
        return 0.0
    largest = float(values.max())
    if largest == 0 or not math.isfinite(largest):
        return largest
    return largest * float(np.sqrt(np.sum(np.square(values / largest))))
