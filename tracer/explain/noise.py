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
  propagates nothing. Noise is followed ``HOPS`` steps from where it was born: it is added into a
  real gradient a step or two later (``dresid_post = −0.04 + 0.00``), and following it further
  would read every gradient upstream of the one shown (a 300-layer chain to judge one tensor; the
  stepper opens a trace lazily). The verdict is the tensor's own, whichever is viewed first.

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
from .digits import extra_decimals
from .numbers import Numbers
from .working import Context, work

MOST_CELLS = 512   # a larger tensor is not judged (its cells would each be worked): it prints as before
HOPS = 3           # linear backward steps noise is followed through (one is all the examples need)

# per trace: tensor id -> its cells cancel (None: not a candidate); (tensor id, hops) -> noise
_MEMO: "weakref.WeakKeyDictionary[Trace, dict]" = weakref.WeakKeyDictionary()


def tensor_format(trace: Trace, tid: str) -> NumberFormat:
    """How every viewer prints tensor ``tid``: :func:`tracer.display.number_format` of its values,
    told whether they are rounding noise (:func:`noisy`), with the decimals a reduction of it needs
    to add up as drawn (:func:`tracer.explain.digits.extra_decimals`)."""
    data = np.asarray(trace.tensors[tid].data)
    if data.dtype.kind not in "biuf":
        return NumberFormat(2)
    nf = number_format(data)
    # only a tensor printed in scientific notation can show its noise as a number
    if nf.sci:
        return number_format(data, noise=True) if noisy(trace, tid) else nf
    extra = extra_decimals(trace, tid) if nf.decimals else 0   # what a reduction drawn beside it needs
    return NumberFormat(nf.decimals + extra) if extra else nf


def noisy(trace: Trace, tid: str, hops: int = HOPS) -> bool:
    """Whether every value of tensor ``tid`` is rounding noise: its cells cancel, or it is made by a
    backward step from gradients that are noise, born at most ``hops`` steps up (see the module)."""
    memo = _MEMO.setdefault(trace, {})
    key = (tid, hops)
    if key not in memo:
        cancel = _cancel(trace, tid, memo)
        received = _received(trace, tid) if cancel is False and hops > 0 else []
        memo[key] = bool(cancel) or bool(received) and all(noisy(trace, g, hops - 1) for g in received)
    return memo[key]


def _cancel(trace: Trace, tid: str, memo: dict) -> bool | None:
    """Whether every non-zero cell of a candidate tensor is a sum whose terms cancel (None: not a
    candidate, so not noise whatever made it)."""
    if tid not in memo:
        memo[tid] = _cancels(trace, tid) if _candidate(trace, tid) else None
    return memo[tid]


def _candidate(trace: Trace, tid: str) -> bool:
    """A computed float tensor, small enough to work every cell of, printed in scientific notation
    for being small (all its values finite and below 1e-3)."""
    rec = trace.tensors[tid]
    if rec.producer is None or not 0 < rec.size <= MOST_CELLS:
        return False
    data = np.asarray(rec.data)
    return data.dtype.kind == "f" and bool(np.isfinite(data).all()) and number_format(data).sci \
        and float(np.abs(data).max()) < 1e-3


def _received(trace: Trace, tid: str) -> list[str]:
    """The gradients the backward step that made ``tid`` received (none for any other step)."""
    step = trace.steps[trace.tensors[tid].producer]
    if step.phase != "backward":
        return []
    return [t for t in step.inputs if t in trace.tensors and trace.tensors[t].kind == "grad"]


def _cancels(trace: Trace, tid: str) -> bool:
    """Every non-zero cell's working is a sum whose terms cancel."""
    rec = trace.tensors[tid]
    step = trace.steps[rec.producer]
    k = step.outputs.index(tid)
    data = np.asarray(rec.data)
    cells = [c for c in np.ndindex(*data.shape) if data[c] != 0]
    view = Numbers(trace)   # printed as number_format alone: the terms' sizes, not their texts, decide
    return bool(cells) and all(work(Context(trace, step, k, c, view)).cancels for c in cells)
