"""Training: optimisers whose every parameter update is a recorded step, gradient clipping, and
seeded Xavier / He initialisation.

A parameter update ``W ← W − η·dW`` is an ``update``-phase step: its inputs are the current ``W``
and ``dW`` tensors of the trace, its output the new version of ``W``. The Python ``Tensor`` object
the model holds then points at the new version, so a training loop is a trace too.

>>> import tracer
>>> W = tracer.param([[1.0, 2.0]], name="W")
>>> opt = tracer.SGD([W], lr=0.5)
>>> with tracer.record() as trace:
...     loss = (W * W).sum()
...     loss.backward()
...     opt.step()
>>> W.numpy(), trace.steps[-1].formula
(array([[0., 0.]]), 'W ← W − 0.5·dW')
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from . import rng
from .ops.declare import primitive
from .recording import current
from .tensor import Tensor


# ---- update rules, declared like any op (phase "update", no gradient) --------------------------
@primitive("sgd", family="update", phase="update", formula="{W} ← {W} − {lr}·{dW}",
           narration="Gradient descent: move {W} a step of size {lr} against its gradient {dW}.",
           cell="{W} − {lr}×{dW}", sums=True)
def _sgd(W, dW, *, lr):
    return W - lr * dW, None


@primitive("sgd_momentum", family="update", phase="update", formula="{v} ← {momentum}·{v} + {dW};  {W} ← {W} − {lr}·{v}",
           narration="Momentum: keep a running direction {v} of past gradients and move {W} along it.",
           cell=("{W} − {lr}×({momentum}×{v} + {dW})", "{momentum}×{v} + {dW}"))
def _sgd_momentum(W, dW, v, *, lr, momentum):
    v_new = momentum * v + dW
    return (W - lr * v_new, v_new), None


@primitive("adam", family="update", phase="update",
           formula="{m} ← β₁·{m} + (1−β₁)·{dW};  {v} ← β₂·{v} + (1−β₂)·{dW}²;  "
                   "{W} ← {W} − {lr}·m̂ / (√v̂ + ε)",
           narration="Adam: average the gradient {dW} and its square over time, and step {W} by "
                     "their ratio, so every weight gets a step size of its own.",
           # the new W from the new m and v ({out1}, {out2}: worked first), m̂ and v̂ written out
           cell=("{W} − {lr}×{out1}/(1 − {beta1}^{t}) / (√({out2}/(1 − {beta2}^{t})) + {eps})",
                 "{beta1}×{m} + (1 − {beta1})×{dW}", "{beta2}×{v} + (1 − {beta2})×{dW}²"))
def _adam(W, dW, m, v, *, lr, beta1, beta2, eps, t):
    m_new = beta1 * m + (1 - beta1) * dW
    v_new = beta2 * v + (1 - beta2) * dW * dW
    m_hat = m_new / (1 - beta1 ** t)  # bias correction: early averages start from 0
    v_hat = v_new / (1 - beta2 ** t)
    return (W - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new), None


@primitive("clip_grad_value", family="update", phase="update",
           formula="{out} = clip({grads}, −{clip_value}, {clip_value})",
           narration="Clip every gradient entry into [−{clip_value}, {clip_value}] so no step explodes.",
           cell="clip({grads}, −{clip_value}, {clip_value})")
def _clip_value(*grads, clip_value):
    return tuple(np.clip(g, -clip_value, clip_value) for g in grads), None


@primitive("clip_grad_norm", family="update", phase="update",
           formula="c = min(1, {max_norm} / ‖g‖);  {out} = c · ({grads})",
           narration="The gradients together have length {norm:.4g}; scale them down to at most {max_norm}.",
           cell="{grads}×min(1, {max_norm} / {norm})")
def _clip_norm(*grads, max_norm, norm):
    scale = min(1.0, max_norm / (norm + 1e-12))
    return tuple(g * scale for g in grads), None


def _grad_tensor(p: Tensor) -> Tensor:
    """``p.grad`` as a tensor of the trace: the very array backward recorded (no copy)."""
    g = Tensor._result(p._grad, f"d{p.name}", None, 0)
    g.kind, g.labels = "grad", p.labels
    return g


def _state(p: Tensor, label: str) -> Tensor:
    return Tensor(np.zeros_like(p.data), name=f"{label}_{p.name}", kind="state")


def _rebind(p: Tensor, new: Tensor) -> None:
    """Point the parameter at its new version and mark that version as a parameter in the trace."""
    p.data = new.data
    p.version += 1
    new.name = p.name
    trace = current()
    if trace is not None and trace._rec is not None and id(new.data) in trace._rec.ids:
        record = trace.tensors[trace._rec.ids[id(new.data)]]
        record.name, record.kind, record.version = p.name, "param", p.version


class Optimizer:
    """Holds the parameters; ``step()`` updates each one that has a gradient.

    ``weight_decay`` λ > 0 adds L2 weight decay as a step of its own before each update,
    ``dW ← dW + λ·W`` (as ``torch.optim`` does), so that SGD makes ``W ← W − η(dW + λW)``.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, weight_decay: float = 0.0) -> None:
        self.params = list(params)
        self.lr, self.weight_decay = lr, weight_decay

    def zero_grad(self) -> None:
        """Forget the gradients: ``backward()`` adds to them until this is called (as in PyTorch)."""
        zero_grad(self.params)

    def step(self) -> None:
        for p in self.params:
            if p._grad is not None:
                if self.weight_decay:
                    decayed = _weight_decay(p, _grad_tensor(p), weight_decay=self.weight_decay, name=f"{p.name}.decay")
                    p.grad = decayed.named(f"d{p.name}").data
                self._update(p)

    def _update(self, p: Tensor) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, ``W ← W − η·dW``, with optional momentum."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.1, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = momentum
        self.velocity = {id(p): _state(p, "v") for p in self.params} if momentum else {}

    def _update(self, p: Tensor) -> None:
        if not self.momentum:
            _rebind(p, _sgd(p, _grad_tensor(p), lr=self.lr, name=f"{p.name}.update"))
            return
        new, v = _sgd_momentum(p, _grad_tensor(p), self.velocity[id(p)], lr=self.lr,
                               momentum=self.momentum, name=f"{p.name}.update")
        self.velocity[id(p)] = v.named(f"v_{p.name}")
        _rebind(p, new)


