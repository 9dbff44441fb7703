"""Gradients as a PyTorch user expects them: they add up over backward() calls until zero_grad();
no_grad() builds no graph; detach() cuts one; a hand-written ``W = W - lr * W.grad`` is an update.
"""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import tracer
from tracer.ops.core import Node


def test_gradients_add_up_over_backward_calls_and_zero_grad_forgets_them() -> None:
    a, b = tracer.param([1.0], name="a"), tracer.param([1.0], name="b")
    with tracer.record() as trace:
        (a * 2 + b * 5).sum().backward()
        (a * 3).sum().backward()  # b is not reached: it keeps its gradient, as in PyTorch
    assert a.grad.tolist() == [5.0] and b.grad.tolist() == [5.0]
    total = trace.step("a.grad_total")
    assert (total.op, total.phase) == ("grad_total", "backward")
    assert trace.tensors[total.outputs[0]].data.tolist() == [5.0]
    assert [trace.tensors[t].data.tolist() for t in total.inputs] == [[2.0], [3.0]]
    assert "earlier backward()" in total.narration
    opt = tracer.SGD([a, b], lr=1.0)
    opt.zero_grad()
    (a * 3).sum().backward()
    opt.step()  # b has no gradient now: it is left alone instead of moved by a stale one
    assert a.grad.tolist() == [3.0] and b.grad is None
    assert a.numpy().tolist() == [-2.0] and b.numpy().tolist() == [1.0]


def test_no_grad_builds_no_graph_and_still_records_steps() -> None:
    W = tracer.param([[2.0, 0.0], [0.0, 2.0]], name="W")
    with tracer.record() as trace, tracer.no_grad():
        assert not tracer.is_grad_enabled()
        y = tracer.relu(W @ tracer.tensor([[1.0], [-1.0]], name="x"), name="y")
    assert tracer.is_grad_enabled()
    assert y._node is None and not y.requires_grad and y.numpy().tolist() == [[2.0], [0.0]]
    assert [s.name for s in trace.steps] == ["matmul", "y"]
    with pytest.raises(tracer.GradientError, match="does not depend on anything"):
        y.sum().backward()

    @tracer.no_grad()
    def predict(x: tracer.Tensor) -> tracer.Tensor:  # also a decorator, as torch.no_grad
        return W @ x

    assert predict(tracer.tensor([[1.0], [1.0]]))._node is None
    with tracer.inference_mode():
        assert (W * 2)._node is None


def test_a_forward_pass_under_no_grad_keeps_no_intermediate_alive() -> None:
    W = tracer.param(np.eye(3), name="W")
    with tracer.no_grad():
        h = tracer.tanh(W @ tracer.tensor(np.ones((3, 1))))
        seen = weakref.ref(h.data)  # the array: a graph would hold it for backward
        out = (h * 2).sum()
        del h
    gc.collect()
    assert seen() is None and out._node is None  # nothing links the output back to h
    before = next(Node._counter)  # nodes are numbered as they are made
    with tracer.no_grad():
        for _ in range(5):
            W @ tracer.tensor(np.ones((3, 1)))
    assert next(Node._counter) == before + 1  # none made in between


def test_detach_cuts_the_graph_without_copying() -> None:
    w = tracer.param([2.0], name="w")
    h = w * 3
    d = h.detach()
    assert d.data is h.data and d._node is None and not d.requires_grad and d.name == h.name
    (h * d).sum().backward()  # only the attached factor is differentiated: d(6w·6)/dw = 18
    assert w.grad.tolist() == [18.0]


def test_a_hand_written_update_is_a_fresh_leaf_not_chained_to_the_old_graph() -> None:
    W = tracer.param([[1.0, 2.0]], name="W")
    x = tracer.tensor([[1.0], [1.0]], name="x")
    with tracer.record() as trace:
        for _ in range(3):
            loss = ((W @ x) ** 2).sum(name="loss")  # loss = (w1 + w2)², dW = 2(w1 + w2)·[1, 1]
            loss.backward()
            W = W - 0.1 * W.grad
    assert W._node is None and W.requires_grad and W.kind == "param" and W.name == "W"
    assert W.grad is None  # a fresh leaf: no gradient yet
    # s = w1 + w2: 3 → 1.8 → 1.08, each update subtracts 0.1·2s from both weights
    np.testing.assert_allclose(W.numpy(), [[-0.176, 0.824]])
    # each backward differentiates its own forward pass only (loss, pow, matmul), never an update
    assert len(trace.phase("backward")) == 9
    ups = trace.phase("update")
    assert [s.name for s in ups] == ["W.update", "W.update_1", "W.update_2"]
    assert not any(s.grad_of in {u.id for u in ups} for s in trace.phase("backward"))
    assert trace.tensors[ups[0].outputs[0]].kind == "param" and trace.tensors[ups[0].inputs[1]].kind == "grad"
    assert trace.step("matmul_1").inputs[0] == ups[0].outputs[0]  # the next pass uses the new W


def test_gradients_print_as_arrays_and_reduce_to_numbers() -> None:
    w = tracer.param([2.0, -1.0], name="w")
    (w * w).sum().backward()
    assert repr(w.grad) == "array([ 4., -2.])" and str(w.grad) == "[ 4. -2.]"
    assert type(w.grad.sum()) is np.float64 and w.grad.sum() == 2.0
    assert (w.grad * 0.5).of == "w"  # lr * W.grad remembers whose gradient it is
