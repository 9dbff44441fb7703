"""An update the weight's grid cannot hold in place (a walkthrough that works no gradient step
draws no gradient bands: self-attention's with its backward pass told as one fast-forward card,
as its story told it until 4 December 2026) is shown as its formula reads, W_Q ← W_Q − η·dW_Q: the old W_Q left of dW_Q, the new W_Q
right of it, and the old one named as the old one, ``W_Q (before)``; not the old weight drawn a
second time right of the new one under the same name (what ``--steps 73..73`` drew).

The generic update (the last of an update's chain, :func:`scenes.players.generic.play_generic_update`)
shows it so. The same whether the update is rendered alone or at the end of the backward pass (60..75), in
English and in 繁體中文.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.players import generic, players_for, update  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from tracer.explain import number_view  # noqa: E402
from tracer.story import Story  # noqa: E402

from .example_runs import run  # noqa: E402

UPDATES = {73: "W_Q", 74: "W_K", 75: "W_V"}


def banded_nowhere() -> tracer.Trace:
    """self_attention with every backward chapter of its story a fast-forward card: no gradient
    step is a beat, so no grid is drawn with a gradient band."""
    trace = copy.deepcopy(run("self_attention"))
    story = Story.from_meta(trace.meta)
    for chapter in story.chapters:
        if trace.steps[chapter.steps[0]].phase == "backward":
            chapter.play = "summary"
    trace.meta["story"] = story.to_meta()
    return trace


def rendered(tmp_path, steps: str, lang: str = "en", at_end=None):
    """The stage after ``steps`` were rendered as a still; ``at_end(stage, step)`` is called as
    each update step ends (before the next one plays)."""
    trace = banded_nowhere()
    plan = build_plan(trace, steps=steps, lang=lang)
    end = generic.finish
    if at_end is not None:
        def spy(stage):
            if stage.step.phase == "update":
                at_end(stage, stage.step)
            return end(stage)
        generic.finish = spy
    try:
        scene = render_scene(plan, plan.window, tmp_path / "still.png", "l", still=True)
    finally:
        generic.finish = end
    assert (tmp_path / "still.png").stat().st_size > 0
    return trace, scene.stage


def labelled(stage, text: str) -> list:
    return [g for g in stage.canvas.grids if g.label_text == text]


def shown(grid) -> dict[tuple[int, int], str]:
    return {rc: t.text for rc, t in grid.values.items()}


def check_update(trace, stage, step_id: int, before: str) -> None:
    step = trace.steps[step_id]
    name = UPDATES[step_id]
    W, dW, new = step.inputs[0], step.inputs[1], step.outputs[0]
    numbers = number_view(trace, minus="−")  # as the grids write them (rounding noise as 0.00)
    old_grid, grad_grid, new_grid = stage.slot(W).grid, stage.slot(dW).grid, stage.slot(new).grid
    assert len({id(old_grid), id(grad_grid), id(new_grid)}) == 3
    # the names: the new weight is W_Q, the one it replaces W_Q (before), no third drawing of either
    assert new_grid.label_text == name and labelled(stage, name) == [new_grid]
    assert old_grid.label_text == before and old_grid in labelled(stage, before)
    # their numbers are the trace's: the old weight's and the new one's, row by row
    for grid, tid in ((old_grid, W), (new_grid, new)):
        rows, cols = trace.tensors[tid].shape
        assert shown(grid) == {(r, c): numbers.text(tid, (r, c)) for r in range(rows) for c in range(cols)}
    assert not np.allclose(trace.tensors[W].data, trace.tensors[new].data)   # (two different grids to tell apart)
    # as the formula reads: old W left of dW, dW left of the new W, on one row
    assert old_grid.get_right()[0] < grad_grid.get_left()[0] < grad_grid.get_right()[0] < new_grid.get_left()[0]
    assert abs(old_grid.get_center()[1] - new_grid.get_center()[1]) < 0.5


def test_an_updates_chain_ends_with_the_generic_update():
    trace = run("self_attention")
    assert players_for(trace, trace.steps[73]) == [update.play_sgd, generic.play_generic_update]


def test_a_lone_update_shows_the_old_weight_left_of_the_new_named_before(tmp_path):
    trace, stage = rendered(tmp_path, "73..73")
    check_update(trace, stage, 73, "W_Q (before)")


def test_the_same_at_the_end_of_the_backward_pass(tmp_path):
    checked = []

    def at_end(stage, step):   # each update as it ends: the next one's grids take the view
        check_update(stage.trace, stage, step.id, f"{UPDATES[step.id]} (before)")
        checked.append(step.id)

    rendered(tmp_path, "60..75", at_end=at_end)
    assert checked == [73, 74, 75]


def test_the_old_weight_is_named_in_the_videos_language(tmp_path):
    trace, stage = rendered(tmp_path, "73..73", "zh-Hant")
    check_update(trace, stage, 73, "更新前的 W_Q")
