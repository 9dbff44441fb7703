"""The backward pass of each trained example is worked where it teaches something new: the loss's
gradient, a gradient through each kind of op its forward pass worked (a product's two gradients,
the softmax, an activation, a layer norm), and, where two gradients of one tensor meet (a residual,
a cell state read twice, a weight every timestep shares), their sum cell by cell; the rest
fast-forwarded with its ×N, the walkthrough not twice as long for it."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.estimate import video_seconds  # noqa: E402
from tracer.explain.arith import evaluate, rounds_to  # noqa: E402
from tracer.ops.spec import family_of  # noqa: E402
from tracer.shares import named, shares  # noqa: E402
from tracer.story import Story  # noqa: E402
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


def root(trace, sid):
    """The step a walkthrough shows that step ``sid`` is part of."""
    while trace.steps[sid].parent is not None:
        sid = trace.steps[sid].parent
    return trace.steps[sid]


def assert_drawn_and_said_as_added(trace, acc, tmp_path):
    """``acc`` played by itself: both shares and their sum drawn, the sum's cells as the trace
    has them, its first cells said as their arithmetic (``−0.25 + 0.03 = −0.22``) from the
    printed shares; and the trace's sum is the shares' sum."""
    out = acc.outputs[0]
    assert np.allclose(sum(np.asarray(trace.tensors[t].data) for t in acc.inputs), trace.tensors[out].data)
    plan, stage = render(trace, tmp_path, scene="auto", video=True, steps=f"{acc.id}..{acc.id}")
    assert acc.id in [b.step.id for b in plan.beats[slice(*plan.window)] if b.step is not None]
    for tid in (*acc.inputs, out):
        assert stage.slots.get(tid), trace.tensors[tid].name
    drawn = stage.slot(out)
    assert [drawn.entry(i).text for i in drawn.grid.shown()] == [text_of(trace, out, i) for i in drawn.grid.shown()]
    said = [line for line in stage.said if "=" in line and not line.lstrip().startswith("d")]
    assert said, stage.said
    for line in said:   # each cell's arithmetic redone from its printed numbers, to its last printed place
        expression, result = line.rsplit("=", 1)
        assert rounds_to(evaluate(expression), result.strip()), line
    first = drawn.grid.shown()[0]
    assert any(line.rstrip().endswith(text_of(trace, out, first)) for line in said), (first, said)
    return stage


def test_the_lstms_cell_read_twice_shows_both_gradients_and_their_sum_cell_by_cell(tmp_path):
    """Back at timestep 2 the cell state's gradient comes through the next cell (kept = f·c) and
    through h = o·tanh(c): both drawn, added cell by cell, each sum said as its arithmetic."""
    trace = run("lstm")
    acc = trace.steps[meeting(trace, trace.step("train.0.lstm.t2.hx.grad").id)]
    assert acc.op == "accumulate" and acc.parent is None
    stage = assert_drawn_and_said_as_added(trace, acc, tmp_path)
    for idx in ((0, 0),):   # (one cell said: a sum was worked in full before, d[h; x]'s)
        a, b = (text_of(trace, t, idx) for t in acc.inputs)
        assert any(a in line and b.lstrip("−-") in line and line.rstrip().endswith(text_of(trace, acc.outputs[0], idx))
                   for line in stage.said), (idx, stage.said)


def chapter_of(trace, sid):
    return next(c for c in Story.from_meta(trace.meta).chapters if c.steps[0] <= sid <= c.steps[1])


def test_the_lstms_hx_shares_through_two_gates_are_added_in_full_at_one_timestep(tmp_path):
    """Every gate reads [h; x]: back in the last timestep, d[h; x]'s share through the output gate
    (W_oᵀ·dz_o) and through the candidate (W_gᵀ·dz_g) are added cell by cell under a title naming
    both gates; the input and forget gates' shares are added the same way, fast (×2), and so is
    every other timestep's."""
    trace = run("lstm")
    worked = {b.step.id for b in build_plan(trace).step_beats}
    sums = [s for s in trace.steps if s.op == "accumulate" and trace.tensors[s.attrs["tensor"]].name == "hx"]
    assert len(sums) == 2 * 3   # three adds (four gates) at timesteps 3 and 2 (timestep 1 reads h₀ and x₁ only)
    assert [s.name for s in sums if s.id in worked] == ["train.0.lstm.t2.hx.grad_sum"]
    acc = trace.step("train.0.lstm.t2.hx.grad_sum")
    assert [root(trace, trace.tensors[t].producer).name for t in acc.inputs] == [
        "train.0.lstm.t2.z_o.grad", "train.0.lstm.t2.z_g.grad"]
    told = chapter_of(trace, acc.id)
    assert told.steps == (acc.id, acc.id) and told.play == "full"
    assert "through the output gate o and through the candidate g" in told.title["en"]
    assert "經由輸出門 o 和經由候選值 g" in told.title["zh-Hant"]
    rest = chapter_of(trace, acc.id + 1)
    assert (rest.play, rest.repeat) == ("summary", 2) and "the input gate i and the forget gate f" in rest.title["en"]
    assert trace.steps[rest.steps[1] + 1].name == "train.0.lstm.t2.hx.grad"   # [h; x] split, worked
    before = chapter_of(trace, acc.id - 1)
    assert (before.play, before.repeat) == ("summary", 1) and "candidate g" in before.title["en"]
    assert "train.0.lstm.t1.cell.grad_sum" in {trace.steps[s].name for s in worked}   # c₂'s sum still worked
    assert_drawn_and_said_as_added(trace, acc, tmp_path)


