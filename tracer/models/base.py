"""What every model shares: a scope for its step names, its parameters, and weight initialisation.

A model is a plain object holding ``tracer.param`` tensors and sub-models. It has no gradient code:
its forward pass calls the engine's ops, and ``loss.backward()`` differentiates them. An optimiser
updates the very tensors the model holds, so ``model.parameters()`` is all a training loop needs.

>>> import tracer
>>> from tracer.models import Linear
>>> layer = Linear([[1, 2], [0, 1]], [0, 1], name="layer1", names=("W1", "b1"), out="Z1")
>>> [p.name for p in layer.parameters()]
['W1', 'b1']
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence

import numpy as np

import tracer
from tracer.tensor import Tensor

INIT_SCHEMES = ("xavier", "he", "normal", "zeros")
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")  # a head's or a timestep's number in a name: Q₂, h₁


class Module:
    """A named part of a model: its steps are recorded under ``tracer.scope(name)``."""

    name: str = ""

    def scope(self) -> contextlib.AbstractContextManager[None]:
        """``tracer.scope(self.name)``, or nothing for an unnamed module."""
        return tracer.scope(self.name) if self.name else contextlib.nullcontext()

    def parameters(self) -> list[Tensor]:
        """Every ``tracer.param`` tensor of this module and its sub-modules, in definition order."""
        found: list[Tensor] = []
        seen: set[int] = set()
        for t in _walk(self):
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
        return found

    def zero_grad(self) -> None:
        """Forget the gradients of every parameter (they add up over ``backward()`` calls)."""
        tracer.zero_grad(self.parameters())

    def named_parameters(self) -> dict[str, Tensor]:
        """Parameters keyed by their tensor names (``W1``, ``b1`` ...); later duplicates get ``#2``."""
        out: dict[str, Tensor] = {}
        for p in self.parameters():
            key, k = p.name, 2
            while key in out:
                key, k = f"{p.name}#{k}", k + 1
            out[key] = p
        return out


def _walk(value: Any) -> Iterator[Tensor]:
    if isinstance(value, Tensor):
        if value.kind == "param":
            yield value
    elif isinstance(value, Module):
        for v in vars(value).values():
            yield from _walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)


def as_param(value: Any, name: str) -> Tensor:
    """A parameter from given numbers (float32 stays float32, the rest becomes float64), or the
    tensor itself if it already is one (renamed)."""
    if isinstance(value, Tensor):
        if value.kind != "param":
            return tracer.param(value.numpy(), name=name)
        value.name = name
        return value
    arr = np.asarray(value)
    return tracer.param(arr if arr.dtype.kind == "f" else arr.astype(np.float64), name=name)  # float32 stays


def init_weight(shape: tuple[int, ...], scheme: str, name: str, seed: int,
                scale: float = 1.0) -> Tensor:
    """A seeded weight ``(fan_out, fan_in)``: ``xavier``, ``he``, ``normal`` (std ``scale``) or ``zeros``.

    >>> from tracer.models.base import init_weight
    >>> init_weight((2, 3), "zeros", "W", seed=0).numpy().tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    if scheme == "xavier":
        W = tracer.xavier(shape, name=name, seed=seed)
    elif scheme == "he":
        W = tracer.he(shape, name=name, seed=seed)
    elif scheme == "normal":
        W = tracer.param(np.random.default_rng(seed).normal(0.0, 1.0, size=shape), name=name)
    elif scheme == "zeros":
        return tracer.param(np.zeros(shape), name=name)
    else:
        raise tracer.TracerError(f"unknown init scheme {scheme!r}: choose one of {', '.join(INIT_SCHEMES)}")
    if scale != 1.0:
        return tracer.param(W.numpy() * scale, name=name)
    return W


def column(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Numbers as a column ``(n, 1)``: one sample or one token in the AI-by-Hand layout."""
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


OPTIMIZERS = {"sgd": tracer.SGD, "adam": tracer.Adam, "rmsprop": tracer.RMSprop}


def make_optimizer(params: Sequence[Tensor], name: str, lr: float, weight_decay: float = 0.0) -> tracer.Optimizer:
    """``sgd``, ``adam`` or ``rmsprop`` over ``params``, with optional L2 ``weight_decay``."""
    if name not in OPTIMIZERS:
        raise tracer.TracerError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](params, lr=lr, weight_decay=weight_decay)


def train(model: Module, loss_fn: Any, steps: int, lr: float, optimizer: str = "adam",
          clip: float | None = None) -> list[float]:
    """Run ``steps`` of gradient descent on ``loss_fn()``; returns the loss before each update.

    Inside ``tracer.record()`` every forward, backward and update step is recorded; outside it
    nothing is, which is how the examples train quickly and record only what they explain.

    >>> import tracer
    >>> from tracer.models import Linear
    >>> from tracer.models.base import train
    >>> layer = Linear([[0.0]], None)
    >>> X, Y = tracer.tensor([[1.0, 2.0]]), tracer.tensor([[2.0, 4.0]])
    >>> losses = train(layer, lambda: tracer.mse(layer(X), Y), steps=20, lr=0.2, optimizer="sgd")
    >>> losses[0] > losses[-1], round(float(layer.W.numpy()[0, 0]), 3)
    (True, 2.0)
    """
    opt = make_optimizer(model.parameters(), optimizer, lr)
    history = []
    for _ in range(steps):
        loss = loss_fn()
        history.append(float(loss))
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            tracer.clip_grad_norm(opt.params, clip)
        opt.step()
    return history
