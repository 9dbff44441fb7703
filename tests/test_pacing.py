"""How long the built-in walkthroughs run (estimated from their plans, without rendering), that
the cuts keep every distinct pass worked once and tag what they fast-forward ×N, and the clipping
player (one gradient worked in full, the others counted, none drawn empty)."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.estimate import beat_seconds, video_seconds  # noqa: E402
from tracer.story import Story  # noqa: E402

from .example_runs import run  # noqa: E402
from .test_scenes_players2 import assert_all_shown_are_the_trace, text_of  # noqa: E402
from .test_scenes_players2 import run as render  # noqa: E402

# minutes at the normal pace (issue 9: ~6 for the four longest; the estimate is deterministic, so
# these are budgets of the plan, not timings; docs/performance.md compares them with real renders)
# (transformer_block's was 5.5 until its backward pass worked the residual's sum: 5.3 → 5.6 minutes)
BUDGET = {"exploding_gradients": 6.0, "multi_head_attention": 6.0, "transformer_block": 6.0,
          "gradient_through_time": 6.0}
# their stories summarise the repeated timesteps and gates; the LSTM's also works its cell state's
# two gradients added and closes on the pass after its SGD step (6.01 minutes), and d[h; x]'s shares
# through two gates added (6.28); the GRU's works h₂'s gradients from the next timestep added (5.70)
RECURRENT = {"lstm": 6.5, "gru": 6.0}


@pytest.mark.parametrize("name", sorted({**BUDGET, **RECURRENT}))
def test_a_walkthrough_stays_within_its_budget(name):
    plan = build_plan(run(name))
    assert video_seconds(plan) < 60 * {**BUDGET, **RECURRENT}[name], [(n, round(t)) for n, t in beat_seconds(plan) if t > 12]


# seconds of the gradient beats at -ql, measured on 3 December 2026 (docs/performance.md): the
# estimate counts their outputs worked one after the other, each first cell term by term. The layer
# norm's, rendered alone (--steps 160..160) on 5 December: 18.8 s, 28.2 s before its dX cells showed
# their value alone (their working read the two contributions, drawn nowhere: tracer.explain.shown)
MEASURED = {"train.0.blocks.0.ln2.grad": 18.8, "train.0.blocks.0.mlp.out.grad": 34.9}


def test_a_gradient_worked_output_by_output_is_estimated_as_played():
    plan = build_plan(run("transformer_block"))
    est = {b.step.name: t for b, (_, t) in zip(plan.beats, beat_seconds(plan)) if b.step is not None}
    for name, seconds in MEASURED.items():   # (estimated 15.1 and 18.6 before: their cells filled alone)
        assert 0.75 * seconds < est[name] < 1.1 * seconds, (name, est[name])


def test_a_matmuls_gradient_after_a_linear_layers_is_worked_again():
    """dP = dZ·Vᵀ and dV = Pᵀ·dZ repeat the products of dX = Wᵀ·dY and dW = dY·Xᵀ worked just
    before: one cell each and a glance, as any op worked before."""
    from scenes.estimate import step_seconds
    trace = run("transformer_block")
    plan = build_plan(trace)
    est = {b.step.name: t for b, (_, t) in zip(plan.beats, beat_seconds(plan)) if b.step is not None}
    mix = trace.step("train.0.blocks.0.attn.head2.mix.grad")
    assert est[mix.name] == step_seconds(trace, mix, plan.pace, again=True)
    assert est[mix.name] < step_seconds(trace, mix, plan.pace, again=False)


@pytest.mark.parametrize("name", sorted(BUDGET))
def test_every_op_of_the_run_is_worked_once_in_full(name):
    """The cuts summarise repetitions only: every (phase, op) the shown steps run is still a beat."""
    trace = run(name)
    plan = build_plan(trace)
    def kind(s):   # a transpose is one computation, forward or backward (a gradient transposed back)
        return ("", s.op) if s.op == "transpose" else (s.phase, s.op)
    worked = {kind(b.step) for b in plan.step_beats}
    shown = {kind(s) for s in trace.steps if s.id in {b.step.id for b in plan.step_beats}
             or any(b.card == "summary" and s in b.data.steps for b in plan.beats)}
    assert shown - worked == set()
    assert [b.card for b in plan.beats[-2:]] == ["overview", "recap"] and any(b.card == "plot" for b in plan.beats)


@pytest.mark.parametrize("name", ["transformer_block", "multi_head_attention"])
def test_one_parameter_update_is_worked_and_the_others_summarised(name):
    trace = run(name)
    updates = [s for s in trace.steps if s.phase == "update" and s.name.startswith("train.0.")]
    story = Story.from_meta(trace.meta)
    full = [c for c in story.chapters if c.play == "full" and c.steps[0] <= updates[0].id <= c.steps[1]]
    rest = [c for c in story.chapters if c.steps[0] == updates[0].id + 1]
    assert full[0].steps == (updates[0].id, updates[0].id)
    assert (rest[0].play, rest[0].repeat) == ("summary", len(updates) - 1)


def test_the_backward_pass_through_a_second_head_is_summarised():
    """Back through the first head reached (head 2) to its softmax and scale; the scores' product
    and the projections, which repeat products worked already, and head 1 fast."""
    trace = run("transformer_block")
    story = Story.from_meta(trace.meta)
    again = next(c for c in story.chapters if c.title["en"] == "Back through the scores, V, K, Q and the other heads: the same")
    assert again.play == "summary" and again.repeat == 1
    assert trace.steps[again.steps[0]].name == "train.0.blocks.0.attn.head2.scores.grad"
    assert trace.steps[again.steps[1] + 1].phase == "update"
    worked = [b.step.name for b in build_plan(trace).step_beats]
    for name in ("mix", "weights", "scaled"):
        assert f"train.0.blocks.0.attn.head2.{name}.grad" in worked
    assert "train.0.blocks.0.mlp.out.grad" in worked   # a projection's gradient worked before (W2's)


@pytest.mark.parametrize("name", ["transformer_block", "multi_head_attention", "self_attention"])
def test_a_transpose_is_worked_once_and_every_one_at_the_slow_pace(name):
    trace = run(name)
    moves = [s.id for s in trace.steps if s.op == "transpose"]
    normal, slow = build_plan(trace), build_plan(trace, pace="slow")
    assert [b.step.id for b in normal.step_beats if b.step.op == "transpose"] == [min(
        b.step.id for b in slow.step_beats if b.step.op == "transpose")]
    assert len([b for b in slow.step_beats if b.step.op == "transpose"]) > 1
    assert {b.step.id for b in slow.step_beats} - {b.step.id for b in normal.step_beats} <= set(moves)
    assert video_seconds(slow) > video_seconds(normal)


def summaries(plan) -> dict[str, int]:
    """Each fast-forward card's chapter title and its ×N."""
    return {b.title: b.data.chapter.repeat for b in plan.beats if b.card == "summary"}