def test_the_grus_hidden_state_from_the_next_timestep_is_added_in_full(tmp_path):
    """h₂ is read three times by timestep 3: its gradient kept by 1 − u (the direct path) and its
    gradient through r·h (into the candidate) are added cell by cell, the ways named in the title;
    the update gate's sum worked before is not worked again at timestep 2."""
    trace = run("gru")
    worked = {b.step.id for b in build_plan(trace).step_beats}
    acc = trace.step("train.0.gru.t1.hidden.grad_sum")
    assert acc.id in worked and acc.parent is None
    h2 = trace.tensors[acc.attrs["tensor"]]
    assert h2.name == "h₂" and trace.steps[h2.producer].name == "train.0.gru.t1.hidden"
    assert [trace.steps[trace.tensors[t].producer].name for t in acc.inputs] == [
        "train.0.gru.t2.kept.grad", "train.0.gru.t2.reset_hidden.grad"]
    told = chapter_of(trace, acc.id)
    assert told.steps == (acc.id, acc.id) and "(1 − u)·h and through the reset state r·h" in told.title["en"] and "3" in told.title["en"]
    hidden = [s.name for s in trace.steps if s.op == "accumulate" and s.id in worked]
    assert hidden == ["train.0.gru.t2.update_gate.grad_sum", acc.name]   # one of each, not every timestep's
    assert_drawn_and_said_as_added(trace, acc, tmp_path)


# the sums each walkthrough works drawn apart (sums.py): the shares side by side, → the sum (gru's
# update gate's sum is added into its grid's blue band instead, its shares not drawn as grids)
APART = {"lstm": ["train.0.lstm.t2.hx.grad_sum", "train.0.lstm.t1.cell.grad_sum"],
         "gru": ["train.0.gru.t1.hidden.grad_sum"], "rnn": ["W_h.grad_sum"],
         "transformer_block": ["train.0.blocks.0.ln1.shifted.grad_sum"]}


@pytest.mark.parametrize("name", sorted(APART))
def test_each_worked_sums_shares_say_under_them_the_step_they_came_back_through(name, tmp_path):
    """A share's name (dhx′) does not say which way it came back: under each share grid of every
    sum the walkthrough works apart, a line says it in the words of tracer.shares.named (through
    the output gate o)."""
    trace = run(name)
    worked = [b.step for b in build_plan(trace).step_beats if b.step.op == "accumulate"]
    apart = []
    for acc in worked:
        _, stage = render(trace, tmp_path, scene="auto", video=True, steps=f"{acc.id}..{acc.id}")
        if stage.slot(acc.outputs[0]).grid.label_text != trace.tensors[acc.outputs[0]].name:
            continue   # added into a blue band: no grid of its own
        apart.append(acc.name)
        for tid, (share, through), (_, way) in zip(acc.inputs, shares(trace, acc), named(trace, acc, "en")):
            grid = stage.slot(tid).grid
            assert grid.label_text == share and through is not None
            line = getattr(grid, "path_line", None)
            assert line is not None and line.original_text == way, (acc.name, share)
            assert line.get_top()[1] < grid.brackets.get_bottom()[1]   # under the grid, not over its numbers
    assert apart == APART[name]
