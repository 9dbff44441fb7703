"""Autoencoders: squeeze the input through a bottleneck and rebuild it; and the sparse autoencoder
that spreads a model's activations over more, mostly silent, features.

The by-hand autoencoder of the seed: 4 → 3 → 2 → 3 → 4 with ReLU; the target is the input itself
(``Y′ = X``), the loss the sum of squared errors, whose gradient is ``2·(Y − Y′)``.

>>> import tracer
>>> from tracer.models import Autoencoder
>>> ae = Autoencoder([([[1, 0]], [0]), ([[1], [1]], [0])])   # 2 → 1 → 2
>>> with tracer.record() as trace:
...     loss = ae.loss(tracer.tensor([[1], [2]], name="X"))
>>> float(loss), [s.name for s in trace.steps if s.depth == 0][:3]
(1.0, ['encoder.layer1.Z1', 'encoder.layer1.H1', 'decoder.layer1.Z2'])
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import tracer
from tracer.tensor import Tensor

from .base import Module, init_weight
from .layers import Linear, activate

LOSSES = ("sse", "mse")


class Autoencoder(Module):
    """Encoder layers down to the smallest layer (the code), decoder layers back up.

    Parameters
    ----------
    layers : sequence of (W, b)
        ``W_l`` is ``(out, in)``; the sizes must come back to the input size.
    activation : str
        After every hidden layer (``relu`` in the by-hand example).
    output_activation : str
        After the last layer (``relu`` in the seed's figure; ``none`` or ``sigmoid`` also work).
    """

    def __init__(self, layers: Sequence[tuple[Any, Any]], activation: str = "relu",
                 output_activation: str = "relu", name: str = "") -> None:
        self.name, self.activation, self.output_activation = name, activation, output_activation
        shapes = [np.shape(W.numpy() if isinstance(W, Tensor) else W) for W, _ in layers]
        self.sizes = [shapes[0][1]] + [s[0] for s in shapes]
        self.n_encoder = int(np.argmin(self.sizes))  # the bottleneck: the smallest layer
        self.layers: list[Linear] = []
        for i, (W, b) in enumerate(layers):
            part, k = ("encoder", i + 1) if i < self.n_encoder else ("decoder", i + 1 - self.n_encoder)
            self.layers.append(Linear(W, b, name=f"{part}.layer{k}", names=(f"W{i + 1}", f"b{i + 1}"),
                                      out=f"Z{i + 1}"))

    @classmethod
    def init(cls, sizes: Sequence[int], scheme: str = "he", seed: int = 0, **kw: Any) -> "Autoencoder":
        """Seeded weights for layer sizes such as ``[1000, 500, 10, 500, 1000]``."""
        layers = [(init_weight((n_out, n_in), scheme, "W", seed + i), np.zeros(n_out))
                  for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
        return cls(layers, **kw)

    def _run(self, H: Tensor, start: int, stop: int) -> Tensor:
        with self.scope():
            for i in range(start, stop):
                layer = self.layers[i]
                Z = layer(H)
                act = self.output_activation if i == len(self.layers) - 1 else self.activation
                with layer.scope():
                    H = activate(Z, act, f"H{i + 1}")
        return H

    def encode(self, X: Tensor) -> Tensor:
        """The code (bottleneck activations), ``(sizes[k], samples)``."""
        return self._run(X, 0, self.n_encoder)

    def decode(self, code: Tensor) -> Tensor:
        """The reconstruction from a code."""
        return self._run(code, self.n_encoder, len(self.layers))

    def __call__(self, X: Tensor) -> Tensor:
        return self.decode(self.encode(X))

    def loss(self, X: Tensor, kind: str = "sse") -> Tensor:
        """Reconstruct ``X`` and compare with the target ``Y′``, a copy of ``X`` (self-supervision)."""
        Y = self(X)
        target = tracer.tensor(X.numpy(), name="Y′", labels=X.labels)
        with self.scope():
            if kind == "sse":
                return tracer.sse(Y, target, name="loss")
            if kind == "mse":
                return tracer.mse(Y, target, name="loss")
        raise tracer.TracerError(f"unknown loss {kind!r}: choose one of {', '.join(LOSSES)}")

    def reconstruction_errors(self, X: Tensor) -> Tensor:
        """``Σ_rows (Y − X)²`` per sample column, ``(1, samples)``: large means unlike the training data."""
        Y = self(X)
        with self.scope(), tracer.scope("anomaly"):
            diff = tracer.sub(Y, X, name="diff")
            return tracer.sum(tracer.mul(diff, diff, name="squared"), axis=0, keepdims=True, name="errors")


class SparseAutoencoder(Module):
    """``f = ReLU(W_enc·X + b_enc)`` (more features than inputs), ``X̂ = W_dec·f + b_dec``.

    The loss adds to the reconstruction error an L1 penalty on the features, each weighted by the
    L2 norm of its decoder column (so a feature cannot dodge the penalty by shrinking ``f`` and
    growing its column): ``L = Σ (X̂ − X)² + λ·Σ_ij f_ij·‖W_dec[:, i]‖``. For a positive feature
    the penalty's gradient is ``λ·‖W_dec[:, i]‖`` (``λ`` alone without the weighting), 0 for a
    silent one.

    Parameters
    ----------
    W_enc, b_enc : array_like
        ``(m, d)`` and ``(m,)`` with ``m > d`` features.
    W_dec, b_dec : array_like
        ``(d, m)`` and ``(d,)``.
    l1_coeff : float
        λ, the weight of the sparsity penalty.
    weight_by_norm : bool
        Weight each feature's penalty by its decoder column norm.
    """

    def __init__(self, W_enc: Any, b_enc: Any, W_dec: Any, b_dec: Any, l1_coeff: float = 1.0,
                 weight_by_norm: bool = True, name: str = "") -> None:
        self.name, self.l1_coeff, self.weight_by_norm = name, float(l1_coeff), weight_by_norm
        self.encoder = Linear(W_enc, b_enc, name="encoder", names=("W_enc", "b_enc"), out="Z")
        self.decoder = Linear(W_dec, b_dec, name="decoder", names=("W_dec", "b_dec"), out="X_hat")

    def features(self, X: Tensor) -> Tensor:
        """The feature activations ``f`` ``(m, tokens)``: mostly zeros after the ReLU."""
        with self.scope():
            Z = self.encoder(X)
            with self.encoder.scope():
                return tracer.relu(Z, name="f")

    def decoder_norms(self) -> Tensor:
        """``‖W_dec[:, i]‖`` for every feature, as a column ``(m, 1)``."""
        with self.scope(), self.decoder.scope():
            norms = tracer.l2_norm(self.decoder.W, axis=0, name="norms")  # (m,)
            return tracer.reshape(norms, shape=(-1, 1), name="norm_weights")

    def __call__(self, X: Tensor) -> Tensor:
        with self.scope():
            return self.decoder(self.features(X))

    def loss(self, X: Tensor) -> dict[str, Tensor]:
        """Reconstruction, sparsity penalty and their sum (``loss``), with ``f`` and ``X_hat``."""
        f = self.features(X)
        with self.scope():
            X_hat = self.decoder(f)
        weight = self.decoder_norms() if self.weight_by_norm else None
        with self.scope():
            recon = tracer.sse(X_hat, X, name="reconstruction")
            with tracer.scope("sparsity"):
                if self.l1_coeff != 1.0:
                    weight = tracer.mul(np.ones((f.shape[0], 1)) if weight is None else weight,
                                        self.l1_coeff, name="penalty_weights")
                penalty = tracer.l1(f, weight, name="l1")
            total = tracer.add(recon, penalty, name="loss")
        return {"f": f, "X_hat": X_hat, "reconstruction": recon, "penalty": penalty, "loss": total}
