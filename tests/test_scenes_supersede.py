"""One grid per tensor on screen (:mod:`scenes.supersede`): a tensor a step draws again (a join's
parts laid side by side, a linear layer's input with its row of 1s) takes its earlier drawing off
the canvas. The GRU's ``hx = [h0, x]`` showed two grids named x (the slice's and the join's), and
its z_r two named hx (the join's and the product's) until the step after; the training pass drew
``[W_y | b_y]`` again for its output (with room for the gradients) beside the forward pass's, kept
because it showed b_y too."""
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


def test_a_weight_drawn_again_with_its_bias_takes_the_earlier_one_off(scene, trace):
    stage = Stage(scene, trace)
    w, b = tid(trace, "W"), tid(trace, "Z")
    (first, _), (again, _) = stage.draw(w), stage.draw(w)
    stage.bind(b, first.grid, "bias")                        # [W | b] drawn for the forward pass
    stage.bind(b, again.grid, "bias")                        # and again, for the training pass
    assert supersede(stage, w, again.grid) == [first.grid]   # it shows nothing the new one does not


def twins(trace, stage) -> list[tuple[str, str]]:
    """(step, tensor) for every play that ends with two grids showing one tensor's values on show:
    whole in the camera's work area (a grid the view cuts is not shown: it fades out under a veil,
    as a copy drawn near the work stands in for it, :mod:`scenes.near`)."""
    shows: dict[int, set[str]] = {}
    for t, slot in stage.bindings:
        if slot.lane == "value":
            shows.setdefault(id(slot.grid), set()).add(t)
    out = []
    for rec in stage.played_labels:
        lo, hi = rec["area"]
        framed = {lab["grid"] for lab in rec["labels"] if lab["kind"] == "name"
                  and (lab["cells"][0] >= lo - 1e-6).all() and (lab["cells"][1] <= hi + 1e-6).all()}
        seen: dict[str, set[int]] = {}
        for g in framed:
            for t in shows.get(g, ()):
                seen.setdefault(t, set()).add(g)
        out += [(rec["step"].name, trace.tensors[t].name) for t, gs in seen.items() if len(gs) > 1]
    return list(dict.fromkeys(out))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_no_play_shows_two_grids_of_one_tensor(name, tmp_path):
    """The forward pass, the training pass's forward and gradient steps, the updates."""
    trace, plan, _ = workings(name, tmp_path)
    stage = _stages[name]
    played = {r["step"].name for r in stage.played_labels if r["step"] is not None}
    assert {"train.0.gru.y" if name == "gru" else "train.0.lstm.y", "train.0.W_y.update"} <= played
    assert any(s.endswith(".grad") for s in played)
    twice = twins(trace, stage)
    assert not twice, twice
