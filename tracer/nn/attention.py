"""Multi-head attention and the transformer block, tokens as rows, every head at once.

The heads are an axis, not a loop: ``q`` ``(…, T, d)`` is split into ``(…, heads, T, d_head)`` and
one batched matmul scores every query against every key of every head. Step names follow
TransformerLens hooks (see docs/nn.md): ``blocks.3.attn.q``, ``blocks.3.attn.scores``,
``blocks.3.attn.pattern`` (the softmax weights, one row per query), ``blocks.3.attn.z``,
``blocks.3.hook_resid_mid``, ``blocks.3.mlp.post``, ``blocks.3.hook_resid_post`` …

>>> import numpy as np, tracer
>>> from tracer.nn import MultiHeadAttention
>>> attn = MultiHeadAttention.init(d=4, n_heads=2, seed=0)
>>> x = tracer.tensor(np.ones((3, 4)), name="x", rows=["I", "saw", "it"])
>>> with tracer.record() as trace:
...     out, pattern = attn(x, return_pattern=True)
>>> out.shape, pattern.shape, pattern.labels[1:]
((3, 4), (2, 3, 3), (('I', 'saw', 'it'), ('I', 'saw', 'it')))
>>> trace.step("attn.pattern").op
'softmax'
"""
from __future__ import annotations

from typing import Any

import numpy as np

import tracer
from tracer.errors import ShapeError
from tracer.models.base import Module
from tracer.tensor import Tensor

from .layers import FeedForward, LayerNorm, Linear


def _split_heads(x: Tensor, n_heads: int, name: str) -> Tensor:
    """``(…, T, d)`` → ``(…, heads, T, d_head)``: a reshape, then the head axis moved forward."""
    *lead, T, d = x.shape
    parts = tracer.reshape(x, shape=(*lead, T, n_heads, d // n_heads), name=f"{name}_split")
    return tracer.swapaxes(parts, -2, -3, name=f"{name}_heads")


class MultiHeadAttention(Module):
    """``softmax(q·kᵀ/√d_head)·v`` per head, heads joined and mixed by the output layer.

    Parameters
    ----------
    q, k, v, out : Linear
        The projections ``(d, d)`` (heads side by side in the columns) and the output layer.
    n_heads : int
    """

    def __init__(self, q: Linear, k: Linear, v: Linear, out: Linear, n_heads: int, name: str = "attn") -> None:
        width = q.W.shape[-1]
        if n_heads < 1 or width % n_heads:
            raise ShapeError(f"{name}: {n_heads} heads do not divide the width {width} of its projections "
                             f"({q.W.name} {tuple(q.W.shape)}): each head takes an equal share of the features")
        self.name, self.n_heads = name, n_heads
        self.q, self.k, self.v, self.out = q, k, v, out
        for layer, short in ((q, "q"), (k, "k"), (v, "v"), (out, "out")):
            layer.name = short

    @classmethod
    def init(cls, d: int, n_heads: int, seed: int = 0, name: str = "attn") -> "MultiHeadAttention":
        return cls(*(Linear.init(d, d, seed + 2 * i, names=(f"W_{h}", f"b_{h}")) for i, h in enumerate("QKVO")),
                   n_heads=n_heads, name=name)

    def __call__(self, x: Tensor, mask: Any = None, return_pattern: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        """``x`` ``(…, T, d)``; ``mask`` broadcasts to ``(…, heads, T, T)``: may query i look at key j."""
        with self.scope():
            q, k, v = (_split_heads(layer(x), self.n_heads, name) for layer, name in
                       ((self.q, "q"), (self.k, "k"), (self.v, "v")))
            scores = tracer.matmul(q, tracer.swapaxes(k, -1, -2, name="k_T"), name="scores")
            scores = tracer.div(scores, float(np.sqrt(q.shape[-1])), name="scaled")
            if mask is not None:  # a padded key gets −∞: its weight is exactly 0
                scores = tracer.where(mask, scores, -np.inf, name="masked")
            pattern = tracer.softmax(scores, axis=-1, name="pattern")
            z = tracer.matmul(pattern, v, name="z")
            joined = tracer.reshape(tracer.swapaxes(z, -2, -3, name="z_tokens"), shape=x.shape[:-1] + (-1,),
                                    name="z_flat")
            out = self.out(joined)
        return (out, pattern) if return_pattern else out


class TransformerBlock(Module):
    """Attention and a feed-forward layer, each added back to the residual stream.

    ``norm_first=False`` is BERT's post-norm, ``ln1(x + attn(x))`` then ``ln2(h + mlp(h))``;
    ``True`` is GPT's pre-norm, ``x + attn(ln1(x))`` then ``h + mlp(ln2(h))``.
    """

    def __init__(self, attn: MultiHeadAttention, mlp: FeedForward, ln1: LayerNorm, ln2: LayerNorm,
                 norm_first: bool = False, name: str = "blocks.0") -> None:
        self.name, self.attn, self.mlp, self.ln1, self.ln2, self.norm_first = name, attn, mlp, ln1, ln2, norm_first
        ln1.name, ln2.name = "ln1", "ln2"

    @classmethod
    def init(cls, d: int, n_heads: int, d_ff: int, seed: int = 0, norm_first: bool = False,
             activation: str = "gelu", name: str = "blocks.0") -> "TransformerBlock":
        return cls(MultiHeadAttention.init(d, n_heads, seed), FeedForward.init(d, d_ff, seed + 8, activation=activation),
                   LayerNorm.init(d), LayerNorm.init(d), norm_first, name)

    def __call__(self, x: Tensor, mask: Any = None) -> Tensor:
        with self.scope():
            if self.norm_first:
                mid = tracer.add(x, self.attn(self.ln1(x), mask), name="hook_resid_mid")
                return tracer.add(mid, self.mlp(self.ln2(mid)), name="hook_resid_post")
            mid = self.ln1(tracer.add(x, self.attn(x, mask), name="hook_resid_mid"))
            return self.ln2(tracer.add(mid, self.mlp(mid), name="hook_resid_post"))
