"""Checking a printed line as a reader would: redo it from its printed numbers and see whether it
holds (the tests run every working of every example through :func:`check_line`; a worksheet can
check a student's line the same way).

>>> check_line("1.00 + 0.14 + 0.61 + 0.37 = 2.11")[0]
["'1.00 + 0.14 + 0.61 + 0.37 = 2.11': the printed numbers give 2.12"]
>>> check_line("1.00 + 0.14 + 0.61 + 0.37 ≈ 2.11")
([], ['2.11'])
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


def check_line(line: str, earlier: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """What is wrong with a printed line, redone from its printed numbers, and the results it
    prints (``earlier``: the results of the lines before it in the same working).

    ``expression = result`` must give ``result`` to its last printed place; ``expression ≈ result``
    must come within what rounding the printed numbers can explain; ``a > b → note`` must hold; a
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
        if mark == "≈":
            target, half = printed_number(result)
            if not (math.isfinite(exact) and abs(exact - target) <= slack(parsed.expression) + half + 1e-9 * abs(target)):
                problems.append(f"{line!r}: {exact!r} is too far from {result} for rounding to explain")
    head = numbers_in(parsed.expression)[:1]
    starts_with_number = parsed.expression.lstrip("(−- ")[:1].isdigit()
    if earlier and starts_with_number and not parsed.label and head and not any(head[0] == r.lstrip("-−") for r in earlier):
        problems.append(f"{line!r} starts from {head[0]}, which no line before it printed ({earlier})")
    return problems, results
