"""Cell-level detail of backward and update steps: the arithmetic behind one gradient cell.

Called through :func:`tracer.cells.explain`, like the forward working, with the same rule: the
numbers are the trace's values as shown, and sums add up the numbers as shown.

>>> import tracer
>>> from tracer.cells import explain
>>> with tracer.record() as trace:
...     x = tracer.param([3.0, 1.0], name="x")
...     y = (x ** 2).sum(name="y")
...     y.backward()
>>> explain(trace, "pow.grad", (0,)).expression
'1×2×3^1 = 6'
"""
from __future__ import annotations

import math

from .cells import Cell, Index, _bcast, _generic, _sources, _summed, _View, reduced_axes
from .ops.core import REGISTRY
from .trace import Step


def grad_cell(view: _View, step: Step, out: str, index: Index) -> Cell:
    """A gradient cell of the backward step of a primitive: the chain rule with the numbers in."""
    trace = view.trace
    fwd = trace.steps[step.grad_of]
    k = step.outputs.index(out)
    x = next((i for i, gi in step.grad_map.items() if gi == out), None)
    if x is None and k < len(fwd.inputs):  # one tensor fed the op twice (x·x): a share per use
        x = fwd.inputs[k]
    if x is None:
        return _generic(view, step, out, index)
    pos = k if k < len(fwd.inputs) and fwd.inputs[k] == x else fwd.inputs.index(x)
    g = step.inputs[0]
    text = view.s(out, index)
    if fwd.op == "matmul" and len(fwd.inputs) == 2 and all(len(trace.tensors[t].shape) == 2 for t in fwd.inputs + [g]):
        return _matmul_grad(view, step, out, index, fwd, pos, g)
    spec = REGISTRY[fwd.op]
    if spec.cell_grad and len(fwd.outputs) == 1:
        o = fwd.outputs[0]
        term = spec.cell_grad.format(g=view.s(g, index), x=view.s(x, index, paren=True),
                                     o=view.s(o, index, paren=True))
        return Cell(step.id, out, index, view.raw(out, index), text, ((g, index), (x, index)), (term,),
                    (text,), (f"{term} = {text}",))
    if fwd.op in ("add", "sub", "mul", "div") and len(fwd.outputs) == 1:
        return _binary_grad(view, step, out, index, fwd, pos, x, g)
    if fwd.op == "pow" and pos == 0 and len(fwd.inputs) == 2:
        return _pow_grad(view, step, out, index, fwd, g)
    if fwd.op in ("sum", "mean") and len(fwd.inputs) == 1:
        return _reduction_grad(view, step, out, index, fwd, g)
    return _generic(view, step, out, index)


def _matmul_grad(view: _View, step: Step, out: str, index: Index, fwd: Step, pos: int, g: str) -> Cell:
    """dA = dZ·Bᵀ (a row of dZ times a row of B), dB = Aᵀ·dZ (a column of A times one of dZ)."""
    a, b = fwd.inputs
    n = view.trace.tensors[g].shape[1 - pos]
    pairs = ([((g, (index[0], j)), (b, (index[1], j))) for j in range(n)] if pos == 0
             else [((a, (i, index[0])), (g, (i, index[1]))) for i in range(n)])
    terms = [f"{view.s(*p)}×{view.s(*q, paren=True)}" for p, q in pairs]
    values = [view.v(*p) * view.v(*q) for p, q in pairs]
    return _summed(view, step, out, index, [c for pq in pairs for c in pq], terms, values)


