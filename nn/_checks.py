"""Argument checks shared by nn's constructors and functions: each names the argument and says
what it must be, so a wrong value fails where it is passed, not deep inside numpy later."""

from __future__ import annotations

import math
import numbers
from typing import Any, Optional

import numpy as np

_KINDS = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}


def is_whole_number(value: Any, minimum: int) -> bool:
    """An int (numpy's too, but not a bool) of at least `minimum`: a size, a count, a seed."""
    return (not isinstance(value, bool) and isinstance(value, (int, np.integer))
            and value >= minimum)


def as_scalar(value: Any) -> Any:
    """A numpy scalar or a 0-d numeric array as the Python number it holds; anything else as
    it is. nn.load gives every saved number back as a 0-d array (a scheduler's step_size of
    3 as array(3)), and a number taken from an array is a numpy scalar: both stand for the
    number itself."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0
                                         and value.dtype.kind in "biuf"):
        return value.item()  # np.True_ becomes True, which is then refused as a number
    return value


def from_objects(array: np.ndarray) -> np.ndarray:
    """An object array (a pandas column of Python numbers, say) with the dtype numpy gives
    its items on their own: int64 for ints, float64 for floats, text for strings. Any other
    array, or items with no common type (None among numbers), comes back as it is."""
    if array.dtype != object:
        return array
    try:
        return np.array(array.tolist())
    except (TypeError, ValueError):  # ragged rows, say
        return array


def whole_number(value: Any, what: str, minimum: Optional[int] = 1,
                 allow_none: bool = False) -> Optional[int]:
    """`value` as an int, if it is a whole number of at least `minimum` (None: any); else a
    ValueError naming `what`. 2.5 or "3" are refused rather than silently rounded or parsed,
    and so is 3.0: a size or a count is an int, as in PyTorch's Linear and DataLoader."""
    if value is None and allow_none:
        return None
    value, low = as_scalar(value), -math.inf if minimum is None else minimum
    if not is_whole_number(value, low):
        kind = _KINDS.get(minimum, f"an integer >= {minimum}")
        fix = (f" (a float: pass {int(value)})" if isinstance(value, float)
               and value.is_integer() and value >= low else "")
        raise ValueError(f"{what} must be {kind}{' or None' if allow_none else ''}, got "
                         f"{value!r}{fix}")
    return int(value)


def real_number(value: Any, what: str, low: float = -math.inf, high: float = math.inf,
                low_open: bool = False, high_open: bool = False) -> float:
    """`value` as a float, if it is a finite real number (not a bool, a string or an array)
    within [low, high], an end excluded when `*_open`; else a TypeError or ValueError naming
    `what` and the range. A numpy scalar or 0-d array counts as the number it holds."""
    value = as_scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__} {value!r:.40}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(f"{what} must be a finite number{_range(low, high, low_open, high_open)}"
                         f", got {value!r}")
    return float(value)


def _range(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(low) and math.isinf(high):
        return ""
    if math.isinf(high):
        return f" {'>' if low_open else '>='} {low:g}"
    if math.isinf(low):
        return f" {'<' if high_open else '<='} {high:g}"
    return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_finite(array: np.ndarray, what: str) -> None:
    """Refuse nan or infinite values, counting them and naming the first one's position: they
    would otherwise surface later as a nan loss or statistic far from their cause."""
    if array.dtype.kind in "fc" and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))
        raise ValueError(f"{what} has {len(bad)} nan or infinite values (the first at index "
                         f"{tuple(int(i) for i in bad[0])}); remove or fill them in first")
