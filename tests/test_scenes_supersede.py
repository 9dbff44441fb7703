"""One grid per tensor on screen (:mod:`scenes.supersede`): a tensor a step draws again (a join's
parts laid side by side, a linear layer's input with its row of 1s) takes its earlier drawing off
the canvas. The GRU's ``hx = [h0, x]`` showed two grids named x (the slice's and the join's), and
its z_r two named hx (the join's and the product's) until the step after."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.stage import Stage  # noqa: E402
from scenes.supersede import supersede  # noqa: E402

from .test_scenes_operands import _stages, workings  # noqa: E402
from .test_stage import scene, tid, trace  # noqa: E402,F401  (fixtures)


def test_a_tensor_drawn_again_takes_its_earlier_drawing_off(scene, trace):
    stage = Stage(scene, trace)
    x = tid(trace, "X")
    (first, _), (again, _) = stage.draw(x), stage.draw(x)
    assert supersede(stage, x, again.grid) == [first.grid]
    assert first.grid not in stage.canvas.grids and id(first.grid) in stage.retired
    assert stage.leaving and stage.slot(x) is again        # it fades with the next play
    assert supersede(stage, x, again.grid) == []            # once


def test_a_drawing_that_shows_more_or_stands_in_for_a_far_one_stays(scene, trace):
    stage = Stage(scene, trace)
    x = tid(trace, "X")
    (shared, _), (again, _) = stage.draw(x), stage.draw(x)
    stage.bind(tid(trace, "Z"), shared.grid)                # the grid shows another tensor too
    assert supersede(stage, x, again.grid) == [] and shared.grid in stage.canvas.grids
    (far, _), (near, _) = stage.draw(x), stage.draw(x)
    near.grid.copy_of = far.grid                            # a copy drawn near the work (scenes.near)
    assert far.grid not in supersede(stage, x, near.grid) and far.grid in stage.canvas.grids


def twins(trace, stage) -> list[tuple[str, str]]:
    """(step, tensor) for every play that ends with two grids showing one tensor's values in frame."""
    shows: dict[int, set[str]] = {}
    for t, slot in stage.bindings:
        if slot.lane == "value":
            shows.setdefault(id(slot.grid), set()).add(t)
    out = []
    for rec in stage.played_labels:
        lo, hi = rec["frame"]
        framed = {lab["grid"] for lab in rec["labels"] if lab["kind"] == "name"
                  and (lab["cells"][0] < hi).all() and (lab["cells"][1] > lo).all()}
        seen: dict[str, set[int]] = {}
        for g in framed:
            for t in shows.get(g, ()):
                seen.setdefault(t, set()).add(g)
        out += [(rec["step"].name, trace.tensors[t].name) for t, gs in seen.items() if len(gs) > 1]
    return list(dict.fromkeys(out))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_the_forward_pass_never_frames_two_grids_of_one_tensor(name, tmp_path):
    trace, plan, _ = workings(name, tmp_path)
    twice = [(s, t) for s, t in twins(trace, _stages[name]) if not s.startswith("train.")]
    assert not twice, twice
