"""Every op's forward against NumPy and its gradient against central finite differences.

One table line per op: how to call it, what NumPy computes, and inputs drawn at random shapes.
Inputs stay away from kinks (0 for relu, ties for max) where a derivative does not exist.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracer
from tests.helpers import check_op


def away(a: np.ndarray, kink: float = 0.0) -> np.ndarray:
    """Push values within 0.05 of a kink to 0.1 past it: finite differences need smooth ground."""
    return np.where(np.abs(a - kink) < 0.05, a + np.sign(a - kink + 1e-9) * 0.1, a)


def from_zero(a: np.ndarray, margin: float) -> np.ndarray:
    """``a`` with every magnitude grown by ``margin``: a divisor no closer to 0 than that."""
    return np.where(a < 0, a - margin, a + margin)


def distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values with no ties (max and maximum pick one winner)."""
    return rng.permutation(np.arange(int(np.prod(shape)))).reshape(shape) * 0.3 + rng.normal(size=shape) * 0.01


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ln(x: np.ndarray, g: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    mu, var = x.mean(axis=axis, keepdims=True), x.var(axis=axis, keepdims=True)
    return g * (x - mu) / np.sqrt(var + 1e-5) + b


def _gelu(x: np.ndarray) -> np.ndarray:  # exact, with the C library's erf
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


CAUSAL = tracer.causal_mask(3)
# "op" or "op:variant": (function of tensors, NumPy forward or None, inputs from (rng, m, n, k))
CASES = {
    "add": (lambda a, b: a + b, np.add, lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(n,)))),
    "add:column": (lambda a, b: a + b, np.add, lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, 1)))),
    "sub": (lambda a, b: a - b, np.subtract, lambda r, m, n, k: (r.normal(size=(m, 1)), r.normal(size=(m, n)))),
    "mul": (lambda a, b: a * b, np.multiply, lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, n)))),
    "div": (lambda a, b: a / b, np.divide, lambda r, m, n, k: (r.normal(size=(m, n)), from_zero(r.normal(size=(n,)), 0.5))),
    "neg": (lambda a: -a, np.negative, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "pow": (lambda a, b: a ** b, np.power, lambda r, m, n, k: (r.uniform(0.5, 2, size=(m, n)), r.normal(size=(n,)))),
    "pow:scalar": (lambda a: a ** 3, lambda a: a ** 3, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "maximum": (lambda a, b: tracer.maximum(a, b), np.maximum, lambda r, m, n, k: tuple(np.split(distinct(r, (2 * m, n)), 2))),
    "exp": (tracer.exp, np.exp, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "log": (tracer.log, np.log, lambda r, m, n, k: (r.uniform(0.2, 3, size=(m, n)),)),
    "sqrt": (tracer.sqrt, np.sqrt, lambda r, m, n, k: (r.uniform(0.2, 3, size=(m, n)),)),
    "abs": (tracer.abs, np.abs, lambda r, m, n, k: (away(r.normal(size=(m, n))),)),
    "sin": (tracer.sin, np.sin, lambda r, m, n, k: (r.normal(size=(m, n)) * 3,)),
    "cos": (tracer.cos, np.cos, lambda r, m, n, k: (r.normal(size=(m, n)) * 3,)),
    "relu": (tracer.relu, lambda x: np.maximum(x, 0), lambda r, m, n, k: (away(r.normal(size=(m, n))),)),
    "leaky_relu": (lambda x: tracer.leaky_relu(x, alpha=0.1), lambda x: np.where(x > 0, x, 0.1 * x), lambda r, m, n, k: (away(r.normal(size=(m, n))),)),
    "sigmoid": (tracer.sigmoid, lambda x: 1 / (1 + np.exp(-x)), lambda r, m, n, k: (r.normal(size=(m, n)) * 3,)),
    "tanh": (tracer.tanh, np.tanh, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "gelu": (tracer.gelu, _gelu, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "swish": (tracer.swish, lambda x: x / (1 + np.exp(-x)), lambda r, m, n, k: (r.normal(size=(m, n)) * 3,)),
    "prelu": (tracer.prelu, lambda x, a: np.where(x > 0, x, a * x), lambda r, m, n, k: (away(r.normal(size=(m, n))), r.uniform(0.1, 0.5, size=(m, 1)))),
    "step": (lambda x: tracer.step(x, threshold=0.5), lambda x: (x > 0.5) * 1.0, lambda r, m, n, k: (away(r.normal(size=(m, n)), 0.5),)),
    "clip": (lambda x: tracer.clip(x, a_min=-0.5, a_max=0.5), lambda x: np.clip(x, -0.5, 0.5), lambda r, m, n, k: (away(away(r.normal(size=(m, n)), 0.5), -0.5),)),
    "matmul": (lambda a, b: a @ b, np.matmul, lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(k, n)))),
    "matmul:vector": (lambda a, b: a @ b, np.matmul, lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(k,)))),
    "matmul:batched": (lambda a, b: a @ b, np.matmul, lambda r, m, n, k: (r.normal(size=(2, m, k)), r.normal(size=(k, n)))),
    "transpose": (lambda a: a.T, np.transpose, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "transpose:axes": (lambda a: a.transpose(2, 0, 1), lambda a: a.transpose(2, 0, 1), lambda r, m, n, k: (r.normal(size=(m, n, k)),)),
    "reshape": (lambda a: a.reshape(-1), lambda a: a.reshape(-1), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "concat": (lambda a, b: tracer.concat([a, b], axis=1), lambda a, b: np.concatenate([a, b], 1), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, k)))),
    "split": (lambda a: tracer.split(a, 2, axis=0)[1] * 2, lambda a: np.split(a, 2)[1] * 2, lambda r, m, n, k: (r.normal(size=(2 * m, n)),)),
    "slice": (lambda a: a[1:, ::2], lambda a: a[1:, ::2], lambda r, m, n, k: (r.normal(size=(m + 1, n)),)),
    "slice:fancy": (lambda a: a[[0, 0, 1]], lambda a: a[[0, 0, 1]], lambda r, m, n, k: (r.normal(size=(m + 1, n)),)),
    "gather": (lambda E: tracer.gather(E, [2, 0, 2], axis=1), lambda E: E[:, [2, 0, 2]], lambda r, m, n, k: (r.normal(size=(m, 3 + n)),)),
    "gather:rows": (lambda E: tracer.gather(E, [1, 1]), lambda E: E[[1, 1]], lambda r, m, n, k: (r.normal(size=(2 + m, n)),)),
    "where": (lambda a, b: tracer.where(np.eye(3, dtype=bool), a, b), lambda a, b: np.where(np.eye(3, dtype=bool), a, b), lambda r, m, n, k: (r.normal(size=(3, 3)), r.normal(size=(3, 3)))),
    "sum": (lambda a: a.sum(), np.sum, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "sum:axis": (lambda a: a.sum(axis=0, keepdims=True), lambda a: a.sum(0, keepdims=True), lambda r, m, n, k: (r.normal(size=(m, n, k)),)),
    "mean": (lambda a: a.mean(axis=(0, 2)), lambda a: a.mean(axis=(0, 2)), lambda r, m, n, k: (r.normal(size=(m, n, k)),)),
    "max": (lambda a: a.max(axis=1), lambda a: a.max(axis=1), lambda r, m, n, k: (distinct(r, (m, n)),)),
    "softmax": (lambda a: tracer.softmax(a, axis=0), lambda a: _softmax(a, 0), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "softmax:plain": (lambda a: tracer.softmax(a, axis=-1, stable=False), lambda a: _softmax(a, -1), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "log_softmax": (lambda a: tracer.log_softmax(a), lambda a: np.log(_softmax(a, -1)), lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "layer_norm": (lambda x, g, b: tracer.layer_norm(x, g, b, axis=0), lambda x, g, b: _ln(x, g, b, 0), lambda r, m, n, k: (r.normal(size=(m + 1, n)), r.normal(size=(m + 1, 1)), r.normal(size=(m + 1, 1)))),
    "batch_norm": (lambda x, g, b: tracer.batch_norm(x, g, b), lambda x, g, b: _ln(x, g, b, 0), lambda r, m, n, k: (r.normal(size=(m + 1, n)), r.normal(size=(n,)), r.normal(size=(n,)))),
    "linear": (lambda W, X, b: tracer.linear(W, X, b), lambda W, X, b: W @ X + b[:, None], lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(k, n)), r.normal(size=(m,)))),
    "attention": (lambda q, k_, v: tracer.attention(q, k_, v), lambda q, k_, v: _softmax(q @ k_.T / np.sqrt(q.shape[1]), -1) @ v, lambda r, m, n, k: (r.normal(size=(m, k)), r.normal(size=(n, k)), r.normal(size=(n, 2)))),
    "attention:causal": (lambda q, k_, v: tracer.attention(q, k_, v, CAUSAL), lambda q, k_, v: _softmax(np.where(CAUSAL, q @ k_.T / np.sqrt(q.shape[1]), -np.inf), -1) @ v, lambda r, m, n, k: (r.normal(size=(3, k)), r.normal(size=(3, k)), r.normal(size=(3, n)))),
    "dropout": (lambda x: tracer.dropout(x, p=0.5, seed=3), None, lambda r, m, n, k: (r.normal(size=(m, n)),)),
    "l2_norm": (lambda x: tracer.l2_norm(x, axis=0), lambda x: np.sqrt((x * x).sum(0)), lambda r, m, n, k: (r.normal(size=(m, n)) + 0.5,)),
    "mse": (lambda y, t: tracer.mse(y, t), lambda y, t: ((y - t) ** 2).mean(), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, n)))),
    "sse": (lambda y, t: tracer.sse(y, t), lambda y, t: ((y - t) ** 2).sum(), lambda r, m, n, k: (r.normal(size=(m, n)), r.normal(size=(m, n)))),
    "l1": (lambda x, w: tracer.l1(x, w), lambda x, w: (np.abs(x) * w).sum(), lambda r, m, n, k: (away(r.normal(size=(m, n))), r.uniform(0.5, 2, size=(n,)))),
    "cross_entropy": (lambda z: tracer.cross_entropy(z, tracer.tensor([0, 2])), lambda z: -np.log(_softmax(z, -1))[[0, 1], [0, 2]].mean(), lambda r, m, n, k: (r.normal(size=(2, 3 + n)),)),
    "cross_entropy:soft": (lambda z, t: tracer.cross_entropy(z, t), None, lambda r, m, n, k: (r.normal(size=(m, n)), _softmax(r.normal(size=(m, n)), -1))),
    "binary_cross_entropy": (lambda p, t: tracer.binary_cross_entropy(p, t), lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(), lambda r, m, n, k: (r.uniform(0.1, 0.9, size=(m, n)), r.uniform(0, 1, size=(m, n)))),
}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=6, deadline=None)
@given(m=st.integers(1, 3), n=st.integers(1, 3), k=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_forward_and_gradient(case: str, m: int, n: int, k: int, seed: int) -> None:
    f, forward, inputs = CASES[case]
    arrays = inputs(np.random.default_rng(seed), m, n, k)
    check_op(f, *arrays, forward=forward, seed=seed)


def test_every_forward_op_has_a_case() -> None:
    from tests.test_ops_more import CASES as MORE
    from tests.test_ops_more import MASKS  # comparisons: no gradient to check, a test of their own

    forward_ops = {name for name, spec in tracer.OPS.items() if spec.phase == "forward"}
    covered = {case.split(":")[0] for case in [*CASES, *MORE, *MASKS]}  # "op:variant": one more shape
    assert forward_ops <= covered, f"ops without a gradient check: {sorted(forward_ops - covered)}"


def test_float32_stays_float32() -> None:
    x = tracer.tensor(np.ones((2, 2)), dtype=np.float32)
    y = tracer.softmax(x * 2 + 1, axis=0)
    assert y.dtype == np.float32


def test_step_fires_above_threshold_only() -> None:
    scores = tracer.tensor([12.0, 8.0, 7.0])
    assert tracer.step(scores, threshold=8).numpy().tolist() == [1.0, 0.0, 0.0]


def test_dropout_is_seeded_and_scales_survivors() -> None:
    x = tracer.tensor(np.ones((4, 5)))
    a, b = tracer.dropout(x, p=0.5, seed=7).numpy(), tracer.dropout(x, p=0.5, seed=7).numpy()
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 2.0}


# ---- against PyTorch, where it is installed ------------------------------------------------------
@pytest.mark.parametrize("op", ["swish", "prelu"])
def test_remedy_activations_match_torch(op: str) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(4)
    x, slope = away(rng.normal(size=(3, 5)) * 3), rng.uniform(0.1, 0.5, size=(3,))
    weights = rng.normal(size=(3, 5))
    xt, at = torch.tensor(x, requires_grad=True), torch.tensor(slope, requires_grad=True)
    # torch's PReLU slopes run along axis 1 (channels); ours broadcast like any op: one per row here
    ref = F.silu(xt) if op == "swish" else F.prelu(xt.T, at).T
    (ref * torch.tensor(weights)).sum().backward()
    X, A = tracer.tensor(x, requires_grad=True), tracer.tensor(slope.reshape(3, 1), requires_grad=True)
    out = tracer.swish(X) if op == "swish" else tracer.prelu(X, A)
    (out * weights).sum().backward()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(X.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    if op == "prelu":
        np.testing.assert_allclose(A.grad.ravel(), at.grad.numpy(), rtol=1e-12, atol=1e-12)
