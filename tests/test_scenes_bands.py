"""A gradient's blue band is drawn only once a gradient is written in it: a forward frame shows no
empty blue strips under the weights (their room is kept, so nothing moves when they come)."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .test_examples import run  # noqa: E402


def drawn_bands(grid) -> list:
    return [b for b in [*grid.grad_bands, *grid.bias_bands] if b.get_fill_opacity() > 0]


def until(plan, name: str) -> tuple[int, int]:
    return 0, next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.name == name) + 1


def test_a_forward_frame_shows_no_empty_gradient_band(tmp_path):
    plan = build_plan(run("lstm"))
    scene = render_scene(plan, until(plan, "lstm.t0.z_o"), tmp_path / "z_o.png", "l", still=True)
    grids = list(scene.stage.canvas.grids)
    w_o = [g for g in grids if g.record.name == "W_o"]
    assert w_o and w_o[0].has_grad and len(w_o[0].grad_bands) == 8   # room for dW_o is kept ...
    assert not [g.record.name for g in grids if drawn_bands(g)]        # ... but no band is drawn


def test_a_band_is_drawn_once_its_gradient_is_written(tmp_path):
    plan = build_plan(run("lstm"))
    hx = next(b.step for b in plan.beats if b.step is not None and b.step.phase == "backward" and b.step.op == "concat")
    scene = render_scene(plan, until(plan, hx.name), tmp_path / "dhx.png", "l", still=True)
    hidden = [g for g in scene.stage.canvas.grids if g.record.name in ("h₁", "h₂", "h₃") and g.has_grad]   # h per timestep
    assert hidden and all(drawn_bands(g) for g in hidden)
