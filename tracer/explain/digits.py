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

A **sum** of grids a reader redoes cell by cell (:func:`tracer.explain.working.drawn_sum`: a
gradient's shares ``dx′ + dx″``, an update ``W − η×dW``, a residual ``x + a``) is drawn alike: its
terms and its result get the fewest decimals, up to :data:`SUM_MOST`, with which every cell adds
up as drawn (:func:`sum_decimals`), else with which every cell is within one in its last place (its
working says ``≈``, :func:`tracer.explain.numbers.settle_drawn`), else two. A tensor drawn in two
such sums is drawn alike in both, so the choice is one per *chain*: the sums that share a tensor
(the shares of ``dx`` and the running total they add to; ``W``, ``dW`` and the ``W`` after them).

The decision is one per reduction step and one per chain, kept per trace; :func:`tracer.explain.tensor_format` reads
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
from ..ops.spec import REGISTRY
from ..trace import Step, Trace
from .forward import reduced_axes
from .working import drawn_sum

BASE = 2            # the decimals of an ordinary tensor (number_format's)
MOST = 3            # the most decimals a grid draws a number with (4 widened resid_post past what a view shows whole)
MOST_CELLS = 1 << 16   # a larger operand is not judged: it prints as before
SUM_MOST = {True: 5, False: 4}   # the most decimals of a chain of sums, by whether its grids are small
SMALL = 4                        # cells in a small grid (a column of a few numbers is as wide with 5)
REDUCTIONS = ("sum", "mean")
BOTH = ("sub", "div", "add", "mul")   # element-wise steps that read a reduction and its operand

# per trace: "readers" -> {tensor id: [forward step ids reading it]}; step id -> (decimals of operand, of result)
_MEMO: "weakref.WeakKeyDictionary[Trace, dict]" = weakref.WeakKeyDictionary()


def extra_decimals(trace: Trace, tid: str) -> int:
    """The decimals tensor ``tid`` is drawn with beyond its ordinary two (0 for most tensors)."""
    return max(_reduction_extra(trace, tid), sum_decimals(trace, tid))


def _reduction_extra(trace: Trace, tid: str, chained: bool = True) -> int:
    """The extra decimals the reductions that read or make ``tid`` need: with the decimals the
    chains of sums draw their tensors with at least (``chained``), or without them (what a chain's
    own choice starts from: so that neither decision waits on the other)."""
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
        key = step.id if chained else ("alone", step.id)
        if key not in memo:
            memo[key] = (0, 0)   # while it is decided (a step that reads its result asks again)
            memo[key] = _decide(trace, step, readers, chained)
        operand, result = memo[key]
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


def _decide(trace: Trace, step: Step, readers: dict[str, list[int]], chained: bool = True) -> tuple[int, int]:
    """The extra decimals of a reduction's operand and of its result (see the module): at least
    those their chains of sums draw them with (``chained``)."""
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
                made = extra_decimals(trace, e.outputs[0]) if chained else _reduction_extra(trace, e.outputs[0], False)
                both.append((e.op, e.inputs.index(s), ov, BASE + made))
    least = (sum_decimals(trace, x), sum_decimals(trace, s)) if chained else (0, 0)
    candidates = sorted(product(*(range(lo, max(lo, MOST - BASE) + 1) for lo in least)),
                        key=lambda p: (p[0] + p[1], p))
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


# ---- chains of sums ------------------------------------------------------------------------------
def sum_decimals(trace: Trace, tid: str) -> int:
    """The decimals tensor ``tid`` is drawn with beyond two so that the sums it is a term or the
    result of add up as drawn (0 for a tensor in none, or in a chain no decimals help: see the module).

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     x = tracer.param([1.0], name="x")
    ...     y = tracer.mul(x, -0.3372, name="a") + tracer.mul(x, -0.0268, name="b")
    ...     y.sum().backward()
    >>> acc = next(s for s in trace.steps if s.op == "accumulate")
    >>> [sum_decimals(trace, t) for t in acc.inputs + acc.outputs]   # −0.34 + −0.03 ≠ −0.36
    [1, 1, 1]
    """
    memo = _MEMO.setdefault(trace, {})
    chains = memo.get("chains")
    if chains is None:
        chains = memo["chains"] = _chains(trace)
    chain = chains.get(tid)
    if chain is None:
        return 0
    key = ("chain", chain[0])
    if key not in memo:   # (it reads the reductions' choices made without chains: no cycle)
        memo[key] = _decide_chain(trace, [trace.steps[s] for s in chain])
    return memo[key]


def _chains(trace: Trace) -> dict[str, tuple[int, ...]]:
    """Each tensor of a sum to the ids of the sums of its chain (the sums that share tensors),
    from the steps' records alone: the values are read when a chain is first drawn."""
    parent: dict[str, str] = {}

    def root(t: str) -> str:
        while parent.setdefault(t, t) != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t
    sums = [s for s in trace.steps if drawn_sum(s) and s.outputs
            and all(trace.tensors[t].size <= MOST_CELLS for t in s.inputs + s.outputs)]
    for step in sums:
        for t in step.inputs + step.outputs:
            parent[root(t)] = root(step.outputs[0])
    by_root: dict[str, list[int]] = {}
    for step in sums:
        by_root.setdefault(root(step.outputs[0]), []).append(step.id)
    return {t: tuple(by_root[root(t)]) for t in parent}


def _drawn_values(trace: Trace, tid: str) -> tuple[np.ndarray, bool] | None:
    """A tensor's values and whether it is drawn with decimals a chain chooses (False: a whole
    number, drawn exactly); None for one a reader cannot redo a sum from (scientific, not finite)."""
    data = np.asarray(trace.tensors[tid].data)
    if data.dtype.kind not in "biuf" or not np.isfinite(data).all():
        return None
    nf = number_format(data)
    if nf.sci:
        return None
    return data.astype(np.float64), nf.decimals == BASE


def _decide_chain(trace: Trace, steps: list[Step]) -> int:
    """The extra decimals of every tensor of a chain of sums: the fewest with which every cell adds
    up as drawn, else the fewest with which each is within one in its last place, else none."""
    values: dict[str, tuple[np.ndarray, bool] | None] = {}
    judged = []
    for step in steps:
        for t in step.inputs + step.outputs:
            if t not in values:
                values[t] = _drawn_values(trace, t)
        if all(values[t] is not None for t in step.inputs + step.outputs):
            judged.append(step)
    chosen = {t: v for t, v in values.items() if v is not None and v[1]}
    if not judged or not chosen:
        return 0
    floors = {t: _reduction_extra(trace, t, False) for t in chosen}   # what a reduction drawn beside it needs
    small = max(v[0].size for v in chosen.values()) <= SMALL
    for slack in (1.0, 2.0):   # exactly, else to one in the last place (≈)
        for extra in range(SUM_MOST[small] - BASE + 1):
            decimals = {t: BASE + max(extra, floors[t]) if t in chosen else 0 for t in values}
            if all(_sum_holds(step, values, decimals, slack) for step in judged):
                return extra
    return 0


def _sum_holds(step: Step, values: dict, decimals: dict[str, int], slack: float) -> bool:
    """Whether every cell of ``step``, redone from its terms drawn at ``decimals``, gives its result
    drawn (to ``slack`` halves of its last place)."""
    terms = [np.round(values[t][0], decimals[t]) for t in step.inputs]
    out = step.outputs[0]
    spec = REGISTRY[step.op]
    if spec.forward is None:   # a gradient's shares (accumulate, grad_total): added
        got = sum(terms[1:], terms[0])
    else:   # the op's own body, with its constants as a working prints them (0.1, 1e-05)
        consts = {k: float(f"{v:.4g}") for k, v in step.attrs.items()
                  if isinstance(v, (int, float)) and not isinstance(v, bool)}
        try:
            got = spec.forward(*terms, **consts)[0]
        except TypeError:
            return False   # attributes this version cannot give back: not judged to add up
    got = np.broadcast_to(np.asarray(got, dtype=np.float64), values[out][0].shape)
    return _within(got, np.round(values[out][0], decimals[out]), decimals[out], slack)
