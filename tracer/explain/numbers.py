"""The number view of a trace and the one rule for printed arithmetic.

Every number in a working is a tensor cell as the grids print it (:mod:`tracer.display`), an
attribute written as declared (``0.5``), or the printed result of an earlier line. A line's result
follows one rule, :func:`settle`: redo the line from its printed numbers (:mod:`.arith`); if that
shows as the value the line ends on, write ``=``; if not, print the fresh numbers with one or two
more digits and try again; if that misses by one in the last printed place at most, write ``≈``;
if not, go on adding digits (significant ones: ``0.00`` becomes ``0.00026944``) until it holds.
Only a result that is the rounding noise of its terms (``0.01 − 0.01 ≈ 6.07e-18``) keeps a ``≈``
further off (and only in a tensor that holds more than noise: a tensor of noise alone prints it
``0.00``, :mod:`.noise`). Whatever comes before, a line ends on the printed value of the cell it works out, so
the next line can carry that number exactly as printed; a multi-line working *pins* the tensors
it carries (:attr:`Numbers.pinned`) so that every line prints them alike.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.tensor([[0.996, 0.996]], name="W")
...     Z = tracer.matmul(W, tracer.tensor([[1.0], [1.0]], name="X"), name="Z")
>>> view = Numbers(trace)
>>> w, x, z = trace.steps[0].inputs + trace.steps[0].outputs
>>> view.text(w, (0, 0)), view.text(z, (0, 0))   # 1.00 + 1.00 would not give 1.99
('1.00', '1.99')
>>> settle(lambda more: f"{view.text(w, (0, 0), more)} + {view.text(w, (0, 1), more)}", view.text(z, (0, 0)))
('0.996 + 0.996 = 1.99', 1)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from ..display import NumberFormat, fmt, number_format, signed
from ..trace import Trace
from . import arith

Index = tuple[int, ...]
MORE = (0, 1, 2)      # extra digits a line may print its fresh numbers with before it says ≈
LONGER = (3, 4, 6, 9)  # and when ≈ would be off by more than one in the last place (3 and up: significant digits)
MAX_TERMS = 8         # a longer sum shows its first and last terms and the total of those between
KEEP_HEAD, KEEP_TAIL = 5, 2
ULPS = 64             # a sum of a few terms, each off by a few units in its last place, rounds within this
_WORD = re.compile(r"[−-]?[\w.′]+")   # a power written without brackets: e^x, e^−1.50, 2^n
_OPENERS = ("(", "[", "|", ", ", "max(0, ")


class Numbers:
    """Cells of the trace's tensors as printed: one format per tensor, ``more`` digits on request."""

    def __init__(self, trace: Trace, minus: str = "-",
                 formats: Optional[Callable[[Trace, str], NumberFormat]] = None) -> None:
        self.trace, self.minus = trace, minus
        # how a tensor prints: the viewers' helper (:func:`tracer.explain.noise.tensor_format`, which
        # knows rounding noise) for a working; number_format of the values alone by default
        self.format_of = formats or (lambda trace, tid: number_format(trace.tensors[tid].data))
        self.formats: dict[str, NumberFormat] = {}
        # tensors a multi-line working carries from line to line, printed with these extra digits
        # whatever a line asks for (the line that makes a number and the lines that use it agree)
        self.pinned: dict[str, int] = {}

    def base(self, tid: str) -> NumberFormat:
        """The tensor's format on screen (:func:`tracer.display.number_format`)."""
        if tid not in self.formats:
            self.formats[tid] = self.format_of(self.trace, tid)
        return self.formats[tid]

    def format(self, tid: str, more: int = 0) -> NumberFormat:
        nf = self.base(tid)
        more = self.pinned.get(tid, more)
        return NumberFormat(nf.decimals + more, nf.sci) if more and self.rounded(tid) else nf

    def rounded(self, tid: str) -> bool:
        """Whether the tensor prints rounded (an integer tensor prints exactly)."""
        nf = self.base(tid)
        return nf.sci or nf.decimals > 0

    def raw(self, tid: str, index: Index) -> float:
        return float(np.asarray(self.trace.tensors[tid].data)[index])

    def text(self, tid: str, index: Index, more: int = 0) -> str:
        """Cell ``index`` of tensor ``tid`` as printed (``more`` extra digits; from 3 on, significant
        ones, so that a small number printed ``0.00`` shows its digits)."""
        more = self.pinned.get(tid, more)
        if more in MORE or not self.rounded(tid):
            return fmt(self.raw(tid, index), self.format(tid, more), self.minus)
        return significant(self.raw(tid, index), more, self.minus)

    def full(self, tid: str, index: Index) -> str:
        """The cell at full precision (what a line's value is checked against)."""
        v = self.raw(tid, index)
        return repr(v) if np.isfinite(v) else fmt(v, self.format(tid))

    def number(self, value: float, like: Sequence[str], more: int = 0) -> str:
        """A computed number (a partial sum) in the widest format of the tensors ``like``."""
        if more not in MORE and any(self.rounded(t) for t in like):
            return significant(value, more, self.minus)
        formats = [self.format(t, more) for t in like]
        return fmt(value, NumberFormat(max(f.decimals for f in formats), any(f.sci for f in formats)),
                   self.minus)

    def const(self, value: object) -> str:
        """An attribute (a learning rate, a threshold) as a short number: ``0.5``, ``1e-05``
        (``1e−05`` with the minus ``−``)."""
        v = float(value)  # type: ignore[arg-type]
        return signed(str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}", self.minus)


