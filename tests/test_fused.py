"""Composites with a fused rule (softmax, layer norm, batch norm, attention, mse, sse): run untraced
they give the values and gradients their recorded children give, and a recorded run still shows
every child."""
from __future__ import annotations

import numpy as np
import pytest

import tracer
from tests.helpers import numeric_grad

RNG = np.random.default_rng(3)
X = RNG.normal(size=(3, 5))
GAMMA, BETA = RNG.normal(size=5), RNG.normal(size=5)
WEIGHTS = RNG.normal(size=(3, 5))
Q, K, V = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 4)), RNG.normal(size=(5, 5))
KEEP = np.tril(np.ones((3, 5), dtype=bool))  # query i sees keys 0..i

CASES = {
    "softmax": (lambda x: tracer.softmax(x, axis=-1), [X]),
    "softmax axis 0": (lambda x: tracer.softmax(x, axis=0), [X]),
    "layer_norm": (lambda x, g, b: tracer.layer_norm(x, g, b), [X, GAMMA, BETA]),
    "layer_norm plain": (lambda x: tracer.layer_norm(x), [X]),
    "batch_norm": (lambda x, g, b: tracer.batch_norm(x, g, b), [X, GAMMA, BETA]),
    "attention": (lambda q, k, v: tracer.attention(q, k, v), [Q, K, V]),
    "attention masked": (lambda q, k, v: tracer.attention(q, k, v, KEEP), [Q, K, V]),
    "mse": (lambda y, t: tracer.mse(y, t), [X, WEIGHTS]),
    "sse": (lambda y, t: tracer.sse(y, t), [X, GAMMA]),
}


def run(f, arrays: list[np.ndarray], recorded: bool) -> tuple[np.ndarray, list[np.ndarray], tracer.Trace | None]:
    xs = [tracer.param(a, name=f"x{i}") for i, a in enumerate(arrays)]
    if recorded:
        with tracer.record() as trace:
            out = f(*xs)
            (out * WEIGHTS).sum().backward()
    else:
        trace = None
        out = f(*xs)
        (out * WEIGHTS).sum().backward()
    return out.numpy(), [np.asarray(x.grad) for x in xs], trace


@pytest.mark.parametrize("case", CASES)
def test_the_fused_rule_gives_the_childrens_values_and_the_finite_difference_gradients(case: str) -> None:
    f, arrays = CASES[case]
    fused_out, fused_grads, _ = run(f, arrays, recorded=False)
    kids_out, kids_grads, trace = run(f, arrays, recorded=True)
    np.testing.assert_array_equal(fused_out, kids_out)  # the same NumPy operations, in the same order
    for k, (a, b) in enumerate(zip(fused_grads, kids_grads)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"input {k}")
        np.testing.assert_allclose(a, numeric_grad(f, arrays, k, WEIGHTS), rtol=1e-6, atol=1e-7)
    assert trace is not None and len(trace.children(trace.steps[0])) >= 3  # recorded: every child kept
    assert any(s.parent is not None for s in trace.phase("backward"))


def test_untraced_a_fused_composite_is_one_node_and_keeps_its_labels() -> None:
    x = tracer.param(X, name="x", rows=["a", "b", "c"], cols=list("vwxyz"))
    p = tracer.softmax(x, name="p")
    assert p._node is not None and p._node.spec.name == "softmax" and p.name == "p"
    assert p.labels == x.labels
    with tracer.no_grad():
        assert tracer.layer_norm(x)._node is None  # no graph kept under no_grad


def test_a_shape_error_inside_a_fused_composite_names_the_part() -> None:
    x = tracer.param(X, name="x")
    with pytest.raises(tracer.ShapeError, match="mul"):
        tracer.layer_norm(x, tracer.param(np.ones(4), name="g"))


def test_fused_attention_runs_its_children_for_labels_and_for_its_weights() -> None:
    q = tracer.param(Q, name="q", rows=["a", "b", "c"])
    out = tracer.attention(q, tracer.param(K, name="k"), tracer.param(V, name="v", cols=list("vwxyz")))
    assert out._node.spec.name == "matmul"  # labelled: the children ran, and their rules named the axes
    assert out.labels == (("a", "b", "c"), tuple("vwxyz"))
    mixed, weights = tracer.attention(tracer.param(Q), tracer.param(K), tracer.param(V), return_weights=True)
    assert mixed._node.spec.name == "matmul" and weights.shape == (3, 5)
    plain = tracer.attention(tracer.param(Q), tracer.param(K), tracer.param(V))
    assert plain._node.spec.name == "attention"  # neither: one node
    np.testing.assert_array_equal(plain.numpy(), mixed.numpy())
