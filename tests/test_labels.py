"""Axis labels travel through every family of op as declared (tracer/ops/labels.py), reach the
trace's records, gradients and updates, and survive the trace file."""
from __future__ import annotations

import numpy as np
import pytest

import tracer
from tracer.errors import TracerError
from tracer.ops.declare import check_declaration
from tracer.ops.spec import REGISTRY
from tracer.ops.labels import has_rule

WORDS = ("king", "queen", "cat")
TOKENS = ("the", "king", "sat", "down")


def _X() -> tracer.Tensor:   # (3 features, 4 tokens)
    return tracer.tensor(np.arange(12.0).reshape(3, 4), name="X", rows=["a", "b", "c"], cols=TOKENS)


def test_every_primitive_says_how_labels_pass():
    # the backward pass's bookkeeping (accumulate, grad_total) names its gradients as their tensors
    assert all(has_rule(spec) for spec in REGISTRY.values() if spec.family != "gradient")


def test_an_op_without_a_rule_is_refused_at_declaration():
    spec = REGISTRY["transpose"]
    bare = type(spec)(**{**spec.__dict__, "name": "odd", "labels": None})
    with pytest.raises(TracerError, match="axis labels"):
        check_declaration(bare)


def test_matmul_takes_rows_from_the_left_and_columns_from_the_right():
    W = tracer.param(np.ones((2, 3)), name="W", rows=["h1", "h2"], cols=["a", "b", "c"])
    assert (W @ _X()).labels == (("h1", "h2"), TOKENS)
    v = tracer.tensor([1.0, 2.0], name="v", rows=["h1", "h2"])
    assert (v @ (W @ _X())).labels == (TOKENS,)          # a vector times a matrix: its columns
    assert (W @ tracer.tensor([1.0, 1, 1])).labels == (("h1", "h2"),)


def test_elementwise_ops_keep_labels_and_broadcast_takes_them_from_whoever_has_them():
    X = _X()
    assert tracer.relu(X).labels == X.labels and (X * 2).labels == X.labels
    b = tracer.tensor([[1.0], [2.0], [3.0]], name="b")            # (3, 1), no labels
    assert (b + X).labels == X.labels
    row = tracer.tensor([[1.0, 2, 3, 4]], name="r", cols=TOKENS)   # (1, 4): only columns
    col = tracer.tensor([[1.0], [2.0], [3.0]], name="c", rows=["a", "b", "c"])
    assert (row + col).labels == (("a", "b", "c"), TOKENS)


def test_softmax_and_layer_norm_keep_labels():
    X = _X()
    assert tracer.softmax(X, axis=0).labels == X.labels
    assert tracer.layer_norm(X, axis=0).labels == X.labels


def test_reductions_drop_the_reduced_axis():
    X = _X()
    assert X.sum(axis=0).labels == (TOKENS,)
    assert X.mean(axis=1, keepdims=True).labels == (("a", "b", "c"), None)
    assert X.max().labels is None


def test_transpose_swaps_and_reshape_keeps_what_is_clear():
    X = _X()
    assert X.T.labels == (TOKENS, ("a", "b", "c"))
    b = tracer.tensor([1.0, 2.0, 3.0], name="b", rows=["h1", "h2", "h3"])
    assert b.reshape(3, 1).labels == (("h1", "h2", "h3"), None)
    assert tracer.tensor([2.0], name="b", rows=["y"]).reshape(1, 1).labels == (("y",), None)
    assert tracer.tensor([[2.0], [3.0]], name="c", rows=["p", "q"]).reshape(2).labels == (("p", "q"),)
    assert X.reshape(12).labels is None                  # flattened: no name fits
    t3 = tracer.tensor(np.zeros((2, 3, 4)), name="t", labels=[["p", "q"], None, TOKENS])
    assert t3.reshape(6, 4).labels == (None, TOKENS)     # the trailing axis is left alone


def test_concat_split_and_slices_keep_the_names_of_what_they_keep():
    X = _X()
    Y = tracer.tensor(np.ones((2, 4)), name="Y", rows=["d", "e"], cols=TOKENS)
    joined = tracer.concat([X, Y], axis=0)
    assert joined.labels == (("a", "b", "c", "d", "e"), TOKENS)
    assert tracer.concat([X, tracer.tensor(np.ones((1, 4)))], axis=0).labels == (None, TOKENS)
    left, right = tracer.split(X, 2, axis=1)
    assert left.labels == (("a", "b", "c"), ("the", "king")) and right.labels[1] == ("sat", "down")
    assert X[:, 1:3].labels == (("a", "b", "c"), ("king", "sat"))
    assert X[1].labels == (TOKENS,)
    assert X[None, 0].labels == (None, TOKENS)
    assert X[..., [3, 0]].labels == (("a", "b", "c"), ("down", "the"))


