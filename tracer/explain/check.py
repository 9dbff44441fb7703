"""Checking a printed line as a reader would: redo it from its printed numbers and see whether it
holds (the tests run every working of every example through :func:`check_line`; a worksheet can
check a student's line the same way).

>>> check_line("1.00 + 0.14 + 0.61 + 0.37 = 2.11")[0]
["'1.00 + 0.14 + 0.61 + 0.37 = 2.11': the printed numbers give 2.12"]
>>> check_line("1.00 + 0.14 + 0.61 + 0.37 ≈ 2.11")   # one in the last place: what ≈ may mean
([], ['2.11'])
>>> check_line("0 − 0.01×0.00 ≈ -8.83e-06")[0]      # the printed numbers give 0: not redoable
["'0 − 0.01×0.00 ≈ -8.83e-06': the printed numbers give 0.0, more than one in the last place of -8.83e-06"]
"""
from __future__ import annotations

import math
from typing import Sequence

from .arith import evaluate, half_ulp, holds, number_value, numbers_in, parse_line, printed_number, rounds_to


def slack(expression: str) -> float:
    """How far the expression may move when each printed number moves within its rounding."""
    printed = numbers_in(expression)
    values = [number_value(t) for t in printed]
    base = evaluate(expression, values)
    total = 0.0
    for k, tok in enumerate(printed):
        h = half_ulp(tok)
        if h:
            nudged = values[:k] + [values[k] + h] + values[k + 1:]
            total += abs(evaluate(expression, nudged) - base)
    return total


NOISE = 1e-6  # a result this small next to its terms is what is left when they cancel


def approx_holds(expression: str, result: str) -> bool:
    """Whether ``expression ≈ result`` holds as printed: the printed numbers give ``result`` to one
    in its last printed place, or ``result`` and what they give are both the rounding noise of
    numbers that cancel (``0.01 − 0.01 ≈ 6.07e-18``: within what rounding the printed numbers
    explain, and a millionth of the largest of them)."""
    exact = evaluate(expression)
    target, half = printed_number(result)
    if not (math.isfinite(exact) and math.isfinite(target)):
        return rounds_to(exact, result)
    if abs(exact - target) <= 2 * half * (1 + 1e-9) + 1e-12 * abs(target):
        return True
    biggest = max((abs(number_value(t)) for t in numbers_in(expression) if number_value(t) == number_value(t)), default=0.0)
    tiny = NOISE * biggest
    return abs(target) <= tiny and abs(exact) <= max(tiny, slack(expression) + half)


def check_line(line: str, earlier: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """What is wrong with a printed line, redone from its printed numbers, and the results it
    prints (``earlier``: the results of the lines before it in the same working).

    ``expression = result`` must give ``result`` to its last printed place; ``expression ≈ result``
    must give it to one in its last place (:func:`approx_holds`); ``a > b → note`` must hold; a
    line that starts with a number starts with a result an earlier line printed.

    >>> check_line("0.99 + 1.00 = 1.99", ["1.00"])[0]
    ["'0.99 + 1.00 = 1.99' starts from 0.99, which no line before it printed (['1.00'])"]
    """
    parsed = parse_line(line)
    if parsed.comparison:
        return ([] if holds(parsed.expression) else [f"the comparison does not hold: {line!r}"]), []
    if not parsed.relations:
        return [], []
    exact = evaluate(parsed.expression)
    problems, results = [], []
    for mark, result in parsed.relations:
        results.append(result.replace(" ", ""))
        if mark == "=" and not rounds_to(exact, result):
            problems.append(f"{line!r}: the printed numbers give {exact!r}")
        if mark == "≈" and not approx_holds(parsed.expression, result):
            problems.append(f"{line!r}: the printed numbers give {exact!r}, more than one in the last place of {result.replace(' ', '')}")
    head = numbers_in(parsed.expression)[:1]
    starts_with_number = parsed.expression.lstrip("(−- ")[:1].isdigit()
    if earlier and starts_with_number and not parsed.label and head and not any(head[0] == r.lstrip("-−") for r in earlier):
        problems.append(f"{line!r} starts from {head[0]}, which no line before it printed ({earlier})")
    return problems, results
