"""More reductions: the minimum, the running sum, and the variance and standard deviation (built
from mean, subtract, square and sum: composites whose sub-steps show the arithmetic).
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from . import elementwise as ew
from . import labels as lb
from . import structural as st
from .declare import composite, primitive


@primitive("min", family="reduction", formula="{out} = min({x})", grad="d{x} = d{out} at the minimum (ties share it)",
           narration="Take the smallest entry of {x}⟦ {along}⟧.")
def min(x, *, axis=None, keepdims=False):
    return st.extreme(np.min, x, axis, keepdims)


@primitive("cumsum", family="reduction", labels=lb.broadcast, formula="{out} = running sum of {x}", grad="d{x} = running sum of d{out}, from the end",
           narration="Running totals of {x}⟦ {along}⟧: each entry plus all before it.")
def cumsum(x, *, axis=None):
    at = 0 if axis is None else axis

    def vjp(g, need):  # entry i feeds every total from i on: add the gradients from the end back
        back = np.flip(np.cumsum(np.flip(g, at), axis=at), at)
        return (back.reshape(x.shape),)
    return np.cumsum(x, axis=axis), vjp


def _count(x: Tensor, axis: int | tuple[int, ...] | None) -> int:
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
    return int(np.prod([x.shape[a] for a in axes]))


@composite("var", family="reduction", parts=("mean", "centered", "squared", "sum", "var"),
           formula="{out} = Σ ({x} − mean)² / (n − {ddof})", grad="through the sum, the square and the mean",
           narration="The variance of {x}⟦ {along}⟧: how far its entries spread around their mean, squared.")
def var(x: Tensor, *, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    centered = ew.sub(x, st.mean(x, axis=axis, keepdims=True, name="mean"), name="centered")
    total = st.sum(ew.mul(centered, centered, name="squared"), axis=axis, keepdims=keepdims, name="sum")
    return ew.div(total, float(_count(x, axis) - ddof), name="var")


@composite("std", family="reduction", parts=("var", "std"),
           formula="{out} = √var({x})", grad="through the square root and the variance",
           narration="The standard deviation of {x}⟦ {along}⟧: the square root of its variance.")
def std(x: Tensor, *, axis: int | tuple[int, ...] | None = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    return ew.sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims, name="var"), name="std")
