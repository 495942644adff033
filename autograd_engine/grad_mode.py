"""Grad modes: whether operations are recorded into a graph, and anomaly detection.

Both switches are per thread, as in PyTorch: a `no_grad` block in one thread never stops
another thread from recording its graph.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadState(threading.local):
    """Each thread starts recording, with anomaly detection off."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.detect_anomaly = False
        # Where each op recorded under detect_anomaly() was written (node -> "file:line").
        # Kept here, not on every node, so that normal graphs pay no memory for it.
        self.creation_sites: dict[Any, str] = {}


state = _ThreadState()


def is_grad_enabled() -> bool:
    """True when new operations are recorded into the graph (the default)."""
    return state.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside a `detect_anomaly()` block."""
    return state.detect_anomaly


class _SwitchContext:
    """Sets one flag of `state` for the duration of a `with` block or a decorated call."""

    _flag: str

    def __init__(self, value: bool) -> None:
        self._value = value
        self._previous: list[bool] = []  # a stack, so one instance may be nested in itself

    def __enter__(self) -> None:
        self._previous.append(getattr(state, self._flag))
        setattr(state, self._flag, self._value)

    def __exit__(self, *exc_info: object) -> None:
        setattr(state, self._flag, self._previous.pop())

    def __call__(self, func: F) -> F:
        """Use as a decorator: each call runs inside a fresh context of the same kind."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)._fresh(self._value):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    @classmethod
    def _fresh(cls, value: bool) -> "_SwitchContext":
        context = cls.__new__(cls)
        _SwitchContext.__init__(context, value)
        return context


class set_grad_enabled(_SwitchContext):
    """Turn graph recording on or off: `with set_grad_enabled(False): ...`."""

    _flag = "grad_enabled"

    def __init__(self, mode: bool) -> None:
        super().__init__(bool(mode))


class no_grad(set_grad_enabled):
    """Record nothing: results need no gradient and keep no graph (use for updates and eval)."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record again inside a `no_grad` block."""

    def __init__(self) -> None:
        super().__init__(True)


class detect_anomaly(_SwitchContext):
    """While active, a backward step that produces nan or inf raises a RuntimeError naming the
    op and the line of user code that created it. Costs a stack look-up per op: debug only."""

    _flag = "detect_anomaly"

    def __init__(self, mode: bool = True) -> None:
        super().__init__(bool(mode))

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        if not state.detect_anomaly:
            state.creation_sites.clear()  # let the recorded nodes go
