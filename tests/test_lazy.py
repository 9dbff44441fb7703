"""Composites recorded lazily (tracer.ops.lazy): a recorded composite runs its fused rule and its
children's steps are rebuilt when the trace is read. Without a graph the read trace must be the one
eager children give: the same steps, names, tensor ids and values, and the same saved bytes (with a
graph, tests/test_lazy_grads.py: the same up to the last bits)."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import numpy as np
import pytest

import tracer
from tests.helpers import numeric_grad
from tests.test_fused import CASES, WEIGHTS
from tracer.ops.lazy import eager_children


def structure(trace: tracer.Trace) -> list[tuple]:
    """Everything a reader sees of the trace but its arrays."""
    seen: list[tuple] = []
    for s in trace.steps:
        seen.append((s.id, s.phase, s.op, s.name, s.inputs, s.outputs, s.attrs, s.parent, s.depth, str(s.src),
                     s.formula, s.narration, s.grad_of, s.grad_map, s.nonfinite, s.part))
    for tid, r in trace.tensors.items():
        seen.append((tid, r.name, r.shape, r.dtype, r.kind, r.producer, r.grad_of, r.version, r.labels))
    return seen


def snapshot(trace: tracer.Trace) -> list[tuple]:
    """Everything a reader sees of the trace, the arrays' bytes included."""
    return structure(trace) + [(np.asarray(r.data).dtype.str, np.asarray(r.data).tobytes())
                               for r in trace.tensors.values()]


def lazy_records(trace: tracer.Trace) -> int:
    return sum(callable(r._data) for r in trace.tensors.values())


def model(dtype: type = np.float64, labelled: bool = False) -> tracer.Trace:
    """Every composite with a fused rule, nested, scoped, repeated, one of them masked, under no_grad."""
    rng = np.random.default_rng(0)
    rows = [f"r{i}" for i in range(4)] if labelled else None
    x = tracer.tensor(rng.normal(size=(4, 6)).astype(dtype), name="x", rows=rows)
    g, b = tracer.tensor(np.full(6, 2.0, dtype), name="g"), tracer.tensor(np.full(6, 0.5, dtype), name="b")
    keep = tracer.tensor(np.tril(np.ones((4, 4), dtype=bool)), name="keep")
    with tracer.record() as trace, tracer.no_grad():
        with tracer.scope("block"):
            h = tracer.layer_norm(x, g, b, name="ln")
            p = tracer.softmax(h * 3.0)
            p = tracer.softmax(p, axis=0)
            a = tracer.attention(h, x, x, keep, name="attn")
            a2 = tracer.attention(h, x, x)
            both, weights = tracer.attention(h, h, x, return_weights=True)  # two outputs: eager
        tracer.mse(a, x, name="loss")
        tracer.sse(a2 + weights @ both, p)
        tracer.batch_norm(x)
        tracer.layer_norm(x, eps=1e-3)
    return trace


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("labelled", [False, True])
def test_a_lazy_recording_reads_as_the_eager_one(dtype: type, labelled: bool, tmp_path: Path) -> None:
    lazy = model(dtype, labelled)
    assert lazy_records(lazy) > 20  # the children's arrays are not made until read
    with eager_children():
        eager = model(dtype, labelled)
    assert lazy_records(eager) == 0
    assert snapshot(lazy) == snapshot(eager)
    lazy.save(tmp_path / "lazy.trace")
    eager.save(tmp_path / "eager.trace")
    assert (tmp_path / "lazy.trace").read_bytes() == (tmp_path / "eager.trace").read_bytes()


def test_a_second_trace_reuses_what_the_first_learnt() -> None:
    first, second = model(), model()  # the second stamps the templates the first learnt
    with eager_children():
        eager = model()
    assert snapshot(second) == snapshot(eager) == snapshot(first)


def test_strict_mode_records_the_children_as_they_run() -> None:
    x = tracer.param(np.ones((2, 3)), name="x")
    with tracer.record(strict=True) as trace:
        tracer.softmax(x)
    assert lazy_records(trace) == 0
    with tracer.record() as trace:  # with a graph node too (tracer.ops.lazy_grads)
        tracer.softmax(x)
    assert lazy_records(trace) == 4
    with tracer.record() as trace, tracer.no_grad():
        tracer.softmax(x)
    assert lazy_records(trace) == 4


def test_strict_mode_still_raises_at_the_child_that_made_the_infinity() -> None:
    x = tracer.tensor(np.array([[1000.0, 1.0]]), name="x")
    with pytest.raises(tracer.NonFiniteError, match=r"^big\.exp exp"):
        with tracer.record(strict=True), tracer.no_grad():
            tracer.softmax(x, stable=False, name="big")
    with tracer.record() as trace, tracer.no_grad():  # not strict: counted, on the rebuilt children
        tracer.softmax(x, stable=False, name="big")
    assert lazy_records(trace) > 0
    with eager_children(), tracer.record() as eager, tracer.no_grad():
        tracer.softmax(x, stable=False, name="big")
    assert [s.nonfinite for s in trace.steps] == [s.nonfinite for s in eager.steps] == [2, 1, 0, 1]


