"""Primitives that multiply, move, cut, join or select: matmul, transpose, reshape, concat, split,
indexing, gather (embedding lookup), where (masking), and the reductions sum, mean and max.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from . import labels as lb
from .broadcasting import broadcastable, unbroadcast
from .declare import primitive


def _swap(a: np.ndarray) -> np.ndarray:
    return a.swapaxes(-1, -2)  # the method: np.swapaxes adds a Python wrapper around it


def _check_matmul(a: np.ndarray, b: np.ndarray) -> str | None:
    if a.ndim == 0 or b.ndim == 0:
        return "matmul needs operands with at least one dimension"
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner_b:
        return f"inner dimensions {a.shape[-1]} and {inner_b} differ"
    if a.ndim <= 2 or b.ndim <= 2 or broadcastable(a.shape[:-2], b.shape[:-2]):
        return None
    return f"batch dimensions {a.shape[:-2]} and {b.shape[:-2]} do not broadcast"


@primitive("matmul", family="contraction", formula="{out} = {a} · {b}", grad="d{a} = d{out} · {b}ᵀ;  d{b} = {a}ᵀ · d{out}",
           narration="Multiply {a} by {b}: each entry of {out} is a row of {a} times a column of {b}, summed.",
           check=_check_matmul)
def matmul(a, b):
    def vjp(g, need):
        if a.ndim == 1 and b.ndim == 1:  # a dot product: g is a single number
            return (g * b if need[0] else None, g * a if need[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a  # 1-D operands act as a row / a column
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        da = unbroadcast(g2 @ _swap(b2), a2.shape).reshape(a.shape) if need[0] else None
        db = unbroadcast(_swap(a2) @ g2, b2.shape).reshape(b.shape) if need[1] else None
        return da, db
    return a @ b, vjp


@primitive("transpose", family="structural", labels=lb.transpose, formula="{out} = {x}ᵀ", grad="d{x} = d{out}ᵀ",
           narration="Transpose {x}: its rows become columns.")
def transpose(x, *, axes=None):
    inverse = None if axes is None else tuple(np.argsort(axes))
    return np.transpose(x, axes), lambda g, need: (np.transpose(g, inverse),)


@primitive("reshape", family="structural", labels=lb.reshape, formula="{out} = reshape({x}, {shape})", grad="d{x} = reshape(d{out}, shape of {x})",
           narration="Rearrange the entries of {x} into the shape {shape}.")
def reshape(x, *, shape):
    return np.reshape(x, shape), lambda g, need: (np.reshape(g, x.shape),)


@primitive("concat", family="structural", labels=lb.concat, formula="{out} = [{xs}]", grad="each input gets its slice of d{out}",
           narration="Join {xs} into one tensor, {joined}.")
def concat(*xs, axis=0):
    cuts = list(itertools.accumulate([x.shape[axis] for x in xs], initial=0))
    return np.concatenate(xs, axis=axis), lambda g, need: _pieces(g, cuts, axis)


@primitive("split", family="structural", labels=lb.split, formula="{out} = split({x}, {sections})", grad="d{x} = [d{out}] joined back",
           narration="Cut {x} into {sections} pieces, {joined}.")
def split(x, *, sections, axis=0):
    n = x.shape[axis] if -x.ndim <= axis < x.ndim else 0
    if type(sections) is int and sections > 0 and n and n % sections == 0:
        parts = _pieces(x, list(range(0, n + 1, n // sections)), axis)
    else:  # cut points, or sections that do not divide the axis: NumPy's own checks and messages
        parts = tuple(np.split(x, sections, axis=axis))

    def vjp(gs, need):
        return (np.concatenate([np.zeros_like(p) if g is None else g for p, g in zip(parts, gs)],
                               axis=axis),)
    return parts, vjp


def _pieces(a: np.ndarray, cuts: list[int], axis: int) -> tuple[np.ndarray, ...]:
    """The views of ``a`` between consecutive ``cuts`` along ``axis``: ``np.split``'s pieces, without
    its Python (it moves the axis to the front and back for every piece)."""
    lead = (slice(None),) * (axis % a.ndim)
    return tuple([a[lead + (slice(start, stop),)] for start, stop in zip(cuts, cuts[1:])])


def index_text(index: object) -> str:
    """How an index reads in a formula: ``[:, 0:2]`` for ``(slice(None), slice(0, 2))``, and a new
    axis as NumPy's ``np.newaxis`` (a reader takes a bare ``None`` for a missing value).

    >>> index_text((slice(None), 0, None))
    '[:, 0, np.newaxis]'
    """
    def one(i: object) -> str:
        if isinstance(i, slice):
            s = "" if i.start is None else str(i.start)
            s += ":" + ("" if i.stop is None else str(i.stop))
            return s + ("" if i.step is None else f":{i.step}")
        if i is None:
            return "np.newaxis"
        if i is Ellipsis:
            return "..."
        return str(np.asarray(i).tolist())
    parts = index if isinstance(index, tuple) else (index,)
    return "[" + ", ".join(one(i) for i in parts) + "]"


@primitive("slice", family="structural", labels=lb.getitem, formula="{out} = {x}{text}", grad="d{x}{text} += d{out}, zeros elsewhere",
           narration="Take the part {text} of {x}.")
def getitem(x, *, index, text=""):
    parts = index if isinstance(index, tuple) else (index,)
    basic = all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in parts)

    def vjp(g, need):
        dx = np.zeros_like(x)
        if basic:  # slices never pick a cell twice: plain assignment
            dx[index] = g
        else:  # integer arrays may repeat a cell: add.at adds every share
            np.add.at(dx, index, g)
        return (dx,)
    return x[index], vjp


def _check_gather(table: np.ndarray, indices: np.ndarray, axis: int = 0) -> str | None:
    if indices.dtype.kind not in "iu":
        return "indices must be integers"
    n = table.shape[axis]
    if indices.size and (indices.min() < -n or indices.max() >= n):
        return f"an index is outside 0..{n - 1}"
    return None


@primitive("gather", family="structural", labels=lb.gather, formula="{out} = {table}[{indices}]", grad="d{table}[{indices}] += d{out}",
           narration="Pick from {table} the entries at {indices}, along axis {axis}.",
           check=_check_gather)
def gather(table, indices, *, axis=0):
    def vjp(g, need):  # the output's axes axis..axis+k are the k axes of indices (np.take)
        dt = np.zeros_like(table)
        k = indices.ndim
        np.add.at(np.moveaxis(dt, axis, 0), indices,
                  np.moveaxis(g, list(range(axis, axis + k)), list(range(k))))
        return dt, None
    return np.take(table, indices, axis=axis), vjp


@primitive("where", family="structural", labels=lb.where, formula="{out} = {a} where {cond} else {b}", grad="d{a} = d{out} where {cond};  d{b} elsewhere",
           narration="Take {a} where the mask {cond} is true and {b} where it is false.",
           cell_grad=("", "{g}×{cond}", "{g}×(1 − {cond})"))
def where(cond, a, b):
    def vjp(g, need):
        return (None, unbroadcast(np.where(cond, g, 0.0), a.shape) if need[1] else None,
                unbroadcast(np.where(cond, 0.0, g), b.shape) if need[2] else None)
    return np.where(cond, a, b), vjp


# ---- reductions -----------------------------------------------------------------------------
def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))


def _kept(g: np.ndarray, x: np.ndarray, axis: object, keepdims: bool) -> np.ndarray:
    """An output gradient with the axes a reduction removed put back at length 1: it broadcasts
    over them (a reshape, no copy)."""
    if keepdims:
        return g
    shape = list(x.shape)
    for a in _axes(axis, x.ndim):
        shape[a] = 1
    return g.reshape(shape)


def _spread(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``g`` copied to every entry of a new array of ``shape`` (``np.broadcast_to(g, shape).copy()``
    without the Python of ``broadcast_to``)."""
    out = np.empty(shape, dtype=g.dtype)
    np.copyto(out, g)
    return out


