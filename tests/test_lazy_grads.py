"""A composite recorded with a graph (tracer.ops.lazy_grads): its gradient flows through the fused
vjp, one node, and its children's backward steps are rebuilt when the trace is read. The read trace
has the steps, names, tensor ids and groups eager children give it, every array equal to theirs up
to the last bits, every number printed the same, and the gradients the children's chain gives."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import tracer
from tests.test_fused import CASES, WEIGHTS
from tests.test_lazy import lazy_records, structure
from tracer.display import fmt, number_format
from tracer.ops.lazy import eager_children


def assert_reads_alike(lazy: tracer.Trace, eager: tracer.Trace, rtol: float = 1e-12) -> None:
    """The same steps and records; each array within ``rtol`` of the trace's largest number; each
    number printed as eagerly, but in a tensor of rounding noise (a gradient through a mean of
    entries that cancel: ~1e-18 where its neighbours are ~1, different bits either way)."""
    assert structure(lazy) == structure(eager)
    arrays = {tid: (np.asarray(lazy.tensors[tid].data), np.asarray(r.data)) for tid, r in eager.tensors.items()}
    top = max(float(np.max(np.abs(b[np.isfinite(b)]), initial=0.0)) for _, b in arrays.values() if b.dtype.kind == "f")
    for tid, (a, b) in arrays.items():
        assert a.dtype == b.dtype and a.shape == b.shape, tid
        if b.dtype.kind != "f" or b.size == 0:
            assert np.array_equal(a, b), tid
            continue
        finite = np.isfinite(b)
        assert np.array_equal(finite, np.isfinite(a)), tid
        np.testing.assert_allclose(a[finite], b[finite], rtol=0, atol=rtol * top, err_msg=tid)
        if np.max(np.abs(b[finite]), initial=0.0) > 1e-6 * top:
            nf = number_format(b)
            a, b = (a.ravel(), b.ravel()) if b.size <= 4096 else (np.r_[a.ravel()[:64], a.ravel()[-64:]],
                                                                  np.r_[b.ravel()[:64], b.ravel()[-64:]])
            assert [fmt(v, nf) for v in a] == [fmt(v, nf) for v in b], tid


def both(run) -> tuple[tracer.Trace, tracer.Trace]:
    lazy = run()
    with eager_children():
        eager = run()
    return lazy, eager


@pytest.mark.parametrize("case", CASES)
def test_every_fused_composite_reads_as_its_children(case: str) -> None:
    f, arrays = CASES[case]

    def run() -> tracer.Trace:
        xs = [tracer.param(a, name=f"x{i}") for i, a in enumerate(arrays)]
        with tracer.record() as trace:
            (f(*xs) * WEIGHTS).sum().backward()
        trace.grads = [x.grad.copy() for x in xs]  # type: ignore[attr-defined]
        return trace
    lazy, eager = both(run)
    assert lazy_records(lazy) > 0 and lazy_records(eager) == 0
    for r in reversed(list(lazy.tensors.values())):  # the gradients read first: one scratch run makes all
        r.data
    assert_reads_alike(lazy, eager)
    for a, b in zip(lazy.grads, eager.grads):  # type: ignore[attr-defined]
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gradients_added_to_before_and_after_and_shared_inputs(dtype: type) -> None:
    """An input that has a gradient before the composite's (used later), one used twice by it
    (self-attention), a constant input, nesting and a scope: the accumulate steps fall where the
    children put them."""
    def run() -> tracer.Trace:
        x = tracer.param(np.random.default_rng(5).normal(size=(4, 6)).astype(dtype), name="x")
        g = tracer.param(np.full(6, 2.0, dtype), name="g")
        keep = tracer.tensor(np.tril(np.ones((4, 4), dtype=bool)), name="keep")
        target = tracer.tensor(np.ones((4, 6), dtype), name="target")
        with tracer.record() as trace, tracer.scope("block"):
            h = tracer.layer_norm(x, g, name="ln")
            a = tracer.attention(h, h, h, keep, name="attn")
            y = tracer.softmax(a + x * 2.0) + h
            tracer.mse(y, target).backward()
        return trace
    lazy, eager = both(run)
    assert_reads_alike(lazy, eager, rtol=1e-5 if dtype is np.float32 else 1e-12)
    assert sum(s.op == "accumulate" for s in lazy.steps) >= 4


def test_the_block_of_the_benchmark_reads_as_its_children() -> None:
    from benchmarks.bench_engine import _params, block

    rng = np.random.default_rng(0)
    P, X, target = _params(rng), rng.normal(size=(8, 256)), rng.normal(size=(8, 256))

    def run() -> tracer.Trace:
        p, x = {k: tracer.param(v, name=k) for k, v in P.items()}, tracer.tensor(X, name="X")
        with tracer.record() as trace:
            block(x, p, target)
        return trace
    lazy, eager = both(run)
    assert lazy_records(lazy) > 100
    assert_reads_alike(lazy, eager, rtol=1e-10)


def test_a_trace_read_inside_no_grad_still_rebuilds_the_gradients() -> None:
    x = tracer.param(np.array([[1.0, 2.0, 4.0]]), name="x")
    with tracer.record() as trace:
        tracer.sse(tracer.softmax(x), tracer.tensor(np.zeros((1, 3)), name="t")).backward()
    with tracer.no_grad():
        grads = {s.name: trace.tensors[s.outputs[0]].data for s in trace.steps if s.phase == "backward" and s.outputs}
    # d probs of Σ probs²: 2·probs; through probs = exp / sum, dexp = dprobs / sum
    probs = np.exp([1.0, 2.0, 4.0]) / np.exp([1.0, 2.0, 4.0]).sum()
    np.testing.assert_allclose(grads["softmax.probs.grad"], [2 * probs / np.exp([1.0 - 4, 2.0 - 4, 0]).sum()])


def test_a_trace_never_read_never_runs_the_children_and_is_freed_at_once() -> None:
    x = tracer.param(np.random.default_rng(1).normal(size=(16, 16)), name="x")
    with tracer.record() as trace:
        tracer.layer_norm(tracer.softmax(x)).sum().backward()
    kept = [r for r in trace.tensors.values() if callable(r._data)]
    assert len(kept) > 20
    ref = weakref.ref(trace)
    gc.disable()
    try:
        del trace, kept
        assert ref() is None  # no reference cycle: freed without the collector
    finally:
        gc.enable()


def test_a_backward_recorded_in_another_trace_is_one_step() -> None:
    x = tracer.param(np.array([[0.0, 1.0]]), name="x")
    with tracer.record() as first:
        p = tracer.softmax(x, name="p")
    with tracer.record() as second:
        (p * tracer.tensor([[1.0, 0.0]], name="w")).sum().backward()
    assert [s.op for s in second.steps if s.phase == "backward"] == ["sum", "mul", "softmax"]
    q = np.exp([0.0, 1.0]) / np.exp([0.0, 1.0]).sum()
    np.testing.assert_allclose(x.grad, [[q[0] * (1 - q[0]), -q[0] * q[1]]])
    assert len(first.steps) == 6
