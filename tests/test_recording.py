"""Recording cheaply without changing what is recorded: steps recorded as tuples and built when
the trace is read, a composite's children sharing its source line, nothing of a graph or a trace kept alive
that is not needed, a number made into a constant once, the NaN / Inf count on any size, the trace's
objects handed to the collector's oldest generation when the recording ends."""
from __future__ import annotations

import gc
import weakref

import numpy as np

import tracer
from tracer.ops.declare import composite
from tracer.ops.spec import REGISTRY


def _fields(step: tracer.Step) -> tuple:
    return (step.id, step.phase, step.op, step.name, step.inputs, step.outputs, step.attrs, step.parent,
            step.depth, step.src, step.formula, step.narration, step.grad_of, step.grad_map, step.nonfinite,
            step.part)


def _training(read_each_pass: bool) -> tracer.Trace:
    with tracer.record() as trace:
        W = tracer.param([[1.0, -2.0], [0.5, 3.0]], name="W")
        X = tracer.tensor([[1.0, 2.0], [3.0, 4.0]], name="X")
        for i in range(2):
            with tracer.scope(f"train.{i}"):
                h = tracer.layer_norm(tracer.relu(W @ X) + W, name="h")
                tracer.mse(tracer.softmax(h, axis=0), X).backward()
            if read_each_pass:
                assert all(isinstance(s, tracer.Step) for s in trace.steps)  # every step built so far
        W.zero_grad()
    return trace


def test_steps_built_when_read_are_the_steps_built_as_they_ran() -> None:
    late, early = _training(read_each_pass=False), _training(read_each_pass=True)
    assert len(late) == len(early)
    assert {type(s) for s in late._steps} == {tuple, tracer.Step}  # primitives' steps wait as tuples, counted
    assert [_fields(s) for s in late.steps] == [_fields(s) for s in early.steps]


def test_a_gradient_step_takes_its_place_source_and_group_from_its_forward_step() -> None:
    trace = _training(read_each_pass=False)
    grads = [s for s in trace.steps if s.phase == "backward" and s.op not in ("accumulate", "grad_total")]
    assert len(grads) > 20
    for s in grads:
        fwd = trace.steps[s.grad_of]
        assert (s.op, s.name, s.src, s.part) == (fwd.op, f"{fwd.name}.grad", fwd.src, fwd.part)
        assert s.attrs == ({} if REGISTRY[s.op].composite else fwd.attrs)  # a composite's group step has none
        if fwd.parent is None:
            assert s.parent is None and s.depth == 0
        else:  # under the gradient step of the composite its forward step belongs to
            assert trace.steps[s.parent].grad_of == fwd.parent and s.depth == fwd.depth
        assert s.formula and s.narration.startswith(f"Send the gradient back through {s.op}")


def test_a_composites_children_point_at_the_line_that_called_it() -> None:
    with tracer.record() as trace:
        tracer.attention(*[tracer.tensor(np.eye(2), name=n) for n in "QKV"], name="att")  # the call
    inner = [s for s in trace.steps if s.parent is not None]
    assert len(inner) > 5 and {s.src for s in inner} == {trace.step("att").src}
    assert trace.step("att").src.code.endswith("# the call") and trace.step("att").src.file.endswith("test_recording.py")


def test_a_composite_declared_by_the_user_points_its_children_at_its_own_lines() -> None:
    @composite("toy_scaled_softmax", family="layer", parts=("scaled", "probs"), formula="{out} = softmax(2·{x})",
               narration="")
    def toy(x):
        s = tracer.mul(x, 2.0, name="scaled")
        return tracer.softmax(s, name="probs")

    try:
        with tracer.record() as trace:
            toy(tracer.tensor([[1.0, 2.0]], name="x"))  # the call
        assert trace.step("toy_scaled_softmax").src.code.endswith("# the call")
        assert trace.step("toy_scaled_softmax.scaled").src.code == 's = tracer.mul(x, 2.0, name="scaled")'
        probs = trace.step("toy_scaled_softmax.probs")
        assert probs.src.code == 'return tracer.softmax(s, name="probs")'
        assert [c.src for c in trace.children(probs)] == [probs.src] * 5  # softmax's own parts
    finally:
        del REGISTRY["toy_scaled_softmax"]


def test_no_graph_is_kept_under_no_grad() -> None:
    W, x = tracer.param(np.ones((3, 3)), name="W"), tracer.tensor(np.ones((3, 2)), name="x")

    def relu_of_product() -> tuple[tracer.Tensor, weakref.ref]:
        z = W @ x
        return tracer.relu(z), weakref.ref(z.data)

    gc.disable()  # freed by reference counting alone: no cycle to wait for
    try:
        with tracer.no_grad():
            h, product = relu_of_product()
        assert h._node is None and product() is None
        h, product = relu_of_product()
        assert h._node is not None and product() is not None  # relu's gradient needs its input
    finally:
        gc.enable()


