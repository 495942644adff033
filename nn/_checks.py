"""Argument checks shared by nn's constructors and functions."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_whole_number(value: Any, minimum: int) -> bool:
    """An int (numpy's too, but not a bool) of at least `minimum`: a size, a count, a seed."""
    return (not isinstance(value, bool) and isinstance(value, (int, np.integer))
            and value >= minimum)
