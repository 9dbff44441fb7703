"""Backward workings: a gradient cell by the chain rule, with the forward numbers it uses named.

An op declares the working of each input's gradient as a template (``cell_grad=``) over ``{g}``
(the gradient arriving at the output cell), ``{o}`` (the output cell), its own parameters (the
input cells) and ``{n}`` (how many input cells share one output cell).

>>> import tracer
>>> from tracer.explain import explain
>>> with tracer.record() as trace:
...     x = tracer.param([3.0, 1.0], name="x")
...     y = (x ** 2).sum(name="y")
...     y.backward()
>>> w = explain(trace, "pow.grad", (0,))
>>> w.expression, w.formula
('1×2×3^(2 − 1) = 6', 'dpow×2×x^(2 − 1)')
"""
from __future__ import annotations


import numpy as np

from .. import autograd  # noqa: F401  (declares accumulate and grad_total: a trace read from a file ran no backward() here)
from ..ops.spec import REGISTRY
from ..ops.templates import optional_parts
from ..trace import Step
from .forward import bcast, constants, elided, inputs_by_name, numbered, products, reduced_axes, summed, template_of
from .arith import evaluate
from .numbers import MORE, Index, Term, fill, series, settle
from .shown import as_shown, part_working
from .working import Context, Read, Working, fallback, for_family, for_op, work


def forward_of(ctx: Context) -> Step | None:
    return ctx.trace.steps[ctx.step.grad_of] if ctx.step.grad_of is not None else None


def position(ctx: Context, fwd: Step) -> int | None:
    """Which input of the forward step output ``k`` is the gradient of (``x·x`` has two shares)."""
    getting = [p for p, t in enumerate(fwd.inputs) if t in ctx.step.grad_map]
    if len(getting) == len(ctx.step.outputs):
        return getting[ctx.k]
    x = next((t for t, gid in ctx.step.grad_map.items() if gid == ctx.out), None)
    return fwd.inputs.index(x) if x in fwd.inputs else None


@for_op("matmul", "backward")
def matmul_grad(ctx: Context) -> Working | None:
    """dA = dZ·Bᵀ (a row of dZ times a row of B), dB = Aᵀ·dZ (a column of A times one of dZ)."""
    fwd = forward_of(ctx)
    pos = position(ctx, fwd) if fwd is not None else None
    g = ctx.step.inputs[0]
    if pos is None or any(len(ctx.shape(t)) != 2 for t in fwd.inputs[:2] + [g]):
        return None
    a, b = fwd.inputs[:2]
    i, j = ctx.index
    n = ctx.shape(g)[1 - pos]
    if pos == 0:
        pairs = [((g, (i, k)), (b, (j, k))) for k in range(n)]
        formula = f"{ctx.name(g)}[{i}, :]·{ctx.name(b)}[{j}, :]"
    else:
        pairs = [((a, (k, i)), (g, (k, j))) for k in range(n)]
        formula = f"{ctx.name(a)}[:, {i}]·{ctx.name(g)}[:, {j}]"
    return summed(ctx, products(ctx, pairs), [c for pq in pairs for c in pq], formula=formula)


def grad_cells(ctx: Context, fwd: Step, out_cell: Index, frame_cell: Index) -> dict[str, Read]:
    """The cells a gradient template reads: {g} and {o} at the output cell, the inputs where
    broadcasting took them from to ``frame_cell`` (the output cell of an elementwise op, the
    input cell of a reduction: the inputs of ``Σ |x| ⊙ w`` meet at x's shape)."""
    cells: dict[str, Read] = {"g": (ctx.step.inputs[0], out_cell)}
    if len(fwd.outputs) == 1:
        cells["o"] = (fwd.outputs[0], out_cell)
    fctx = Context(ctx.trace, fwd, 0, out_cell, ctx.view)
    for name, tid in inputs_by_name(fctx).items():
        cells[name] = (tid, bcast(frame_cell, ctx.shape(tid)))
    return cells


def _template(ctx: Context) -> tuple[Step, int, str] | None:
    fwd = forward_of(ctx)
    spec = REGISTRY.get(fwd.op) if fwd is not None else None
    pos = position(ctx, fwd) if spec is not None else None
    if pos is None or len(fwd.outputs) != 1 or len(ctx.step.inputs) < 1:
        return None
    template = optional_parts(template_of(spec.cell_grad, pos), spec, fwd.attrs)  # ⟦×{weight}⟧ when given
    return (fwd, pos, template) if template else None


