"""Every number shown adds up: each printed line of each working, redone from the printed numbers.

For every step of every built-in example, a seeded sample of output cells is explained in the four
languages; every line is taken apart and recomputed from the numbers as printed:
- ``expression = result``: the printed numbers give ``result`` (to its last printed place);
- ``expression ≈ result``: they give it to one in its last printed place (a reader who redoes the
  line is off by one in the last digit at most), or the result is the rounding noise of numbers
  that cancel (``0.01 − 0.01 ≈ 6.07e-18``);
- ``a > b → note``: the comparison holds of the printed numbers;
- the last line ends on the cell's printed value; a line that starts with a number starts with a
  result printed on an earlier line (a number is carried exactly as printed);
- every running partial sum ``t1 + … + tk = pk`` holds too (the scenes print those);
- a line that names the cells it copies or adds (``dhx[0, 0] = 0.06``, ``dY[0, 1] + dY[2, 1] =
  0.03 + 0.05 = 0.08``) names cells the working reads, whose values print as the numbers in their
  place.
"""
from __future__ import annotations

import random

import pytest

import tracer
from tracer.examples import list_examples, run_example
from tracer.explain import Working, explain
from tracer.explain.arith import evaluate, rounds_to
from tracer.explain.lines import parse_line
from tracer.explain.check import check_line
from tracer.explain.working import cells_of
from tracer.i18n import LANGUAGES

CELLS_PER_OUTPUT = 2


def working_problems(w: Working, trace: tracer.Trace | None = None) -> tuple[list[str], int]:
    """Every problem of a working, and how many printed lines were checked (with ``trace``: the
    cells a line names checked against their values too)."""
    problems, results, checked = [], [], 0
    cells = cells_of(trace, w) if trace is not None else None
    for line in w.lines:
        found, printed = check_line(line, results, cells)
        problems += found
        results += printed
        checked += 1
    last = parse_line(w.lines[-1]) if w.lines else None
    ends = last is not None and (last.relations[-1][1].replace(" ", "") == w.text if last.relations
                                 else w.lines[-1] == w.text)
    if not ends:
        problems.append(f"the working does not end on the cell's value {w.text}: {w.lines}")
    running = 0.0
    for term, partial in zip(w.terms, w.partials):  # "t1 + … + tk = pk", added up as a reader goes
        running += evaluate(term)
        if not rounds_to(running, partial):
            problems.append(f"the running sum up to {term!r} is {running!r}, printed {partial}")
        checked += 1
    return problems, checked


@pytest.fixture(scope="module")
def traces() -> dict[str, tracer.Trace]:
    return {name: run_example(name) for name, _ in list_examples()}


def sample(trace: tracer.Trace, step: tracer.Step, rng: random.Random) -> list[tuple[int, tuple[int, ...]]]:
    cells = []
    for k, tid in enumerate(step.outputs):
        shape = trace.tensors[tid].shape
        if trace.tensors[tid].size == 0 or sum(trace.tensors[t].size for t in step.inputs) > 1 << 20:
            continue
        picks = {(0,) * len(shape)} | {tuple(rng.randrange(n) for n in shape) for _ in range(CELLS_PER_OUTPUT - 1)}
        cells += [(k, c) for c in sorted(picks)]
    return cells


@pytest.mark.slow  # every example traced, hundreds of thousands of lines redone
def test_every_printed_line_of_every_example_adds_up(traces, capsys) -> None:
    rng = random.Random(10)
    problems, lines, workings, approx = [], 0, 0, 0
    for name, trace in traces.items():
        for step in trace.steps:
            for k, cell in sample(trace, step, rng):
                for lang in LANGUAGES:
                    w = explain(trace, step, cell, output=k, lang=lang, minus="−" if lang != "en" else "-")
                    found, checked = working_problems(w, trace)
                    problems += [f"{name} step {step.id} {step.name} cell {cell} ({lang}): {p}" for p in found]
                    lines += checked
                    workings += 1
                    approx += sum(" ≈ " in line for line in w.lines)
    with capsys.disabled():
        print(f"\nprinted arithmetic: {lines} lines of {workings} workings redone ({approx} say ≈), "
              f"{len(problems)} mismatches")
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("line, earlier, wrong", [
    ("-1.00×1 + 1.00×2 = 1.00", [], False),
    ("0.99 + 1.00 = 1.99", ["1.00"], True),                       # carried as 1.00, used as 0.99
    ("1.00 + 0.14 + 0.61 + 0.37 = 2.11", [], True),               # the printed terms give 2.12
    ("1.00 + 0.14 + 0.61 + 0.37 ≈ 2.11", [], False),              # … which rounding can explain
    ("1.00 / 1.74 = 0.58", [], True),
    ("(3.06 + 5.82) / 2 = 8.88", [], True),                        # a mean that does not divide
    ("0.50 > 0 → keep it", [], False),
    ("0.00 > 0 → keep it", [], True),
    ("2 + [94 terms: 12.25] + 1 ≈ 20", [], True),                 # rounding cannot explain 4.75
    ("1.00 + 0.14 + 0.61 + 0.37 ≈ 2.10", [], True),               # two in the last place
    ("0 − 0.01×0.00 ≈ -8.83e-06", [], True),                      # the printed numbers give 0
    ("0.00×(-0.15) ≈ 2.69e-04", [], True),                        # … within their rounding, yet not redoable
    ("0 − 0.01×0.000883 = -8.83e-06", [], False),                 # the same line, with the digits it needs
    ("−0.01 − 0.00 − (-0.01) ≈ 6.07e-18", [], False),             # numbers that cancel, and float noise
    ("-0.0047 / 0.11 ≈ -0.0422", [], True),                       # a carried number too short
    ("-0.0046791 / 0.11082 = -0.042223", [], False),
    ("0.41 / 1.52 = 0.27", ["0.41", "1.52"], False),
    ("0.4 / 1.52 ≈ 0.27", ["0.41", "1.52"], True),                # 0.41 carried as 0.4
])
def test_the_checker_catches_each_kind_of_mistake(line: str, earlier: list[str], wrong: bool) -> None:
    assert bool(check_line(line, earlier)[0]) == wrong


def test_a_small_number_is_printed_with_the_digits_its_line_needs() -> None:
    """A gradient cell printed ``0.00`` in its grid would make ``0.00×(-0.15) ≈ -1.32e-04``, which
    no reader can redo: the line prints its significant digits instead, and holds."""
    with tracer.record() as trace:
        g = tracer.tensor([[0.000883, 0.5]], name="g")
        tracer.mul(g, tracer.tensor([[-0.15, 0.001]], name="k"), name="p")
    w = explain(trace, "p", (0, 0))
    assert w.lines == ("0.000883×(-0.15) = -1.32e-04",)
    assert not working_problems(w)[0]


def test_a_carried_number_keeps_its_digits_from_line_to_line() -> None:
    """A multi-line working pins what it carries: the line that makes ``centered`` and the line that
    divides it print it alike, with the digits the division needs."""
    with tracer.record() as trace:
        x = tracer.tensor([[0.8344, 0.8391, 0.9012, 0.7827]], name="x")
        tracer.layer_norm(x, name="n")
    w = explain(trace, "n", (0, 0))
    problems, _ = working_problems(w)
    assert not problems, (w.lines, problems)
    first, second = w.lines[:2]
    assert first.startswith("x − μ = ") and second.startswith("(x − μ) / σ = ")
    assert second.removeprefix("(x − μ) / σ = ").startswith(first.rsplit(" ", 1)[1] + " / ")
