"""Grad modes: whether operations are recorded into a graph, and anomaly detection.

Both switches are per thread, as in PyTorch: a `no_grad` block in one thread never stops
another thread from recording its graph.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Generator, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadState(threading.local):
    """Each thread starts recording, with anomaly detection off."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.detect_anomaly = False
        # Where each op recorded under detect_anomaly() was written (node -> "file:line").
        # Kept here, not on every node, so that normal graphs pay no memory for it.
        self.creation_sites: dict[Any, str] = {}
        # compile's trace while it records a step: every op is then kept in the graph, with
        # or without a gradient, and reading a traced value is refused (see replay.py).
        self.trace: Any = None


state = _ThreadState()


def is_grad_enabled() -> bool:
    """True when new operations are recorded into the graph (the default)."""
    return state.grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside a `detect_anomaly()` block."""
    return state.detect_anomaly


def as_bool(value: Any, what: str) -> bool:
    """A switch given by the user, as a bool; anything else is an error, as in PyTorch (a
    string such as "no" is true to Python and would switch the wrong way)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return bool(value)


class _SwitchContext:
    """Sets one flag of `state` for the duration of a `with` block or a decorated call. A
    decorated generator function has the flag set while its body runs, not while its caller
    runs between two values."""

    def __init__(self, flag: str, value: bool) -> None:
        self._flag, self._value = flag, value
        self._previous: list[bool] = []  # a stack, so one instance may be nested in itself

    def __enter__(self) -> None:
        self._previous.append(getattr(state, self._flag))
        setattr(state, self._flag, self._value)

    def __exit__(self, *exc_info: object) -> None:
        setattr(state, self._flag, self._previous.pop())

    def __call__(self, func: F) -> F:
        """Use as a decorator: each call runs inside a fresh context that sets the same flag."""
        flag, value = self._flag, self._value
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                return (yield from _each_step_inside(func(*args, **kwargs),
                                                     lambda: _SwitchContext(flag, value)))
            return generator_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = getattr(state, flag)  # no context object: optimizers call this per step
            setattr(state, flag, value)
            try:
                return func(*args, **kwargs)
            finally:
                setattr(state, flag, previous)
        return wrapper  # type: ignore[return-value]


def _each_step_inside(generator: Generator, context: Callable[[], _SwitchContext]) -> Any:
    """Drive `generator`, entering a fresh context around each step it runs (send or throw)."""
    step, argument = generator.send, None
    while True:
        try:
            with context():
                value = step(argument)
        except StopIteration as stop:
            return stop.value
        try:
            argument = yield value
            step = generator.send
        except GeneratorExit:
            generator.close()
            raise
        except BaseException as error:  # thrown in by the caller: deliver it inside the context
            step, argument = generator.throw, error


class _GradSwitch(_SwitchContext):
    """A context manager, or a decorator with or without parentheses (`@no_grad`,
    `@no_grad()`), that turns recording to `enabled`."""

    enabled: bool

    def __new__(cls, func: Any = None) -> Any:
        if func is not None:  # used bare: decorate at once
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Any = None) -> None:
        super().__init__("grad_enabled", self.enabled)


class no_grad(_GradSwitch):
    """Record nothing: results need no gradient and keep no graph (use for updates and eval)."""

    enabled = False


class enable_grad(_GradSwitch):
    """Record again inside a `no_grad` block."""

    enabled = True


class set_grad_enabled(_SwitchContext):
    """set_grad_enabled(mode), as in PyTorch: called plainly it switches recording on or off
    at once; in a `with` block (or as a decorator) the previous mode comes back afterwards."""

    def __init__(self, mode: bool) -> None:
        super().__init__("grad_enabled", as_bool(mode, "set_grad_enabled: mode"))
        self._previous.append(state.grad_enabled)
        state.grad_enabled = self._value

    def __enter__(self) -> None:
        """Already switched when the object was made."""

    def __call__(self, func: F) -> F:
        state.grad_enabled = self._previous.pop()  # a decorator switches per call, not now
        return super().__call__(func)


class detect_anomaly(_SwitchContext):
    """While active, a backward step that produces nan or inf raises a RuntimeError naming the
    op and the line of user code that created it. Costs a stack look-up per op: debug only."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__("detect_anomaly", as_bool(mode, "detect_anomaly: mode"))

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        if not state.detect_anomaly:
            state.creation_sites.clear()  # let the nodes recorded in the block go