def test_a_trace_never_read_never_runs_the_children_and_is_freed_at_once() -> None:
    x = tracer.tensor(np.random.default_rng(1).normal(size=(64, 64)), name="x")
    with tracer.record() as trace, tracer.no_grad():
        tracer.layer_norm(tracer.softmax(x))
    assert lazy_records(trace) == len(trace.tensors) - 4  # x, the constant ε and the two outputs
    ref = weakref.ref(trace)
    gc.disable()
    try:
        del trace
        assert ref() is None  # no reference cycle: freed without the collector
    finally:
        gc.enable()


@pytest.mark.parametrize("case", ["softmax", "layer_norm", "attention masked", "mse"])
def test_recorded_gradients_still_match_finite_differences(case: str) -> None:
    f, arrays = CASES[case]
    xs = [tracer.param(a, name=f"x{i}") for i, a in enumerate(arrays)]
    with tracer.record():
        with tracer.no_grad():
            f(*xs)  # a lazy composite on the same inputs first: nothing of it reaches the graph
        (f(*xs) * WEIGHTS).sum().backward()
    for k, x in enumerate(xs):
        np.testing.assert_allclose(x.grad, numeric_grad(f, arrays, k, WEIGHTS), rtol=1e-6, atol=1e-7)


@pytest.mark.slow
def test_minilm_records_lazily_and_reads_as_eager_children_give_it() -> None:
    from tracer.pretrained import minilm

    if not minilm.weights_available():
        pytest.skip(minilm.INSTALL)
    encoder = minilm.load()
    ids, mask = encoder.inputs("The queen sat on the throne.")

    def traced() -> tracer.Trace:
        with tracer.record() as trace, tracer.no_grad():
            encoder(ids, mask)
        return trace
    lazy = traced()
    assert lazy_records(lazy) > 100
    with eager_children():
        eager = traced()
    assert snapshot(lazy) == snapshot(eager)


@pytest.mark.slow
def test_every_example_reads_as_eager_children_give_it(tmp_path: Path) -> None:
    """The same steps and tensors, every number printed alike; the gradients through a fused
    composite differ in the last bits only (tracer.ops.lazy_grads), and so do the saved bytes."""
    from tests.test_lazy_grads import assert_reads_alike
    from tracer.examples import list_examples, run_example

    for name, _ in list_examples():
        lazy = run_example(name)
        with eager_children():
            eager = run_example(name)
        assert_reads_alike(lazy, eager, rtol=1e-9)
        lazy.save(tmp_path / "lazy.trace")
        assert structure(tracer.load(tmp_path / "lazy.trace")) == structure(eager), name


def test_a_users_composite_with_a_fused_rule_records_its_children_on_their_own_lines() -> None:
    from tracer.ops.declare import composite
    from tracer.ops.spec import REGISTRY

    def fused(x):
        return x * 2.0, lambda g, need: (g * 2.0,)

    @composite("lazy_test_double", family="layer", fused=fused, parts=("doubled", "again"),
               formula="{out} = 2{x}", narration="Double {x}.")
    def double(x):
        y = tracer.mul(x, 1.0, name="doubled")
        return tracer.mul(y, 2.0, name="again")

    try:
        with tracer.record() as trace, tracer.no_grad():
            double(tracer.tensor(np.ones(3), name="x"))
        assert lazy_records(trace) == 0
        assert trace.steps[1].src.line != trace.steps[2].src.line  # each child its own line of the body
    finally:
        REGISTRY.pop("lazy_test_double")


def test_two_backward_passes_through_one_loss_record_the_childrens_steps_twice() -> None:
    """The second pass records the children's gradient steps again and adds to y's gradient (a
    grad_total step); the children's own tensors keep no gradient between passes (eagerly they
    do, with a grad_total step each: tracer.ops.lazy_grads)."""
    def run() -> tuple[tracer.Trace, np.ndarray]:
        y = tracer.param(np.arange(6.0).reshape(2, 3), name="y")
        with tracer.record() as trace:
            loss = tracer.sse(y, tracer.tensor(np.ones((2, 3)), name="t"))
            (loss * 2.0).backward()
            (loss * -3.0).backward()  # the same node again, from another gradient
        return trace, y.grad.copy()
    lazy, grad = run()
    with eager_children():
        eager, eager_grad = run()
    np.testing.assert_array_equal(grad, (2 - 3) * 2 * (np.arange(6.0).reshape(2, 3) - 1))  # 2·(y − 1) a pass
    np.testing.assert_array_equal(grad, eager_grad)
    children = [s.name for s in lazy.steps if s.phase == "backward" and s.depth == 1]
    assert children == ["sse.loss.grad", "sse.squared.grad", "sse.diff.grad",
                        "sse.loss.grad_1", "sse.squared.grad_1", "sse.diff.grad_1"]
    totals = [lazy.tensors[s.attrs["tensor"]].name for s in lazy.steps if s.op == "grad_total"]
    assert totals == ["sse", "y"] and "squared" in {eager.tensors[s.attrs["tensor"]].name
                                                    for s in eager.steps if s.op == "grad_total"}
