"""Reading a printed line back: the arithmetic a reader redoes from the numbers as printed.

A working's line is ``[label =] expression (= | ≈) result``, or a comparison with a note
(``1.50 > 0 → keep it``). :func:`tracer.explain.lines.parse_line` splits it (reading its tokens
with this module's :func:`tokens`); :func:`evaluate` computes an expression from its printed
numbers, the way a reader with a pocket calculator would. The explanation layer
uses it to decide between ``=`` and ``≈`` (:func:`tracer.explain.numbers.settle`), and the tests
use it to redo every printed line.

>>> evaluate("-1.00×1 + 1.00×2")
1.0
>>> evaluate("e^(2 − 2) + [1 > 0] + max(0, −3) + 2²")
6.0
>>> evaluate("0.50 + [94 terms: 12.25] + 1")   # an elided stretch counts as its printed total
13.75
"""
from __future__ import annotations

import math
import re
from typing import Callable, Sequence

from ..errors import TracerError

MINUSES = "-−"
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[+\-−]?\d+)?|∞|nan")
_WORD = re.compile(r"[^\W\d_]+")
_SYMBOLS = set("+-−×/^²()[]|,:：><≥≤=≈→√σΣ")
FUNCTIONS: dict[str, Callable[..., float]] = {
    "ln": math.log, "√": math.sqrt, "σ": lambda x: 1 / (1 + math.exp(-x)), "tanh": math.tanh,
    "sin": math.sin, "cos": math.cos, "max": max, "min": min,
    "sign": lambda x: float((x > 0) - (x < 0)),
    "clip": lambda x, lo, hi: min(max(x, lo), hi),
    "GELU": lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b, "<": lambda a, b: a < b, "≥": lambda a, b: a >= b,
    "≤": lambda a, b: a <= b, "=": lambda a, b: a == b,
}


