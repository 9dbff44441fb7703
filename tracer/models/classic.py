"""The oldest pieces: the perceptron with its threshold and learning rule, and min-max normalisation.

The movie decision of the seed article: weather 8, price 4, company 4, threshold 8. Sunny, cheap,
alone: 8·1 + 4·1 + 4·0 = 12 > 8, so go.

>>> import tracer
>>> from tracer.models import Perceptron
>>> p = Perceptron([8, 4, 4], threshold=8)
>>> S, go = p.forward(tracer.tensor([[1], [1], [0]], name="X"))
>>> float(S.numpy()[0, 0]), float(go.numpy()[0, 0])
(12.0, 1.0)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import tracer
from tracer.tensor import Tensor

from .base import Module, as_param


class Perceptron(Module):
    """``S = W·X`` (a weighted sum per sample column), ``Ŷ = 1 if S > threshold else 0``.

    Parameters
    ----------
    weights : array_like
        One weight per input feature.
    threshold : float
        The perceptron fires when the weighted sum is strictly above it.
    """

    def __init__(self, weights: Any, threshold: float, name: str = "perceptron") -> None:
        self.name = name
        self.W = as_param(np.asarray(weights, dtype=np.float64).reshape(1, -1), "W")  # (1, n)
        self.threshold = float(threshold)

    def forward(self, X: Tensor) -> tuple[Tensor, Tensor]:
        """The weighted sums ``S`` and the decisions ``Y_hat`` (both ``(1, samples)``)."""
        with self.scope():
            S = tracer.linear(self.W, X, name="S")
            return S, tracer.step(S, threshold=self.threshold, name="Y_hat")

    def __call__(self, X: Tensor) -> Tensor:
        return self.forward(X)[1]

    def criterion(self, X: Tensor, Y: Tensor) -> tuple[Tensor, Tensor]:
        """The perceptron criterion ``L = −Σ E ⊙ S`` with errors ``E = Y − Ŷ``; returns ``(L, E)``.

        The step is flat, so the gradient reaches ``W`` only through ``S``: ``dW = −E·Xᵀ``, and
        gradient descent ``W ← W − η·dW`` is exactly the perceptron learning rule
        ``W ← W + η·(Y − Ŷ)·Xᵀ``: a sample the perceptron got right changes nothing.
        """
        S, Y_hat = self.forward(X)
        with self.scope():
            E = tracer.sub(Y, Y_hat, name="E")
            L = tracer.neg(tracer.sum(tracer.mul(E, S, name="E_S"), name="sum_E_S"), name="criterion")
        return L, E

    def learn(self, X: Tensor, Y: Tensor, lr: float = 1.0) -> int:
        """One epoch of the learning rule on every column of ``X`` at once; returns the mistakes.

        >>> import tracer
        >>> p = Perceptron([0, 0], threshold=0.5)
        >>> X, Y = tracer.tensor([[1, 0], [0, 1]]), tracer.tensor([[1, 0]])
        >>> p.learn(X, Y), p.W.numpy().tolist()
        (1, [[1.0, 0.0]])
        """
        L, E = self.criterion(X, Y)
        mistakes = int(np.abs(E.numpy()).sum())
        opt = tracer.SGD([self.W], lr=lr)
        opt.zero_grad()
        L.backward()
        opt.step()
        return mistakes


def minmax_normalize(x: Tensor, axis: int = -1, name: str = "minmax") -> Tensor:
    """``(x − min) / (max − min)`` along ``axis``: the smallest becomes 0, the largest 1.

    The minimum is recorded as ``−max(−x)`` (the engine has ``max`` but no ``min``).

    >>> import tracer
    >>> from tracer.models import minmax_normalize
    >>> scores = tracer.tensor([[90, 80, 70, 60, 50]], name="scores")
    >>> minmax_normalize(scores, axis=1).numpy().tolist()
    [[1.0, 0.75, 0.5, 0.25, 0.0]]
    """
    with tracer.scope(name):
        lo = tracer.neg(tracer.max(tracer.neg(x, name="neg_x"), axis=axis, keepdims=True, name="max_neg_x"),
                        name="min")
        hi = tracer.max(x, axis=axis, keepdims=True, name="max")
        spread = tracer.sub(hi, lo, name="range")
        return tracer.div(tracer.sub(x, lo, name="shifted"), spread, name="normalized")
