"""Argument checks shared by nn's constructors and functions: each names the argument and says
what it must be, so a wrong value fails where it is passed, not deep inside numpy later."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

_KINDS = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}


def is_whole_number(value: Any, minimum: int) -> bool:
    """An int (numpy's too, but not a bool) of at least `minimum`: a size, a count, a seed."""
    return (not isinstance(value, bool) and isinstance(value, (int, np.integer))
            and value >= minimum)


def whole_number(value: Any, what: str, minimum: Optional[int] = 1,
                 allow_none: bool = False) -> Optional[int]:
    """`value` as an int, if it is a whole number of at least `minimum` (None: any); else a
    ValueError naming `what`. 2.5 or "3" are refused rather than silently rounded or parsed."""
    if value is None and allow_none:
        return None
    if not is_whole_number(value, -math.inf if minimum is None else minimum):
        kind = _KINDS.get(minimum, f"an integer >= {minimum}")
        raise ValueError(f"{what} must be {kind}{' or None' if allow_none else ''}, got "
                         f"{value!r}")
    return int(value)
