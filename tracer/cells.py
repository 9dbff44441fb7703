"""Cell-level detail: the arithmetic behind one output cell of one step.

The stepper, the scenes and the exercise sheets all call :func:`explain`; none of them computes a
value. Every number in a :class:`Cell` is the trace's value shown under the shared rounding rule
(:mod:`tracer.display`), and running sums are sums of the numbers as shown, so the arithmetic on
screen always adds up (``approx`` flags the rare cell where rounding makes it differ from the value).

>>> import tracer
>>> from tracer.cells import explain
>>> with tracer.record() as trace:
...     Z = tracer.tensor([[1, 2], [0, 1]], name="W") @ tracer.tensor([[3], [4]], name="X")
>>> cell = explain(trace, trace.steps[0], (0, 0))
>>> cell.terms, cell.partials, cell.expression
(('1×3', '2×4'), ('3', '11'), '1×3 + 2×4 = 11')
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .display import NumberFormat, fmt, number_format, shown
from .errors import TracerError
from .ops.core import REGISTRY
from .trace import Step, Trace

Index = tuple[int, ...]


@dataclass(frozen=True)
class Cell:
    """The arithmetic of ``output[index]`` of ``step``.

    ``reads`` lists the input cells used, as ``(tensor id, index)``, in the order they enter the
    arithmetic (for a matmul: the row of A then the column of B). ``terms`` are the pieces added up
    (products, values), ``partials`` the running sum after each, ``lines`` the whole working.
    """

    step: int
    output: str
    index: Index
    value: float
    text: str
    reads: tuple[tuple[str, Index], ...]
    terms: tuple[str, ...]
    partials: tuple[str, ...]
    lines: tuple[str, ...]
    approx: bool = False

    @property
    def expression(self) -> str:
        return self.lines[-1] if self.lines else self.text


class _View:
    """Displayed values of a step's tensors: ``v(tid, index)`` is the number as shown."""

    def __init__(self, trace: Trace, minus: str) -> None:
        self.trace, self.minus = trace, minus
        self.formats: dict[str, NumberFormat] = {}

    def nf(self, tid: str) -> NumberFormat:
        if tid not in self.formats:
            self.formats[tid] = number_format(self.trace.tensors[tid].data)
        return self.formats[tid]

    def raw(self, tid: str, index: Index) -> float:
        return float(np.asarray(self.trace.tensors[tid].data)[index])

    def v(self, tid: str, index: Index) -> float:
        return shown(self.raw(tid, index), self.nf(tid))

    def s(self, tid: str, index: Index, paren: bool = False) -> str:
        text = fmt(self.raw(tid, index), self.nf(tid), self.minus)
        return f"({text})" if paren and text.startswith(("-", "−")) else text

    def num(self, value: float, *like: str) -> str:
        """``value`` in the widest format of the tensors ``like``: a sum of 0.33s reads 0.99."""
        formats = [self.nf(t) for t in like]
        wide = NumberFormat(max(f.decimals for f in formats), any(f.sci for f in formats))
        return fmt(value, wide, self.minus)


def _bcast(index: Index, shape: tuple[int, ...]) -> Index:
    """The cell of an input of ``shape`` that broadcasting sent to output cell ``index``."""
    off = len(index) - len(shape)
    return tuple(0 if n == 1 else index[off + d] for d, n in enumerate(shape))


