"""An ``accumulate`` step's gradients carry names a learner tells apart: the contributions ``dx′``,
``dx″``… in the order they came back, their sum ``dx``, and the narration says which op each came
back through, in words (``through the output gate o``). The same names in ``tracer show``, the step that made each contribution, the exercise
sheet's hints and the video's grids (where a contribution brought near is labelled a copy).

Before, transformer_block's step 172 read ``dresid_post = dresid_post + dresid_post′`` over two
input grids both titled ``dresid_post``, the sheet's hint ``← dresid_post[1, 0], dresid_post[1, 0]``.
"""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tracer.notation import share_mark
from tracer.cli import main
from tracer.explain import explain
from tracer.shares import shares
from tracer.i18n import narrate, told

from .example_runs import run

SUM = "train.0.blocks.0.resid_post.grad_sum"   # transformer_block's step 172


def used_three_times() -> tracer.Trace:
    """x feeds a mul twice and an exp: dx = dx′ + dx″, then dx = dx + dx‴."""
    with tracer.record() as trace:
        x = tracer.param([1.0, 2.0], name="x")
        y = tracer.mul(x, x, name="sq") + tracer.exp(x, name="grown")
        y.sum().backward()
    return trace


def test_contributions_are_primed_in_order_and_their_sum_is_dx() -> None:
    trace = used_three_times()
    first, second = [s for s in trace.steps if s.op == "accumulate"]
    assert first.formula == "dx = dx′ + dx″" and second.formula == "dx = dx + dx‴"
    assert second.inputs[0] == first.outputs[0]   # the sum so far keeps dx
    assert shares(trace, first) == [("dx′", "grown"), ("dx″", "sq")]
    assert shares(trace, second) == [("dx", None), ("dx‴", "sq")]
    # the step that made dx″ and dx‴ (x·x: one share per factor) writes them so
    sq = trace.step("sq.grad")
    assert sq.formula.startswith("dx″ = dsq ⊙ x;  dx‴ = dsq ⊙ x")
    # and the numbers add up: d(x² + eˣ)/dx = 2x + eˣ, by hand at x = 1 and 2
    x = np.array([1.0, 2.0])
    dx = trace.tensors[second.outputs[0]].data
    assert dx == pytest.approx(2 * x + np.exp(x))
    assert trace.tensors[first.inputs[0]].data == pytest.approx(np.exp(x))   # dx′: through exp
    w = explain(trace, second, (1,))
    assert w.expression == "9.39 + 2 = 11.39"   # (e² + 2) so far, + 2 from the second factor


def test_the_marks_past_four_primes() -> None:
    assert [share_mark(k) for k in range(1, 7)] == ["′", "″", "‴", "⁗", "⁽⁵⁾", "⁽⁶⁾"]


def test_the_narration_says_where_each_came_from_in_every_language() -> None:
    trace = used_three_times()
    first = next(s for s in trace.steps if s.op == "accumulate")
    assert first.narration.endswith("Added here: dx′ (through grown), dx″ (through sq).")
    assert narrate(trace, first, "zh-Hant").endswith("這裡相加的是：dx′（經由 grown）、dx″（經由 sq）。")
    assert narrate(trace, first, "zh-Hans").endswith("这里相加的是：dx′（经由 grown）、dx″（经由 sq）。")
    assert narrate(trace, first, "vi").endswith("Ở đây cộng: dx′ (qua grown), dx″ (qua sq).")
    assert told(trace, trace.steps[first.id + 1], "en") == "Added here: dx (the sum so far), dx‴ (through sq)."


