"""Recording: names, scopes, source lines, composite structure, errors, NumPy interop."""
from __future__ import annotations

import numpy as np
import pytest

import tracer
from tracer.errors import NonFiniteError, ShapeError, UnsupportedError


def small_program() -> tracer.Trace:
    tracer.seed(5)
    with tracer.record(title="small") as trace:
        W = tracer.xavier((3, 4), name="W1")
        X = tracer.tensor(np.arange(8).reshape(4, 2), name="X")
        with tracer.scope("encoder"):
            H = tracer.relu(tracer.linear(W, X, tracer.param(np.ones(3), name="b1")), name="H")
        P = tracer.softmax(H, axis=0, name="P")
        loss = tracer.mse(P, tracer.tensor(np.eye(3)[:, :2], name="Y"))
        loss.backward()
        tracer.SGD([W], lr=0.1).step()
    return trace


def test_scopes_name_steps_and_children_nest() -> None:
    trace = small_program()
    names = trace.names()
    assert names[:5] == ["encoder.linear", "encoder.linear.matmul", "encoder.linear.bias_column",
                         "encoder.linear.bias", "encoder.H"]
    linear = trace.step("encoder.linear")
    assert [c.name for c in trace.children(linear)] == names[1:4]
    assert all(c.depth == 1 and c.parent == linear.id for c in trace.children(linear))
    assert trace.step("P.exp").parent == trace.step("P").id
    assert len(set(names)) == len(names)


def test_repeated_names_get_suffixes() -> None:
    with tracer.record() as trace:
        x = tracer.tensor([1.0, -1.0], name="x")
        tracer.relu(x)
        tracer.relu(x)
        tracer.relu(x, name="relu_1")  # a user's own name is never taken twice
    assert trace.names() == ["relu", "relu_1", "relu_1_1"]


def test_steps_carry_the_users_source_line() -> None:
    with tracer.record() as trace:
        W = tracer.tensor(np.ones((2, 2)), name="W")
        z = W @ W  # noqa: F841  (the line the step must point at)
    src = trace.steps[0].src
    assert src.file.endswith("test_trace.py") and src.code == "z = W @ W  # noqa: F841  (the line the step must point at)"
    assert str(src).startswith("test_trace.py:")


def test_output_and_tensor_records_share_the_array_no_copy() -> None:
    with tracer.record() as trace:
        X = tracer.tensor(np.ones((2, 3)), name="X")
        H = tracer.relu(X)
    assert trace.tensors[trace.steps[0].outputs[0]].data is H.numpy()
    assert trace.tensors[trace.steps[0].inputs[0]].data is X.numpy()


def test_same_program_gives_the_same_trace() -> None:
    a, b = small_program(), small_program()
    fields = lambda t: [(s.id, s.phase, s.op, s.name, s.inputs, s.outputs, s.parent, s.formula,
                         s.grad_of, s.grad_map) for s in t.steps]
    assert fields(a) == fields(b)
    for tid, rec in a.tensors.items():
        np.testing.assert_array_equal(rec.data, b.tensors[tid].data)


def test_shape_mismatch_names_op_step_shapes_and_line() -> None:
    W1, X = tracer.tensor(np.ones((3, 4)), name="W1"), tracer.tensor(np.ones((5, 2)), name="X")
    with tracer.record(), tracer.scope("encoder.layer1"), pytest.raises(ShapeError) as err:
        z = W1 @ X  # noqa: F841
    assert str(err.value).startswith("encoder.layer1 matmul: W1 (3, 4) @ X (5, 2): inner dimensions 4 and 5 differ (test_trace.py:")
    assert str(err.value).endswith(": z = W1 @ X  # noqa: F841)")
    with pytest.raises(ShapeError, match=r"^add: W1 \(3, 4\) \+ X \(5, 2\): shapes \(3, 4\) and \(5, 2\) do not broadcast"):
        W1 + X


def test_nonfinite_values_are_counted_and_strict_mode_stops() -> None:
    x = tracer.tensor([-1.0, 4.0], name="x")
    with tracer.record() as trace:
        tracer.log(x, name="logx")
    assert trace.steps[0].nonfinite == 1
    with tracer.record(strict=True), pytest.raises(NonFiniteError, match=r"^logx log: 1 NaN/Inf value\(s\) in the output \(test_trace.py:\d+"):
        tracer.log(x, name="logx")


