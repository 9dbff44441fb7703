"""The backward pass of each trained example is worked where it teaches something new: the loss's
gradient, a gradient through each kind of op its forward pass worked (a product's two gradients,
the softmax, an activation, a layer norm), and, where two gradients of one tensor meet (a residual,
a cell state read twice, a weight every timestep shares), their sum cell by cell; the rest
fast-forwarded with its ×N, the walkthrough not twice as long for it."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.estimate import video_seconds  # noqa: E402
from tracer.ops.spec import family_of  # noqa: E402
from tracer.systems.stories import meeting  # noqa: E402

from .example_runs import run  # noqa: E402
from .test_scenes_players2 import text_of  # noqa: E402
from .test_scenes_players2 import run as render  # noqa: E402

TRAINED = ["self_attention", "multi_head_attention", "transformer_block", "lstm", "gru", "rnn", "mlp_backprop",
           "autoencoder", "sparse_autoencoder", "vanishing_gradients", "exploding_gradients", "word_autoencoder"]
# (and the perceptron, whose criterion −Σ E⊙S is written with sum and mul, not a loss op: in the
# sums' test only)
# a residual (transformer_block, vanishing_gradients' residual network); a cell state, a gate, a weight
# every timestep shares (lstm, gru, rnn); features and W_dec read by the decoder and the L1 penalty
# (sparse_autoencoder); the perceptron's weighted sum S, read by its criterion twice
MEET = {"transformer_block", "vanishing_gradients", "lstm", "gru", "rnn", "sparse_autoencoder", "perceptron"}
KIND = {"linear": "product", "matmul": "product", "softmax": "softmax", "relu": "activation",
        "sigmoid": "activation", "tanh": "activation", "layer_norm": "layer norm"}
# seconds at the normal pace before the backward passes were worked (4 December 2026)
BEFORE = {"self_attention": 158, "transformer_block": 319, "lstm": 327, "rnn": 184, "vanishing_gradients": 296,
          "gradient_through_time": 327}


def kinds(steps) -> set[str]:
    return {KIND[s.op] for s in steps if s.op in KIND}


@pytest.mark.parametrize("name", TRAINED)
def test_the_backward_pass_works_the_loss_and_each_kind_of_op_the_forward_pass_worked(name):
    plan = build_plan(run(name))
    worked = [b.step for b in plan.step_beats]
    forward = [s for s in worked if s.phase == "forward"]
    backward = [s for s in worked if s.phase == "backward"]
    assert any(family_of(s.op) == "loss" for s in backward), name
    assert kinds(forward) - kinds(backward) == set(), [s.name for s in backward]
    # a product's gradients worked both ways at least once: dX = Wᵀ·dY beside dW = dY·Xᵀ
    assert any(KIND.get(s.op) == "product" and len(s.outputs) >= 2 for s in backward), [s.name for s in backward]


@pytest.mark.parametrize("name", [*TRAINED, "perceptron"])
def test_where_two_gradients_meet_their_sum_is_worked_in_full(name):
    trace = run(name)
    first = meeting(trace, inside=True)
    assert (first is not None) == (name in MEET)   # which examples have one, read from their traces
    if first is None:
        return
    beats = {b.step.id for b in build_plan(trace).step_beats}
    # a beat of its own, or a part of a linear layer's gradient worked in full (its player adds the
    # shares of its input and weight as they come: scenes/players/matmul_grad.py)
    worked = beats | {s.id for s in trace.steps if s.parent in beats and trace.steps[s.parent].op == "linear"}
    sums, after = [], -1
    while (after := meeting(trace, after, inside=True)) is not None:
        sums.append(after)
    assert set(sums) & worked, [trace.steps[s].name for s in sums]


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_the_worked_backward_pass_keeps_the_walkthrough_within_half_as_long_again(name):
    seconds = video_seconds(build_plan(run(name)))
    assert seconds < 1.5 * BEFORE[name]


def test_the_lstms_cell_read_twice_shows_both_gradients_and_their_sum_cell_by_cell(tmp_path):
    """Back at timestep 2 the cell state's gradient comes through the next cell (kept = f·c) and
    through h = o·tanh(c): both drawn, added cell by cell, each sum said as its arithmetic."""
    trace = run("lstm")
    acc = trace.steps[meeting(trace, trace.step("train.0.lstm.t2.hx.grad").id)]
    assert acc.op == "accumulate" and acc.parent is None
    plan, stage = render(trace, tmp_path, scene="auto", video=True, steps=f"{acc.id}..{acc.id}")
    assert acc.id in [b.step.id for b in plan.beats[slice(*plan.window)] if b.step is not None]
    for tid in (*acc.inputs, acc.outputs[0]):
        assert stage.slots.get(tid), trace.tensors[tid].name
    out = acc.outputs[0]
    drawn = stage.slot(out)
    assert [drawn.entry(i).text for i in drawn.grid.shown()] == [text_of(trace, out, i) for i in drawn.grid.shown()]
    for idx in ((0, 0), (1, 0)):
        a, b = (text_of(trace, t, idx) for t in acc.inputs)
        assert any(a in line and b.lstrip("−-") in line and line.rstrip().endswith(text_of(trace, out, idx))
                   for line in stage.said), (idx, stage.said)
