"""Row-major layers, as real models write them: tokens are rows, a layer is ``x @ W + b``.

The by-hand examples (:mod:`tracer.models`) keep the AI-by-Hand columns, ``W·X + b`` with one
bias per row. Here ``W`` is ``(d_in, d_out)`` and ``b`` ``(d_out,)`` is added to every row (every
token); leading axes (a batch of sentences) are carried along, and so are the tokens' names.

>>> import numpy as np, tracer
>>> from tracer.nn import Linear
>>> layer = Linear(np.eye(2), [10.0, 20.0], name="proj")
>>> x = tracer.tensor([[[1.0, 2.0], [3.0, 4.0]]], name="x", labels=[None, ["the", "queen"], None])
>>> with tracer.record() as trace:
...     y = layer(x)
>>> y.numpy().tolist(), y.labels[1], trace.steps[0].name
([[[11.0, 22.0], [13.0, 24.0]]], ('the', 'queen'), 'proj')
"""
from __future__ import annotations

from typing import Any

import numpy as np

import tracer
from tracer.models.base import Module, as_param
from tracer.models.layers import activate
from tracer.tensor import Tensor


def uniform(shape: tuple[int, ...], fan_in: int, seed: int) -> np.ndarray:
    """PyTorch's default initial weights: uniform in ±1/√fan_in."""
    bound = 1 / np.sqrt(fan_in)
    return np.random.default_rng(seed).uniform(-bound, bound, size=shape)


class Linear(Module):
    """``x @ W + b``: ``W`` ``(d_in, d_out)``, ``b`` ``(d_out,)`` added to every row (``b=None``: none).

    A PyTorch ``nn.Linear`` keeps ``weight`` as ``(d_out, d_in)``: pass ``weight.T``.
    """

    def __init__(self, W: Any, b: Any = None, *, name: str = "", names: tuple[str, str] = ("W", "b")) -> None:
        self.name = name
        self.W = as_param(W, names[0])
        self.b = None if b is None else as_param(np.asarray(b.numpy() if isinstance(b, Tensor) else b).reshape(-1),
                                                 names[1])

    @classmethod
    def init(cls, d_in: int, d_out: int, seed: int = 0, bias: bool = True, **kw: Any) -> "Linear":
        return cls(uniform((d_in, d_out), d_in, seed), uniform((d_out,), d_in, seed + 1) if bias else None, **kw)

    def __call__(self, x: Tensor) -> Tensor:
        return tracer.dense(x, self.W, self.b, name=self.name or "dense")


class Embedding(Module):
    """A table ``(vocabulary, d)``: token id ``k`` becomes row ``k``."""

    def __init__(self, table: Any, name: str = "embed", names: str = "W_E") -> None:
        self.name = name
        self.W_E = as_param(table, names)

    @classmethod
    def init(cls, vocab_size: int, d: int, seed: int = 0, **kw: Any) -> "Embedding":
        return cls(np.random.default_rng(seed).normal(0.0, 1.0, size=(vocab_size, d)), **kw)

    def __call__(self, ids: Any) -> Tensor:
        """``ids`` of any shape (a sentence, a batch): their rows, named by the ids' labels (tokens)."""
        return tracer.gather(self.W_E, ids, axis=0, name=self.name)


class LayerNorm(Module):
    """Normalise every token (row) over its features, then ``γ ⊙ · + β``."""

    def __init__(self, gamma: Any, beta: Any, eps: float = 1e-5, name: str = "ln",
                 names: tuple[str, str] = ("w", "b")) -> None:
        self.name, self.eps = name, eps
        self.w = as_param(gamma, names[0])
        self.b = as_param(beta, names[1])

    @classmethod
    def init(cls, d: int, eps: float = 1e-5, **kw: Any) -> "LayerNorm":
        return cls(np.ones(d), np.zeros(d), eps, **kw)

    def __call__(self, x: Tensor) -> Tensor:
        return tracer.layer_norm(x, self.w, self.b, axis=-1, eps=self.eps, name=self.name)


class FeedForward(Module):
    """``FFN(x) = act(x @ W_in + b_in) @ W_out + b_out``, steps ``mlp.pre``, ``mlp.post``, ``mlp.out``."""

    def __init__(self, up: Linear, down: Linear, activation: str = "gelu", name: str = "mlp") -> None:
        self.name, self.up, self.down, self.activation = name, up, down, activation
        up.name, down.name = "pre", "out"

    @classmethod
    def init(cls, d: int, d_ff: int, seed: int = 0, **kw: Any) -> "FeedForward":
        return cls(Linear.init(d, d_ff, seed, names=("W_in", "b_in")),
                   Linear.init(d_ff, d, seed + 2, names=("W_out", "b_out")), **kw)

    def __call__(self, x: Tensor) -> Tensor:
        with self.scope():
            pre = self.up(x)
            return self.down(activate(pre, self.activation, "post"))
