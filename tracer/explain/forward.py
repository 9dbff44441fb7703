"""Forward workings: how a step's output cell comes from its input cells.

>>> import tracer
>>> from tracer.explain import explain
>>> with tracer.record() as trace:
...     Z = tracer.tensor([[1, 2], [0, 1]], name="W") @ tracer.tensor([[3], [4]], name="X")
>>> w = explain(trace, trace.steps[0], (0, 0))
>>> w.terms, w.partials, w.expression, w.formula
(('1×3', '2×4'), ('3', '11'), '1×3 + 2×4 = 11', 'W[0, :]·X[:, 0]')
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np

from ..display import signed
from ..i18n import phrase
from .check import check_line
from .numbers import LONGER, MORE, ULPS, Index, Term, eps, fill, partials, series, settle, settle_drawn
from .working import Context, Read, Working, drawn_sum, fallback, for_op, reads_outputs, work

MAX_LINKS = 4  # a composite's working shows at most this many of its parts, the last ones


def bcast(index: Index, shape: tuple[int, ...]) -> Index:
    """The cell of an input of ``shape`` that broadcasting sent to output cell ``index``."""
    off = len(index) - len(shape)
    return tuple(0 if n == 1 else index[off + d] for d, n in enumerate(shape))


def reduced_axes(attrs: dict, ndim: int) -> tuple[int, ...]:
    """The axes a reduction reduced (its ``axis`` attribute), as non-negative numbers."""
    axis = attrs.get("axis")
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis]))


def inputs_by_name(ctx: Context) -> dict[str, str]:
    """The step's tensor inputs by the op's parameter names (a varargs op: the one at ``k``)."""
    spec = ctx.spec
    if spec is None:
        return {}
    if spec.varargs:
        return {spec.params[0]: ctx.step.inputs[ctx.k]} if ctx.k < len(ctx.step.inputs) else {}
    omitted = set(ctx.step.attrs.get("omitted", ()))
    return dict(zip([p for p in spec.params if p not in omitted], ctx.step.inputs))


def template_of(templates: str | tuple[str, ...], k: int) -> str:
    if isinstance(templates, str):
        return templates if k == 0 else ""
    return templates[k] if k < len(templates) else ""


def constants(ctx: Context, attrs: dict) -> dict[str, str]:
    spec = ctx.spec
    fill_in = {**dict(spec.defaults if spec else ()), **attrs}
    return {k: ctx.view.const(v) for k, v in fill_in.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def templated(ctx: Context, template: str, cells: dict[str, Read], attrs: dict) -> Working | None:
    """A one-line working from a template: the cells' numbers in, settled against the value (a
    sum's from the cells as drawn, :func:`.numbers.settle_drawn`)."""
    consts = constants(ctx, attrs)
    names = {**{k: ctx.name(t) for k, (t, _) in cells.items()}, **consts}

    def build(more: int) -> str:
        return fill(template, {**{k: ctx.view.text(t, i, more) for k, (t, i) in cells.items()}, **consts})
    try:
        line, _ = (settle_drawn if drawn_sum(ctx.step) else settle)(build, ctx.text, ctx.refine)
    except KeyError:
        return None  # the template names an attribute this step was recorded without
    return ctx.working([line], list(dict.fromkeys(cells.values())), formula=fill(template, names))


@fallback("forward")
def from_template(ctx: Context) -> Working | None:
    """Any op declaring its cell template (``cell=``): element-wise ops, optimiser updates; a
    template's ``{outJ}`` is the same cell of the step's output ``J``."""
    spec = ctx.spec
    template = template_of(spec.cell, ctx.k) if spec is not None else ""
    if not template:
        return None
    cells = {}
    for name, tid in inputs_by_name(ctx).items():
        shape = ctx.shape(tid)
        if len(shape) > len(ctx.index):
            return None
        cells[name] = (tid, bcast(ctx.index, shape))
    outs = reads_outputs(ctx.step.op, ctx.k)
    for j in outs:
        if j >= len(ctx.step.outputs) or ctx.shape(ctx.step.outputs[j]) != ctx.shape(ctx.out):
            return None
        cells[f"out{j}"] = (ctx.step.outputs[j], ctx.index)
    # only the cells the line prints are read (Adam's new m: its old m and dW, not v)
    cells = {k: c for k, c in cells.items() if f"{{{k}}}" in template}
    return templated(ctx, template, cells, ctx.step.attrs)


