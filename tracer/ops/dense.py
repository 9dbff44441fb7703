"""The row-major layer: ``x @ W + b`` with tokens (samples) as rows, as real models write it.

The by-hand examples keep :func:`~tracer.ops.composite.linear`, ``W · X + b`` with samples as
columns and one bias per row; here ``W`` is ``(d_in, d_out)`` and the bias, one per output feature,
is added to every row. Leading axes (a batch) are carried along.

>>> import tracer
>>> x = tracer.tensor([[1.0, 2.0], [3.0, 4.0]], name="x")          # two tokens, two features
>>> W = tracer.param([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], name="W")  # 2 features in, 3 out
>>> tracer.dense(x, W, tracer.param([10.0, 20.0, 30.0], name="b")).numpy().tolist()
[[11.0, 22.0, 33.0], [13.0, 24.0, 37.0]]
"""
from __future__ import annotations

from ..tensor import Tensor
from . import elementwise as ew
from . import structural as st
from .declare import composite


@composite("dense", family="layer", parts=("matmul", "bias"),
           formula="{out} = {x} · {W}⟦ + {b}⟧",
           grad="d{W} = {x}ᵀ·d{out};  d{x} = d{out}·{W}ᵀ⟦;  d{b} = Σ d{out} over the rows⟧",
           narration="A dense layer, tokens as rows: multiply {x} by the weights {W}⟦ and add the bias {b} "
                     "to every row⟧.")
def dense(x: Tensor, W: Tensor, b: Tensor | None = None) -> Tensor:
    z = st.matmul(x, W, name="matmul")
    return z if b is None else ew.add(z, b, name="bias")