def tokens(text: str) -> list[str]:
    """Numbers, words and symbols of a printed line (spaces dropped)."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
            continue
        m = _NUMBER.match(text, i) if c.isdigit() or c in "∞n" else None
        if m:
            out.append(m.group())
            i = m.end()
            continue
        m = _WORD.match(text, i)
        if m and c not in _SYMBOLS:
            word = m.group()
            if word.startswith("e") and text.startswith("^", m.end()) and word == "e":
                out.append("e^")
                i = m.end() + 1
                continue
            out.append(word)
            i = m.end()
            continue
        out.append(c)
        i += 1
    return out


def is_number(token: str) -> bool:
    return bool(_NUMBER.fullmatch(token))


def number_value(token: str) -> float:
    if token == "∞":
        return math.inf
    return float(token.replace("−", "-"))


def half_ulp(token: str) -> float:
    """Half a unit in the last printed place: how far the printed number may be from its value."""
    if not is_number(token) or token in ("∞", "nan"):
        return 0.0
    mantissa, _, exponent = token.partition("e")
    places = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-places) * 10.0 ** int(exponent.replace("−", "-") or 0)


class _Parser:
    """Recursive descent over the tokens; every number read is recorded in ``numbers``."""

    def __init__(self, toks: list[str], values: Sequence[float] | None = None) -> None:
        self.toks, self.i = toks, 0
        self.numbers: list[str] = []
        self.values = values

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise TracerError(f"cannot read {' '.join(self.toks)!r}: expected {expected or 'more'} at {tok!r}")
        self.i += 1
        return tok

    def number(self, tok: str) -> float:
        k = len(self.numbers)
        self.numbers.append(tok)
        return self.values[k] if self.values is not None else number_value(tok)

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-", "−"):
            op = self.take()
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        return value

    def term(self) -> float:
        value = self.unary()
        while self.peek() in ("×", "/"):
            op = self.take()
            rhs = self.unary()
            value = value * rhs if op == "×" else _divide(value, rhs)
        return value

    def signed(self, inner: Callable[[], float]) -> float:
        """``inner``, after any number of signs (``−(−1.5)``)."""
        if self.peek() in ("-", "−"):
            self.take()
            return -self.signed(inner)
        return inner()

    def unary(self) -> float:
        return self.signed(self.power)

    def power(self) -> float:
        value = self.atom()
        while self.peek() in ("^", "²"):
            value = value * value if self.take() == "²" else _call(pow, value, self.unary())
        return value

    def atom(self) -> float:
        tok = self.take()
        if is_number(tok):
            return self.number(tok)
        if tok == "(":
            value = self.expr()
            self.take(")")
            return value
        if tok == "|":
            value = abs(self.expr())
            self.take("|")
            return value
        if tok == "[":
            return self.bracket()
        if tok == "e^":
            return _call(math.exp, self.power_operand())
        if tok in ("ln", "√"):
            return _call(FUNCTIONS[tok], self.power_operand())
        if tok in FUNCTIONS:
            self.take("(")
            args = [self.expr()]
            while self.peek() == ",":
                self.take()
                args.append(self.expr())
            self.take(")")
            return _call(FUNCTIONS[tok], *args)
        raise TracerError(f"cannot read {' '.join(self.toks)!r}: unexpected {tok!r}")

    def power_operand(self) -> float:
        """``e^2.00``, ``e^(x − m)``, ``√2``, ``ln 4``: one atom, a sign allowed."""
        return self.signed(self.atom)

    def bracket(self) -> float:
        """``[a > b]`` is 1 when it holds, else 0; ``[94 terms: 12.25]`` is the elided total."""
        close = self.toks.index("]", self.i)
        colon = next((k for k in range(self.i, close) if self.toks[k] in (":", "：")), None)
        if colon is not None:
            self.i = colon + 1
            value = self.expr()
            self.take("]")
            return value
        holds = self.comparison()
        self.take("]")
        return 1.0 if holds else 0.0

    def comparison(self) -> bool:
        lhs = self.expr()
        op = self.take()
        if op not in _COMPARE:
            raise TracerError(f"cannot read {' '.join(self.toks)!r}: {op!r} is not a comparison")
        return _COMPARE[op](lhs, self.expr())


def _divide(a: float, b: float) -> float:
    """``a / b`` as a calculator shows it: ±∞ for a number over 0, nan for 0 / 0."""
    if b:
        return a / b
    return math.copysign(math.inf, a) if a else math.nan


def _call(fn: Callable[..., float], *args: float) -> float:
    """A function of printed numbers, as a calculator shows it: overflow is ∞, no value is nan."""
    try:
        value = fn(*args)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):
        return math.nan
    return math.nan if isinstance(value, complex) else float(value)


def evaluate(expression: str, values: Sequence[float] | None = None) -> float:
    """The value of a printed expression (``values`` replace its printed numbers, in order)."""
    parser = _Parser(tokens(expression), values)
    value = parser.expr()
    if parser.peek() is not None:
        raise TracerError(f"cannot read {expression!r}: unexpected {parser.peek()!r}")
    return value


def numbers_in(expression: str) -> list[str]:
    """The printed numbers of an expression, in the order :func:`evaluate` reads them."""
    parser = _Parser(tokens(expression))
    parser.expr()
    return parser.numbers


def holds(expression: str) -> bool:
    """Whether a printed comparison (``1.50 > 0``) is true of the printed numbers."""
    parser = _Parser(tokens(expression))
    return parser.comparison()


def printed_number(text: str) -> tuple[float, float]:
    """A printed result (``-1.99``, ``− 1.99``, ``∞``) as its value and its half unit in the last place."""
    body = text.replace(" ", "")
    sign = -1.0 if body[:1] in ("-", "−") else 1.0
    body = body.lstrip("-−")
    if not is_number(body):
        raise TracerError(f"{text!r} is not a printed number")
    return sign * number_value(body), half_ulp(body)


def rounds_to(exact: float, printed: str) -> bool:
    """Whether ``exact`` shows as ``printed``: within half a unit of its last place (a tie either way)."""
    target, half = printed_number(printed)
    if math.isnan(target) or math.isnan(exact):
        return math.isnan(target) and math.isnan(exact)
    if math.isinf(target) or math.isinf(exact):
        return target == exact
    return abs(exact - target) <= half * (1 + 1e-9) + 1e-12 * abs(target)