def comparison(ctx: Context, tid: str, index: Index, bar: float) -> str:
    """``1.50 > 0 → keep it`` (or ``-0.30 ≤ 0 → 0``), the number printed long enough to tell."""
    raw = ctx.view.raw(tid, index)
    keep = raw > bar
    for more in (0, 1, 2, 3):
        x = ctx.view.text(tid, index, more)
        if (float(x.replace("−", "-")) > bar) == keep:
            break
    else:
        x = signed(f"{raw:.3g}", ctx.view.minus)
    sign = ">" if keep else "≤"
    return f"{x} {sign} {ctx.view.const(bar)} → {phrase('keep_it', ctx.lang) if keep else ctx.text}"


@for_op("relu")
def relu(ctx: Context) -> Working | None:
    """ReLU: the comparison is the whole story, then the maximum."""
    done = from_template(ctx)
    if done is None:
        return None
    x = done.reads[0]
    return Working(done.step, done.output, done.index, done.value, done.text,
                   (comparison(ctx, x[0], x[1], 0.0),) + done.lines, done.reads, formula=done.formula)


def summed(ctx: Context, terms: list[Term], reads: list[Read], template: str = "{+}",
           values: dict[str, str] | None = None, formula: str = "", combine=sum, sep: str = " + ") -> Working:
    """A working that adds ``terms`` (inside ``template``: ``({+}) / 4``), with running partials."""
    like = [ctx.out] + list(dict.fromkeys(t for t, _ in reads))
    total = numbered(ctx, like)

    def build(more: int) -> str:
        return fill(template, {"+": series(terms, more, total, elided(ctx), combine, sep), **(values or {})})
    line, more = (settle_drawn if drawn_sum(ctx.step) else settle)(build, ctx.text, ctx.refine)
    if sep != " + ":
        return ctx.working([line], reads, formula=formula)
    texts = [t.text(more) for t in terms]
    done = ctx.working([line], reads, texts, partials(texts, lambda v: total(v, more)), formula)
    return replace(done, cancels=cancel(ctx, terms))


def numbered(ctx: Context, like: list[str]) -> Callable[[float, int], str]:
    """How a working writes a number it computed (a partial sum): in the widest format of ``like``."""
    return lambda value, more: ctx.view.number(value, like, more)


def elided(ctx: Context) -> Callable[[int], str]:
    """How a long series names the terms it leaves out (``94 terms``), in the working's language."""
    return lambda n: phrase("terms", ctx.lang).format(n=n)


def cancel(ctx: Context, terms: list[Term]) -> bool:
    """Whether the terms cancel: what they add up to is within the rounding of adding them,
    ``ULPS·eps·Σ|terms|`` (a sum worked from the terms' exact values, the recorded cell may differ
    from it only by that much)."""
    size = sum(abs(t.raw) for t in terms)
    return size > 0 and abs(sum(t.raw for t in terms)) <= ULPS * eps(ctx.trace.tensors[ctx.out].dtype) * size


@for_op("matmul")
def matmul(ctx: Context) -> Working | None:
    """A row of A times a column of B, added up (in a batched product: of the same batch cell, e.g.
    one head's query row times its key column)."""
    a, b = ctx.step.inputs[:2]
    A, B = ctx.shape(a), ctx.shape(b)
    rest = ctx.index[:-1] if len(B) >= 2 else ctx.index
    j = ctx.index[-1] if len(B) >= 2 else None
    i = rest[-1] if len(A) >= 2 else None
    batch = rest[:-1] if len(A) >= 2 else rest
    at, bt = bcast(batch, A[:-2]), bcast(batch, B[:-2])   # () for a plain matrix
    pairs = [((a, at + (i, k) if i is not None else (k,)), (b, bt + (k, j) if j is not None else (k,)))
             for k in range(A[-1])]
    lead_a = "".join(f"{n}, " for n in at + (() if i is None else (i,)))
    lead_b, tail_b = "".join(f"{n}, " for n in bt), "" if j is None else f", {j}"
    return summed(ctx, products(ctx, pairs), [c for pq in pairs for c in pq],
                  formula=f"{ctx.name(a)}[{lead_a}:]·{ctx.name(b)}[{lead_b}:{tail_b}]")


