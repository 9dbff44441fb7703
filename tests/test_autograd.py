"""backward(): gradient steps, their links to the forward steps, accumulation, composite groups."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

import tracer
from tracer.errors import GradientError


def two_layer() -> tuple[tracer.Trace, dict[str, tracer.Tensor]]:
    p = {"W1": tracer.param([[1.0, -1.0], [2.0, 0.5]], name="W1"),
         "W2": tracer.param([[0.5, 1.0]], name="W2")}
    with tracer.record() as trace:
        X = tracer.tensor([[1.0, 2.0], [0.5, -1.0]], name="X")
        H = tracer.sigmoid(p["W1"] @ X, name="H")
        Y = tracer.softmax(p["W2"] @ H + H.sum(axis=0, keepdims=True), axis=1, name="Y")
        loss = tracer.sse(Y, tracer.tensor([[0.2, 0.8]], name="T"), name="L")
        loss.backward()
    return trace, p


def test_every_gradient_step_points_at_its_forward_step() -> None:
    trace, _ = two_layer()
    for s in trace.phase("backward"):
        if s.op == "accumulate":
            continue
        fwd = trace.steps[s.grad_of]
        assert s.op == fwd.op and s.name.startswith(fwd.name + ".grad") and s.src == fwd.src
        for x, g in s.grad_map.items():
            assert x in fwd.inputs
            assert trace.tensors[g].grad_of == x and trace.tensors[g].kind == "grad"
            assert trace.tensors[g].shape == trace.tensors[x].shape


def test_backward_steps_come_in_reverse_topological_order() -> None:
    trace, _ = two_layer()
    done: set[int] = set()
    for s in trace.phase("backward"):
        if s.grad_of is None or s.op == "accumulate" or tracer.OPS[s.op].composite:
            continue
        fwd = trace.steps[s.grad_of]
        consumers = [c.id for c in trace.phase("forward") if set(c.inputs) & set(fwd.outputs)
                     and not tracer.OPS[c.op].composite]
        assert all(c in done for c in consumers if any(b.grad_of == c for b in trace.steps)), fwd.name
        done.add(fwd.id)


def test_a_tensor_used_twice_gets_an_explicit_accumulate_step() -> None:
    trace, _ = two_layer()
    acc = [s for s in trace.phase("backward") if s.op == "accumulate"]
    h_id = trace.step("H").outputs[0]
    h_acc = [s for s in acc if s.attrs["tensor"] == h_id]
    assert len(h_acc) == 1
    a, b = (trace.tensors[i].data for i in h_acc[0].inputs)
    np.testing.assert_allclose(trace.tensors[h_acc[0].outputs[0]].data, a + b)
    assert h_acc[0].formula == "dH = dH′ + dH″"   # the two contributions told apart from their sum


def test_gradients_are_numpy_arrays_on_leaves_and_intermediates() -> None:
    trace, p = two_layer()
    assert isinstance(p["W1"].grad, np.ndarray) and p["W1"].grad.shape == (2, 2)
    final = [s for s in trace.phase("backward") if p["W1"].name in
             [trace.tensors[x].name for x in s.grad_map]][-1]
    np.testing.assert_array_equal(trace.tensors[final.grad_map[final.inputs[1]]].data, p["W1"].grad)


def test_composite_backward_is_grouped_like_the_forward() -> None:
    trace, _ = two_layer()
    group = trace.step("Y.grad")
    assert group.grad_of == trace.step("Y").id and tracer.OPS[group.op].composite
    kids = trace.children(group)
    assert {k.name for k in kids} >= {"Y.exp.grad", "Y.sum.grad", "Y.probs.grad"}
    assert all(k.depth == group.depth + 1 for k in kids)
    x_id = trace.step("Y").inputs[0]
    assert list(group.grad_map) == [x_id]


def test_backward_twice_is_refused_instead_of_double_counting() -> None:
    w = tracer.param([1.0, 2.0], name="w")
    loss = (w * 3).sum(name="loss")
    loss.backward()
    with pytest.raises(GradientError, match="backward\\(\\) already ran from loss"):
        loss.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])
    (w * 3).sum().backward()  # a new forward pass adds its gradients, as in PyTorch
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])
    w.zero_grad()
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])


def test_backward_needs_a_scalar_or_a_seed_and_something_to_differentiate() -> None:
    with pytest.raises(GradientError, match="does not depend on anything that requires a gradient"):
        tracer.tensor([1.0]).sum().backward()
    w = tracer.param([1.0, 2.0], name="w")
    with pytest.raises(GradientError, match=r"needs grad="):
        (w * 2).backward()
    (w * 2).backward(grad=[1.0, 10.0])
    np.testing.assert_array_equal(w.grad, [2.0, 20.0])


def test_backward_without_recording_still_computes_gradients() -> None:
    W = tracer.param([[2.0]], name="W")
    tracer.sse(W @ tracer.tensor([[3.0]]), tracer.tensor([[1.0]])).backward()
    assert W.grad.tolist() == [[30.0]]  # d/dW (3W − 1)² = 6(3W − 1) = 30


@pytest.mark.parametrize("traced", [False, True])
def test_a_single_number_parameter_used_twice_gets_its_gradient(traced: bool) -> None:
    """0-d gradients add up to a NumPy scalar, not an array: accumulating them used to crash."""
    def f(v: float) -> float:
        return v * v + 2 * v ** 3

    s = tracer.param(3.0, name="s")
    with tracer.record() if traced else contextlib.nullcontext() as trace:
        (s * s + 2 * s ** 3).backward()
        (s * s + 2 * s ** 3).backward()  # a second backward() adds to the first (grad_total)
    eps = 1e-6
    by_differences = (f(3.0 + eps) - f(3.0 - eps)) / (2 * eps)  # 2s + 6s² = 60
    assert s.grad.shape == ()
    np.testing.assert_allclose(float(s.grad), 2 * by_differences, rtol=1e-7)
    if traced:
        assert "s.grad_total" in [st.name for st in trace.steps]
