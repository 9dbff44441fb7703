"""An update step in the walkthrough (issue 9): W ← W − η·dW is worked in the weight's own grid,
with its gradient in the band under it and the new value written over it — whether or not a step
before drew the weight or its gradient there (the transformer block's γ₁ and γ₂: their layer norms'
backward passes are summarised) — and its cells take the "updated" colours in a short fade.

Laid out as the transformer block's story was before its updates were summarised: every
parameter's update played, up to γ₂'s.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import ManimColor  # noqa: E402

from scenes import anim  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.look import LOOKS  # noqa: E402
from scenes.plan import Beat  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from scenes.stage import Stage  # noqa: E402

from .example_runs import run  # noqa: E402


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """The trace, the stage after γ₂'s update, and what that update played (animations, run time)."""
    trace = run("transformer_block")
    plan = build_plan(trace)
    first = next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.phase == "update")
    rest = [Beat(f"{s.id}:{s.name}", s) for s in trace.steps
            if s.phase == "update" and s.depth == 0 and s.id > plan.beats[first].step.id]
    plan.beats[first + 1:first + 2] = rest     # the summary card of the other updates, played instead
    last = next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.name == "train.0.gamma2.update")
    plan.hints["audit"] = True
    plays: list[tuple[list, dict]] = []
    play = Stage.play

    def spy(stage, *anims, **kw):   # played, or run to their end in a skipped section: the same calls
        if stage.step is not None and stage.step.name == "train.0.gamma2.update":
            plays.append((list(anims), kw))
        return play(stage, *anims, **kw)

    Stage.play = spy
    try:
        scene = render_scene(plan, (0, last + 1), tmp_path_factory.mktemp("update") / "gamma2.png", "l", still=True)
    finally:
        Stage.play = play
    return trace, plan, scene.stage, plays


def test_every_update_is_worked_in_its_weights_grid_with_its_gradient(updated):
    trace, _, stage, _ = updated
    steps = [s for s in trace.steps if s.phase == "update" and s.depth == 0 and s.id <= trace.step("train.0.gamma2.update").id]
    assert len(steps) == 14
    for s in steps:
        grid = stage.slot(s.outputs[0]).grid   # the new value, written over the weight, its gradient under it
        lanes = {(t, slot.lane) for t, slot in stage.bindings if slot.grid is grid}
        assert {(s.inputs[0], "value"), (s.inputs[1], "grad")} <= lanes or \
            {(s.inputs[0], "bias"), (s.inputs[1], "bias_grad")} <= lanes, s.name
    workings = {w["step"]: w for w in stage.workings}
    for s in steps:
        (lx, ly), (hx, hy) = [p[:2] for p in workings[s.id]["area"]]
        (x0, y0), (x1, y1) = [p[:2] for p in workings[s.id]["drawn"][s.inputs[0]]]
        assert lx - 0.01 <= x0 and x1 <= hx + 0.01 and ly - 0.01 <= y0 and y1 <= hy + 0.01, s.name


def test_gamma2s_update_shows_gamma2_not_the_first_layer_norms(updated):
    trace, _, stage, _ = updated
    step = trace.step("train.0.gamma2.update")
    grid = stage.slot(step.outputs[0]).grid
    assert grid.record.name == "gamma2"
    shown = [v.text for _, v in sorted(grid.values.items())]
    expected = np.asarray(trace.tensors[step.outputs[0]].data).reshape(-1)
    assert shown == [f"{x:.2f}" for x in expected]            # the new γ₂: 1 − 0.1·dγ₂, row by row
    working = next(w for w in stage.workings if w["step"] == step.id)
    (lx, ly), (hx, hy) = [p[:2] for p in working["area"]]
    def updated_box(tid):   # the box of a grid showing a weight its update wrote (kept, as a result)
        record = trace.tensors[tid]
        return record.producer is not None and trace.steps[record.producer].phase == "update"
    results = [box for t, box in working["drawn"].items() if updated_box(t)]
    for tid, box in working["drawn"].items():
        (x0, y0), (x1, y1) = [p[:2] for p in box]
        if trace.tensors[tid].name in ("gamma1", "beta1") and not any(np.allclose(box, r) for r in results):
            assert x1 < lx or x0 > hx or y1 < ly or y0 > hy, trace.tensors[tid].name   # the given γ₁, β₁


def test_the_updated_cells_fade_to_their_new_colour_at_the_paces_speed(updated):
    trace, plan, stage, plays = updated
    grid = stage.slot(trace.step("train.0.gamma2.update").outputs[0]).grid
    fades = [(a, kw) for anims, kw in plays for a in anims if isinstance(a, anim.Recolour)]
    assert len(fades) == 1
    fade, kw = fades[0]
    assert fade.mobject is grid and kw["run_time"] == plan.pace.recolour > 0
    given, now = ManimColor(LOOKS["given"].fill).to_rgb(), ManimColor(LOOKS["updated"].fill).to_rgb()
    assert all(np.allclose(f0[0, :3], given) for f0, _ in fade.start)      # from the given yellow
    assert all(np.allclose(b.fill_rgbas[0, :3], now) for b in grid.cells.values())   # to the updated fill
    assert grid.role == "updated"