def eps(dtype: str) -> float:
    """The machine epsilon of a tensor's dtype (float64's for an integer or unknown one).

    >>> eps("float32") > eps("float64") == eps("int64")
    True
    """
    try:
        kind = np.dtype(dtype)
    except TypeError:
        kind = np.dtype(np.float64)
    return float(np.finfo(kind if kind.kind == "f" else np.float64).eps)


def significant(value: float, more: int, minus: str = "-") -> str:
    """``value`` with ``more + 2`` significant digits (``0.00026944``, ``2148.1035``, ``1.2346e-08``)."""
    if not np.isfinite(value) or value == 0:
        return fmt(value, NumberFormat(0), minus)
    return signed(format(float(value), f".{more + 2}g"), minus)


def near(expression: str, target: str) -> bool:
    """Whether the printed numbers give ``target`` to one in its last printed place (what ``≈`` may
    mean), or ``target`` is the rounding noise of numbers that cancel (see :func:`tracer.explain.check.noise`)."""
    from .check import approx_holds
    return approx_holds(expression, target)


def fill(template: str, values: dict[str, str]) -> str:
    """A cell template (``{a} + {b}``, ``e^{x}``) with printed numbers in; a negative number is
    bracketed unless it opens the template or a bracket and is not raised to a power, and so is a
    power that is not one word (``10000^(2i/d)``, not ``10000^2i/d``).

    >>> fill("{a}^{b}", {"a": "10000", "b": "2i/d"}), fill("{a}^{b}", {"a": "10000", "b": "0.50"})
    ('10000^(2i/d)', '10000^0.50')
    """
    out, rest = [], template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        out.append(before)
        text = values[name]
        so_far = "".join(out)
        opens = so_far == "" or so_far.endswith(_OPENERS)
        powered = rest.startswith(("^", "²"))
        if text[:1] in arith.MINUSES and (powered or not opens) or so_far.endswith("^") and not _WORD.fullmatch(text):
            text = f"({text})"
        out.append(text)
    out.append(rest)
    return "".join(out)