class Adam(Optimizer):
    """Adam (Kingma & Ba): per-weight step sizes from running averages of the gradient."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2, self.eps, self.t = betas[0], betas[1], eps, 0
        self.m = {id(p): _state(p, "m") for p in self.params}
        self.v = {id(p): _state(p, "v") for p in self.params}

    def step(self) -> None:
        self.t += 1
        super().step()

    def _update(self, p: Tensor) -> None:
        new, m, v = _adam(p, _grad_tensor(p), self.m[id(p)], self.v[id(p)], lr=self.lr,
                          beta1=self.beta1, beta2=self.beta2, eps=self.eps, t=self.t,
                          name=f"{p.name}.update")
        self.m[id(p)], self.v[id(p)] = m.named(f"m_{p.name}"), v.named(f"v_{p.name}")
        _rebind(p, new)


def zero_grad(params: Iterable[Tensor]) -> None:
    """Forget the gradients of ``params``: the next ``backward()`` starts them from nothing.

    >>> import tracer
    >>> w = tracer.param([1.0], name="w")
    >>> (w * 2).sum().backward(); (w * 3).sum().backward()
    >>> w.grad.tolist()              # gradients add up over backward() calls, as in PyTorch
    [5.0]
    >>> tracer.zero_grad([w]); w.grad is None
    True
    """
    for p in params:
        p.zero_grad()


def _with_grads(params: Iterable[Tensor]) -> list[Tensor]:
    return [p for p in params if p._grad is not None]


def clip_grad_value(params: Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient entry of ``params`` into ``[-clip_value, clip_value]`` (recorded)."""
    ps = _with_grads(params)
    if ps:
        clipped = _clip_value(*[_grad_tensor(p) for p in ps], clip_value=clip_value, name="clip_grad")
        for p, g in zip(ps, clipped):
            p.grad = g.named(f"d{p.name}").data


