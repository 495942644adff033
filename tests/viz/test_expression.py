"""The expression parser accepts only the whitelist and evaluates with engine ops."""

from __future__ import annotations

import math
import re

import pytest

from autograd_engine import Tensor
from viz.expression import Expression, ExpressionError, parse_values


def evaluate(text: str, **values: float) -> Tensor:
    tensors = {k: Tensor(v, requires_grad=True, name=k) for k, v in values.items()}
    return Expression(text).evaluate(tensors)


def test_the_neuron_and_its_gradients() -> None:
    values = dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)
    tensors = {k: Tensor(v, requires_grad=True, name=k) for k, v in values.items()}
    expression = Expression("tanh(x1*w1 + x2*w2 + b)")
    assert expression.variables == ["x1", "w1", "x2", "w2", "b"]
    out = expression.evaluate(tensors)
    out.backward()
    assert out.item() == pytest.approx(math.sqrt(0.5))
    assert tensors["x1"].grad.item() == pytest.approx(-1.5)
    assert tensors["w1"].grad.item() == pytest.approx(1.0)


@pytest.mark.parametrize("text, expected", [
    ("-x ** 2 + 3 / x - +x", -4 + 1.5 - 2),
    ("exp(log(x)) * sqrt(x * 8) + abs(-x)", 2 * 4 + 2),
    ("relu(-x) + sigmoid(0 * x) + leaky_relu(-x, 0.1)", 0.5 - 0.2),
    ("maximum(x, 3) - minimum(x, 3)", 1.0),
    ("2 ** x", 4.0),
])
def test_allowed_syntax(text: str, expected: float) -> None:
    assert evaluate(text, x=2.0).item() == pytest.approx(expected)


@pytest.mark.parametrize("text, message", [
    ("x.__class__", "attribute access is not allowed"),
    ("__import__('os').system('ls')",
     "attribute access (.system) is not allowed: an expression may call only the ops"),
    ("__import__('os')", "__import__() is not one of the ops"),
    ("import os", "not valid"),
    ("(lambda: 1)()", "a lambda cannot be called"),
    ("lambda: 1", "a lambda is not allowed"),
    ("x[0]", "subscripting is not allowed"),
    ("__builtins__", "may not start with '_'"),
    ("eval('1')", "eval() is not one of the ops"),
    ("open('f')", "open() is not one of the ops"),
    ("'text'", "only numbers"),
    ("True * x", "only numbers"),
    ("1j * x", "only numbers"),
    ("x < 1", "a comparison is not allowed"),
    ("x and 1", "and/or is not allowed"),
    ("tanh(x=1)", "positional arguments only"),
    ("tanh(*x)", "positional arguments only"),
    ("tanh(x, x)", "takes 1 argument"),
    ("tanh + x", "'tanh' is an op; call it"),
    ("x.tanh()", "attribute access (.tanh) is not allowed"),
    ("[x]", "List syntax is not allowed"),
    ("f'{x}'", "an f-string is not allowed"),
    ("(y := 2)", "assignment"),
    ("x if x else 1", "if-expression"),
    ("x @ x", "the operator @ is not allowed"),
    ("x // 2", "the operator // is not allowed"),
    ("~x", "the operator ~ is not allowed"),
    ("x" + " + x" * 1000, "at most 2000"),
])
def test_everything_else_is_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        Expression(text)


def test_missing_values_and_overflow_are_clear() -> None:
    with pytest.raises(ExpressionError, match=r"no value for w; pass them, e.g. --values w=1.0"):
        evaluate("x * w", x=1.0)
    with pytest.raises(ExpressionError, match="cannot evaluate .*: the result overflows"):
        evaluate("2 ** 2 ** 2 ** 2 ** 2 ** 2 * x", x=1.0)


def test_parse_values() -> None:
    assert parse_values("x1=2, w1=-3,b=6.88") == {"x1": 2.0, "w1": -3.0, "b": 6.88}
    assert parse_values("") == {}
    with pytest.raises(ExpressionError, match="expected name=number"):
        parse_values("x1")
    with pytest.raises(ExpressionError, match="is not a number"):
        parse_values("x1=two")
    with pytest.raises(ExpressionError, match="x is given twice"):
        parse_values("x=1,x=2")
    # Python reads the micro sign in an expression as the Greek mu; so do --values
    assert Expression("\u00b5*x").variables == list(parse_values("\u00b5=1,x=2"))