def test_a_trace_is_freed_while_a_tensor_it_recorded_is_still_held() -> None:
    gc.disable()
    try:
        with tracer.record() as trace:
            w = tracer.param([1.0, 2.0], name="w")
            loss = (w * w).sum()
        gone = weakref.ref(trace)
        del trace
        assert gone() is None and loss._node is not None
        loss.backward()  # the tensor's own graph is still there (recorded nowhere now)
        assert w.grad.tolist() == [2.0, 4.0]
        with tracer.record() as trace, tracer.no_grad():  # forward only: the trace holds the arrays
            z = w * 3.0
            product = weakref.ref(z.data)
            h = tracer.relu(z)
            del z
        assert product() is not None and h._node is None
        del trace
        assert product() is None
    finally:
        gc.enable()


def test_a_number_is_one_constant_per_value_and_dtype_and_keeps_its_sign() -> None:
    x64, x32 = tracer.tensor([1.0, 2.0], name="x"), tracer.tensor(np.float32([1, 2]), name="y")
    with tracer.record() as trace:
        x64 + 1e-5, x64 + 1e-5, x32 + 1e-5
        neg, pos = x64 * -0.0, x64 * 0.0
    ids = [s.inputs[1] for s in trace.steps]
    assert ids[0] == ids[1] != ids[2] and trace.tensors[ids[0]].name == "1e-05"
    assert (trace.tensors[ids[0]].dtype, trace.tensors[ids[2]].dtype) == ("<f8", "<f4")
    assert np.signbit(neg.numpy()).all() and not np.signbit(pos.numpy()).any()


def test_nan_and_inf_are_counted_alike_in_small_and_large_outputs() -> None:
    for n in (3, 64, 65, 1000):
        v = np.ones(n)
        v[1] = -1.0
        with tracer.record() as trace:
            tracer.log(tracer.tensor(v, name="v"))
        assert trace.steps[0].nonfinite == 1, n
    for n in (3, 70):  # finite entries whose sum overflows: nothing to count
        with tracer.record() as trace:
            tracer.mul(tracer.tensor(np.full(n, 1e308), name="big"), 1.0)
        assert trace.steps[0].nonfinite == 0, n


def test_a_composite_counts_the_nan_and_inf_its_steps_introduced() -> None:
    scores = tracer.tensor([[0.0, np.inf], [1.0, 2.0]], name="scores")
    with tracer.record() as trace:
        tracer.layer_norm(tracer.attention(scores, scores, scores, name="att"), name="ln")
    composites = [s for s in trace.steps if REGISTRY[s.op].composite]
    assert [s.name for s in composites] == ["att", "att.weights", "ln"]
    for s in composites:  # its children's counts added up, a nested composite's own total included
        assert s.nonfinite == sum(c.nonfinite for c in trace.children(s))
    assert trace.step("att").nonfinite > trace.step("att.weights").nonfinite > 0 and trace.step("ln").nonfinite > 0


def test_a_shape_error_inside_a_layer_names_the_users_line_first() -> None:
    """The error names the line of the caller's code that called the layer, then the layer's line."""
    import pytest

    from tracer.errors import ShapeError
    from tracer.nn import Linear

    layer = Linear.init(3, 2, seed=0)
    with tracer.record():
        with pytest.raises(ShapeError) as caught:
            layer(tracer.tensor(np.ones((4, 5)), name="x"))  # the caller's line
    message = str(caught.value)
    assert "inner dimensions 5 and 3 differ (test_recording.py:" in message
    assert "layer(tracer.tensor(np.ones((4, 5)), name=\"x\"))  # the caller's line; in layers.py:" in message


def test_a_recording_hands_its_objects_to_the_oldest_generation_and_leaves_the_programs_settings() -> None:
    thresholds = gc.get_threshold()
    gc.collect()  # every generation empty but the oldest: a young collection now would only promote one step
    with tracer.record() as trace:
        W = tracer.param([[1.0, -2.0], [0.5, 3.0]], name="W")
        tracer.mse(tracer.relu(W @ W), np.ones((2, 2))).backward()
        assert gc.get_threshold()[0] >= 50_000  # while recording, the young generation is collected rarely
    assert gc.get_threshold() == thresholds
    record = next(iter(trace.tensors.values()))
    assert any(o is record for o in gc.get_objects(generation=2))  # old at once, and still the collector's
    gc.freeze()  # a program that froze objects of its own: they stay frozen (unfreezing would empty it)
    try:
        with tracer.record():
            tracer.relu(W)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
