"""Workings of the ops that move entries without changing them: a cell says which cell it copies
(``dhidden[0, 0]`` of a concat's gradient is ``dhx[0, 0]``), and a gradient cell that several
copies fed (a broadcast, a repeat, an embedding row looked up twice) adds theirs up, naming them:
``dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08``.

Which cell an output cell copies is found by running the op's own body on *positions*: every input
cell numbered 1, 2, 3 … in place of its value, each output cell then holds the number of the cell
it copies. Run twice, with the numbers doubled the second time, a cell that copies nothing (a pad's
constant) is the one that does not double. Nothing is declared twice: the op's body says where each
entry goes. A gather (its indices pick) and a where (its condition picks) are worked the same way,
their index or condition given as it was recorded. An ``astype`` from fractions to whole numbers
or truth values changes what it moves (1.7 becomes 1): its cells keep the generic working.

>>> import tracer
>>> from tracer.explain import explain
>>> with tracer.record() as trace:
...     h, x = tracer.tensor([[0.5], [0.25]], name="h"), tracer.tensor([[2.0]], name="x")
...     hx = tracer.concat([h, x], name="hx")
>>> w = explain(trace, "hx", (2, 0))
>>> w.formula, w.lines
('x[0, 0]', ('x[0, 0] = 2.00',))
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import replace
from typing import Sequence

import numpy as np

from ..ops.spec import REGISTRY
from ..trace import Step, Trace
from .lines import cell_ref
from .backward import forward_of, position
from .forward import cell_terms, reduced_axes, summed
from .numbers import MAX_TERMS
from .working import Context, Read, Working, for_family, for_op, tensor_label

LIMIT = 1 << 22  # positions numbered at most: a bigger op's cells keep the generic working
Maps = tuple[list[np.ndarray], list[str], list[int]]   # per output: positions; the inputs numbered; where each starts
KEPT = 4  # steps whose positions are kept per trace: a viewer works the cells of one step after another

# per trace (dropped with it): step id -> its positions, the latest KEPT steps (a 1024×1024 transpose
# is numbered once, not once per cell)
_KEPT: "weakref.WeakKeyDictionary[Trace, OrderedDict[int, Maps | None]]" = weakref.WeakKeyDictionary()


def attr_value(v: object) -> object:
    """A recorded attribute back as the op's body takes it: ``{"slice": [0, 1, None]}`` is
    ``slice(0, 1)``, a list of subscripts a tuple of them (``x[:, 0:1]``), ``{"array": …}`` an array.

    >>> attr_value([{"slice": [None, None, None]}, {"slice": [0, 1, None]}])
    (slice(None, None, None), slice(0, 1, None))
    """
    def one(x: object, top: bool) -> object:
        if isinstance(x, dict) and set(x) == {"slice"}:
            return slice(*x["slice"])
        if isinstance(x, dict) and set(x) == {"array"}:
            return np.asarray(x["array"])
        if isinstance(x, dict) and x == {"ellipsis": True}:
            return Ellipsis
        if isinstance(x, list):
            return tuple(one(i, False) for i in x) if top else np.asarray(x)
        return x
    return one(v, True)


def positions(trace: Trace, step: Step, given: dict[int, np.ndarray] | None = None) -> Maps | None:
    """For each output of ``step``, which input cell each of its cells copies: a global position
    (input ``k``'s cell ``c`` is ``starts[k]`` + its flat index), −1 where it copies none. Inputs in
    ``given`` (a gather's indices, a where's condition) are passed as recorded, not numbered."""
    spec = REGISTRY.get(step.op)
    given = given or {}
    numbered = [t for k, t in enumerate(step.inputs) if k not in given]
    sizes = [trace.tensors[t].size for t in numbered]
    if spec is None or spec.forward is None or sum(sizes) > LIMIT or not numbered:
        return None
    starts = [0] + list(np.cumsum(sizes))[:-1]
    attrs = {k: attr_value(v) for k, v in step.attrs.items() if k not in ("omitted",)}

    def run(scale: int) -> list[np.ndarray]:
        it = iter(zip(numbered, starts))
        args = []
        for k in range(len(step.inputs)):
            if k in given:
                args.append(given[k])
            else:
                t, s = next(it)
                args.append((np.arange(trace.tensors[t].size, dtype=np.int64) + s + 1).reshape(trace.tensors[t].shape) * scale)
        out = spec.forward(*args, **attrs)[0]
        return [np.asarray(o) for o in (out if isinstance(out, (tuple, list)) else (out,))]
    try:
        once, twice = run(1), run(2)
    except Exception:  # noqa: BLE001  (attributes this version cannot give back: the generic working)
        return None
    if len(once) != len(step.outputs) or any(o.shape != tuple(trace.tensors[t].shape) for o, t in zip(once, step.outputs)):
        return None
    once, twice = whole(once), whole(twice)
    if once is None or twice is None:
        return None
    maps = [np.where((b == 2 * a) & (a > 0), a - 1, -1) for a, b in zip(once, twice)]
    return maps, numbered, [int(s) for s in starts]


def maps_of(trace: Trace, step: Step) -> Maps | None:
    """:func:`positions` of ``step``, its picking input given as recorded; kept for the latest
    :data:`KEPT` steps of each trace."""
    kept = _KEPT.setdefault(trace, OrderedDict())
    if step.id in kept:
        kept.move_to_end(step.id)
    else:
        kept[step.id] = positions(trace, step, _given(trace, step))
        if len(kept) > KEPT:
            kept.popitem(last=False)
    return kept[step.id]


def whole(arrays: list[np.ndarray]) -> list[np.ndarray] | None:
    """Positions as whole numbers: an op that changes the type (``astype(float32)``) keeps them
    when the type holds them exactly; one that does not (to ``bool``) moves no numbers. (Whether
    the op changes the *values* it moves, 1.7 to 1, is not seen here: :func:`rounds` says it.)"""
    out = []
    for a in arrays:
        exact = a.dtype.kind == "f" and (not a.size or float(np.abs(a).max()) < 2.0 ** np.finfo(a.dtype).nmant)
        if a.dtype.kind not in "iu" and not exact:
            return None
        out.append(a.astype(np.int64))
    return out


def locate(trace: Trace, maps: Maps, p: int) -> Read:
    """The input cell at global position ``p``."""
    _, numbered, starts = maps
    k = int(np.searchsorted(starts, p, side="right")) - 1
    return numbered[k], tuple(int(i) for i in np.unravel_index(p - starts[k], trace.tensors[numbered[k]].shape))


def copy(ctx: Context, source: Read, before: Sequence[Read] = ()) -> Working:
    """``dhx[0, 0] = 0.06``: the cell ``source``, named, and its value as the output prints it;
    each cell of ``before`` (a where's condition, a gather's index) on a line of its own first."""
    lines = [f"{ref(ctx, r)} = {ctx.view.text(*r)}" for r in before]
    return ctx.working(lines + [f"{ref(ctx, source)} = {ctx.text}"], list(before) + [source], formula=ref(ctx, source))


def ref(ctx: Context, cell: Read) -> str:
    """How a line names ``cell``: ``dhx[0, 0]`` (``head2 · z[0, 0]`` where two of the step's tensors
    share a name, :func:`tensor_label`)."""
    return cell_ref(tensor_label(ctx.trace, ctx.step, cell[0]), cell[1])


def added(ctx: Context, fed: list[Read]) -> Working:
    """A gradient cell from the cells ``fed`` it: none (0), one (a copy) or several, added up and
    named (``dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08``; a long sum is named in its formula)."""
    if not fed:
        return ctx.working([ctx.text], formula="0")
    if len(fed) == 1:
        return copy(ctx, fed[0])
    terms = [t for tid, c in fed for t in cell_terms(ctx, tid, [c])]
    names = [ref(ctx, r) for r in fed]
    if len(fed) > MAX_TERMS:
        return summed(ctx, terms, fed, formula=" + ".join(names[:2] + ["…", names[-1]]))
    done = summed(ctx, terms, fed, formula=" + ".join(names))
    return replace(done, lines=tuple(f"{done.formula} = {line}" for line in done.lines))


PICKERS = {"gather": 1, "where": 0}   # the input that picks which cell is copied: given as recorded


def _given(trace: Trace, step: Step) -> dict[int, np.ndarray]:
    """The picking input of a gather or a where (:data:`PICKERS`) by its place, as recorded."""
    k = PICKERS.get(step.op)
    return {} if k is None else {k: np.asarray(trace.tensors[step.inputs[k]].data)}


@for_family("structural")
def moved(ctx: Context) -> Working | None:
    """The input cell this output cell copies (a transpose, a reshape, a concat, a slice …); for a
    gather or a where, the index or condition cell that picked it comes first."""
    if ctx.step.op == "gather":
        return looked_up(ctx)
    if rounds(ctx.trace, ctx.step):
        return None  # 1.7 as an int is 1: not a copy (the generic working)
    maps = maps_of(ctx.trace, ctx.step)
    if maps is None or maps[0][ctx.k][ctx.index] < 0:
        return None  # a pad's constant, or an op the positions cannot follow: the generic working
    source = locate(ctx.trace, maps, int(maps[0][ctx.k][ctx.index]))
    chose = chooser(ctx, ctx.step) if ctx.step.op in PICKERS else None
    return copy(ctx, source, [chose] if chose is not None else [])


def rounds(trace: Trace, step: Step) -> bool:
    """Whether ``step`` turns fractions into whole numbers or truth values (``astype`` from float
    to int): its cells are not copies, whatever place each number keeps."""
    def kind(tid: str) -> str:
        return np.dtype(trace.tensors[tid].dtype).kind   # as recorded: no data loaded
    return any(kind(t) in "fc" for t in step.inputs) and any(kind(t) in "iub" for t in step.outputs)


def fed_cells(ctx: Context, fwd: Step, maps: Maps | None, pos: int) -> list[Read] | None:
    """The cells of the output gradients that copies of cell ``ctx.index`` of input ``pos`` (its
    place among ``fwd``'s inputs) got: the same tensor passed twice (``concat([h, h])``) is two
    inputs, numbered apart."""
    given = PICKERS.get(fwd.op)
    slot = pos - (given is not None and given < pos)   # its place among the inputs numbered
    if maps is None or not 0 <= slot < len(maps[1]) or maps[1][slot] != fwd.inputs[pos]:
        return None
    _, numbered, starts = maps
    x = fwd.inputs[pos]
    p = starts[slot] + (int(np.ravel_multi_index(ctx.index, ctx.shape(x))) if ctx.index else 0)
    return [(g, tuple(int(i) for i in c)) for m, g in zip(maps[0], grads_in(ctx, fwd)) if g is not None
            for c in np.argwhere(m == p)]


def grads_in(ctx: Context, fwd: Step) -> list[str | None]:
    """The gradient the step got for each output of ``fwd`` (``None``: that output got none)."""
    given = ctx.step.inputs[:len(ctx.step.inputs) - len(fwd.inputs)]
    of = {ctx.trace.tensors[g].grad_of: g for g in given}
    found = [of.get(o) for o in fwd.outputs]
    if all(g is None for g in found) and len(given) == len(fwd.outputs):
        return list(given)  # recorded without the link: in the order of the outputs
    return found


@for_family("structural", "backward")
def moved_grad(ctx: Context) -> Working | None:
    """A moved cell's gradient: the gradient of the cell it was copied to (several added up)."""
    fwd = forward_of(ctx)
    pos = position(ctx, fwd) if fwd is not None else None
    if pos is None or pos == PICKERS.get(fwd.op):
        return None
    if fwd.op == "gather":
        return added(ctx, looked_up_by(ctx, fwd))
    fed = fed_cells(ctx, fwd, maps_of(ctx.trace, fwd), pos)
    return None if fed is None else added(ctx, fed)


def chooser(ctx: Context, step: Step) -> Read | None:
    """The cell of the picking input that chose output cell ``ctx.index``: a where's condition
    where it broadcast to the cell; a gather's index at the output's axes that index took."""
    tid = step.inputs[PICKERS[step.op]]
    shape = ctx.shape(tid)
    if step.op == "gather":
        axis = step.attrs.get("axis", 0) % len(ctx.shape(step.inputs[0]))
        return tid, tuple(ctx.index[axis:axis + len(shape)])
    off = len(ctx.index) - len(shape)
    return (tid, tuple(0 if n == 1 else ctx.index[off + d] for d, n in enumerate(shape))) if off >= 0 else None


def looked_up(ctx: Context) -> Working | None:
    """A gather's cell: its index says which entry of the table along the axis it copies (worked
    directly, not by positions: an embedding table is too big to number)."""
    table = ctx.step.inputs[0]
    at = chooser(ctx, ctx.step)
    shape = ctx.shape(table)
    axis = ctx.step.attrs.get("axis", 0) % len(shape)
    row = int(np.asarray(ctx.trace.tensors[at[0]].data)[at[1]]) % shape[axis]
    k = len(ctx.shape(at[0]))
    return copy(ctx, (table, ctx.index[:axis] + (row,) + ctx.index[axis + k:]), [at])


def looked_up_by(ctx: Context, fwd: Step) -> list[Read]:
    """The cells of a gather's output gradient that took cell ``ctx.index`` of the table: one per
    index that picked its entry along the axis (a word used twice: two)."""
    shape = ctx.shape(fwd.inputs[0])
    axis = fwd.attrs.get("axis", 0) % len(shape)
    indices = np.asarray(ctx.trace.tensors[fwd.inputs[1]].data) % shape[axis]
    g = grads_in(ctx, fwd)[0]
    if g is None:
        return []
    c = ctx.index
    return [(g, c[:axis] + tuple(int(i) for i in hit) + c[axis + 1:]) for hit in np.argwhere(indices == c[axis])]


@for_op("sum", "backward")
def sum_grad(ctx: Context) -> Working | None:
    """A sum's gradient is the output's gradient copied to every entry it added: ``dloss = 1``."""
    fwd = forward_of(ctx)
    if fwd is None or len(ctx.step.inputs) < 2 or len(ctx.shape(fwd.inputs[0])) != len(ctx.index):
        return None
    g = grads_in(ctx, fwd)[0]
    axes = reduced_axes(fwd.attrs, len(ctx.index))
    keep = fwd.attrs.get("keepdims", False)
    cell = tuple(0 if d in axes else i for d, i in enumerate(ctx.index)) if keep else \
        tuple(i for d, i in enumerate(ctx.index) if d not in axes)
    if g is None or len(cell) != len(ctx.shape(g)):
        return None
    return copy(ctx, (g, cell))