def _sources(index: Index, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[Index]:
    """Every output cell that broadcasting fed from input cell ``index`` (for gradients)."""
    return [o for o in np.ndindex(*out_shape) if _bcast(o, in_shape) == index]


def _summed(view: _View, step: Step, out: str, index: Index, reads: list[tuple[str, Index]],
            terms: list[str], values: list[float], lead: str = "") -> Cell:
    """A cell that is a sum of displayed terms: running partial sums and the approx flag (set when
    the shown terms add up to another number than the one shown, never for 1.00 against 1)."""
    partials, total = [], 0.0
    like = {out} | {t for t, _ in reads}
    for v in values:
        total += v
        partials.append(view.num(total, *like))
    text = view.s(out, index)
    approx = bool(partials) and not np.isclose(total, view.v(out, index), rtol=1e-9, atol=1e-12)
    body = " + ".join(terms).replace(" + −", " − ") if terms else "0"
    line = f"{lead}{body} = {partials[-1] if approx else text}"
    return Cell(step.id, out, index, view.raw(out, index), text, tuple(reads), tuple(terms),
                tuple(partials), (line,), approx)


# ---- forward -------------------------------------------------------------------------------
def _matmul(view: _View, step: Step, out: str, index: Index, a: str, b: str) -> Cell:
    A, B = view.trace.tensors[a], view.trace.tensors[b]
    if len(A.shape) > 2 or len(B.shape) > 2:
        return _generic(view, step, out, index)
    i = index[0] if len(A.shape) == 2 else None
    j = index[-1] if len(B.shape) == 2 else None
    reads, terms, values = [], [], []
    for k in range(A.shape[-1]):
        ai = (i, k) if i is not None else (k,)
        bk = (k, j) if j is not None else (k,)
        reads += [(a, ai), (b, bk)]
        terms.append(f"{view.s(a, ai)}×{view.s(b, bk, paren=True)}")
        values.append(view.v(a, ai) * view.v(b, bk))
    return _summed(view, step, out, index, reads, terms, values)


def _elementwise(view: _View, step: Step, out: str, index: Index) -> Cell:
    """The op's own cell template (``OpSpec.cell``) with the input cells' numbers in."""
    spec = REGISTRY[step.op]
    binary = len(spec.params) == 2
    ins = step.inputs[-2:] if binary else step.inputs[:1]
    cells = [(t, _bcast(index, view.trace.tensors[t].shape)) for t in ins]
    text = view.s(out, index)
    fill = {**dict(spec.defaults), **step.attrs}
    if binary:
        (a, ai), (b, bi) = cells
        a_name, b_name = spec.params
        expr = spec.cell.format(**fill, **{a_name: view.s(a, ai, paren=step.op == "pow"),
                                          b_name: view.s(b, bi, paren=True)})
        with np.errstate(all="ignore"):  # the shown numbers, recomputed: 1 / 0 is inf, as recorded
            again = view.num(float(spec.forward(np.float64(view.v(a, ai)), np.float64(view.v(b, bi)))[0]), out)
        return Cell(step.id, out, index, view.raw(out, index), text, tuple(cells), (expr,), (again,),
                    (f"{expr} = {again}",), again != text)
    (x, xi), = cells
    xs = view.s(x, xi)
    xp = view.s(x, xi, paren=step.op in ("neg", "exp"))  # −(−1.84), e^(−2): not −-1.84, e^-2
    lines = [f"{spec.cell.format(**fill, **{spec.params[0]: xp})} = {text}"]
    if step.op in ("relu", "step"):  # the comparison is the whole story
        bar = step.attrs.get("threshold", 0) if step.op == "step" else 0
        keep = view.raw(x, xi) > bar
        lines.insert(0, f"{xs} {'>' if keep else '≤'} {fmt(bar, NumberFormat(0) if float(bar).is_integer() else NumberFormat(2), view.minus)}"
                        f" → {'keep it' if step.op == 'relu' and keep else text}")
    return Cell(step.id, out, index, view.raw(out, index), text, tuple(cells), (xs,), (text,), tuple(lines))


def reduced_axes(step: Step, ndim: int) -> tuple[int, ...]:
    """The axes a sum / mean / max ``step`` reduced, as non-negative numbers (all for ``axis=None``)."""
    axis = step.attrs.get("axis")
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in (axis if isinstance(axis, list) else [axis]))


def _reduction(view: _View, step: Step, out: str, index: Index) -> Cell:
    x = step.inputs[0]
    shape = view.trace.tensors[x].shape
    axes = reduced_axes(step, len(shape))
    keep = step.attrs.get("keepdims", False)
    it = iter(index)
    fixed = [None if d in axes else (index[d] if keep else next(it)) for d in range(len(shape))]
    cells = [c for c in np.ndindex(*shape) if all(f is None or c[d] == f for d, f in enumerate(fixed))]
    reads = [(x, c) for c in cells]
    terms = [view.s(x, c, paren=k > 0) for k, c in enumerate(cells)]
    if step.op == "max":
        text = view.s(out, index)
        line = f"max({', '.join(terms)}) = {text}"
        return Cell(step.id, out, index, view.raw(out, index), text, tuple(reads), tuple(terms),
                    (text,), (line,))
    cell = _summed(view, step, out, index, reads, terms, [view.v(x, c) for c in cells])
    if step.op != "mean":
        return cell
    total = sum(view.v(x, c) for c in cells)
    again = view.num(total / len(cells), out)
    line = f"({' + '.join(terms)}) / {len(cells)} = {again}"
    return Cell(step.id, out, index, cell.value, cell.text, cell.reads, cell.terms, cell.partials,
                (line,), again != cell.text)


def _softmax(view: _View, step: Step, out: str, index: Index) -> Cell:
    kids = {c.name.rsplit(".", 1)[-1]: c for c in view.trace.children(step)}
    e, s = kids["exp"].outputs[0], kids["sum"].outputs[0]
    axis = step.attrs.get("axis", -1) % len(index)
    col = [index[:axis] + (k,) + index[axis + 1:] for k in range(view.trace.tensors[e].shape[axis])]
    si = _bcast(index, view.trace.tensors[s].shape)
    x = step.inputs[0]
    shift = ""
    if "max" in kids:
        m = kids["max"].outputs[0]
        shift = f" − {view.s(m, _bcast(index, view.trace.tensors[m].shape), paren=True)}"
    terms = [view.s(e, c) for c in col]
    lines = (f"e^({view.s(x, index)}{shift}) = {view.s(e, index)}" if shift else f"e^{view.s(x, index)} = {view.s(e, index)}",
             f"Σ = {' + '.join(terms)} = {view.s(s, si)}",
             f"{view.s(e, index)} / {view.s(s, si)} = {view.s(out, index)}")
    return Cell(step.id, out, index, view.raw(out, index), view.s(out, index),
                tuple((x, c) for c in col), tuple(terms), (view.s(s, si),), lines)