def test_a_broadcast_axis_never_names_an_axis_the_other_input_names():
    """A (1, 4) row named by a single 'bias' row is spread over X's three rows: X's names win,
    whichever side of the + the row is on; a stack takes each axis from whoever names it."""
    X = _X()
    row = tracer.tensor(np.ones((1, 4)), name="r", labels=[["bias"], None])
    assert (row + X).labels == X.labels and (X + row).labels == X.labels
    unnamed_rows = tracer.tensor(np.ones((3, 4)), name="U", cols=TOKENS)
    named_rows = tracer.tensor(np.ones((3, 4)), name="N", rows=["a", "b", "c"])
    assert tracer.stack([unnamed_rows, named_rows]).labels == (None, ("a", "b", "c"), TOKENS)


def test_names_from_says_whose_names_an_axis_takes_when_the_inputs_disagree():
    h = tracer.tensor(np.ones((2, 1)), name="h", cols=["x1"])               # the state after step 1
    x = tracer.tensor(np.ones((2, 1)), name="x", rows=["f1", "f2"], cols=["x2"])  # step 2's input
    assert tracer.concat([h, x], axis=0).labels == (None, ("x1",))            # first names win
    assert tracer.concat([h, x], axis=0, names_from=x).labels == (None, ("x2",))
    pe = tracer.tensor(np.ones((3, 4)), name="PE", cols=["t=0", "t=1", "t=2", "t=3"])
    X = _X()
    assert tracer.add(pe, X, names_from=X).labels == X.labels
    assert tracer.where(np.ones((3, 1), bool), pe, X, names_from=X).labels == X.labels
    with pytest.raises(TracerError, match="names_from=h is not one of its inputs"):
        tracer.add(pe, X, names_from=h)


def test_a_recurrent_step_is_named_by_its_input_not_by_the_step_before():
    from tracer.models import LSTMCell, Recurrent, RNNCell
    X = tracer.tensor([[1.0, 0, 1], [0, 1, 1]], name="X", rows=["f1", "f2"], cols=["x1", "x2", "x3"])
    for cell in (LSTMCell.init(2, 2), RNNCell.init(2, 2)):
        with tracer.record() as trace:
            Recurrent(cell, np.ones((1, 2)), [0.0])(X)
        kind = cell.kind
        for t in range(3):
            hidden = trace.tensors[trace.step(f"{kind}.t{t}.hidden").outputs[0]]
            assert hidden.labels == (None, (f"x{t + 1}",)), (kind, t, hidden.labels)
        if kind == "lstm":   # tracer run lstm, step 28: hx = [h ; x] read "x1" at the second step
            assert trace.tensors[trace.step("lstm.t1.hx").outputs[0]].labels == (None, ("x2",))


def test_a_recurrent_state_is_named_by_its_timestep():
    from tracer.models import LSTMCell, Recurrent
    X = tracer.tensor([[1.0, 0, 1], [0, 1, 1]], name="X", rows=["f1", "f2"], cols=["x1", "x2", "x3"])
    with tracer.record() as trace:
        Recurrent(LSTMCell.init(2, 2), np.ones((1, 2)), [0.0])(X)
    assert trace.step("lstm.t1.hx").formula == "hx = [h₁, x₂]"
    assert trace.step("lstm.t1.kept").formula == "kept = forget_gate ⊙ c₁"
    assert [trace.tensors[trace.step(f"lstm.t{t}.hidden").outputs[0]].name for t in range(3)] == ["h₁", "h₂", "h₃"]


def test_x_plus_pe_keeps_the_tokens_not_the_positions():
    from tracer.models.attention import PositionalEncoding
    X = tracer.tensor(np.ones((4, 3)), name="X", cols=["中", "华", "人"])
    assert PositionalEncoding(4)(X).labels == (None, ("中", "华", "人"))


def test_gather_names_the_picked_axis_by_the_ids_or_by_the_table():
    E = tracer.param(np.arange(6.0).reshape(2, 3), name="E", rows=["d0", "d1"], cols=WORDS)
    assert tracer.gather(E, [2, 0], axis=1).labels == (("d0", "d1"), ("cat", "king"))
    ids = tracer.tensor([1, 1], name="ids", rows=["queen@0", "queen@1"])
    assert tracer.gather(E, ids, axis=1).labels == (("d0", "d1"), ("queen@0", "queen@1"))


def test_where_and_attention_carry_the_tokens():
    X = tracer.tensor(np.eye(3), name="X", rows=["q", "r", "s"], cols=WORDS)
    masked = tracer.where(np.tril(np.ones((3, 3), bool)), X, -np.inf)
    assert masked.labels == X.labels
    rows = X.T                                            # tokens down
    with tracer.record() as trace:
        tracer.attention(rows, rows, rows, name="attn")
    weights = trace.tensors[trace.step("attn.weights").outputs[0]]
    assert weights.labels == (WORDS, WORDS)               # queries down, keys across