def test_nonfinite_counted_on_read_composites_adding_their_steps() -> None:
    """Outside strict mode a step's count is taken when the trace is read (the arrays are kept,
    read-only); a composite's is what its own steps introduced."""
    x = tracer.tensor([[1e308, 1e308], [1.0, 2.0]], name="x")
    with tracer.record() as trace:
        tracer.layer_norm(x, name="ln")  # the mean overflows inside the composite
        tracer.attention(x, x, x, tracer.causal_mask(2))  # its -inf mask is inherited, not new
        tracer.log(tracer.tensor([-1.0, 0.0]), name="logx")
    steps = trace.steps
    assert trace.step("logx").nonfinite == 2
    for s in steps:
        children = [c for c in steps if c.parent == s.id and c.phase == "forward"]
        if children:
            assert s.nonfinite == sum(c.nonfinite for c in children), s.name
    assert trace.step("ln").nonfinite > 0
    assert sum(s.nonfinite for s in steps if s.parent is None) == 2 + trace.step("ln").nonfinite + trace.step("attention").nonfinite


def test_masked_minus_infinity_is_not_an_error_in_strict_mode() -> None:
    Q = tracer.tensor(np.eye(3), name="Q")
    with tracer.record(strict=True) as trace:
        out = tracer.attention(Q, Q, Q, tracer.causal_mask(3))
    assert np.isfinite(out.numpy()).all()
    assert trace.step("attention.weights").nonfinite == 0
    weights = trace.tensors[trace.step("attention.weights").outputs[0]].data
    assert weights[0, 1] == 0 and weights[0, 0] == 1


def test_numpy_functions_record_or_refuse() -> None:
    x = tracer.tensor([[1.0, -2.0], [3.0, 4.0]], name="x")
    with tracer.record() as trace:
        np.maximum(x, 0)
        np.exp(x)
        np.sum(x, axis=0)
        np.mean(x)
        np.concatenate([x, x], axis=1)
        np.transpose(x)
        2 * x + np.ones((2, 2))
    assert [s.op for s in trace.steps] == ["relu", "exp", "sum", "mean", "concat", "transpose", "mul", "add"]
    with pytest.raises(UnsupportedError, match=r"^np.linalg.inv is not supported on tracer tensors"):
        np.linalg.inv(x)
    with pytest.raises(UnsupportedError, match=r"^np.arcsin is not supported"):
        np.arcsin(x)
    with pytest.raises(UnsupportedError, match="would leave the trace"):
        np.asarray(x)
    with pytest.raises(UnsupportedError, match="immutable"):
        x[0, 0] = 1
    assert (x > 0).dtype == bool and not (x > 0).requires_grad  # a comparison is a mask, recorded


def test_outputs_are_read_only() -> None:
    h = tracer.relu(tracer.tensor([1.0, -1.0]))
    with pytest.raises(ValueError):
        h.numpy()[0] = 5


def test_step_lookup_errors_are_one_line() -> None:
    trace = small_program()
    with pytest.raises(tracer.TracerError, match="no step named 'nope'"):
        trace.step("nope")
    with pytest.raises(tracer.TracerError, match=r"no step 999: the trace has steps 0\.\.\d+"):
        trace.step(999)
    assert trace.step("3").id == 3


def test_tensor_stats_for_colour_scales() -> None:
    with tracer.record() as trace:
        tracer.log(tracer.tensor([[-1.0, 1.0], [np.e, 0.0]]))
    stats = trace.tensors[trace.steps[0].outputs[0]].stats
    assert stats == {"min": 0.0, "max": 1.0, "mean": 0.5, "nan": 1, "inf": 1}


def test_an_optional_input_left_out_leaves_its_part_of_the_formula_out() -> None:
    W, X = tracer.tensor([[1.0, 2.0]], name="W"), tracer.tensor([[1.0], [1.0]], name="X")
    b = tracer.tensor([0.5], name="b")
    with tracer.record() as trace:
        tracer.linear(W, X, name="Z")
        tracer.linear(W, X, b=b, name="Zb")  # a tensor by keyword is an input like any other
    plain, biased = trace.step("Z"), trace.step("Zb")
    assert plain.formula == "Z = W · X" and plain.attrs["omitted"] == ["b"]
    assert plain.narration == "A linear layer: multiply X by the weights W."
    assert biased.formula == "Zb = W · X + b" and len(biased.inputs) == 3
    from tracer.i18n import narrate
    assert narrate(trace, plain, "zh-Hans") == "线性层：把 X 乘上权重 W。"


