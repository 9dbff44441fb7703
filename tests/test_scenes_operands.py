"""Every operand on screen when a step uses it (issue 9): as the cells of each output start being
worked, every tensor the first cell reads (the step's own inputs; a number written in the formula,
like the √d_k a score is divided by, aside) has a grid on the canvas, whole in the camera's work
area — not left off (layer norm's γ and β, the SAE's column-norm weights), not far back on the
canvas (the residual's input, drawn a layer ago), not pushed out of view by the rest of the step.

Forward and backward steps alike: dW = dZ·Xᵀ reads dZ and X, dX = Wᵀ·dZ reads W and dZ (X drawn
transposed counts as X: the stage registers the drawn grid for it). A linear layer's gradient is
worked through its parts, which the stage records (the matmul's dW, the bias add's db); a gradient
shown collapsed (an L1 penalty's, sign(f) ⊙ the weights) needs every tensor its parts take in —
not those made inside it or inside its forward step, nor a single number like the loss's seed 1.

The walkthrough is laid out without drawing a frame (a still of its last beat: every beat before it
runs in a skipped section, where the players place their grids and move the camera exactly as in
the video; ``plan.hints["audit"]`` makes the stage record each working's view and grids).
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from tracer.display import fmt  # noqa: E402
from tracer.explain import explain, tensor_format  # noqa: E402

from .example_runs import audited_still  # noqa: E402

QUICK = ["transformer_block", "sparse_autoencoder"]   # the two examples
SLOW = ["anomaly_detection", "autoencoder", "mlp_backprop", "multi_head_attention", "next_char", "next_token",
        "normalization", "perceptron", "positional_encoding", "rnn", "gru", "lstm", "rnn_vs_attention",
        "self_attention", "word_autoencoder", "masked_lm", "gradient_through_time",
        # a product larger than the widest view (a wide batch of samples; W1 beside 14 one-hot
        # words) is drawn with fewer rows and columns (Canvas.product); a loss row too wide goes
        # under, a batch norm's γ and β too tall under σ go along the row
        "vanishing_gradients", "exploding_gradients"]
# the examples whose walkthrough sends a gradient back (the others stop at the forward pass)
BACKWARD = ["autoencoder", "mlp_backprop", "multi_head_attention", "perceptron", "rnn", "gru", "lstm",
            "word_autoencoder", "gradient_through_time", "vanishing_gradients", "exploding_gradients"]


_seen: dict[str, tuple] = {}
_stages: dict[str, object] = {}


def workings(name: str, folder) -> tuple:
    """The example's trace, plan and the stage's record of every working (laid out once)."""
    if name not in _seen:
        trace, plan, scene, _ = audited_still(name, folder)
        _seen[name] = trace, plan, scene.stage.workings
        _stages[name] = scene.stage
    return _seen[name]


def _parts(trace, step) -> list:
    out, todo = [], list(trace.children(step))
    while todo:
        out.append(todo.pop())
        todo += trace.children(out[-1])
    return out


def operands(trace, step) -> set[str]:
    """The tensors ``step`` takes in: its inputs and its parts' (those made by a part aside, and,
    for a gradient, those made inside the forward step it differentiates: it is drawn collapsed,
    its inputs and outputs only — an L1 penalty's |f| is not a grid of its own)."""
    parts = _parts(trace, step)
    taken = set(step.inputs).union(*(p.inputs for p in parts))
    inside = set().union(*(p.outputs for p in parts))
    if step.grad_of is not None:
        fwd = trace.steps[step.grad_of]
        inside |= set().union(*(p.outputs for p in _parts(trace, fwd))) - {*fwd.inputs, *fwd.outputs}
    return taken - inside


def missing_operands(trace, working) -> list[str]:
    """The operands the first worked cell reads that are not whole in view, by name."""
    step = trace.steps[working["step"]]
    record = trace.tensors[step.outputs[working["output"]]]
    n = len(record.shape)   # a single number is drawn as a 1×1 grid, a bias column's cell by its row
    cell = tuple(working["cell"][:n]) + (0,) * (n - len(working["cell"]))
    reads = dict.fromkeys(tid for tid, _ in explain(trace, step, cell, working["output"]).reads)
    inputs = operands(trace, step)
    if step.phase == "backward" and trace.children(step) and reads:   # a gradient shown collapsed,
        # worked: its working reads inner tensors made of all it takes in (but a single number, like
        # the loss's seed 1); shown as its value alone, it reads nothing to draw beside it
        reads.update(dict.fromkeys(sorted(t for t in inputs if trace.tensors[t].size > 1)))
    lo_area, hi_area = working["area"]
    out = []
    for tid in reads:
        t = trace.tensors[tid]
        if tid not in inputs or (t.kind == "const" and t.size == 1):
            continue
        box = working["drawn"].get(tid)
        if box is None or not ((box[0][:2] >= lo_area - 1e-6).all() and (box[1][:2] <= hi_area + 1e-6).all()):
            out.append(f"{step.name}: {t.name}")
    return out


