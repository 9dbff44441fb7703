"""The softmax's grids (scenes/players/softmax.py): x, e^x, Σ and the weights in a row, unless
the row would be framed zoomed out past the normal scale; then the weights go under e^x, a second
row, and their digits stay the normal size (~19 px at 720p, not the ~14 px four 4×4 grids in a row
shrank them to). Checked on the mobjects of the scene built for one step of real example traces."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("manim")

from scenes import style  # noqa: E402
from scenes.camera import fits  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from tests.example_runs import run  # noqa: E402

NORMAL_PX = style.NUMBER_SIZE / 100 * 720 / style.FRAME_HEIGHT   # a digit's height at 720p, zoom 1 (18.9)


def built(name: str, step_name: str, tmp_path: Path):
    """The softmax step ``step_name`` of example ``name``: its grids by part and the stage that
    drew them (the scene built for that step alone, at low quality, a still)."""
    trace = run(name)
    step = trace.step(step_name)
    plan = build_plan(trace, steps=f"{step.id}..{step.id}")
    stage = render_scene(plan, plan.window, tmp_path / "softmax.png", "l", 4, still=True).stage
    return trace, step, stage.layouts[step.id], stage


def digit_px(stage, step) -> dict[str, float]:
    """The height of each of the step's grids' digits at 720p, as the camera frames its end."""
    framing = stage.framing(step)
    (_, bottom), (_, top) = framing["frame"]
    return {tid: h / (top - bottom) * 720 for tid, h in framing["digits"].items()}


@pytest.mark.parametrize("name", ["self_attention", "rnn_vs_attention"])
def test_the_weights_go_under_e_x_when_a_row_of_four_grids_would_shrink_their_digits(name, tmp_path):
    trace, step, grids, stage = built(name, "attn.weights", tmp_path)
    x, e, total, weights = (grids[k] for k in ("x", "exp", "sum", "out"))
    # the row alone (x, e^x, Σ) and the weights where a row would have put them: past the normal scale
    row_width = weights.width + style.GRID_GAP * 1.6 + total.get_right()[0] - x.get_left()[0]
    assert fits([0, 0], [row_width, 0]) > style.LEGIBLE_ZOOM
    # a second row: the weights under e^x, their left edges aligned, clear of it and of Σ
    assert weights.get_top()[1] < min(e.get_bottom()[1], total.get_bottom()[1])
    assert weights.body.get_left()[0] == pytest.approx(e.body.get_left()[0], abs=1e-6)
    assert weights.get_right()[0] < total.get_left()[0]
    # framed whole at its end, the weights' digits (and the scores') stay the normal size
    px = digit_px(stage, step)
    assert px[step.outputs[0]] >= NORMAL_PX - 0.5 and px[step.inputs[0]] >= NORMAL_PX - 0.5, px


def test_a_column_softmax_that_a_second_row_would_not_frame_closer_stays_in_a_row(tmp_path):
    """next_token's probabilities (14 words, one column): e^x with Σ under it and the weights
    right of e^x, as before; under Σ they would make the work taller, not closer."""
    trace, step, grids, stage = built("next_token", "prompt0.generate.0.probs", tmp_path)
    e, total, weights = grids["exp"], grids["sum"], grids["out"]
    assert total.get_top()[1] < e.get_bottom()[1]                  # Σ of each column under e^x
    assert weights.get_left()[0] > e.get_right()[0]                 # the weights beside e^x
    assert weights.body.get_top()[1] == pytest.approx(e.body.get_top()[1], abs=1e-6)