def _binary_grad(view: _View, step: Step, out: str, index: Index, fwd: Step, pos: int, x: str,
                 g: str) -> Cell:
    """One term per output cell this input cell fed (several when it was broadcast)."""
    trace = view.trace
    other = fwd.inputs[1 - pos]
    feeds = _sources(index, trace.tensors[x].shape, trace.tensors[g].shape)
    sign = "−" if fwd.op == "sub" and pos == 1 else ""
    terms, values, reads = [], [], []
    for c in feeds:
        oc = _bcast(c, trace.tensors[other].shape)
        gv, ov = view.v(g, c), view.v(other, oc)
        reads += [(g, c), (other, oc)]
        if fwd.op in ("add", "sub"):
            terms.append(f"{sign}{view.s(g, c, paren=bool(sign))}")
            values.append(-gv if sign else gv)
        elif fwd.op == "mul":
            terms.append(f"{view.s(g, c)}×{view.s(other, oc, paren=True)}")
            values.append(gv * ov)
        elif pos == 0:  # the dividend: g / b
            terms.append(f"{view.s(g, c)} / {view.s(other, oc, paren=True)}")
            values.append(gv / ov if ov else float("nan"))
        else:  # the divisor: −g·a / b²
            b = _bcast(c, trace.tensors[x].shape)
            bv = view.v(x, b)
            terms.append(f"−{view.s(g, c, paren=True)}×{view.s(other, oc, paren=True)} / "
                         f"{view.s(x, b, paren=True)}²")
            values.append(-gv * ov / bv ** 2 if bv else float("nan"))
            reads.append((x, b))
    return _summed(view, step, out, index, reads, terms, values)


def _pow_grad(view: _View, step: Step, out: str, index: Index, fwd: Step, g: str) -> Cell:
    """d(xᵖ)/dx = p·xᵖ⁻¹, times the gradient arriving."""
    x, p = fwd.inputs
    pi = _bcast(index, view.trace.tensors[p].shape)
    pv = view.v(p, pi)
    lower = view.num(pv - 1, p)
    term = f"{view.s(g, index)}×{view.s(p, pi, paren=True)}×{view.s(x, index, paren=True)}^{lower}"
    xv = view.v(x, index)
    value = view.v(g, index) * pv * xv ** (pv - 1) if xv or pv >= 1 else float("nan")  # 0 ** −1 raises
    return _summed(view, step, out, index, [(g, index), (p, pi), (x, index)], [term], [value])


def _reduction_grad(view: _View, step: Step, out: str, index: Index, fwd: Step, g: str) -> Cell:
    """A sum hands its gradient to every entry it added; a mean a 1/n share of it."""
    shape = view.trace.tensors[fwd.inputs[0]].shape
    axes = reduced_axes(fwd, len(shape))
    keep = fwd.attrs.get("keepdims", False)
    gi = tuple(0 if d in axes else i for d, i in enumerate(index)) if keep else \
        tuple(i for d, i in enumerate(index) if d not in axes)
    n = math.prod(shape[d] for d in axes)
    if fwd.op == "sum":
        term, value = view.s(g, gi), view.v(g, gi)
    else:
        term, value = f"{view.s(g, gi)} / {n}", view.v(g, gi) / n
    return _summed(view, step, out, index, [(g, gi)], [term], [value])


def loss_grad_cell(view: _View, step: Step, out: str, index: Index) -> Cell:
    """dY = 2·(Y − Y′) for a sum of squares, divided by the count for a mean."""
    y, t = view.trace.steps[step.grad_of].inputs
    n = view.trace.tensors[y].size if step.op == "mse" else 1
    ti = _bcast(index, view.trace.tensors[t].shape)
    term = f"2×({view.s(y, index)} − {view.s(t, ti, paren=True)})" + (f" / {n}" if n > 1 else "")
    again = view.num(2 * (view.v(y, index) - view.v(t, ti)) / n, out, y, t)
    text = view.s(out, index)
    return Cell(step.id, out, index, view.raw(out, index), text, ((y, index), (t, ti)), (term,),
                (again,), (f"{term} = {again}",), again != text)


def update_cell(view: _View, step: Step, out: str, index: Index) -> Cell:
    """W ← W − η·dW for one weight."""
    W, dW = step.inputs[:2]
    lr = step.attrs["lr"]
    term = f"{view.s(W, index)} − {lr}×{view.s(dW, index, paren=True)}"
    again = view.num(view.v(W, index) - lr * view.v(dW, index), out)
    text = view.s(out, index)
    return Cell(step.id, out, index, view.raw(out, index), text, ((W, index), (dW, index)), (term,),
                (again,), (f"{term} = {again}",), again != text)