@pytest.fixture(scope="module")
def block(tmp_path_factory):
    path = tmp_path_factory.mktemp("accum") / "tb.trace"
    result = CliRunner().invoke(main, ["run", "transformer_block", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return tracer.load(path), str(path)


def test_tracer_show_names_the_two_contributions_apart(block) -> None:
    trace, path = block
    step = trace.step(SUM)
    result = CliRunner().invoke(main, ["show", path, "--step", str(step.id), "--no-color"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "dresid_post = dresid_post′ + dresid_post″" in text
    inputs, outputs = text.split("\ninputs\n")[1].split("\noutputs\n")
    assert [line.split(" ")[0] for line in inputs.splitlines() if "(4, 3)" in line] == ["dresid_post′", "dresid_post″"]
    assert outputs.splitlines()[0].startswith("dresid_post (4, 3)")
    assert "dresid_post′ (through the centred values), dresid_post″ (through the mean)" in text
    # the cell's working adds the two as printed
    a, b = (trace.tensors[t].data[0, 0] for t in step.inputs)
    assert f"{a:.2f} + {b:.2f} = {a + b:.2f}".replace("-0.00", "0.00") in text
    # the mean's gradient step made the second one, and says so
    made = CliRunner().invoke(main, ["show", path, "--step", "train.0.blocks.0.ln2.mean.grad", "--no-color"])
    assert "dresid_post″ = dmean / n, copied to every entry" in made.output


def test_the_sheet_hint_names_two_different_cells(block, tmp_path) -> None:
    from tracer.lecture import plan_sheet

    trace, path = block
    step = trace.step(SUM)
    sheet = plan_sheet(trace, f"{step.id}..{step.id}", 1.0, 0)
    hints = [b.hint for e in sheet.exercises for b in e.blanks if b.tensor == step.outputs[0]]
    assert hints and all("← dresid_post′[" in h and ", dresid_post″[" in h for h in hints), hints
    for h, b in zip(hints, [b for e in sheet.exercises for b in e.blanks if b.tensor == step.outputs[0]]):
        cell = ", ".join(map(str, b.index))   # the same cell of each
        assert h.endswith(f"← dresid_post′[{cell}], dresid_post″[{cell}]"), h


def test_the_video_names_the_contribution_and_draws_no_copy_of_it(block, tmp_path) -> None:
    """At 480p, steps 160..172 one level deep: the mean's contribution drawn right of resid_post,
    named ``dresid_post″``, its numbers the trace's. (The accumulate step drew a copy of it beside
    resid_post's band, named ``dresid_post″ (copy)``: the original stands 4.4 units off, but whole
    in the view the camera stands in, so it is read where it is: :func:`scenes.near.seen`.)"""
    pytest.importorskip("manim")
    from scenes.curated import build_plan
    from scenes.render import render_scene
    from tracer.explain import number_view

    trace, _ = block
    step = trace.step(SUM)
    plan = build_plan(trace, steps=f"160..{step.id}", depth=1)
    stage = render_scene(plan, plan.window, tmp_path / "still.png", "l", still=True).stage
    grids = {g.label_text: g for g in stage.canvas.grids}
    assert len(grids) == len(stage.canvas.grids), sorted(grids)   # no two grids named alike
    original = grids["dresid_post″"]
    assert "dresid_post″ (copy)" not in grids and original.record.id == step.inputs[1]
    numbers = number_view(trace, minus="−")
    assert {rc: t.text for rc, t in original.values.items()} == {
        rc: numbers.text(step.inputs[1], rc) for rc in original.values}
    assert not any(label.endswith("′′") or "″′" in label for label in grids)   # no mark a scene added


def test_a_share_whose_forward_pass_ran_before_recording_is_named_so_and_said_through_its_op() -> None:
    """tripled = 3x ran before recording: its gradient step (mul.grad) makes dx″ = 3·dout, and the
    accumulate step says it came back through mul, not that it is the sum so far."""
    x = tracer.param([1.0, 2.0], name="x")
    tripled = tracer.mul(x, 3.0, name="tripled")
    with tracer.record() as trace:
        (tracer.exp(x, name="grown") + tripled).sum().backward()
    outside = trace.step("mul.grad")
    assert trace.tensors[outside.outputs[0]].name == "dx″"
    assert outside.formula.startswith("dx″ = dout ⊙ 3;")
    acc = next(s for s in trace.steps if s.op == "accumulate")
    assert shares(trace, acc) == [("dx′", "grown"), ("dx″", "mul")]
    assert acc.narration.endswith("Added here: dx′ (through grown), dx″ (through mul).")
    assert narrate(trace, acc, "vi").endswith("dx″ (qua mul).")
    assert trace.tensors[acc.outputs[0]].data == pytest.approx(np.exp([1.0, 2.0]) + 3)


def test_a_second_backward_adds_dx_new_to_the_dx_kept() -> None:
    """x² then 3x + eˣ, without zero_grad: the first pass leaves dx = 2x = [2, 4]; the second's
    gradient, 3 + eˣ, is dx_new (its own accumulate step's sum); dx = dx + dx_new."""
    with tracer.record() as trace:
        x = tracer.param([1.0, 2.0], name="x")
        tracer.mul(x, x, name="sq").sum().backward()
        (tracer.mul(x, 3.0, name="t") + tracer.exp(x, name="g")).sum().backward()
    first, second = [s for s in trace.steps if s.op == "accumulate"]
    total = trace.step("x.grad_total")
    names = [trace.tensors[t].name for t in total.inputs + total.outputs]
    assert names == ["dx", "dx_new", "dx"] and total.formula == "dx = dx + dx_new"
    assert total.inputs == [first.outputs[0], second.outputs[0]]   # the kept one is the first pass's sum
    assert first.formula == "dx = dx′ + dx″" and second.formula.startswith("dx_new = ")
    kept, new, dx = (trace.tensors[t].data for t in total.inputs + total.outputs)
    e = np.exp([1.0, 2.0])
    assert (kept.tolist(), new, dx) == ([2.0, 4.0], pytest.approx(3 + e), pytest.approx([2 + 3 + e[0], 4 + 3 + e[1]]))
    assert explain(trace, total, (0,)).expression == "2 + 5.72 = 7.72"


def test_a_second_backward_continues_the_primes() -> None:
    """Two backward() calls through x·x (no zero_grad): the first adds dx′ + dx″, the second's
    shares are two other gradients, dx‴ and dx⁗, not a second dx′ and dx″; their sum is dx_new,
    added to the kept dx. Every gradient of x but the running total has a name of its own."""
    with tracer.record() as trace:
        x = tracer.param([1.0, 2.0], name="x")
        tracer.mul(x, x, name="sq").sum().backward()
        tracer.mul(x, x, name="sq2").sum().backward()
    first, second = [s for s in trace.steps if s.op == "accumulate"]
    assert first.formula == "dx = dx′ + dx″"
    assert second.formula == "dx_new = dx‴ + dx⁗"
    total = next(s for s in trace.steps if s.op == "grad_total")
    assert total.formula == "dx = dx + dx_new"
    assert shares(trace, second) == [("dx‴", "sq2"), ("dx⁗", "sq2")]
    marked = [t.name for t in trace.tensors.values() if t.grad_of == first.attrs["tensor"] and t.name != "dx"]
    assert sorted(marked) == ["dx_new", "dx′", "dx″", "dx‴", "dx⁗"]   # the running total alone keeps dx
    # 2x from each pass, by hand at x = 1 and 2: 2 + 2 = 4 and 4 + 4 = 8
    assert trace.tensors[total.outputs[0]].data == pytest.approx([4.0, 8.0])


def test_shares_made_inside_two_layers_are_named_by_the_layers_and_one_rules_parts_by_the_parts() -> None:
    """The LSTM's d[h; x]: the shares its gates' linear layers made (in their matmuls) are named by
    the layers, z_o and z_g (z_o.matmul said which part, not which gate); a layer norm's own
    two gradients of its centred input keep their parts' names (both are inside one step)."""
    lstm = run("lstm")
    assert shares(lstm, lstm.step("train.0.lstm.t2.hx.grad_sum")) == [("dhx′", "z_o"), ("dhx″", "z_g")]
    assert shares(lstm, lstm.step("train.0.lstm.t2.hx.grad_sum_1")) == [("dhx", None), ("dhx‴", "z_i")]
    assert told(lstm, lstm.step("train.0.lstm.t2.hx.grad_sum")).endswith("dhx′ (through the output gate o), dhx″ (through the candidate g).")
    block = run("transformer_block")
    assert shares(block, block.step("train.0.blocks.0.ln2.centered.grad_sum")) == [
        ("dcentered′", "normalized"), ("dcentered″", "squared")]
