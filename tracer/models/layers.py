"""Layers in the AI-by-Hand column layout: samples (tokens) are columns, a layer is ``W·X + b``.

>>> import tracer
>>> from tracer.models import MLP
>>> net = MLP([([[1, -1], [0, 2]], [0, -1]), ([[1, 1]], [0])], activation="relu")
>>> with tracer.record() as trace:
...     Y = net(tracer.tensor([[3], [1]], name="X"))
>>> Y.numpy().tolist(), [s.name for s in trace.steps if s.depth == 0]
([[3.0]], ['layer1.Z1', 'layer1.H1', 'layer2.Z2'])
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

import tracer
from tracer.tensor import Tensor

from .base import Module, as_param, init_weight

ACTIVATIONS: dict[str, Callable[..., Tensor] | None] = {
    "relu": tracer.relu, "sigmoid": tracer.sigmoid, "tanh": tracer.tanh, "gelu": tracer.gelu,
    "leaky_relu": tracer.leaky_relu, "swish": tracer.swish, "none": None,
}


def activate(x: Tensor, activation: str, name: str) -> Tensor:
    """Apply the activation called ``activation`` (``none`` returns ``x`` unchanged)."""
    if activation not in ACTIVATIONS:
        raise tracer.TracerError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
    fn = ACTIVATIONS[activation]
    return x if fn is None else fn(x, name=name)


class Linear(Module):
    """``out = W·X + b`` (``[W | b]·[X ; 1]``): ``W`` is ``(out, in)``, ``X`` is ``(in, samples)``.

    Parameters
    ----------
    W, b : array_like or Tensor
        Weights ``(n_out, n_in)`` and bias ``(n_out,)`` (``b=None``: no bias).
    name : str
        The scope of its steps (``encoder.layer1``).
    names : (str, str)
        Tensor names of the weight and the bias (``("W1", "b1")``).
    out : str
        Name of the output tensor and last part of its step name (``Z1``).
    """

    def __init__(self, W: Any, b: Any = None, *, name: str = "", names: tuple[str, str] = ("W", "b"),
                 out: str = "Z") -> None:
        self.name, self.out = name, out
        self.W = as_param(W, names[0])
        if b is not None:
            b = b.numpy() if isinstance(b, Tensor) else b
            b = np.asarray(b, dtype=np.float64).reshape(-1)  # (out,): one bias per output row
        self.b = None if b is None else as_param(b, names[1])

    @classmethod
    def init(cls, n_in: int, n_out: int, scheme: str = "he", seed: int = 0, bias: bool = True,
             scale: float = 1.0, **kw: Any) -> "Linear":
        """A layer with seeded initial weights (``xavier``, ``he``, ``normal``, ``zeros``) and zero bias."""
        W = init_weight((n_out, n_in), scheme, kw.get("names", ("W", "b"))[0], seed, scale)
        return cls(W, np.zeros(n_out) if bias else None, **kw)

    def __call__(self, X: Tensor) -> Tensor:
        with self.scope():
            return tracer.linear(self.W, X, self.b, name=self.out)


class MLP(Module):
    """Layers ``Z_l = W_l·H_{l−1} + b_l``, ``H_l = f(Z_l)``, named ``layer1.Z1``, ``layer1.H1`` ...

    Parameters
    ----------
    layers : sequence of (W, b)
        Weights ``(out, in)`` and biases per layer, first layer first.
    activation : str
        For hidden layers: ``relu``, ``sigmoid``, ``tanh``, ``gelu``, ``leaky_relu``, ``swish``,
        ``prelu`` (a learned slope ``a_l`` per unit, starting at 0.25) or ``none``.
    output_activation : str
        For the last layer (``none`` by default: a regression output).
    residual : bool
        Hidden layers whose input and output sizes agree add their input back:
        ``H_l = H_{l−1} + f(Z_l)`` (a residual connection, the remedy for vanishing gradients).
    batch_norm : bool
        Normalise every hidden unit over the batch (the samples, columns) before its activation:
        ``N_l = γ_l ⊙ (Z_l − μ) / √(σ² + ε) + β_l``.
    """

    def __init__(self, layers: Sequence[tuple[Any, Any]], activation: str = "relu",
                 output_activation: str = "none", residual: bool = False, name: str = "",
                 first: int = 1, batch_norm: bool = False) -> None:
        self.name, self.activation, self.output_activation = name, activation, output_activation
        self.residual, self.first = residual, first
        self.layers = [Linear(W, b, name=f"layer{first + i}", names=(f"W{first + i}", f"b{first + i}"),
                              out=f"Z{first + i}") for i, (W, b) in enumerate(layers)]
        hidden = [(first + i, layer.W.shape[0]) for i, layer in enumerate(self.layers[:-1])]
        self.norms = {k: (tracer.param(np.ones((n, 1)), name=f"gamma{k}"), tracer.param(np.zeros((n, 1)), name=f"beta{k}"))
                      for k, n in hidden} if batch_norm else {}
        self.slopes = {k: tracer.param(np.full((n, 1), 0.25), name=f"a{k}")
                       for k, n in hidden} if activation == "prelu" else {}

    @classmethod
    def init(cls, sizes: Sequence[int], scheme: str = "he", seed: int = 0, scale: float = 1.0,
             **kw: Any) -> "MLP":
        """An MLP of layer sizes ``[n_in, hidden..., n_out]`` with seeded weights (seed + layer index)."""
        layers = [(init_weight((n_out, n_in), scheme, "W", seed + i, scale), np.zeros(n_out))
                  for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
        return cls(layers, **kw)

    def __call__(self, X: Tensor) -> Tensor:
        H = X
        last = len(self.layers) - 1
        with self.scope():
            for i, layer in enumerate(self.layers):
                k = self.first + i
                Z = layer(H)
                with layer.scope():
                    if k in self.norms:  # each unit over the batch: the samples are the columns
                        Z = tracer.batch_norm(Z, *self.norms[k], axis=1, name=f"N{k}")
                    if k in self.slopes:
                        A = tracer.prelu(Z, self.slopes[k], name=f"H{k}")
                    else:
                        A = activate(Z, self.output_activation if i == last else self.activation, f"H{k}")
                    if self.residual and i < last and A.shape == H.shape:
                        A = tracer.add(H, A, name=f"R{k}")  # the skip path: gradient 1 straight back
                H = A
        return H

    def weights(self) -> list[Tensor]:
        """The weight matrices ``W1, W2, ...`` (no biases), first layer first."""
        return [layer.W for layer in self.layers]


class LayerNorm(Module):
    """Normalise every token (column) over its features: mean 0, variance 1, then ``γ ⊙ · + β``."""

    def __init__(self, d: int, name: str = "ln", gamma: Any = None, beta: Any = None,
                 names: tuple[str, str] = ("gamma", "beta")) -> None:
        self.name = name
        g = np.ones(d) if gamma is None else np.asarray(gamma, dtype=np.float64)
        bt = np.zeros(d) if beta is None else np.asarray(beta, dtype=np.float64)
        self.gamma = as_param(g.reshape(d, 1), names[0])  # (d, 1): one scale per feature row
        self.beta = as_param(bt.reshape(d, 1), names[1])

    def __call__(self, X: Tensor) -> Tensor:
        # one composite step named after the module (blocks.0.ln1) with its sub-steps inside
        return tracer.layer_norm(X, self.gamma, self.beta, axis=X.ndim - 2, name=self.name)  # over features


class FeedForward(Module):
    """``FFN(X) = W2·ReLU(W1·X + b1) + b2``, steps ``mlp.pre``, ``mlp.post``, ``mlp.out``."""

    def __init__(self, W1: Any, b1: Any, W2: Any, b2: Any, name: str = "mlp") -> None:
        self.name = name
        self.up = Linear(W1, b1, names=("W1", "b1"), out="pre")
        self.down = Linear(W2, b2, names=("W2", "b2"), out="out")

    @classmethod
    def init(cls, d: int, d_ff: int, seed: int = 0, name: str = "mlp") -> "FeedForward":
        return cls(init_weight((d_ff, d), "he", "W1", seed), np.zeros(d_ff),
                   init_weight((d, d_ff), "xavier", "W2", seed + 1), np.zeros(d), name=name)

    def __call__(self, X: Tensor) -> Tensor:
        with self.scope():
            return self.down(tracer.relu(self.up(X), name="post")).named("mlp_out")  # not "out": attention has one


class Embedding(Module):
    """A table ``W_E`` of shape ``(d, vocabulary)``: token ``k`` is column ``k``."""

    def __init__(self, table: Any, name: str = "embed") -> None:
        self.name = name
        self.W_E = as_param(table, "W_E")

    @classmethod
    def init(cls, vocab_size: int, d: int, seed: int = 0) -> "Embedding":
        return cls(np.random.default_rng(seed).normal(0.0, 1.0, size=(d, vocab_size)))

    def __call__(self, ids: Sequence[int]) -> Tensor:
        # named as the model calls them: a working reads ids[1] = 12, not [0, 12, 2, 3, 0, 4][1] = 12
        ids = Tensor(np.asarray(list(ids), dtype=np.int64), name="ids", kind="const")
        return tracer.gather(self.W_E, ids, axis=1, name=self.name)  # (d, T)