@primitive("sum", family="reduction", formula="{out} = Σ⟦_{axis}⟧ {x}", cell_grad="{g}", grad="d{x} = d{out} copied to every entry",
           narration="Add up the entries of {x}⟦ {along}⟧.")
def sum(x, *, axis=None, keepdims=False):
    return np.sum(x, axis=axis, keepdims=keepdims), lambda g, need: (_spread(_kept(g, x, axis, keepdims), x.shape),)


@primitive("mean", family="reduction", formula="{out} = mean⟦_{axis}⟧({x})", cell_grad="{g} / {n}", grad="d{x} = d{out} / n, copied to every entry",
           narration="Average the entries of {x}⟦ {along}⟧.")
def mean(x, *, axis=None, keepdims=False):
    n = math.prod([x.shape[a] for a in _axes(axis, x.ndim)])
    # each entry g / n: divided before it is spread, the same numbers as spreading first
    return np.mean(x, axis=axis, keepdims=keepdims), lambda g, need: (_spread(_kept(g, x, axis, keepdims) / n, x.shape),)


@primitive("max", family="reduction", formula="{out} = max⟦_{axis}⟧({x})", cell_grad="{g}×[{x} = {o}]", grad="d{x} = d{out} at the maximum (ties share it)",
           narration="Take the largest entry of {x}⟦ {along}⟧.")
def max(x, *, axis=None, keepdims=False):
    return extreme(np.max, x, axis, keepdims)


def extreme(pick, x: np.ndarray, axis, keepdims: bool):
    """The largest or smallest entry (``pick``: ``np.max`` or ``np.min``) and its vjp: the gradient
    goes to the entries that were picked, shared equally among ties."""
    out = pick(x, axis=axis, keepdims=True)

    def vjp(g, need):
        hit = x == out
        return (_kept(g, x, axis, keepdims) * hit / hit.sum(axis=axis, keepdims=True),)
    return (out if keepdims else np.squeeze(out, axis=_axes(axis, x.ndim))), vjp
