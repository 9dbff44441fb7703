"""Rounding noise: a tensor whose every value is what is left when numbers that cancel are added.

The layer norm's gradient through its mean is zero in exact arithmetic (the centred values' gradients
sum to zero); in floating point it is ``-1.73e-18``. Scientific notation would print that as a number
to reckon with, and a reader redoing ``−0.04 + (−1.73e−18)`` or ``(a + b + c + d) / 4`` from the
printed terms gets 0, not the printed result. So such a tensor prints the way the noise of any
ordinary tensor prints, ``0.00`` (:func:`tracer.display.number_format` with ``noise``), in every
viewer alike: the grids of the video, ``tracer show``, the stepper and the workings read their formats
from :func:`tensor_format`.

A blanket cutoff would be wrong: a vanishing gradient (``3.3e-09``, a product of small factors) is
small, not noise, and keeps its scientific notation. What decides is where the value came from:

- **cancellation** — the cell is a sum (a reduction, a product's row times column, the gradient a
  broadcast input gathers) whose terms cancel: ``|Σ terms| ≤ ULPS·eps·Σ|terms|`` (``eps`` of the
  tensor's dtype). The terms are those of the cell's working (:attr:`Working.cancels`), so the rule
  and the arithmetic a reader is shown are one;
- **propagation** — a backward step is linear in the gradient it receives: when every gradient it
  reads is noise, so is every gradient it makes (``dmean / 4``). A forward step is not linear and
  propagates nothing.

Only a tensor that would print in small scientific notation (all its values below 1e-3) is judged:
in any other tensor the noise already reads ``0.00``. The judgement is made once per tensor, on first
view, and kept per trace (like :mod:`tracer.kept`); the scenes read it through the display helpers
and never decide it.

>>> import tracer
>>> with tracer.record() as trace:
...     x = tracer.tensor([0.1, 0.2, -0.3], name="x")
...     s = tracer.sum(x, name="s")              # 0.1 + 0.2 − 0.3 = 5.55e-17: noise
...     y = tracer.mul(x, 1e-9, name="y")        # 1e-10: small, not noise
>>> s, y = trace.steps[0].outputs[0], trace.steps[1].outputs[0]
>>> noisy(trace, s), noisy(trace, y)
(True, False)
>>> tensor_format(trace, s), tensor_format(trace, y)
(NumberFormat(decimals=2, sci=False), NumberFormat(decimals=2, sci=True))
"""
from __future__ import annotations

import weakref

import numpy as np

from ..display import NumberFormat, number_format
from ..trace import Trace
from . import backward, forward  # noqa: F401  (they register the workings a verdict reads)
from .numbers import Numbers
from .working import Context, work

MOST_CELLS = 512   # a larger tensor is not judged (its cells would each be worked): it prints as before

_MEMO: "weakref.WeakKeyDictionary[Trace, dict[str, bool]]" = weakref.WeakKeyDictionary()


def tensor_format(trace: Trace, tid: str) -> NumberFormat:
    """How every viewer prints tensor ``tid``: :func:`tracer.display.number_format` of its values,
    told whether they are rounding noise (:func:`noisy`)."""
    data = np.asarray(trace.tensors[tid].data)
    if data.dtype.kind not in "biuf":
        return NumberFormat(2)
    nf = number_format(data)
    return number_format(data, noise=True) if _judged(nf) and noisy(trace, tid) else nf


def _judged(nf: NumberFormat) -> bool:
    """Only a tensor printed in scientific notation can have noise printed as a number."""
    return nf.sci


def noisy(trace: Trace, tid: str) -> bool:
    """Whether every value of tensor ``tid`` is rounding noise (see the module)."""
    memo = _MEMO.setdefault(trace, {})
    if tid not in memo:
        # the gradients this one's noise may come from are judged first, oldest first, without
        # recursion (a vanishing gradient's chain runs through every layer)
        for t in sorted(_pending(trace, tid, memo), key=lambda t: trace.tensors[t].producer or -1):
            memo[t] = _decide(trace, t, memo)
    return memo[tid]


def _candidate(trace: Trace, tid: str) -> bool:
    rec = trace.tensors[tid]
    data = np.asarray(rec.data)
    return data.dtype.kind == "f" and 0 < rec.size <= MOST_CELLS and rec.producer is not None and number_format(data).sci \
        and bool(np.all(np.abs(data[np.isfinite(data)]) < 1e-3)) and bool(np.isfinite(data).all())


def _received(trace: Trace, tid: str) -> list[str]:
    """The gradients the backward step that made ``tid`` received (none for a forward step)."""
    step = trace.steps[trace.tensors[tid].producer]
    if step.phase != "backward":
        return []
    return [t for t in step.inputs if t in trace.tensors and trace.tensors[t].kind == "grad"]


def _pending(trace: Trace, tid: str, memo: dict[str, bool]) -> set[str]:
    """``tid`` and the candidate gradients upstream of it not judged yet."""
    out, stack = set(), [tid]
    while stack:
        t = stack.pop()
        if t in out or t in memo:
            continue
        if not _candidate(trace, t):
            memo[t] = False
            continue
        out.add(t)
        stack.extend(_received(trace, t))
    return out


def _decide(trace: Trace, tid: str, memo: dict[str, bool]) -> bool:
    if not _candidate(trace, tid):
        return False
    received = _received(trace, tid)
    if received and all(memo.get(g, False) for g in received):
        return True   # linear in the gradient received, which is noise
    return _cancels(trace, tid)


def _cancels(trace: Trace, tid: str) -> bool:
    """Every non-zero cell's working is a sum whose terms cancel."""
    rec = trace.tensors[tid]
    step = trace.steps[rec.producer]
    k = step.outputs.index(tid)
    data = np.asarray(rec.data)
    cells = [c for c in np.ndindex(*data.shape) if data[c] != 0]
    view = Numbers(trace)   # printed as number_format alone: the terms' sizes, not their texts, decide
    return bool(cells) and all(work(Context(trace, step, k, c, view)).cancels for c in cells)
