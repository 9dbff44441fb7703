"""An optimiser's state grid beside its weight (issue 9): RMSprop's v_W1, in scientific notation
beside an 8×8 W1, was shrunk to fit one view and its digits were 5 px tall at 480p; it is drawn at
the weight's size now (elided, ⋯, when whole it would not fit), its digits as tall as W1's, its ⋯
column no wider than the dots (it was as wide as a number in scientific notation)."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402


@pytest.mark.slow
def test_rmsprop_state_is_drawn_as_large_as_its_weight(tmp_path):
    trace = run("exploding_gradients")
    plan = build_plan(trace)
    at = next(i for i, b in enumerate(plan.beats) if b.step is not None and b.step.name == "rmsprop.W1.update")
    plan.window = (at, at + 1)
    stage = render_scene(plan, plan.window, tmp_path / "x.png", "l", still=True).stage
    grids = {g.label_text: g for g in stage.canvas.grids}
    W, v = grids["W1"], grids["v_W1"]
    w_digit = max(t.height for t in W.values.values())
    v_digit = max(t.height for t in v.values.values())
    assert v_digit >= 0.9 * w_digit
    assert stage.canvas.in_one_view([W, v])
    k = v.cols_shown.index(None)
    r, left, right = v.rows_shown[0], v.cols_shown[k - 1], v.cols_shown[k + 1]
    assert v.cells[(r, right)].get_left()[0] - v.cells[(r, left)].get_right()[0] < 0.5 * v.cell_w


@pytest.mark.slow
def test_a_transposed_weight_leaves_when_the_weights_are_updated(tmp_path):
    """The RNN's W_hᵀ, drawn for dh = W_hᵀ·dz, stood beside W_x while every weight was updated:
    an update is worked in a grid with a gradient band, so the transposed one is stale."""
    plan = build_plan(run("rnn"))
    at = next(i for i, b in enumerate(plan.beats) if b.step is not None and b.step.phase == "update")
    plan.window = (at, at + 1)
    stage = render_scene(plan, plan.window, tmp_path / "x.png", "l", still=True).stage
    assert "W_x" in [g.label_text for g in stage.canvas.grids]
    assert [g.label_text for g in stage.canvas.grids if g.transpose] == []
