"""Where a gradient came from: the backward steps that lead from the loss to a gradient step,
each with the gradient it passed on, drawn as a text tree (micrograd's graph, read backwards).

A backward step reads the gradients of its forward step's outputs; each was made by an earlier
backward step (or an ``accumulate`` step adding up the gradients of a tensor used twice), back
to the loss, whose own gradient is 1. The tree is read from the trace (``producer`` of each
gradient tensor), never recomputed. A step reached twice (the DAG of an LSTM) is drawn once.

>>> import tracer
>>> from tracer.stepper.chain import origins
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, -2.0]], name="W")
...     loss = tracer.relu(W, name="h").sum(name="loss")
...     loss.backward()
>>> [(trace.tensors[o.tensor].name, o.step) for o in origins(trace, trace.step("h.grad"))]
[('dh', 2)]
>>> [(trace.tensors[o.tensor].name, o.step) for o in origins(trace, trace.step("h.grad"))[0].parts]
[('dloss', None)]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..display import elide, fmt
from ..i18n import formula, phrase
from ..notation import superscripted
from ..textgrid import tensor_format
from ..textview import Line
from ..trace import Step, Trace

MAX_NODES = 150  # a chain longer than this is cut (a long unrolled RNN), with a note saying so


@dataclass(frozen=True)
class Origin:
    """Gradient ``tensor``, made by ``step`` (``None``: the loss's own gradient, 1) from the
    gradients in ``parts``; ``seen`` when that step is already drawn higher up the tree."""

    tensor: str
    step: int | None
    parts: tuple["Origin", ...] = ()
    seen: bool = False


def incoming(trace: Trace, step: Step) -> list[str]:
    """The gradient tensors ``step`` reads (a backward, accumulate or update step)."""
    return [t for t in step.inputs if trace.tensors[t].grad_of is not None]


def _lift(trace: Trace, sid: int, depth: int) -> int:
    """The composite step at ``depth`` holding ``sid``: the chain reads at the depth of the step
    it starts from (a linear layer's gradient, not its matmul and bias inside). An accumulate
    step stays itself wherever it is: it is where two paths back to the loss meet."""
    while trace.steps[sid].depth > depth and trace.steps[sid].parent is not None \
            and trace.steps[sid].op != "accumulate":
        sid = trace.steps[sid].parent
    return sid


def origins(trace: Trace, step: Step, limit: int = MAX_NODES) -> list[Origin]:
    """Where the gradients ``step`` reads came from, each back to the loss."""
    drawn: set[int] = {step.id}
    budget = [limit]

    def follow(tid: str) -> Origin:
        producer = trace.tensors[tid].producer
        if producer is None:
            return Origin(tid, None)
        sid = _lift(trace, producer, step.depth)
        if sid in drawn or budget[0] <= 0:
            return Origin(tid, sid, seen=sid in drawn)
        drawn.add(sid)
        budget[0] -= 1
        return Origin(tid, sid, tuple(follow(t) for t in incoming(trace, trace.steps[sid])))

    return [follow(t) for t in incoming(trace, step)]


def compact(trace: Trace, tid: str, keep: int = 2) -> str:
    """A tensor's values on one line: ``1``, ``[2 0 4]``, ``[-2 4 … 6 -4]`` (first and last)."""
    rec = trace.tensors[tid]
    if rec.size == 0:
        return "[]"
    flat = np.asarray(rec.data).reshape(-1)
    picks = elide(rec.size, keep)
    shown = np.array([flat[i] for i in picks if i is not None], dtype=np.float64)
    nf, _ = tensor_format(trace, tid, shown)
    texts = [fmt(flat[i], nf) if i is not None else "…" for i in picks]
    return texts[0] if not rec.shape or rec.size == 1 else f"[{' '.join(texts)}]"


def _short(name: str, base: str) -> str:
    """``name`` without the dotted prefix it shares with ``base`` (``H4.grad`` beside ``Z4.grad``)."""
    a, b = name.split("."), base.split(".")
    k = 0
    while k < min(len(a), len(b)) - 1 and a[k] == b[k]:
        k += 1
    return ".".join(a[k:])


def chain_lines(trace: Trace, step: Step, lang: str = "en") -> list[Line]:
    """The tree of :func:`origins` as lines: each gradient (``←`` read "computed from") with its
    value, then the step that made it and that step's formula; a path goes straight down to the
    loss and indents only where two paths meet (an accumulate step)."""
    lines: list[Line] = [[(phrase("chain_title", lang).format(id=step.id), "bold underline")],
                         [(phrase("step_id", lang).format(id=step.id) + ": ", "bold"), (superscripted(formula(trace, step, lang)), "yellow")]]

    def draw(origin: Origin, pad: str, mark: str) -> None:
        rec = trace.tensors[origin.tensor]
        lines.append([(pad + mark, "dim"), (rec.name, "bold blue"), (f" {tuple(rec.shape)} " if rec.shape else " ", "dim"),
                      (compact(trace, origin.tensor), None)])
        under = pad + {"├": "│", "└": " "}.get(mark[0], "")  # where this path goes on, one column in
        body = under + "  "
        if origin.step is None:
            lines.append([(body, "dim"), (phrase("chain_seed", lang), "italic")])
            return
        made = trace.steps[origin.step]
        if origin.seen:
            lines.append([(body, "dim"), (phrase("chain_seen", lang).format(id=made.id), "dim")])
            return
        lines.append([(body, "dim"), (phrase("step_id", lang).format(id=made.id) + f" {_short(made.name, step.name)}: ", None),
                      (superscripted(formula(trace, made, lang)), "yellow")])
        if not origin.parts and incoming(trace, made):
            lines.append([(body, "dim"), (phrase("chain_more", lang), "dim")])
        if len(origin.parts) == 1:
            draw(origin.parts[0], under, "← ")
        for k, part in enumerate(origin.parts if len(origin.parts) > 1 else ()):
            draw(part, body, "└← " if k == len(origin.parts) - 1 else "├← ")

    found = origins(trace, step)
    for k, origin in enumerate(found):
        draw(origin, "", "← " if len(found) == 1 else "└← " if k == len(found) - 1 else "├← ")
    return lines
