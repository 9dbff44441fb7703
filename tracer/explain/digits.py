"""How many decimals a tensor is drawn with, so that what is drawn adds up.

Every viewer draws a tensor's cells rounded alike (:func:`tracer.display.number_format`: two
decimals for ordinary values). A reduction then shows a result worked out from the exact values:
the e^x of a softmax row drawn ``0.14 0.14 1.00 0.00`` add up to 1.28, and the Σ drawn beside them
is 1.27; the mean of a loss's squares drawn at two decimals may miss the loss drawn. A reader who
adds up the cells as drawn must get the result as drawn, so a tensor a reduction adds up (and the
result it adds up to) is drawn with as many more decimals as that takes, up to :data:`MOST`:

- a **sum** or **mean** (a softmax's Σ, a loss's total, a layer norm's μ): each result, redone
  from the operand's cells as drawn, gives the result as drawn;
- what is then **worked from both** (a softmax's ``e^x / Σ``, a layer norm's ``x − μ``): each cell,
  redone from the drawn operand and the drawn result, gives the cell as drawn.

The fewest decimals with which every such line holds exactly are chosen; failing that, the fewest
with which every line holds to one in its last place (what ``≈`` means, :mod:`.check`); failing
that (a sum of a thousand cells), the tensors keep two decimals and the workings print the numbers
they need with more digits, as everywhere else (:func:`tracer.explain.numbers.settle`).

The decision is one per reduction step, kept per trace; :func:`tracer.explain.tensor_format` reads
it, so the video's grids, ``tracer show``, the stepper, the sheets and the workings draw alike.

>>> import tracer
>>> from tracer.explain import tensor_format
>>> with tracer.record() as trace:
...     p = tracer.softmax(tracer.tensor([[-2.0, -2.0, 0.0, -6.0]], name="s"), name="p")
>>> parts = trace.parts(trace.steps[0])
>>> e, total = parts["exp"].outputs[0], parts["sum"].outputs[0]
>>> tensor_format(trace, e).decimals, tensor_format(trace, total).decimals
(3, 2)
"""
from __future__ import annotations

import weakref
from itertools import product

import numpy as np

from ..display import number_format
from ..trace import Step, Trace
from .forward import reduced_axes

BASE = 2            # the decimals of an ordinary tensor (number_format's)
MOST = 3            # the most decimals a grid draws a number with (4 widened resid_post past what a view shows whole)
MOST_CELLS = 1 << 16   # a larger operand is not judged: it prints as before
REDUCTIONS = ("sum", "mean")
BOTH = ("sub", "div", "add", "mul")   # element-wise steps that read a reduction and its operand

# per trace: "readers" -> {tensor id: [forward step ids reading it]}; step id -> (decimals of operand, of result)
_MEMO: "weakref.WeakKeyDictionary[Trace, dict]" = weakref.WeakKeyDictionary()


def extra_decimals(trace: Trace, tid: str) -> int:
    """The decimals tensor ``tid`` is drawn with beyond its ordinary two (0 for most tensors)."""
    memo = _MEMO.setdefault(trace, {})
    readers = memo.get("readers")
    if readers is None:
        readers = memo["readers"] = _readers(trace)
    record = trace.tensors[tid]
    steps = [trace.steps[s] for s in readers.get(tid, ()) if trace.steps[s].op in REDUCTIONS]
    if record.producer is not None and trace.steps[record.producer].op in REDUCTIONS:
        steps.append(trace.steps[record.producer])
    extra = 0
    for step in steps:
        if step.id not in memo:
            memo[step.id] = _decide(trace, step, readers)
        operand, result = memo[step.id]
        extra = max(extra, operand if tid == step.inputs[0] else 0, result if tid == step.outputs[0] else 0)
    return extra


def _readers(trace: Trace) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for step in trace.steps:
        if step.phase == "forward":
            for t in dict.fromkeys(step.inputs):
                out.setdefault(t, []).append(step.id)
    return out


def _plain(trace: Trace, tid: str) -> np.ndarray | None:
    """The values of a float tensor drawn with fixed decimals (not a whole or scientific one)."""
    data = np.asarray(trace.tensors[tid].data)
    if data.dtype.kind != "f" or not np.isfinite(data).all():
        return None
    nf = number_format(data)
    return data.astype(np.float64) if not nf.sci and nf.decimals == BASE else None


def _decide(trace: Trace, step: Step, readers: dict[str, list[int]]) -> tuple[int, int]:
    """The extra decimals of a reduction's operand and of its result (see the module)."""
    if not step.inputs or step.phase != "forward":
        return 0, 0
    x, s = step.inputs[0], step.outputs[0]
    if trace.tensors[x].size > MOST_CELLS:   # (checked before its values are read: a trace opens lazily)
        return 0, 0
    xv, sv = _plain(trace, x), _plain(trace, s)
    if xv is None or sv is None:
        return 0, 0
    axes = reduced_axes(step.attrs, xv.ndim)
    keep = bool(step.attrs.get("keepdims", False))
    both = []   # (op, which input is the result, the cells it makes, their decimals) of the steps reading both
    for sid in readers.get(s, ()):
        e = trace.steps[sid]
        if e.op in BOTH and len(e.inputs) == 2 and set(e.inputs) == {x, s}:
            ov = _plain(trace, e.outputs[0])
            if ov is not None and ov.shape == xv.shape:   # (drawn as a reduction further on needs: downstream, no cycle)
                both.append((e.op, e.inputs.index(s), ov, BASE + extra_decimals(trace, e.outputs[0])))
    candidates = sorted(product(range(MOST - BASE + 1), repeat=2), key=lambda p: (p[0] + p[1], p))
    for slack in (1.0, 2.0):   # exactly, else to one in the last place (≈)
        for dx, ds in candidates:
            if _holds(step.op, xv, sv, both, axes, keep, BASE + dx, BASE + ds, slack):
                return dx, ds
    return 0, 0


def _reduce(op: str, values: np.ndarray, axes: tuple[int, ...], keep: bool) -> np.ndarray:
    return values.sum(axis=axes, keepdims=keep) if op == "sum" else values.mean(axis=axes, keepdims=keep)


def _within(got: np.ndarray, drawn: np.ndarray, decimals: int, slack: float) -> bool:
    """Whether ``got`` shows as ``drawn`` at ``decimals`` places (``slack`` halves of the last place)."""
    half = 0.5 * 10.0 ** -decimals
    return bool(np.all(np.abs(got - drawn) <= slack * half * (1 + 1e-9) + 1e-12 * np.abs(drawn)))


def _holds(op: str, xv: np.ndarray, sv: np.ndarray, both: list, axes: tuple[int, ...], keep: bool,
           dx: int, ds: int, slack: float) -> bool:
    x_drawn, s_drawn = np.round(xv, dx), np.round(sv, ds)
    if not _within(_reduce(op, x_drawn, axes, keep).reshape(sv.shape), s_drawn, ds, slack):
        return False
    s_wide = s_drawn.reshape(_reduce(op, xv, axes, True).shape)   # broadcast against the operand
    for kind, at, ov, do in both:
        a, b = (x_drawn, s_wide) if at == 1 else (s_wide, x_drawn)
        with np.errstate(all="ignore"):
            got = {"sub": np.subtract, "div": np.divide, "add": np.add, "mul": np.multiply}[kind](a, b)
        if not _within(got, np.round(ov, do), do, slack):
            return False
    return True
