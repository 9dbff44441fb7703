"""What a viewer draws of a step, and a part's working read only from what is drawn.

A composite's gradient cell without a working of its own (a linear layer's dW, an attention's dV)
is worked by the part of it that made the cell (the product's gradient). The walkthrough and the
stepper show the composite collapsed: its inputs and outputs, the gradients it takes in and the
ones it gives out, never its parts' tensors. A part's line that reads a part's cell (``dsquared``,
``weights``) would print a number drawn nowhere, and a reader could not redo it from the numbers
shown; so a part's working is kept only when every cell it reads is drawn (a copy of a drawn
tensor counts, read and named as the drawn one: the product's ``dmatmul`` holds the layer's
``dZ``), and otherwise the cell shows its value alone.

>>> import tracer
>>> from tracer.explain import explain
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, 2.0]], name="W")
...     Z = tracer.linear(W, tracer.tensor([[3.0], [4.0]], name="X"), tracer.param([1.0], name="b"), name="Z")
...     Z.sum(name="L").backward()
>>> w = explain(trace, "Z.grad", (0, 1))
>>> w.formula, w.expression
('dZ[0, :]·X[1, :]', '1×4 = 4')
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..ops.spec import REGISTRY, family_of
from ..trace import Step, Trace
from .forward import template_of
from .working import Context, Working, work


def on_view(trace: Trace, step: Step) -> list[str]:
    """The tensors a viewer draws with ``step`` that its cells are worked from: the step's inputs
    and, for a gradient step, what its forward step took in and made (``d(a·b)/da`` reads ``b``)."""
    fwd = trace.steps[step.grad_of] if step.grad_of is not None else None
    return list(dict.fromkeys([*step.inputs, *((*fwd.inputs, *fwd.outputs) if fwd is not None else ())]))


def written(trace: Trace, tid: str) -> bool:
    """A single constant (the 2 of x², the √d_k a score is divided by): a number the formula
    writes out, read from the line itself, not from a grid."""
    record = trace.tensors[tid]
    return record.kind == "const" and record.size == 1


def passed_on(ctx: Context, tid: str) -> str | None:
    """The gradient the composite ``ctx.step`` takes in that gradient ``tid`` of one of its parts
    is, unchanged, if it is one: a part whose gradient rule for that input is ``{g}`` passed it on
    (a linear layer's bias add passes ``dZ`` on to its product as ``dmatmul``; a layer norm's β
    add to its γ product), and so on back to the composite's own input. Not equal numbers alone:
    ``dx̂ = dy ⊙ γ`` holds dy's numbers while γ is 1, but is not dy."""
    maker = made_inside(ctx, tid)
    fwd = ctx.trace.steps[maker.grad_of] if maker is not None and maker.grad_of is not None else None
    spec = REGISTRY.get(fwd.op) if fwd is not None else None
    if spec is None or not maker.inputs:
        return None
    pos = [p for p, x in enumerate(fwd.inputs) if maker.grad_map.get(x) == tid]
    g = maker.inputs[0]
    if (len(pos) != 1 or template_of(spec.cell_grad, pos[0]) != "{g}" or ctx.shape(g) != ctx.shape(tid)
            or ctx.view.base(g) != ctx.view.base(tid)):   # (printed alike, digit for digit)
        return None
    return g if g in ctx.step.inputs else passed_on(ctx, g)


def _renamed(text: str, names: dict[str, str]) -> str:
    """``text`` with each tensor name of ``names`` (a whole name: ``dZ`` not inside ``dZ2``) replaced."""
    for old, new in names.items():
        text = re.sub(r"(?<![\w.′])" + re.escape(old) + r"(?![\w′″‴⁗⁽])", new, text)
    return text


def as_shown(ctx: Context, part: Working) -> Working:
    """The working ``part`` (of the composite's part that made cell ``ctx``) as the composite shows
    it: read and named from the drawn tensors (:func:`on_view`, and the composite's gradients),
    or, when it reads a cell drawn nowhere, the cell's value alone. A viewer that prints the parts'
    tensors beside it (``ctx.extra["parts"]``: :func:`tracer.explain.explain`'s ``parts``, a sheet's
    given grids) keeps such a working, still naming a passed-on gradient as drawn."""
    trace = ctx.trace
    drawn = [*on_view(trace, ctx.step), *ctx.step.outputs]
    swap: dict[str, str] = {}
    for tid in dict.fromkeys(t for t, _ in part.reads):
        if tid in drawn or written(trace, tid):
            continue
        copy = passed_on(ctx, tid)
        if copy is None and not ctx.extra.get("parts"):
            return ctx.working((ctx.text,), (), formula=ctx.formula)
        if copy is not None:
            swap[tid] = copy
    if not swap:
        return part
    names = {trace.tensors[t].name: trace.tensors[d].name for t, d in swap.items()}
    return replace(part, reads=tuple((swap.get(t, t), i) for t, i in part.reads),
                   lines=tuple(_renamed(line, names) for line in part.lines),
                   terms=tuple(_renamed(term, names) for term in part.terms),
                   formula=_renamed(part.formula, names))


def made_inside(ctx: Context, tid: str) -> Step | None:
    """The part of the composite ``ctx.step`` (at any depth) whose step made ``tid``; ``None`` for
    a tensor made outside it, or by the composite itself."""
    producer = ctx.trace.tensors[tid].producer
    if producer is None or producer == ctx.step.id:
        return None
    part = ctx.trace.steps[producer]
    parent = part.parent
    while parent is not None and parent != ctx.step.id:
        parent = ctx.trace.steps[parent].parent
    return part if parent is not None else None


def part_working(ctx: Context) -> Working | None:
    """The working of the part that made the composite's cell ``ctx``; where that part only moved
    one cell of another part's (a linear layer's db is a reshape of the bias column's gradient),
    the working of that cell instead, which is the arithmetic (``dZ[0, 0] + dZ[0, 1]``)."""
    part = made_inside(ctx, ctx.out)
    if part is None:
        return None
    done = work(ctx.at(part, part.outputs.index(ctx.out), ctx.index))
    for _ in range(len(ctx.trace.children(ctx.step)) + 1):   # each move goes one part further back
        cells = list(dict.fromkeys(done.reads))
        maker = made_inside(ctx, cells[0][0]) if len(cells) == 1 else None
        if maker is None or family_of(ctx.trace.steps[done.step].op) != "structural":
            break
        tid, index = cells[0]
        moved = work(ctx.at(maker, maker.outputs.index(tid), index))
        if moved.text != ctx.text or moved.value != ctx.view.raw(ctx.out, ctx.index):
            break
        done = replace(moved, output=ctx.out, index=ctx.index)
    return done