@for_op("linear")
def linear(ctx: Context) -> Working | None:
    """``[W | b] · [X ; 1]``: a row of W times a column of X, then the bias times the row of 1s."""
    names = inputs_by_name(ctx)
    W, X, b = names.get("W"), names.get("X"), names.get("b")
    if b is None or len(ctx.shape(W)) != 2 or len(ctx.shape(X)) != 2 or len(ctx.index) != 2:
        return None  # no bias, or batched: the parts' workings
    i, j = ctx.index
    bi = (i,) if len(ctx.shape(b)) == 1 else bcast(ctx.index, ctx.shape(b))
    pairs = [((W, (i, k)), (X, (k, j))) for k in range(ctx.shape(W)[1])]
    view = ctx.view
    bias = Term(lambda more: fill("{b}×1", {"b": view.text(b, bi, more)}), view.raw(b, bi))
    return summed(ctx, products(ctx, pairs) + [bias], [c for pq in pairs for c in pq] + [(b, bi)],
                  formula=f"[{ctx.name(W)} | {ctx.name(b)}][{i}, :]·[{ctx.name(X)} ; 1][:, {j}]")


def products(ctx: Context, pairs: list[tuple[Read, Read]]) -> list[Term]:
    """``a×b`` terms of a sum of products."""
    view = ctx.view
    return [Term(lambda more, p=p, q=q: fill("{a}×{b}", {"a": view.text(*p, more), "b": view.text(*q, more)}),
                 view.raw(*p) * view.raw(*q)) for p, q in pairs]


def reduced_cells(ctx: Context, x: str) -> list[Index]:
    """The input cells a reduction combined into output cell ``ctx.index``."""
    shape = ctx.shape(x)
    axes = reduced_axes(ctx.step.attrs, len(shape))
    keep = ctx.step.attrs.get("keepdims", False)
    it = iter(ctx.index)
    fixed = [None if d in axes else (ctx.index[d] if keep else next(it)) for d in range(len(shape))]
    return [c for c in np.ndindex(*shape) if all(f is None or c[d] == f for d, f in enumerate(fixed))]


def cell_terms(ctx: Context, x: str, cells: list[Index]) -> list[Term]:
    return [Term(lambda more, c=c: ctx.view.text(x, c, more), ctx.view.raw(x, c)) for c in cells]


@for_op("sum")
def sum_(ctx: Context) -> Working:
    x = ctx.step.inputs[0]
    cells = reduced_cells(ctx, x)
    return summed(ctx, cell_terms(ctx, x, cells), [(x, c) for c in cells], formula=ctx.formula)


@for_op("mean")
def mean(ctx: Context) -> Working:
    """Means divide: ``(a + b + c) / 3``."""
    x = ctx.step.inputs[0]
    cells = reduced_cells(ctx, x)
    return summed(ctx, cell_terms(ctx, x, cells), [(x, c) for c in cells], "({+}) / {n}",
                  {"n": str(len(cells))}, ctx.formula)


@for_op("max")
def max_(ctx: Context) -> Working:
    x = ctx.step.inputs[0]
    cells = reduced_cells(ctx, x)
    return summed(ctx, cell_terms(ctx, x, cells), [(x, c) for c in cells], "max({+})",
                  formula=ctx.formula, combine=max, sep=", ")


@for_op("min")
def min_(ctx: Context) -> Working:
    x = ctx.step.inputs[0]
    cells = reduced_cells(ctx, x)
    return summed(ctx, cell_terms(ctx, x, cells), [(x, c) for c in cells], "min({+})",
                  formula=ctx.formula, combine=min, sep=", ")


def loss(ctx: Context, template: str) -> Working:
    """A sum of squares ``(y − t)²`` over every cell, inside ``template`` (a mean divides)."""
    y, t = ctx.step.inputs[:2]
    cells = list(np.ndindex(*ctx.shape(y)))
    view = ctx.view
    terms = [Term(lambda more, c=c: fill("({y} − {t})²", {"y": view.text(y, c, more),
                                                            "t": view.text(t, bcast(c, ctx.shape(t)), more)}),
                  (view.raw(y, c) - view.raw(t, bcast(c, ctx.shape(t)))) ** 2) for c in cells]
    reads = [(y, c) for c in cells] + [(t, bcast(c, ctx.shape(t))) for c in cells]
    return summed(ctx, terms, reads, template, {"n": str(len(cells))}, ctx.formula)


@for_op("mse")
def mse(ctx: Context) -> Working:
    return loss(ctx, "({+}) / {n}")


@for_op("sse")
def sse(ctx: Context) -> Working:
    return loss(ctx, "{+}")


