"""Array functions that move, copy or pad entries without changing them: stack, expand_dims,
squeeze, broadcast_to, tile, repeat, pad, and astype (the same numbers in another type).

Each gradient sends every share of ``d{out}`` back to the entry it came from: copies add up.
"""
from __future__ import annotations

import numpy as np

from . import labels as lb
from .broadcasting import unbroadcast
from .declare import primitive


def _stacked(xs, outs, attrs):
    """The new axis has no names; each other axis those of the first input that names it (an
    input unnamed along an axis lets the next one name it)."""
    axis = attrs.get("axis", 0) % outs[0].ndim
    piece = outs[0].shape[:axis] + outs[0].shape[axis + 1:]
    got = lb.first_names(xs, piece)
    return [got[:axis] + [None] + got[axis:]]


@primitive("stack", family="structural", labels=_stacked, formula="{out} = stack({xs})", grad="each input gets its slice of d{out}",
           narration="Stack {xs} along a new axis {axis}.")
def stack(*xs, axis=0):
    out = np.stack(xs, axis=axis)
    at = axis % out.ndim
    return out, lambda g, need: tuple(np.take(g, i, axis=at) for i in range(len(xs)))


@primitive("expand_dims", family="structural", labels=lb.reshape, formula="{out} = {x} with a new axis {axis}",
           grad="d{x} = d{out} without that axis",
           narration="Give {x} a new axis of length 1 at position {axis}.")
def expand_dims(x, *, axis):
    return np.expand_dims(x, axis), lambda g, need: (g.reshape(x.shape),)


@primitive("squeeze", family="structural", labels=lb.reshape, formula="{out} = {x} without its axes of length 1",
           grad="d{x} = d{out} with those axes back",
           narration="Drop the axes of length 1 of {x} (axis: {axis}).")
def squeeze(x, *, axis=None):
    return np.squeeze(x, axis=axis), lambda g, need: (g.reshape(x.shape),)


@primitive("broadcast_to", family="structural", labels=lb.broadcast, formula="{out} = {x} repeated to the shape {shape}",
           grad="d{x} = d{out} summed over the copies",
           narration="Repeat {x} along its axes of length 1 until it has the shape {shape}.")
def broadcast_to(x, *, shape):
    return np.broadcast_to(x, shape), lambda g, need: (unbroadcast(g, x.shape),)


@primitive("tile", family="structural", labels=lb.broadcast, formula="{out} = tile({x}, {reps})", grad="d{x} = d{out} summed over the tiles",
           narration="Lay copies of {x} side by side, {reps} times along the axes.")
def tile(x, *, reps):
    out = np.tile(x, reps)
    r = np.atleast_1d(reps).tolist()
    r = [1] * (out.ndim - len(r)) + r
    shape = [1] * (out.ndim - x.ndim) + list(x.shape)

    def vjp(g, need):  # axes (r0, n0, r1, n1, …): add up the r axes
        split = g.reshape([d for pair in zip(r, shape) for d in pair])
        return (split.sum(axis=tuple(range(0, 2 * out.ndim, 2))).reshape(x.shape),)
    return out, vjp


@primitive("repeat", family="structural", labels=lb.broadcast, formula="{out} = repeat({x}, {repeats})", grad="d{x} = d{out} summed over the repeats",
           narration="Repeat every entry of {x} {repeats} times along axis {axis}.")
def repeat(x, *, repeats, axis=None):
    out = np.repeat(x, repeats, axis=axis)
    flat = x.reshape(-1) if axis is None else x
    at = 0 if axis is None else axis % x.ndim
    source = np.repeat(np.arange(flat.shape[at]), repeats)  # the entry each output slot copies

    def vjp(g, need):
        dx = np.zeros(flat.shape, dtype=g.dtype)
        np.add.at(np.moveaxis(dx, at, 0), source, np.moveaxis(g, at, 0))
        return (dx.reshape(x.shape),)
    return out, vjp


@primitive("pad", family="structural", labels=lb.broadcast, formula="{out} = pad({x}, {pad_width})", grad="d{x} = d{out} without the padding",
           narration="Surround {x} with {constant_values}s: {pad_width} entries before and after along each axis.")
def pad(x, *, pad_width, constant_values=0.0):
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))  # (before, after) per axis
    inner = tuple(slice(int(before), int(before) + n) for (before, _), n in zip(widths, x.shape))
    return np.pad(x, widths, constant_values=constant_values), lambda g, need: (g[inner],)


@primitive("astype", family="structural", labels=lb.broadcast, formula="{out} = {x} as {dtype}", grad="d{x} = d{out} as the type of {x}",
           narration="The numbers of {x} as {dtype}.")
def astype(x, *, dtype):
    out = x.astype(dtype)
    if x.dtype.kind != "f" or out.dtype.kind != "f":  # ids or masks: nothing to differentiate
        return out, None
    return out, lambda g, need: (g.astype(x.dtype),)
