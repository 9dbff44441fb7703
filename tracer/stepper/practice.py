"""Practice mode: the selected output cell is hidden, the learner types its value, and the answer
is right when it prints the same as the cell under the rule every viewer prints numbers by
(:mod:`tracer.display`): to the printed precision, no tolerance of its own.

>>> import tracer
>>> from tracer.stepper.practice import Practice
>>> with tracer.record() as trace:
...     p = tracer.softmax(tracer.tensor([[1.0, 2.0]], name="s"), name="p")
>>> quiz = Practice(trace)
>>> quiz.hidden(0, (0, 1))
True
>>> quiz.answer(0, (0, 1), "0.731").right, quiz.answer(0, (0, 0), "0.25").right   # 0.73, 0.27
(True, False)
>>> quiz.score, quiz.hidden(0, (0, 1))
((1, 2), False)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..display import fmt
from ..errors import TracerError
from ..textgrid import tensor_format
from ..trace import Trace

Index = tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    """An answer: what was typed, the cell's value as printed, and whether they print the same."""

    typed: str
    value: str
    right: bool


def parse(typed: str) -> float:
    """The number a learner typed (``−`` and a decimal comma are read too); raises
    :class:`~tracer.errors.TracerError` for anything else."""
    text = typed.strip().replace("−", "-").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise TracerError(f"not a number: {typed!r}") from None
    if not np.isfinite(value) and text.lower() not in ("inf", "-inf", "nan"):
        raise TracerError(f"not a number: {typed!r}")
    return value


class Practice:
    """The answers given so far, one per (step, output, cell): a cell is asked once."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.answers: dict[tuple[int, int, Index], Verdict] = {}

    def hidden(self, sid: int, cell: Index | None, output: int = 0) -> bool:
        """Whether the cell still waits for its answer."""
        return cell is not None and (sid, output, tuple(cell)) not in self.answers

    def answer(self, sid: int, cell: Index, typed: str, output: int = 0) -> Verdict:
        """Check ``typed`` against cell ``cell`` of output ``output`` of step ``sid`` and remember it."""
        number = parse(typed)
        tid = self.trace.steps[sid].outputs[output]
        value = float(np.asarray(self.trace.tensors[tid].data)[tuple(cell)])
        nf, _ = tensor_format(self.trace, tid, np.array([value]))
        verdict = Verdict(typed.strip(), fmt(value, nf), fmt(number, nf) == fmt(value, nf))
        self.answers[(sid, output, tuple(cell))] = verdict
        return verdict

    def verdict(self, sid: int, cell: Index | None, output: int = 0) -> Verdict | None:
        return None if cell is None else self.answers.get((sid, output, tuple(cell)))

    @property
    def score(self) -> tuple[int, int]:
        """(right, answered)."""
        return sum(v.right for v in self.answers.values()), len(self.answers)
