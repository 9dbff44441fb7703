"""Attention and the transformer block, in the column layout (tokens are columns).

``Q = W_Q·X``, ``K = W_K·X``, ``V = W_V·X`` are ``(d_k, T)``; the engine's ``tracer.attention``
works on rows, so the three are transposed to ``(T, d_k)`` for it and the result back to columns.
Step names follow TransformerLens hooks: ``blocks.0.attn.Q``, ``blocks.0.attn.weights`` (the
attention pattern, one row per query), ``blocks.0.attn.z``, ``blocks.0.resid_mid``, ``blocks.0.ln1``,
``blocks.0.mlp.pre`` ...

>>> import numpy as np, tracer
>>> from tracer.models import SelfAttention
>>> attn = SelfAttention(np.eye(2), np.eye(2), np.eye(2), name="attn")
>>> with tracer.record() as trace:
...     Z = attn(tracer.tensor([[1, 0], [0, 1]], name="X"))
>>> [s.name for s in trace.steps if s.depth == 0]
['attn.Q', 'attn.K', 'attn.V', 'attn.Q_rows', 'attn.K_rows', 'attn.V_rows', 'attn', 'attn.z']
>>> trace.step("attn.weights").op
'softmax'
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import tracer
from tracer.notation import transposed
from tracer.recording import current
from tracer.tensor import Tensor

from .base import SUBSCRIPTS, Module, as_param, init_weight
from .layers import FeedForward, LayerNorm


def _flip(M: Tensor, name: str) -> Tensor:
    """Columns to rows and back: the last two axes swapped (a batch axis in front stays)."""
    return tracer.transpose(M, axes=None if M.ndim == 2 else (*range(M.ndim - 2), M.ndim - 1, M.ndim - 2), name=name)


class SelfAttention(Module):
    """One head: ``softmax(QᵀK/√d_k)`` mixes the value columns (scaled dot-product attention).

    Parameters
    ----------
    W_Q, W_K, W_V : array_like
        ``(d_k, d)``, ``(d_k, d)`` and ``(d_v, d)``.
    causal : bool
        Each token attends only to itself and the tokens before it (for next-token prediction).
    tag : str
        The head's number: a subscript of its weights' and its grids' names (``W_Q₁``, ``scores₁``).
    """

    def __init__(self, W_Q: Any, W_K: Any, W_V: Any, causal: bool = False, name: str = "attn",
                 tag: str = "") -> None:
        self.name, self.causal, self.tag = name, causal, tag
        sub = tag.translate(SUBSCRIPTS)   # W_Q₁: a real subscript (the YAML keys stay W_Q1)
        self.W_Q = as_param(W_Q, f"W_Q{sub}")
        self.W_K = as_param(W_K, f"W_K{sub}")
        self.W_V = as_param(W_V, f"W_V{sub}")

    @classmethod
    def init(cls, d: int, d_head: int, seed: int = 0, **kw: Any) -> "SelfAttention":
        return cls(*(init_weight((d_head, d), "xavier", "W", seed + k) for k in range(3)), **kw)

    def __call__(self, X: Tensor, mask: np.ndarray | None = None) -> Tensor:
        """``X`` is ``(d, T)`` (or a batch ``(B, d, T)``); ``mask[i, j]``: may query ``i`` look at key ``j``."""
        T = X.shape[-1]
        sub = self.tag.translate(SUBSCRIPTS)  # head 2's grids read Q₂, K₂, V₂ (step names stay Q, K, V)
        with self.scope():
            Q = tracer.linear(self.W_Q, X, name="Q").named(f"Q{sub}")  # (d_k, T)
            K = tracer.linear(self.W_K, X, name="K").named(f"K{sub}")
            V = tracer.linear(self.W_V, X, name="V").named(f"V{sub}")
            rows = [_flip(M, f"{n}_rows").named(f"{n}{sub}_rows") for M, n in ((Q, "Q"), (K, "K"), (V, "V"))]
        if self.causal:
            causal = tracer.causal_mask(T)
            mask = causal if mask is None else (mask & causal)
        if mask is not None and not isinstance(mask, Tensor):  # named: masked = scaled where mask, not where const
            mask = Tensor(np.asarray(mask, dtype=bool), name="mask", kind="const")
        # the composite is the head itself: blocks.0.attn with .scores, .scaled, .weights, .mix
        trace = current()
        first = len(trace) if trace is not None else 0
        A = tracer.attention(*rows, mask, name=self.name or "attention")  # (T, d_v)
        if sub and trace is not None:
            _subscript_parts(trace, first, sub)
        with self.scope():
            return _flip(A, f"z{self.tag}").named(f"z{sub}")  # (d_v, T): tokens back to columns


def _subscript_parts(trace: tracer.Trace, first: int, sub: str) -> None:
    """The tensors a head computes inside ``attention`` (from step ``first`` on) carry its
    subscript: head 1's grids read scores₁, weights₁, head₁, not the same names as head 2's. The keys
    the scores read are the transpose of ``K₁_rows``, so named ``K₁_rowsᵀ`` (``K₁ᵀ`` would be the
    rows again, and its transpose in the backward pass would read ``K₁``, a grid of another shape)."""
    for step in trace.recorded_since(first):
        for tid in step.outputs:
            record = trace.tensors[tid]
            if record.name == "K_T":
                record.name = transposed(trace.tensors[step.inputs[0]].name)
            elif not record.name.endswith(sub):
                record.name = f"{record.name.rstrip('0123456789')}{sub}"


class MultiHeadAttention(Module):
    """Heads side by side: ``MultiHead(X) = W_O·[z_1 ; z_2 ; …]`` (the heads' outputs stacked)."""

    def __init__(self, heads: Sequence[SelfAttention], W_O: Any, name: str = "attn") -> None:
        self.name = name
        self.heads = list(heads)
        self.W_O = as_param(W_O, "W_O")

    @classmethod
    def init(cls, d: int, n_heads: int, d_head: int, seed: int = 0, causal: bool = False,
             name: str = "attn") -> "MultiHeadAttention":
        heads = [SelfAttention.init(d, d_head, seed + 3 * h, causal=causal, name=f"head{h + 1}", tag=str(h + 1))
                 for h in range(n_heads)]
        return cls(heads, init_weight((d, n_heads * d_head), "xavier", "W_O", seed + 3 * n_heads), name)

    def __call__(self, X: Tensor, mask: np.ndarray | None = None) -> Tensor:
        with self.scope():
            zs = [head(X, mask) for head in self.heads]
            Z = zs[0] if len(zs) == 1 else tracer.concat(zs, axis=X.ndim - 2, name="concat")  # (h·d_v, T)
            return tracer.linear(self.W_O, Z, name="out").named("attn_out")  # not "out": the MLP has one too


def positional_table(positions: Sequence[int] | np.ndarray, d: int, base: float = 10000.0) -> np.ndarray:
    """``PE[2i, t] = sin(t / base^(2i/d))``, ``PE[2i+1, t] = cos(…)``, as ``(d, T)`` columns.

    >>> from tracer.models.attention import positional_table
    >>> positional_table([0, 1], 2).round(4).tolist()
    [[0.0, 0.8415], [1.0, 0.5403]]
    """
    pos = np.asarray(positions, dtype=np.float64)[None, :]
    angles = pos / base ** ((2 * (np.arange(d) // 2)) / d)[:, None]
    return np.where((np.arange(d) % 2 == 0)[:, None], np.sin(angles), np.cos(angles))


class PositionalEncoding(Module):
    """Add the sinusoidal table to the token embeddings: ``X + PE``.

    The angles ``t / base^(2i/d)``, their sines and cosines and the table that interleaves them
    (sine on even rows, cosine on odd rows) are all recorded steps.
    """

    def __init__(self, d: int, base: float = 10000.0, name: str = "pos", out: str = "resid_pre") -> None:
        self.name, self.d, self.base, self.out = name, d, float(base), out

    def table(self, positions: Sequence[int] | np.ndarray) -> Tensor:
        """Record the angles for ``positions`` and return the table ``PE`` ``(d, T)``."""
        exponents = (2 * (np.arange(self.d) // 2) / self.d).reshape(-1, 1)  # 2i/d for rows 2i, 2i+1
        with self.scope():
            rates = tracer.pow(self.base, tracer.tensor(exponents, name="2i/d"), name="rates")
            t = np.asarray(positions, dtype=np.float64).reshape(1, -1)
            pos = tracer.tensor(t, name="t", cols=[f"t={p:g}" for p in t[0]])  # the tokens, if X has them, win over these
            angles = tracer.div(pos, rates, name="angles")  # (d, T)
            even = tracer.tensor(np.arange(self.d)[:, None] % 2 == 0, name="even rows")
            return tracer.where(even, tracer.sin(angles, name="sin"), tracer.cos(angles, name="cos"),
                                name="PE")

    def __call__(self, X: Tensor, positions: Sequence[int] | np.ndarray | None = None) -> Tensor:
        PE = self.table(np.arange(X.shape[1]) if positions is None else positions)
        return tracer.add(X, PE, name=self.out, names_from=X)  # X's tokens, not PE's positions


class TransformerBlock(Module):
    """``N = LayerNorm(X + Attention(X))``, ``out = LayerNorm(N + FFN(N))`` (post-norm, as the seed)."""

    def __init__(self, attn: SelfAttention | MultiHeadAttention, mlp: FeedForward, ln1: LayerNorm,
                 ln2: LayerNorm, name: str = "blocks.0") -> None:
        self.name, self.attn, self.mlp, self.ln1, self.ln2 = name, attn, mlp, ln1, ln2

    @classmethod
    def init(cls, d: int, d_ff: int, n_heads: int = 1, d_head: int | None = None, seed: int = 0,
             causal: bool = False, name: str = "blocks.0") -> "TransformerBlock":
        attn = MultiHeadAttention.init(d, n_heads, d_head or d // n_heads, seed, causal)
        return cls(attn, FeedForward.init(d, d_ff, seed + 10), LayerNorm(d, "ln1", names=("gamma1", "beta1")),
                   LayerNorm(d, "ln2", names=("gamma2", "beta2")), name)

    def __call__(self, X: Tensor, mask: np.ndarray | None = None) -> Tensor:
        with self.scope():
            A = self.attn(X, mask)
            N = self.ln1(tracer.add(X, A, name="resid_mid"))  # the residual: X flows past attention
            F = self.mlp(N)
            return self.ln2(tracer.add(N, F, name="resid_post"))