@for_op("softmax")
def softmax(ctx: Context) -> Working | None:
    """e^(x − max), the Σ of the row, then divide: each line ends on the cell its part made."""
    parts = ctx.trace.parts(ctx.step)
    if "exp" not in parts or "sum" not in parts:
        return None
    e, s = parts["exp"].outputs[0], parts["sum"].outputs[0]
    x = ctx.step.inputs[0]
    axis = ctx.step.attrs.get("axis", -1) % len(ctx.index)
    row = [ctx.index[:axis] + (k,) + ctx.index[axis + 1:] for k in range(ctx.shape(e)[axis])]
    si = bcast(ctx.index, ctx.shape(s))

    def lines() -> list[str]:
        if "shifted" in parts:  # e^(x − max): the same probabilities, no overflow
            cells = {"x": (x, ctx.index), "m": row_max(ctx, parts["max"].outputs[0], x, row)}
            exp_line = templated(ctx.at(parts["exp"], 0, ctx.index), "e^({x} − {m})", cells, {}).lines[-1]
        else:
            exp_line = work(ctx.at(parts["exp"], 0, ctx.index)).lines[-1]
        sigma = work(ctx.at(parts["sum"], 0, si)).lines[-1]
        return [exp_line, f"Σ = {sigma}", work(ctx.at(parts["probs"], 0, ctx.index)).lines[-1]]
    return ctx.working(carrying(ctx, [e, s], lines), [(x, c) for c in row], formula=ctx.formula)


def row_max(ctx: Context, m: str, x: str, row: list[Index]) -> Read:
    """The cell of ``x``'s row that is its max, so that the max is written as the row writes it
    (``e^(−4.00 − (−2.00))``, not ``(−2)`` beside ``−4.00``); the max's own cell if none equals it."""
    mi = bcast(row[0], ctx.shape(m))
    top = ctx.view.raw(m, mi)
    return next(((x, c) for c in row if ctx.view.raw(x, c) == top), (m, mi))


def carrying(ctx: Context, carried: list[str], lines: Callable[[], list[str]]) -> list[str]:
    """The lines of a multi-line working whose ``carried`` tensors (a line's result, the next
    line's number) are pinned to one precision: the shortest with which every line holds as printed
    (``0.07 / 0.17 ≈ -0.43`` becomes ``-0.071 / 0.172 = -0.41``), one or two digits longer when
    that turns a ``≈`` into ``=``."""
    view = ctx.view
    before = dict(view.pinned)
    fine: list[str] | None = None  # the first precision with which every line holds (≈ allowed)
    try:
        for boost in MORE + LONGER:
            view.pinned.update({t: boost for t in carried if t not in before})
            done = lines()
            if not any(check_line(line)[0] for line in done):
                if not any(" ≈ " in line for line in done):
                    return done  # every line exact
                fine = fine or done
            if fine is not None and boost >= MORE[-1]:
                break
        return fine or done
    finally:
        view.pinned = before


@fallback("forward")
def composite(ctx: Context) -> Working | None:
    """A composite (a linear layer, attention …): the working of the part that made the cell, after
    those of the parts before it that made the same cell (the product, then the bias)."""
    spec = ctx.spec
    producer = ctx.trace.tensors[ctx.out].producer
    if spec is None or not spec.composite or producer is None or producer == ctx.step.id:
        return None
    shape = ctx.shape(ctx.out)
    links = [ctx.trace.steps[producer]]
    while len(links) < MAX_LINKS:
        before = [ctx.trace.tensors[t].producer for t in links[-1].inputs if ctx.shape(t) == shape]
        inside = [p for p in before if p is not None and ctx.trace.steps[p].parent == ctx.step.id]
        if not inside:
            break
        links.append(ctx.trace.steps[inside[0]])
    made = [next(t for t in s.outputs if ctx.shape(t) == shape) for s in reversed(links)]
    reads: list[Read] = []

    def lines() -> list[str]:
        reads.clear()
        out: list[str] = []
        for s, tid in zip(reversed(links), made):  # each line carries the result of the one before
            w = work(ctx.at(s, s.outputs.index(tid), ctx.index))
            out.extend(w.lines)
            reads.extend(r for r in w.reads if r[0] in ctx.step.inputs)
        return out
    done = carrying(ctx, made[:-1], lines)
    return ctx.working(done, reads, formula=ctx.formula)
