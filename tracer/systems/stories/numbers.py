"""Numbers as a story writes them: the explanation layer's rule (:mod:`tracer.explain.numbers`),
so that a recap, a plot and the grids and workings of the video write one value one way.

A value a grid shows (a cell of a tensor) is written as that grid writes it (:func:`shown`); a lone
value, a loss or a norm, as a tensor holding only it would be written (:func:`num`): ``34``,
``6.11``, ``2148.10``, ``1.63e−04``, never ``0.000163`` in the recap and ``1.63e−04`` in the
grid; an attribute (a learning rate, a threshold) as a working writes it (:func:`const`). A value
derived from others (a ratio) is worked out from the numbers as written (:func:`ratio`), so that
a reader who redoes it gets what is written. On screen the minus is ``−``; the summary a terminal
prints passes ``minus="-"``, as the stepper's workings do.

>>> num(6.1120970059), num(34.0), num(2148.1035), num(0.000162969), num(-0.96), num(20894.33), num(0.00182)
('6.11', '34', '2148.10', '1.63e−04', '−0.96', '2.09e+04', '0.0018')
>>> num(3.886e-08, minus="-"), num(2.35e126), num(float("inf")), const(0.01), const(1e-05)
('3.89e-08', '2.35e+126', '∞', '0.01', '1e−05')
>>> a, b = num(0.7134), num(0.6221)
>>> a, b, ratio(b, a)          # 0.62 / 0.71 = 0.873…, written as a ratio of what is written
('0.71', '0.62', '0.87')
>>> weights = np.array([[0.734, 0.088], [0.62, -0.306]])
>>> shown(0.734, weights), vector([0.62, -0.306], weights), prob(0.9994046)
('0.73', '[0.62, −0.31]', '0.999')
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from tracer.display import fmt, number_format
from tracer.explain.numbers import Numbers, significant

SCREEN = "−"   # the true minus a video, a slide or a sheet writes; a terminal writes "-"


def num(x: float, minus: str = SCREEN) -> str:
    """A lone value (a loss, a gradient norm, a distance) as a tensor holding it alone prints it in
    the grids and the workings (:func:`tracer.display.number_format`): whole numbers whole, two
    decimals, scientific notation below 1e−03 and from 1e+04. A value that is not 0 but would read
    ``0.00`` (a loss of 0.0018) gets the significant digits a working gives such a number
    (:func:`tracer.explain.numbers.significant`): said alone, ``0.00`` would say it is 0."""
    x = float(x)
    text = fmt(x, number_format(np.array([x])), minus)
    return significant(x, 0, minus) if x != 0 and value(text) == 0 else text


def const(x: float, minus: str = SCREEN) -> str:
    """An attribute (η, a threshold) as a working writes it (:meth:`tracer.explain.numbers.Numbers.const`)."""
    return Numbers(None, minus).const(x)  # type: ignore[arg-type]  (const reads no trace)


def value(text: str) -> float:
    """The number a written number stands for (``−1.63e−04`` → -0.000163)."""
    return float(text.replace("−", "-").replace("∞", "inf"))


def ratio(a: str, b: str, minus: str = SCREEN) -> str:
    """``a / b`` of two written numbers, written by :func:`num`: what a reader gets dividing them."""
    den = value(b)
    return num(value(a) / den if den else math.inf, minus)


def written(of: np.ndarray) -> Callable[[float], str]:
    """How the grid or heat map of the tensor whose data is ``of`` writes a value
    (:func:`tracer.display.number_format`: one format for the whole tensor, a true minus sign)."""
    nf = number_format(np.asarray(of))
    return lambda x: fmt(x, nf, minus=SCREEN)


def shown(x: float, of: np.ndarray) -> str:
    """``x``, a value of the tensor whose data is ``of``, written as its grid or heat map writes it
    (:func:`written`), so a recap and the picture beside it write one value one way (``0.73`` on
    both, not ``0.734``)."""
    return written(of)(x)


def probs(ps: list[float]) -> Callable[[float], str]:
    """How a list of probabilities is written side by side, each one way: the decimals the
    likeliest needs not to read as certain (:func:`prob`), and ``< 0.001`` for any that would read
    ``0.000`` at those decimals, rather than each in a format of its own (``0.000014``, ``1.8e−07``).

    >>> say = probs([0.999, 0.000014, 1.8e-07, 0.0002])
    >>> [say(p) for p in (0.999, 0.000014, 1.8e-07, 0.0002)]
    ['0.999', '< 0.001', '< 0.001', '< 0.001']
    >>> [probs([0.62, 0.3, 0.08])(p) for p in (0.62, 0.3, 0.08)]
    ['0.62', '0.30', '0.08']
    """
    top = max((float(p) for p in ps), default=0.0)
    digits = len(prob(top).partition(".")[2]) or 2
    floor = 10.0 ** -digits

    def say(p: float) -> str:
        p = float(p)
        return f"< {floor:.{digits}f}" if 0 < p < floor / 2 else f"{p:.{digits}f}"
    return say


def prob(p: float) -> str:
    """A probability with as many decimals as it needs not to read as 0 or 1 (0.999, not 1.00):
    the grid's two decimals, more only where those would say certain (as a working adds digits
    where two would not add up)."""
    p = float(p)
    for digits in (2, 3, 4, 6):
        text = f"{p:.{digits}f}"
        if 0 < p < 1 and float(text) in (0.0, 1.0):
            continue
        return text
    return "0.999999" if p > 0.5 else f"{p:.2g}"  # closer to 1 than that: still not certain


def vector(values: Sequence[float], of: np.ndarray | None = None) -> str:
    """``[0.84, 1.54, 0.01]``; values of the tensor whose data is ``of`` as its grid writes them
    (:func:`shown`), lone values by :func:`num`."""
    say = num if of is None else written(of)
    return "[" + ", ".join(say(v) for v in values) + "]"