def grad_working(ctx: Context, fwd: Step, template: str, pos: int, fed: list[tuple[Index, Index]]) -> Working | None:
    """One term of ``template`` per output cell the input cell fed (with the cell where the
    inputs met for it, :func:`grad_cells`), added up. Declines where the template breaks down and
    the recorded gradient does not (‖x‖'s ``g×x / ‖x‖`` at a zero row: 0 by the subgradient)."""
    consts = constants(Context(ctx.trace, fwd, 0, ctx.index, ctx.view), fwd.attrs)
    sizes = (ctx.trace.tensors[fwd.inputs[pos]].size, ctx.trace.tensors[fwd.outputs[0]].size)
    consts["n"] = str(max(1, sizes[0] // max(1, sizes[1])))
    view = ctx.view
    terms, reads = [], []
    for c, at in fed:
        cells = {k: r for k, r in grad_cells(ctx, fwd, c, at).items() if "{" + k + "}" in template}
        try:
            raw = evaluate(fill(template, {**{k: view.full(*r) for k, r in cells.items()}, **consts}))
        except KeyError:
            return None  # the template names an attribute this step was recorded without
        if not np.isfinite(raw) and np.isfinite(view.raw(ctx.out, ctx.index)):
            return None
        terms.append(Term(lambda more, cells=cells: fill(
            template, {**{k: view.text(*r, more) for k, r in cells.items()}, **consts}), raw))
        reads.extend(r for r in cells.values() if r not in reads)
    names = {**{k: ctx.name(t) for k, (t, _) in cells.items()}, **consts}
    formula = fill(template, names)
    if len(terms) == 1:
        line, _ = settle(terms[0].text, ctx.text, ctx.refine)
        return ctx.working([line], reads, formula=formula)
    return summed(ctx, terms, reads, formula=formula)


@for_family("elementwise", "backward")
def elementwise_grad(ctx: Context) -> Working | None:
    """One term per output cell this input cell fed (several when it was broadcast)."""
    found = _template(ctx)
    if found is None:
        return None
    fwd, pos, template = found
    x_shape = ctx.shape(fwd.inputs[pos])
    out_shape = ctx.shape(fwd.outputs[0])
    fed = [o for o in np.ndindex(*out_shape) if bcast(o, x_shape) == ctx.index] if x_shape != out_shape else [ctx.index]
    return grad_working(ctx, fwd, template, pos, [(o, o) for o in fed])


@fallback("backward")
def reduced_grad(ctx: Context) -> Working | None:
    """An op whose output is smaller than its input (a reduction, a loss): every input cell gets
    the gradient of the one output cell it went into (``{g} / {n}`` for a mean); an input
    broadcast against the others (an L1 penalty's weight per row) gets a term from each cell it
    met them at, added up."""
    found = _template(ctx)
    if found is None:
        return None
    fwd, pos, template = found
    x_shape, out_shape = ctx.shape(fwd.inputs[pos]), ctx.shape(fwd.outputs[0])
    try:
        frame = np.broadcast_shapes(*(ctx.shape(t) for t in fwd.inputs))   # where the inputs meet
    except ValueError:
        return None
    axes = reduced_axes(fwd.attrs, len(frame))
    fed = [c for c in np.ndindex(*frame) if bcast(c, x_shape) == ctx.index] if x_shape != frame else [ctx.index]
    keep = fwd.attrs.get("keepdims", False)
    outs = [tuple(0 if d in axes else i for d, i in enumerate(c)) if keep
            else tuple(i for d, i in enumerate(c) if d not in axes) for c in fed]
    if any(len(o) != len(out_shape) for o in outs):
        return None
    return grad_working(ctx, fwd, template, pos, list(zip(outs, fed)))


@for_family("gradient", "backward")
def accumulate(ctx: Context) -> Working:
    """The gradients a shared tensor got from each of its uses, added."""
    view = ctx.view
    cells = [(t, bcast(ctx.index, ctx.shape(t))) for t in ctx.step.inputs]
    terms = [Term(lambda more, c=c: view.text(*c, more), view.raw(*c)) for c in cells]
    return summed(ctx, terms, cells, formula=ctx.formula)


@fallback("backward")
def composite_grad(ctx: Context) -> Working | None:
    """A composite's gradient cell: the working of the part's gradient step that made it, as the
    composite shows it (:func:`tracer.explain.shown.as_shown`: its value alone when that working
    reads a cell drawn nowhere)."""
    part = part_working(ctx)
    return as_shown(ctx, part) if part is not None else None


@for_op("softmax", "backward")
def softmax_grad(ctx: Context) -> Working | None:
    """``dx = p ⊙ (dp − Σ dp⊙p)``, as the step's formula says it: the row's Σ of dp×p first, then
    the cell's ``p×(dp − Σ)``; the Σ is carried from the first line to the second as printed, with
    the digits both lines hold with.

    >>> import tracer
    >>> from tracer.explain import explain
    >>> with tracer.record() as trace:
    ...     s = tracer.param([[0.0, 1.0, 2.0]], name="s")
    ...     p = tracer.softmax(s, name="p")
    ...     (p * tracer.tensor([[1.0, 0.0, -1.0]], name="t")).sum(name="L").backward()
    >>> explain(trace, "p.grad", (0, 0)).lines
    ('Σ = 1×0.09 + 0×0.24 - 1×0.67 = -0.58', 'p×(dp − Σ) = 0.09×(1 − (-0.58)) = 0.14')
    """
    fwd = forward_of(ctx)
    if fwd is None or len(ctx.step.inputs) != 1 or ctx.index is None or not ctx.index:
        return None
    p, g = fwd.outputs[0], ctx.step.inputs[0]
    if ctx.shape(p) != ctx.shape(g) or ctx.shape(g) != ctx.shape(ctx.out):
        return None
    axis = fwd.attrs.get("axis", -1) % len(ctx.index)
    row = [ctx.index[:axis] + (k,) + ctx.index[axis + 1:] for k in range(ctx.shape(p)[axis])]
    view, written = ctx.view, numbered(ctx, [g, p])
    terms = products(ctx, [((g, c), (p, c)) for c in row])
    total = sum(t.raw for t in terms)
    lines: list[str] = []
    for digits in MORE:   # the Σ as printed, fewest digits first, until both lines hold exactly
        sigma = written(total, digits)
        first, _ = settle(lambda more: series(terms, more, written, elided(ctx)), sigma)
        second, _ = settle(lambda more: fill("{p}×({dp} − {s})", {"p": view.text(p, ctx.index, more),
                                                                 "dp": view.text(g, ctx.index, more), "s": sigma}),
                           ctx.text, ctx.refine)
        lines = [f"Σ = {first}", f"{ctx.name(p)}×({ctx.name(g)} − Σ) = {second}"]
        if " ≈ " not in first + second:
            break
    reads = [(g, c) for c in row] + [(p, c) for c in row]
    return ctx.working(lines, reads, formula=ctx.formula)