def test_gradients_and_updates_keep_the_labels_of_their_tensor(tmp_path):
    W = tracer.param([[1.0, -1.0]], name="W", rows=["go"], cols=["weather", "price"])
    X = tracer.tensor([[1.0], [2.0]], name="X", rows=["weather", "price"], cols=["Sat"])
    with tracer.record() as trace:
        loss = tracer.sse(W @ X, tracer.tensor([[3.0]], name="Y"), name="loss")
        loss.backward()
        tracer.Adam([W], lr=0.1).step()
    grad = next(t for t in trace.tensors.values() if t.kind == "grad" and t.name == "dW")
    assert grad.labels == (("go",), ("weather", "price"))
    updated = trace.tensors[trace.phase("update")[0].outputs[0]]
    assert updated.labels == W.labels and W.labels == (("go",), ("weather", "price"))
    trace.save(tmp_path / "l.trace")
    back = tracer.load(tmp_path / "l.trace")
    assert back.tensors[updated.id].labels == updated.labels
    assert back.tensors[grad.id].labels == grad.labels


def test_clipped_gradients_keep_their_own_labels():
    a = tracer.param([1.0, 2.0], name="a", rows=["x", "y"])
    b = tracer.param([3.0], name="b", rows=["z"])
    with tracer.record() as trace:
        ((a * a).sum() + (b * b).sum()).backward()
        tracer.clip_grad_norm([a, b], 1.0)
    clip = trace.phase("update")[0]
    assert [trace.tensors[o].labels for o in clip.outputs] == [(("x", "y"),), (("z",),)]


def test_unlabelled_models_stay_unlabelled():
    with tracer.record() as trace:
        tracer.relu(tracer.tensor([[1.0, -1.0]], name="x") @ tracer.tensor([[1.0], [2.0]], name="w"))
    assert all(t.labels is None for t in trace.tensors.values())


def test_tracer_show_prints_the_names_on_the_grids():
    from tracer.textgrid import grid
    from tracer.textview import plain
    words = [f"w{i}" for i in range(10)]
    with tracer.record() as trace:
        tracer.relu(tracer.tensor(np.arange(20.0).reshape(10, 2), name="L", rows=words, cols=["中文", "a-very-long-name"]),
                    name="H")
    lines = plain(grid(trace, trace.steps[0].outputs[0], color=False)).splitlines()
    assert lines[1].split() == ["中文", "a-very-lo…"]                  # names above, cut to ten cells
    assert lines[2].split() == ["w0", "0", "1"] and lines[-1].split() == ["w9", "18", "19"]
    assert lines[5].split() == ["⋮", "⋮"]                              # elided with the values
    cells = {len(line) + sum(ord(c) > 0x2E80 for c in line) for line in lines[1:]}   # a CJK character takes two
    assert len(cells) == 1                                                # so every column lines up


# ---- labels given in an example file (bad ones: tests/test_examples.py) ---------------------------------
def test_labels_from_a_file_reach_the_trace_and_defaults_that_no_longer_fit_are_left_out(tmp_path):
    from tracer.examples import run_example
    path = tmp_path / "p.yaml"
    path.write_text("system: perceptron\nlabels:\n  X: {cols: [Saturday]}\n", encoding="utf-8")
    trace = run_example(str(path))
    assert trace.tensors[trace.step("decide.perceptron.S").outputs[0]].labels == (None, ("Saturday",))
    path.write_text("system: mlp\ninputs:\n  X: [[1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]]\n"
                    "targets:\n  Y: [[1, 2, 3, 4, 5, 6]]\n", encoding="utf-8")
    trace = run_example(str(path))   # the default names four samples; six were given
    assert trace.tensors[trace.step("train.0.layer1.Z1").outputs[0]].labels == (("h1", "h2", "h3"), None)


def test_grids_side_by_side_start_their_rows_on_one_line():
    """A grid without column names beside one with them (the stepper's wide pane) keeps a blank
    header line, so row i of each grid is on the same printed line."""
    from tracer.stepview import step_parts
    from tracer.textview import plain

    mask = tracer.tensor([[1.0], [0.0], [1.0]], name="mask")
    X = _X()
    with tracer.record() as trace:
        tracer.where(mask, X, tracer.tensor(np.zeros((3, 4)), name="Z"), name="Y")
    step = trace.steps[-1]
    lines = plain(step_parts(trace, step, color=False, width=200).grids).splitlines()
    top = next(k for k, line in enumerate(lines) if line.lstrip().startswith("mask"))
    assert lines[top + 1].split() == list(TOKENS) * 2           # the column names of X and of Y
    assert lines[top + 2].split()[:3] == ["1", "a", "0"]        # mask row 0 beside X's row a
