"""Arithmetic primitives: + - * / ** unary minus and matrix product.

Broadcasting is not handled here: the engine sums each gradient back to its input's shape in
one place (`sum_to`), so these backward rules are the plain calculus.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function, Grads, call, constant, values
from ..shapes import broadcast_shapes


def _shape(x: Any) -> tuple[int, ...]:
    return np.shape(x)


class _Elementwise2(Function):
    """Binary elementwise ops share numpy broadcasting, and so its error message."""

    __slots__ = ()
    symbol = "?"

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        try:
            broadcast_shapes(*map(_shape, arrays), op=f"'{self.symbol}'")
        except ValueError as clear:
            return clear
        return error


class Add(_Elementwise2):
    """a + b.   d(a+b)/da = 1,   d(a+b)/db = 1"""

    __slots__ = ()
    symbol = "+"
    rule = "∂(a+b)/∂a = 1,  ∂(a+b)/∂b = 1"
    reads_inputs = False

    def forward(self, a: Any, b: Any) -> Any:
        return a + b

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        return grad, grad


class Sub(_Elementwise2):
    """a - b.   d(a-b)/da = 1,   d(a-b)/db = -1"""

    __slots__ = ()
    symbol = "-"
    rule = "∂(a−b)/∂a = 1,  ∂(a−b)/∂b = −1"
    reads_inputs = False

    def forward(self, a: Any, b: Any) -> Any:
        return a - b

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        return grad, (-grad if self.needs(1) else None)


class Mul(_Elementwise2):
    """a * b.   d(a*b)/da = b,   d(a*b)/db = a"""

    __slots__ = ()
    symbol = "*"
    rule = "∂(a·b)/∂a = b,  ∂(a·b)/∂b = a"

    def forward(self, a: Any, b: Any) -> Any:
        return a * b

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        return (grad * b if self.needs(0) else None, grad * a if self.needs(1) else None)


class Div(_Elementwise2):
    """a / b.   d(a/b)/da = 1/b,   d(a/b)/db = -a/b² = -(a/b)/b

    The second as -grad·((a/b)/b), PyTorch's order: -(grad/b)·(a/b) would be inf·0 = nan at
    a = 0 with a denormal b (1/b overflows), where the gradient is -0, and (-grad·(a/b))/b
    overflows or underflows where the gradient itself does not (grad 1e100, a/b 1e250)."""

    __slots__ = ()
    symbol = "/"
    rule = "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²"
    reads_output = True

    def forward(self, a: Any, b: Any) -> Any:
        return a / b

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        return (grad / b if self.needs(0) else None,
                -grad * (out / b) if self.needs(1) else None)


class Neg(Function):
    """-a.   d(-a)/da = -1"""

    __slots__ = ()
    rule = "∂(−a)/∂a = −1"
    reads_inputs = False

    def forward(self, a: Any) -> Any:
        return -a

    def backward(self, grad: Any, out: Any, a: Any) -> Grads:
        return (-grad,)


class Pow(_Elementwise2):
    """a ** b.   d(a^b)/da = b·a^(b-1),   d(a^b)/db = a^b·ln(a)

    As in PyTorch, the base's gradient is 0 where b == 0 (even at a = 0, where b·a^(b-1) would
    be 0·inf), and the exponent's gradient is 0 where a == 0 and b >= 0 (where a^b·ln(a) would
    be 0·(-inf)). The branch a `Where` discards there is computed from a base of 1 instead of
    a (`_safe_base`), so that its derivatives stay finite too: else the zero gradient it gets
    times an infinite derivative (0 · a^-2 at a = 0) would turn the next order into nan."""

    __slots__ = ()
    symbol = "**"
    rule = "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a"
    reads_output = True

    def forward(self, a: Any, b: Any) -> Any:
        return np.power(a, b)

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        from .elementwise import Log, Where  # noqa: PLC0415  (elementwise imports this module)

        a_values, b_values = np.asarray(values(a)), np.asarray(values(b))
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):  # the masked places only
            if self.needs(0):
                zero_exponent = b_values == 0
                base = _safe_base(a, zero_exponent, like=grad)
                grad_a = grad * call(Where, constant(zero_exponent, like=grad), 0.0,
                                     b * base ** (b - 1))
            if self.needs(1):
                no_exponent_gradient = (a_values == 0) & (b_values >= 0)
                if isinstance(a, (int, float)):
                    log_a = float(np.log(a))  # a number base stays a (weak) Python number
                else:
                    log_a = call(Log, _safe_base(a, no_exponent_gradient, like=grad))
                grad_b = call(Where, constant(no_exponent_gradient, like=grad), 0.0,
                              grad * out * log_a)
        return grad_a, grad_b

    @property
    def label(self) -> str:
        exponent = self.inputs[1] if hasattr(self, "inputs") else None
        return f"** {exponent:g}" if isinstance(exponent, (int, float)) else "pow"


def _safe_base(a: Any, masked: np.ndarray, like: Any) -> Any:
    """`a` with 1 where `masked`, for a branch that a `Where` discards there (see Pow)."""
    if not masked.any():
        return a
    from .elementwise import Where  # noqa: PLC0415  (elementwise imports this module)

    return call(Where, constant(masked, like=like), 1.0, a)


class MatMul(Function):
    """a @ b with numpy's rules: 1-D operands are promoted to a row (a) or column (b) and the
    added axis dropped; batch axes broadcast.
    d(a@b)/da: grad @ bᵀ,   d(a@b)/db: aᵀ @ grad"""

    __slots__ = ()
    op_name = "matmul"
    rule = "∂(a@b)/∂a = grad @ bᵀ,  ∂(a@b)/∂b = aᵀ @ grad"

    def forward(self, a: Any, b: Any) -> Any:
        return np.matmul(a, b)

    def explain_error(self, error: ValueError, arrays: list[Any]) -> ValueError:
        a_shape, b_shape = map(_shape, arrays)
        if not a_shape or not b_shape:
            return ValueError(f"matmul: both operands need at least 1 dimension, got shapes "
                              f"{a_shape} and {b_shape}; use * for scalars")
        a_inner, b_inner = a_shape[-1], b_shape[-2] if len(b_shape) > 1 else b_shape[0]
        if a_inner != b_inner:
            which = "only" if len(b_shape) == 1 else "second-to-last"
            return ValueError(
                f"matmul: shapes {a_shape} and {b_shape} are not aligned: the last axis of the "
                f"first ({a_inner}) must equal the {which}"
                f" axis of the second ({b_inner})"
            )
        return ValueError(f"matmul: shapes {a_shape} and {b_shape}: the batch axes "
                          f"{a_shape[:-2]} and {b_shape[:-2]} cannot be broadcast together "
                          "(sizes must match or be 1)")

    def backward(self, grad: Any, out: Any, a: Any, b: Any) -> Grads:
        a2, b2, grad2 = a, b, grad
        if a.ndim == 1 or b.ndim == 1:  # work with the matrix forms numpy promoted them to
            a2 = a.reshape(1, -1) if a.ndim == 1 else a
            b2 = b.reshape(-1, 1) if b.ndim == 1 else b
            grad2 = grad.reshape(np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
                                 + (a2.shape[-2], b2.shape[-1]))
        # Broadcast batch axes need nothing here: the engine's sum_to folds them back.
        grad_a = grad_b = None
        if self.needs(0):
            grad_a = grad2 @ b2.mT
            if a.ndim == 1:
                grad_a = grad_a.reshape(grad_a.shape[:-2] + (a.shape[0],))
        if self.needs(1):
            grad_b = a2.mT @ grad2
            if b.ndim == 1:
                grad_b = grad_b.reshape(grad_b.shape[:-1])
        return grad_a, grad_b
