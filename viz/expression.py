"""A safe parser for small math expressions over named scalars, e.g. `tanh(x1*w1 + x2*w2 + b)`.

Used by `autograd-engine graph "EXPR"`. The text is parsed with Python's `ast` module and only
a whitelist is accepted: numbers, variable names, `+ - * / **`, unary minus and plus, and calls
of the op names in `OPS`. Everything else (attributes, subscripts, imports, lambdas, strings,
comparisons, keyword arguments, names starting with `_`) is refused with a clear error; the
text is never passed to `eval`.
"""

from __future__ import annotations

import ast
import unicodedata
from typing import Any, Callable, Mapping

import autograd_engine as engine
from autograd_engine import Tensor

#: Functions an expression may call, with how many arguments each takes.
OPS: dict[str, tuple[Callable[..., Any], int]] = {
    "tanh": (lambda a: _tensor(a).tanh(), 1),
    "exp": (lambda a: _tensor(a).exp(), 1),
    "log": (lambda a: _tensor(a).log(), 1),
    "sqrt": (lambda a: _tensor(a).sqrt(), 1),
    "abs": (lambda a: _tensor(a).abs(), 1),
    "relu": (lambda a: _tensor(a).relu(), 1),
    "sigmoid": (lambda a: _tensor(a).sigmoid(), 1),
    "leaky_relu": (lambda a, slope: _tensor(a).leaky_relu(_number(slope, "leaky_relu")), 2),
    "maximum": (lambda a, b: engine.maximum(_tensor(a), b), 2),
    "minimum": (lambda a, b: engine.minimum(_tensor(a), b), 2),
}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
           ast.Pow: lambda a, b: a ** b}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}
_SYMBOLS = {ast.MatMult: "@", ast.FloorDiv: "//", ast.Mod: "%", ast.BitAnd: "&", ast.BitOr: "|",
            ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not"}
MAX_LENGTH = 2000
#: How deeply operations may nest (`-(-(-x))` is 3); deeper is refused, not a RecursionError.
MAX_DEPTH = 100


class ExpressionError(ValueError):
    """The expression uses something outside the whitelist, or cannot be evaluated."""


class Expression:
    """A parsed expression: `variables` (names in order of first use) and `evaluate`."""

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise ExpressionError(f"expression must be a string, got {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"expression is {len(text)} characters long; at most "
                                  f"{MAX_LENGTH} are accepted")
        try:
            self.tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as error:
            raise ExpressionError(f"expression {text!r} is not valid: {error.msg}") from None
        except (RecursionError, MemoryError):
            raise ExpressionError(_too_deep()) from None
        self.text = text
        self.variables: list[str] = []
        self._check(self.tree)

    def _check(self, node: ast.AST, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise ExpressionError(_too_deep())
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise ExpressionError(f"only numbers are allowed as constants, got "
                                      f"{node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id in OPS:
                raise ExpressionError(f"{node.id!r} is an op; call it, e.g. {node.id}(x)")
            if node.id.startswith("_"):
                raise ExpressionError(f"variable names may not start with '_': {node.id!r}")
            if node.id not in self.variables:
                self.variables.append(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left, depth + 1)
            self._check(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            self._check(node.operand, depth + 1)
        elif isinstance(node, ast.Call):
            self._check_call(node, depth)
        else:
            raise ExpressionError(
                f"{_describe(node)} is not allowed; use numbers, variable names, + - * / **, "
                f"unary minus and the ops {', '.join(sorted(OPS))}")

    def _check_call(self, node: ast.Call, depth: int) -> None:
        allowed = (f"an expression may call only the ops {', '.join(sorted(OPS))}, by name, "
                   "e.g. tanh(x)")
        if isinstance(node.func, ast.Name) and node.func.id not in OPS:
            raise ExpressionError(f"{node.func.id}() is not one of the ops: {allowed}")
        if isinstance(node.func, ast.Attribute):
            raise ExpressionError(f"attribute access (.{node.func.attr}) is not allowed: "
                                  f"{allowed}")
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(f"{_describe(node.func)} cannot be called: {allowed}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{node.func.id}() takes plain positional arguments only")
        arity = OPS[node.func.id][1]
        if len(node.args) != arity:
            raise ExpressionError(f"{node.func.id}() takes {arity} argument(s), got "
                                  f"{len(node.args)}")
        for arg in node.args:
            self._check(arg, depth + 1)

    def evaluate(self, values: Mapping[str, Tensor]) -> Any:
        """The value of the expression, with each variable bound to a tensor in `values`."""
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ExpressionError(f"no value for {', '.join(missing)}; pass them, e.g. "
                                  f"--values {','.join(f'{m}=1.0' for m in missing)}")
        try:
            return self._evaluate(self.tree, values)
        except OverflowError:
            raise ExpressionError(f"cannot evaluate {self.text!r}: the result overflows (a "
                                  "number in it grows past 1.8e308, the largest float)") from None
        except (ZeroDivisionError, ValueError, TypeError) as error:
            raise ExpressionError(f"cannot evaluate {self.text!r}: {error}") from None

    def _evaluate(self, node: ast.AST, values: Mapping[str, Tensor]) -> Any:
        if isinstance(node, ast.Constant):
            return float(node.value)  # floats overflow with an error instead of growing forever
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._evaluate(node.left, values),
                                          self._evaluate(node.right, values))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._evaluate(node.operand, values))
        function = OPS[node.func.id][0]  # _check allowed only calls of known ops here
        return function(*(self._evaluate(a, values) for a in node.args))


def parse_values(text: str) -> dict[str, float]:
    """`"x1=2,w1=-3"` -> `{"x1": 2.0, "w1": -3.0}`, with clear errors for bad pairs."""
    values: dict[str, float] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        name, sep, number = pair.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())  # as Python reads the expression
        if not sep or not name.isidentifier():
            raise ExpressionError(f"--values: expected name=number, got {pair!r}")
        if name in values:
            raise ExpressionError(f"--values: {name} is given twice")
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(f"--values: {name} = {number!r} is not a number") from None
    return values


def _tensor(a: Any) -> Tensor:
    return a if isinstance(a, Tensor) else Tensor(float(a))


def _number(a: Any, op: str) -> float:
    if isinstance(a, Tensor):
        raise ExpressionError(f"{op}: the second argument must be a number")
    return float(a)


def _too_deep() -> str:
    return (f"the expression nests operations more than {MAX_DEPTH} levels deep; "
            "write a smaller one")


def _describe(node: ast.AST) -> str:
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return f"the operator {_SYMBOLS.get(type(node.op), type(node.op).__name__)}"
    kinds = {ast.Attribute: "attribute access", ast.Subscript: "subscripting",
             ast.Lambda: "a lambda", ast.Compare: "a comparison", ast.BoolOp: "and/or",
             ast.IfExp: "an if-expression", ast.NamedExpr: "assignment (:=)",
             ast.JoinedStr: "an f-string"}
    return kinds.get(type(node), f"{type(node).__name__} syntax")