def settle(build: Callable[[int], str], target: str, refine: bool = True) -> tuple[str, int]:
    """The one rule: ``expression = target`` when the printed numbers give ``target``, else the
    fresh numbers with more digits, else ``expression ≈ target`` (see the module's docstring).

    ``build(more)`` writes the expression with its fresh numbers ``more`` digits longer; numbers
    it carries from earlier lines never change (``refine=False`` when it has only those).
    Returns the line and the extra digits it was written with.
    """
    first = build(0)
    tried: dict[int, str] = {}
    for more in MORE + LONGER if refine else (0,):
        expression = first if more == 0 else build(more)
        if expression in tried.values():
            continue  # nothing printed rounded changed: more digits change nothing
        tried[more] = expression
        if arith.rounds_to(arith.evaluate(expression), target):
            return f"{expression} = {target}", more
        if more >= MORE[-1]:
            close = next((m for m, e in tried.items() if near(e, target)), None)
            if close is not None:  # off by one in the last place at most, with the fewest digits
                return f"{tried[close]} ≈ {target}", close
    close = next((m for m, e in tried.items() if near(e, target)), 0)
    return f"{tried[close]} ≈ {target}", close


def settle_drawn(build: Callable[[int], str], target: str, refine: bool = True) -> tuple[str, int]:
    """A sum a reader redoes from the cells as drawn (:func:`tracer.explain.working.drawn_sum`: their
    decimals are chosen so that it adds up, :mod:`tracer.explain.digits`): the line from the numbers
    as drawn, ``=`` when they give ``target``, ``≈`` when they give it to one in its last place; only
    a line further off (a chain no decimals could make add up) follows :func:`settle`.

    >>> settle_drawn(lambda more: ["0.34 + 0.03", "0.337 + 0.027"][min(more, 1)], "0.36")
    ('0.34 + 0.03 ≈ 0.36', 0)
    """
    expression = build(0)
    if arith.rounds_to(arith.evaluate(expression), target):
        return f"{expression} = {target}", 0
    if near(expression, target):
        return f"{expression} ≈ {target}", 0
    return settle(build, target, refine)


@dataclass(frozen=True)
class Term:
    """One addend of a sum: its text at ``more`` extra digits, and its value from the trace."""

    text: Callable[[int], str]
    raw: float


def joined(texts: Sequence[str]) -> str:
    """``a + b + c``, a term that starts with a sign written as a subtraction in that sign: ``a − b``
    on screen, ``a - b`` in ASCII (never ``a + -b``).

    >>> joined(["1×3", "-2×4", "−1"])
    '1×3 - 2×4 − 1'
    """
    out = texts[0] if texts else "0"
    for t in texts[1:]:
        out += f" {t[0]} {t[1:]}" if t[:1] in arith.MINUSES else f" + {t}"
    return out


def series(terms: Sequence[Term], more: int, total: Callable[[float, int], str],
           elided: Callable[[int], str], combine: Callable[[list[float]], float] = sum,
           sep: str = " + ") -> str:
    """The terms joined by ``sep``; a long series keeps its first and last terms and prints what
    those between combine to as one number: ``a + b + [94 terms: 12.25] + y + z``."""
    def join(texts: list[str]) -> str:
        return joined(texts) if sep == " + " else sep.join(texts)
    if len(terms) <= MAX_TERMS:
        return join([t.text(more) for t in terms])
    hidden = terms[KEEP_HEAD:len(terms) - KEEP_TAIL]
    middle = f"[{elided(len(hidden))} {total(combine([t.raw for t in hidden]), more)}]"
    return join([t.text(more) for t in terms[:KEEP_HEAD]] + [middle]
                + [t.text(more) for t in terms[len(terms) - KEEP_TAIL:]])


def partials(texts: Sequence[str], total_like: Callable[[float], str]) -> tuple[str, ...]:
    """Running sums of the printed terms, each printed so that ``t1 + … + tk = pk`` holds."""
    out, total = [], 0.0
    for t in texts:
        total += arith.evaluate(t)
        out.append(total_like(total))
    return tuple(out)