def _composite_last(view: _View, step: Step, out: str, index: Index) -> Cell:
    """A composite (linear, a loss ...): the working of each child that made this cell."""
    lines: list[str] = []
    reads: list[tuple[str, Index]] = []
    for child in view.trace.children(step):
        if child.op not in ("matmul", "add"):
            continue
        cell = explain(view.trace, child, index, minus=view.minus)
        lines.extend(cell.lines)
        reads.extend(r for r in cell.reads if r[0] in step.inputs)
    if not lines:
        return _generic(view, step, out, index)
    text = view.s(out, index)
    return Cell(step.id, out, index, view.raw(out, index), text, tuple(reads), (), (text,), tuple(lines))


def _loss(view: _View, step: Step, out: str, index: Index) -> Cell:
    kids = {c.name.rsplit(".", 1)[-1]: c for c in view.trace.children(step)}
    sq = kids["squared"].outputs[0]
    shape = view.trace.tensors[sq].shape
    y, t = step.inputs
    cells = list(np.ndindex(*shape))
    squares = [f"({view.s(y, c)} − {view.s(t, c, paren=True)})²" for c in cells]
    cell = _summed(view, step, out, index, [(y, c) for c in cells] + [(t, c) for c in cells],
                   [view.s(sq, c) for c in cells], [view.v(sq, c) for c in cells],
                   lead="" if step.op == "sse" else "mean of ")
    return Cell(cell.step, out, index, cell.value, cell.text, cell.reads, cell.terms, cell.partials,
                (" + ".join(squares),) + cell.lines, cell.approx)


def _generic(view: _View, step: Step, out: str, index: Index) -> Cell:
    """Any op: the formula, the same-position input cells, and the value."""
    reads = []
    for t in step.inputs:
        shape = view.trace.tensors[t].shape
        if len(shape) <= len(index):
            try:
                reads.append((t, _bcast(index, shape)))
            except IndexError:
                pass
    text = view.s(out, index)
    return Cell(step.id, out, index, view.raw(out, index), text, tuple(reads), (), (text,),
                (f"{step.formula}  →  {text}" if step.formula else text,))


def explain(trace: Trace, step: Step | int | str, index: Index | int, output: int = 0,
            minus: str = "-") -> Cell:
    """The arithmetic behind cell ``index`` of output ``output`` of ``step``.

    Parameters
    ----------
    trace : Trace
    step : Step, int or str
        The step, its id or its name.
    index : tuple of int
        The output cell, e.g. ``(i, j)``; ``()`` for a scalar.
    output : int
        Which output of a step with several (a split, a backward step with two gradients).
    minus : str
        The minus sign to print (``"−"`` on screen, ``"-"`` in a terminal).
    """
    step = step if isinstance(step, Step) else trace.step(step)
    if not 0 <= output < len(step.outputs):
        raise TracerError(f"{step.name} has {len(step.outputs)} output(s), not {output + 1}")
    out = step.outputs[output]
    shape = trace.tensors[out].shape
    index = (index,) if isinstance(index, int) else tuple(int(i) for i in index)
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
        raise TracerError(f"{step.name}: cell {index} is outside {trace.tensors[out].name} of shape {shape}")
    from .cellgrads import grad_cell, loss_grad_cell, update_cell  # they build on this module's pieces
    view = _View(trace, minus)
    if step.op == "accumulate":
        return _elementwise(view, replace(step, op="add"), out, index)
    producer = trace.tensors[out].producer
    if step.phase == "backward" and step.op in ("mse", "sse") and step.grad_of is not None:
        return loss_grad_cell(view, step, out, index)
    own_working = step.phase == "forward" and step.op in ("softmax", "mse", "sse", "linear")
    if REGISTRY.get(step.op) and REGISTRY[step.op].composite and producer not in (None, step.id) \
            and not own_working:
        child = trace.steps[producer]  # the child step that made this cell: its working
        return explain(trace, child, index, output=child.outputs.index(out), minus=minus)
    if step.phase == "backward":
        if step.grad_of is None or REGISTRY[trace.steps[step.grad_of].op].composite:
            return _generic(view, step, out, index)
        return grad_cell(view, step, out, index)
    if step.op == "sgd":
        return update_cell(view, step, out, index)
    if step.op == "matmul" and len(step.inputs) == 2:
        return _matmul(view, step, out, index, *step.inputs)
    if REGISTRY[step.op].cell:
        return _elementwise(view, step, out, index)
    if step.op in ("sum", "mean", "max"):
        return _reduction(view, step, out, index)
    if step.op == "softmax":
        return _softmax(view, step, out, index)
    if step.op in ("mse", "sse"):
        return _loss(view, step, out, index)
    if step.op == "linear":
        return _composite_last(view, step, out, index)
    return _generic(view, step, out, index)

