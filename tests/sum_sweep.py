"""The sums a reader redoes cell by cell from the numbers drawn: a gradient's shares added
(``accumulate``, ``grad_total``), an optimiser's update ``W − η×dW``, a forward add or subtraction
of two grids. :func:`unsound` counts the cells whose printed working says ``=`` where the numbers
drawn (every tensor as :func:`tracer.explain.tensor_format` draws it) do not give the result drawn,
or says ``≈`` where they are further off than one in the last place (:mod:`tracer.explain.check`);
a step that draws a tensor in scientific notation is counted apart (``update (sci)``): its digits are
significant ones, which no choice of decimals makes add up, and its working prints the digits it
needs, as everywhere else (:func:`tracer.explain.numbers.settle`).
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from tracer.explain import explain, number_view, tensor_format
from tracer.explain.arith import evaluate, rounds_to
from tracer.explain.check import check_line
from tracer.explain.lines import parse_line
from tracer.explain.working import Context, work
from tracer.ops.spec import REGISTRY
from tracer.trace import Step, Trace

UPDATES = ("sgd",)
ADDS = ("add", "sub")
MOST_CELLS = 4096   # a larger step is not swept (MiniLM's widths)


def kind(trace: Trace, step: Step) -> str | None:
    """Which of the three sums ``step`` is, if any: ``share`` (a gradient added from its shares),
    ``update`` or ``add`` (two tensors added or subtracted cell by cell, a broadcast one too, by
    the code: ``part`` inside a composite, a layer's bias, a layer norm's ``x − μ``)."""
    spec = REGISTRY.get(step.op)
    if spec is not None and spec.family == "gradient":
        return "share"
    if step.op in UPDATES:
        return "update"
    if step.op in ADDS and step.phase == "forward" and len(step.inputs) == 2:
        return "add" if step.parent is None else "part"   # a composite's part: its working is the composite's
    return None


def drawn_line(trace: Trace, step: Step, k: int, index: tuple) -> str:
    """The cell's working written from the numbers as drawn (no more digits)."""
    ctx = Context(trace, step, k, index, number_view(trace, "-"), refine=False)
    return work(ctx).expression


def unsound(trace: Trace) -> Counter:
    """How many cells of each kind print a line that does not add up as drawn (see the module)."""
    bad: Counter = Counter()
    for step in trace.steps:
        what = kind(trace, step)
        if what is None:
            continue
        for k, out in enumerate(step.outputs[:1]):
            record = trace.tensors[out]
            if record.size > MOST_CELLS or np.asarray(record.data).dtype.kind != "f":
                continue
            sci = any(tensor_format(trace, t).sci for t in step.inputs + step.outputs)
            for index in np.ndindex(*record.shape):
                printed = explain(trace, step, index, k).expression
                if " ≈ " in printed:
                    bad[what] += bool(check_line(printed)[0])
                    continue
                drawn = parse_line(drawn_line(trace, step, k, index))
                if drawn.relations and not rounds_to(evaluate(drawn.expression), drawn.relations[-1][1]):
                    bad[what + " (sci)" if sci else what] += 1
    return bad


def cells(trace: Trace) -> Counter:
    """How many cells of each kind there are (what :func:`unsound` counts among)."""
    out: Counter = Counter()
    for step in trace.steps:
        what = kind(trace, step)
        if what is not None and trace.tensors[step.outputs[0]].size <= MOST_CELLS:
            out[what] += trace.tensors[step.outputs[0]].size
    return out
