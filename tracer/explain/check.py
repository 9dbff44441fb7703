"""Checking a printed line as a reader would: redo it from its printed numbers and see whether it
holds (the tests run every working of every example through :func:`check_line`; a worksheet can
check a student's line the same way).

>>> check_line("1.00 + 0.14 + 0.61 + 0.37 = 2.11")[0]
["'1.00 + 0.14 + 0.61 + 0.37 = 2.11': the printed numbers give 2.12"]
>>> check_line("1.00 + 0.14 + 0.61 + 0.37 ≈ 2.11")   # one in the last place: what ≈ may mean
([], ['2.11'])
>>> check_line("0 − 0.01×0.00 ≈ -8.83e-06")[0]      # the printed numbers give 0: not redoable
["'0 − 0.01×0.00 ≈ -8.83e-06': the printed numbers give 0.0, more than one in the last place of -8.83e-06"]

A line that names the cells it copies or adds (``dhx[0, 0] = 0.06``) is checked against the
cells' values when they are given (:func:`tracer.explain.working.cells_of` reads them from the trace):

>>> check_line("dY[0, 1] + dY[2, 1] = 0.03 − 0.05 = -0.02", cells={"dY[0, 1]": 0.031, "dY[2, 1]": -0.049})
([], ['-0.02'])
>>> check_line("dhx[1, 0] = 0.06", cells={"dhx[1, 0]": -0.03})[0]
["'dhx[1, 0] = 0.06': dhx[1, 0] is -0.03, not 0.06"]
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from .arith import evaluate, half_ulp, holds, number_value, numbers_in, printed_number, rounds_to
from .lines import named, parse_line


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


def named_problems(line: str, names: str, expression: str, cells: Mapping[str, float | None]) -> list[str]:
    """What is wrong with the cells a line names (``dY[0, 1] + dY[2, 1] = 0.03 + 0.05``): each must
    be a cell the working reads, its value must print as the number written in its place, and the
    numbers must combine as the names do (a negative cell added is a subtraction). A line that
    names the cell first (``dhidden[0, 0] = dhx[0, 0] = 0.06``): each name is the same value."""
    first, _, rest = names.rpartition(" = ")
    if first:
        if rest not in cells or cells[rest] is None:
            return [f"{line!r} names {rest}, which the working does not read"]
        for segment in first.split(" = "):
            if segment not in cells or cells[segment] is None:
                return [f"{line!r} names {segment}, which the working does not read"]
            if not math.isclose(cells[segment], cells[rest], rel_tol=1e-9) and cells[segment] == cells[segment]:
                return [f"{line!r}: {segment} is {cells[segment]:.3g}, {rest} is {cells[rest]:.3g}"]
        names = rest
    pieces = named(names) or []
    if not any(p in cells or "[" in p for _, p in pieces):
        return []  # a label ("Σ = …", "(x − μ) / σ = …"): a formula's symbols, not cells
    values: list[float] = []
    for _, piece in pieces:
        if piece not in cells:
            return [f"{line!r} names {piece}, which the working does not read"]
        if cells[piece] is None:
            return [f"{line!r} names {piece}, which is the name of two different cells"]
        values.append(cells[piece])  # type: ignore[arg-type]
    printed = numbers_in(expression)
    if len(printed) != len(values):
        return [f"{line!r} names {len(values)} cell(s) and prints {len(printed)} number(s)"]
    for (_, piece), value, text in zip(pieces, values, printed):
        if not rounds_to(abs(value), text):
            return [f"{line!r}: {piece} is {value:.3g}, not {text}"]
    want = math.fsum(-v if sign == "−" else v for (sign, _), v in zip(pieces, values))
    got = evaluate(expression, [abs(v) for v in values])
    # a cell that prints as 0.00 prints no sign: its sign may differ by twice what it rounds off
    unsigned = 2 * math.fsum(half_ulp(t) for t in printed)
    if not (math.isclose(got, want, rel_tol=1e-9, abs_tol=unsigned + 1e-300) or (got != got and want != want)):
        return [f"{line!r}: the numbers do not combine as the cells named do ({got!r}, not {want!r})"]
    return []


def check_line(line: str, earlier: Sequence[str] = (),
               cells: Mapping[str, float | None] | None = None) -> tuple[list[str], list[str]]:
    """What is wrong with a printed line, redone from its printed numbers, and the results it
    prints (``earlier``: the results of the lines before it in the same working; ``cells``: the
    values of the cells the working reads, by name, :func:`tracer.explain.working.cells_of`).

    ``expression = result`` must give ``result`` to its last printed place; ``expression ≈ result``
    must give it to one in its last place (:func:`approx_holds`); ``a > b → note`` must hold; a
    line that starts with a number starts with a result an earlier line printed; a line that
    starts by naming cells (``dhx[0, 0] = 0.06``) names cells whose values are the numbers it
    prints in their place (checked when ``cells`` is given).

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
    if parsed.label and cells is not None:
        problems += named_problems(line, parsed.label, parsed.expression, cells)
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