def check(name: str, folder, phase: str) -> None:
    trace, plan, seen = workings(name, folder)
    mine = [w for w in seen if trace.steps[w["step"]].phase == phase]
    assert len(mine) >= max(1, len([b for b in plan.step_beats if b.step.phase == phase and b.step.outputs]) // 2)
    problems = [p for w in mine for p in missing_operands(trace, w)]
    assert not problems, problems


@pytest.mark.parametrize("name", QUICK)
def test_every_operand_is_in_view_when_a_forward_step_uses_it(name, tmp_path):
    check(name, tmp_path, "forward")


@pytest.mark.parametrize("name", QUICK)
def test_every_operand_is_in_view_when_a_backward_step_uses_it(name, tmp_path):
    check(name, tmp_path, "backward")


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_every_operand_is_in_view_in_every_example(name, tmp_path):
    check(name, tmp_path, "forward")


@pytest.mark.slow
@pytest.mark.parametrize("name", BACKWARD)
def test_every_operand_is_in_view_in_every_backward_pass(name, tmp_path):
    check(name, tmp_path, "backward")


def test_a_weights_gradient_is_worked_beside_its_input_drawn_transposed(tmp_path):
    """sparse_autoencoder: the training pass's forward steps are told fast, so dW_enc = dZ·Xᵀ has
    no forward layout to write into: it is laid out as a product of its own, X drawn transposed
    (the grid the stage registers for X, whole in view), and every number drawn is the trace's."""
    trace, plan, seen = workings("sparse_autoencoder", tmp_path)
    stage = _stages["sparse_autoencoder"]
    mm = trace.step("train.0.encoder.Z.matmul.grad")
    x = trace.steps[mm.grad_of].inputs[1]
    dw = [w for w in seen if w["step"] == mm.id]
    assert dw and not missing_operands(trace, dw[0])
    box = dw[0]["drawn"][x]
    grid = next(s.grid for s in stage.slots[x] if s.grid.transpose and np.allclose(stage.canvas.extent([s.grid])[0], box[0][:2]))
    assert grid.rc((0, 1)) == (1, 0)   # X[0, 1] is drawn in row 1, column 0
    assert len(stage.audits) == len(plan.step_beats)
    for shown in stage.audits:
        for tid, lane, idx, text, alpha in shown:
            record = trace.tensors[tid]
            assert text == fmt(np.asarray(record.data)[idx], tensor_format(trace, tid), "−"), (record.name, lane, idx)
            assert alpha > 0.99, (record.name, lane, idx)


def test_the_residuals_input_is_drawn_again_beside_it(tmp_path):
    """transformer_block: X was drawn at the start; X + attention is worked beside a copy of it,
    and layer norm's γ and β are drawn with it."""
    trace, _, seen = workings("transformer_block", tmp_path)
    resid = [w for w in seen if trace.steps[w["step"]].name == "blocks.0.resid_mid"]
    assert resid and not missing_operands(trace, resid[0])
    ln = [w for w in seen if trace.steps[w["step"]].name.startswith("blocks.0.ln1")]
    gamma = trace.step("blocks.0.ln1").inputs[1]
    assert all(gamma in w["drawn"] for w in ln[-1:])
    lo, hi = ln[-1]["drawn"][gamma]
    assert (lo[:2] >= ln[-1]["area"][0] - 1e-6).all() and (hi[:2] <= ln[-1]["area"][1] + 1e-6).all()
    assert np.isfinite(lo).all()


def test_the_first_cell_worked_is_one_that_teaches(tmp_path):
    """sparse_autoencoder: a product whose first cells are 0×0 + 0×0 = 0, an update whose first
    gradients are 0, start on a cell that shows something (a printed result that is not 0)."""
    trace, _, seen = workings("sparse_autoencoder", tmp_path)
    for w in seen:
        step = trace.steps[w["step"]]
        data = np.asarray(trace.tensors[step.outputs[w["output"]]].data)
        if data.ndim != len(w["cell"]) or not np.any(np.round(data.ravel()[:24], 2)):
            continue
        cell = explain(trace, step, w["cell"], output=w["output"], minus="−")
        assert any(ch in "123456789" for ch in cell.text), (step.name, w["cell"], cell.expression)
    update = [w for w in seen if trace.steps[w["step"]].name == "train.0.W_enc.update"]
    dw = trace.steps[update[0]["step"]].inputs[1]
    assert update and trace.tensors[dw].data[tuple(update[0]["cell"])] != 0