def test_a_linear_layers_narration_names_its_own_operands_in_the_augmented_product() -> None:
    W2, H1 = tracer.tensor([[1.0, 2.0]], name="W2"), tracer.tensor([[1.0], [1.0]], name="H1")
    with tracer.record() as trace:
        tracer.linear(W2, H1, b=tracer.tensor([0.5], name="b2"), name="Z2")
    from tracer.i18n import narrate
    step = trace.step("Z2")
    assert step.narration.endswith("([W2 | b2] · [H1 ; 1]).")
    assert narrate(trace, step, "zh-Hant").endswith("（[W2 | b2] · [H1 ; 1]）。")


def test_composite_children_carry_the_part_their_op_declared() -> None:
    trace = small_program()
    P = trace.step("P")
    assert set(trace.parts(P)) == {"max", "shifted", "exp", "sum", "probs"}
    assert trace.parts(P)["exp"].op == "exp"
    grad = next(s for s in trace.phase("backward") if s.grad_of == trace.parts(P)["exp"].id)
    assert grad.part == "exp"   # a gradient step keeps the part of the step it differentiates
    assert trace.step("encoder.H").part is None   # a top-level step plays no part


def test_an_op_declares_a_known_family_and_a_composite_its_parts() -> None:
    from tracer.ops.declare import composite, primitive
    from tracer.ops.spec import FAMILIES

    assert all(spec.family in FAMILIES for spec in tracer.OPS.values())
    assert all(bool(spec.parts) == spec.composite for spec in tracer.OPS.values())
    with pytest.raises(tracer.TracerError, match="family 'colour'"):
        primitive("toy_unknown_family", family="colour", formula="", narration="")(lambda x: (x, None))
    with pytest.raises(tracer.TracerError, match="declares its parts"):
        composite("toy_without_parts", family="layer", formula="", narration="")(lambda x: x)
    assert "toy_unknown_family" not in tracer.OPS and "toy_without_parts" not in tracer.OPS


def test_a_composite_running_an_undeclared_part_is_refused() -> None:
    from tracer.ops.declare import composite
    from tracer.ops.spec import REGISTRY

    @composite("toy_double", family="layer", parts=("twice",), formula="{out} = 2·{x}", narration="")
    def toy_double(x):
        return tracer.mul(x, 2.0, name="doubled")

    try:
        with pytest.raises(tracer.TracerError, match="'doubled' that is not among its declared parts"):
            with tracer.record():
                toy_double(tracer.tensor([1.0], name="x"))
    finally:
        del REGISTRY["toy_double"]


def test_axis_labels_are_checked_and_kept_by_the_trace() -> None:
    with tracer.record() as trace:
        X = tracer.tensor([[1, 2, 3], [4, 5, 6]], name="X", rows=["weather", "price"], cols=["a", "b", "c"])
        tracer.relu(X, name="H")
    assert trace.tensors[trace.steps[0].inputs[0]].labels == (("weather", "price"), ("a", "b", "c"))
    with pytest.raises(ShapeError, match="2 labels for axis 1 of length 3"):
        tracer.tensor(np.zeros((2, 3)), name="Z", cols=["a", "b"])


def test_a_trace_nobody_holds_is_freed_at_once_with_its_arrays() -> None:
    """Nothing the trace keeps for later (the formulas it writes when read) points back at it: no
    reference cycle, so its arrays go when the last reference does, not at the next collection."""
    import gc
    import weakref

    gc.disable()
    try:
        with tracer.record() as trace:
            w = tracer.param([[1.0, 2.0]], name="w")
            tracer.softmax(w @ tracer.tensor([[1.0], [3.0]], name="x"), axis=0).sum().backward()
        gone = weakref.ref(trace)
        assert trace._pending  # formulas still to write: the case that used to make a cycle
        del trace, w
        assert gone() is None
    finally:
        gc.enable()