def test_gradient_through_time_works_each_cell_where_it_differs_and_tags_the_repeats():
    trace = run("gradient_through_time")
    plan = build_plan(trace)
    worked = [b.step.name for b in plan.step_beats]
    for cell in ("rnn", "lstm", "gru"):   # each cell's forward and backward pass, a timestep worked
        assert any(n.startswith(f"{cell}.t0.") for n in worked), cell
        assert any(n.startswith(f"{cell}.t19.") and n.endswith(".grad") for n in worked), cell
    # the LSTM's lesson in full: a gate, the cell state c = f·c + i·g, the gradient along it
    for name in ("lstm.t0.z_f", "lstm.t0.forget_gate", "lstm.t0.kept", "lstm.t0.written", "lstm.t0.cell",
                 "lstm.t19.cell.grad", "lstm.t19.kept.grad", "lstm.t19.output_gate.grad", "gru.t0.one_minus_update",
                 "gru.t0.kept", "gru.t19.kept.grad", "gru.t19.one_minus_update.grad", "gru.t19.update_gate.grad_sum"):
        assert name in worked, name
    tags = summaries(plan)
    assert tags["LSTM: the other three gates: the same, own weights"] == 3
    assert tags["LSTM: back through W_o and the other gates: the same"] == 4
    for cell in ("RNN", "LSTM", "GRU"):   # 19 timesteps forward and back, each cell
        assert sorted(r for t, r in tags.items() if t.startswith(cell) and r == 19) == [19, 19], cell
    assert [b.card for b in plan.beats if b.step is None][-3:] == ["plot", "overview", "recap"]


def test_the_clip_formula_elides_the_names():
    trace = run("exploding_gradients")
    clip = next(s for s in trace.steps if s.op == "clip_grad_norm")
    assert len(clip.outputs) == 22
    assert clip.formula == "c = min(1, 1 / ‖g‖);  dW1, db1, …, db11 = c · (dW1, db1, …, db11)"


def clipped() -> tracer.Trace:
    with tracer.record(title="Clipping") as trace:
        params = [tracer.param([[2.0, -1.0], [0.5, 3.0]], name=n) for n in ("W1", "W2", "W3")]
        x = tracer.tensor([[1.0], [2.0]], name="x")
        y = tracer.matmul(params[2], tracer.matmul(params[1], tracer.matmul(params[0], x, name="a"), name="b"), name="y")
        tracer.sse(y, tracer.tensor([[0.0], [1.0]], name="t"), name="L").backward()
        tracer.clip_grad_norm(params, max_norm=1.0)
    return trace


def test_a_clipping_works_the_first_gradient_and_counts_the_others(tmp_path):
    trace = clipped()
    clip = next(s for s in trace.steps if s.op == "clip_grad_norm")
    plan, stage = render(trace, tmp_path, video=True, steps=f"{clip.id}..{clip.id}")
    out = stage.slot(clip.outputs[0])
    assert [out.entry(i).text for i in out.grid.shown()] == [text_of(trace, clip.outputs[0], i) for i in out.grid.shown()]
    assert all(stage.slot(t) is None for t in clip.outputs[1:])     # not drawn, so never drawn empty
    assert "… the other 2 gradients: the same, ×2" in stage.said
    assert assert_all_shown_are_the_trace(plan, stage) > 0
