"""The one rounding rule every viewer uses, so the same number reads the same everywhere.

A tensor is shown with one format for all its cells: integers as integers, ordinary values with two
decimals, very large or very small ones in scientific notation (unless they are rounding noise:
``0.00``). A trace's tensors get theirs from :func:`tracer.explain.noise.tensor_format`, which knows
which tensors are noise.

>>> import numpy as np
>>> from tracer.display import number_format, fmt
>>> nf = number_format(np.array([1.0, -2.0, 12.0]))
>>> [fmt(v, nf) for v in (1.0, -2.0, 12.0)]
['1', '-2', '12']
>>> nf = number_format(np.array([0.5, 1.25]))
>>> fmt(1.255, nf), fmt(-0.5, nf, minus="−")
('1.25', '−0.50')

The one ``minus`` signs a number and its power of ten alike, so that a line never reads
``−3.92e-05`` (two signs for one sign):

>>> fmt(-3.92e-05, number_format(np.array([1e-05])), minus="−")
'−3.92e−05'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np


@dataclass(frozen=True)
class NumberFormat:
    """``decimals`` places, or scientific notation with 2 decimals when ``sci``."""

    decimals: int = 2
    sci: bool = False

    def spec(self) -> str:
        return ".2e" if self.sci else f".{self.decimals}f"


def number_format(values: np.ndarray, noise: bool = False) -> NumberFormat:
    """Pick the display format of a whole tensor from its finite values.

    ``noise``: the values are known to be rounding noise, what is left when numbers that cancel are
    added (:mod:`tracer.explain.noise` decides, from where they came from: their size alone cannot
    tell a vanishing gradient from a zero). They print as the noise of an ordinary tensor does,
    ``0.00``, not blown up to ``-1.73e-18``.

    >>> [fmt(v, number_format(np.array([-1.73e-18, 0.0]), noise)) for noise in (False, True) for v in (-1.73e-18, 0.0)]
    ['-1.73e-18', '0', '0.00', '0.00']
    """
    a = np.asarray(values, dtype=np.float64)
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return NumberFormat(0)
    biggest = float(np.abs(finite).max())
    if biggest < 1e6 and np.all(finite == np.round(finite)):
        return NumberFormat(0)
    if biggest >= 1e4 or biggest < 1e-3:
        return NumberFormat(2, sci=not (noise and biggest < 1e-3))
    return NumberFormat(2)


def fmt(value: float, nf: NumberFormat, minus: str = "-") -> str:
    """``value`` as shown on screen under the format ``nf`` (``minus`` may be the sign ``−``: it
    writes the exponent's sign too, ``1.00e−05``)."""
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return ("" if v > 0 else minus) + "∞"
    if v == 0 and nf.sci:
        return "0"
    s = format(v, nf.spec())
    if s.startswith("-") and float(s) == 0:  # -0.00 reads as a sign error
        s = s[1:]
    return signed(s, minus)


def signed(text: str, minus: str) -> str:
    """A number Python wrote (``-1.5``, ``1e-05``, ``-2.4e-07``) with ``minus`` for each of its
    signs: the number's and its exponent's.

    >>> signed("-2.4e-07", "−"), signed("1e+05", "−"), signed("-3", "-")
    ('−2.4e−07', '1e+05', '-3')
    """
    return text.replace("-", minus)


def shown(value: float, nf: NumberFormat) -> float:
    """The number a reader sees: ``value`` rounded by ``nf``. Arithmetic on screen uses these."""
    v = float(value)
    return v if not math.isfinite(v) else float(format(v, nf.spec()))



def elide(n: int, keep: int = 3, also: Iterable[int] = ()) -> list[int | None]:
    """Indices to show of a dimension of length ``n``: all, or the first and last ``keep`` with a
    ``None`` for the ⋯ between them; the indices ``also`` (the answer: :mod:`tracer.kept`) are
    shown too, in order, with a ⋯ each side where a gap is left (a gap of one index is shown).

    >>> elide(4), elide(10, keep=2), elide(14, also=[10]), elide(14, also=[4])
    ([0, 1, 2, 3], [0, 1, None, 8, 9], [0, 1, 2, None, 10, 11, 12, 13], [0, 1, 2, 3, 4, None, 11, 12, 13])
    """
    if n <= 2 * keep + 1:
        return list(range(n))
    picks = sorted(set(range(keep)) | set(range(n - keep, n)) | {int(i) for i in also if 0 <= i < n})
    out: list[int | None] = []
    for i in picks:
        if out and i == out[-1] + 2:
            out.append(i - 1)
        elif out and i > out[-1] + 2:
            out.append(None)
        out.append(i)
    return out
