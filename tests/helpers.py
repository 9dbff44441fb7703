"""Test helpers: one checker for any op's forward and gradient (tinygrad's helper_test_op)."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

import tracer


def numeric_grad(f: Callable[..., tracer.Tensor], arrays: Sequence[np.ndarray], k: int,
                 weights: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of sum(f(arrays) ⊙ weights) with respect to arrays[k]."""
    def value(a_k: np.ndarray) -> float:
        args = [tracer.tensor(a_k if i == k else a) for i, a in enumerate(arrays)]
        return float(np.sum(f(*args).numpy() * weights))

    grad = np.zeros_like(arrays[k])
    for idx in np.ndindex(*arrays[k].shape):
        up, down = arrays[k].copy(), arrays[k].copy()
        up[idx] += eps
        down[idx] -= eps
        grad[idx] = (value(up) - value(down)) / (2 * eps)
    return grad


def check_op(f: Callable[..., tracer.Tensor], *arrays: np.ndarray,
             forward: Callable[..., np.ndarray] | None = None, tol: float = 1e-6, seed: int = 0) -> None:
    """Check ``f`` (tensors in, tensor out) against NumPy ``forward`` and its gradients against
    central finite differences of a random weighting of its output, in float64."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    xs = [tracer.tensor(a, requires_grad=True, name=f"x{i}") for i, a in enumerate(arrays)]
    with tracer.record() as trace:
        out = f(*xs)
        if forward is not None:
            np.testing.assert_allclose(out.numpy(), forward(*arrays), rtol=1e-12, atol=1e-12)
        weights = np.random.default_rng(seed).normal(size=out.shape)
        (out * weights).sum().backward()
    assert trace.phase("backward"), "backward recorded no step"
    for k, x in enumerate(xs):
        expected = numeric_grad(f, arrays, k, weights)
        np.testing.assert_allclose(x.grad, expected, rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {k}")