def clip_grad_norm(params: Iterable[Tensor], max_norm: float) -> float:
    """Scale the gradients of ``params`` so their joint L2 norm is at most ``max_norm``.

    Returns the norm before clipping (recorded in the step's attributes too).
    """
    ps = _with_grads(params)
    norm = float(np.sqrt(sum(float(np.sum(p._grad * p._grad)) for p in ps)))
    if ps:
        clipped = _clip_norm(*[_grad_tensor(p) for p in ps], max_norm=max_norm, norm=norm,
                             name="clip_grad")
        for p, g in zip(ps, clipped):
            p.grad = g.named(f"d{p.name}").data
    return norm


# ---- initialisation --------------------------------------------------------------------------
def xavier(shape: tuple[int, int], name: str | None = None, seed: int | None = None,
           uniform: bool = True) -> Tensor:
    """A weight ``(fan_out, fan_in)`` with Xavier / Glorot init, for sigmoid and tanh layers.

    >>> import tracer
    >>> W = tracer.xavier((3, 4), name="W1", seed=0)
    >>> W.shape, bool(abs(W.numpy()).max() <= (6 / 7) ** 0.5)
    ((3, 4), True)
    """
    fan_out, fan_in = shape[0], shape[-1]
    gen = rng.generator(seed)
    if uniform:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        data = gen.uniform(-limit, limit, size=shape)
    else:
        data = gen.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=shape)
    return Tensor(data, name=name, kind="param", requires_grad=True)


def he(shape: tuple[int, int], name: str | None = None, seed: int | None = None) -> Tensor:
    """A weight ``(fan_out, fan_in)`` with He / Kaiming normal init, for ReLU layers: std √(2/fan_in)."""
    data = rng.generator(seed).normal(0.0, np.sqrt(2.0 / shape[-1]), size=shape)
    return Tensor(data, name=name, kind="param", requires_grad=True)


# ---- the remedies for exploding gradients (seed 001): RMSprop and L2 weight decay ------------------
@primitive("rmsprop", family="update", phase="update",
           formula="{v} ← {alpha}·{v} + (1−{alpha})·{dW}²;  {W} ← {W} − {lr}·{dW} / (√{v} + ε)",
           narration="RMSprop: keep a running average {v} of the squared gradient {dW} and divide the step of "
                     "{W} by its square root, so a steep direction takes a small step.",
           cell=("{W} − {lr}×{dW} / (√({alpha}×{v} + (1 − {alpha})×{dW}²) + {eps})",
                 "{alpha}×{v} + (1 − {alpha})×{dW}²"))
def _rmsprop(W, dW, v, *, lr, alpha, eps):
    v_new = alpha * v + (1 - alpha) * dW * dW
    return (W - lr * dW / (np.sqrt(v_new) + eps), v_new), None


@primitive("weight_decay", family="update", phase="update", formula="{out} = {dW} + {weight_decay}·{W}",
           narration="L2 weight decay: add {weight_decay}·{W} to the gradient {dW}, so the update "
                     "W ← W − η(dW + λW) also pulls every weight towards 0.",
           cell="{dW} + {weight_decay}×{W}")
def _weight_decay(W, dW, *, weight_decay):
    return dW + weight_decay * W, None


class RMSprop(Optimizer):
    """RMSprop (Hinton): each weight's step divided by the root of its running mean squared gradient."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.alpha, self.eps = alpha, eps
        self.v = {id(p): _state(p, "v") for p in self.params}

    def _update(self, p: Tensor) -> None:
        new, v = _rmsprop(p, _grad_tensor(p), self.v[id(p)], lr=self.lr, alpha=self.alpha, eps=self.eps,
                          name=f"{p.name}.update")
        self.v[id(p)] = v.named(f"v_{p.name}")
        _rebind(p, new)
