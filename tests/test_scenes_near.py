"""Every operand on screen, legible (issue 9): an operand drawn far back on the canvas is drawn
again near the work rather than framed with it by zooming out until the cells are too small to
read (:mod:`scenes.near`), and a pan from one step's work to the next never films an empty page
(grids slide in and out whole; the stale ones fade as the pan leaves them).

The GRU's reset_hidden.grad was the case: h, drawn a timestep back at the far left of the canvas,
and the reset gate at the far right, framed together at zoom 1.5 with dh drawn beside the far h.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import DOWN, LEFT, RIGHT, Dot  # noqa: E402

import tracer  # noqa: E402

from scenes import style  # noqa: E402
from scenes.camera import Camera  # noqa: E402
from scenes.canvas import Canvas  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.near import beside_all, bring, gap, near, seen, zoom_for  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from scenes.stage import Stage  # noqa: E402

from .example_runs import run  # noqa: E402
from .test_scenes_operands import _stages, missing_operands, operands, workings  # noqa: E402
from .test_stage import scene, tid, trace  # noqa: E402,F401  (fixtures)

EPS = 1e-6


def zoom(area) -> float:
    """The camera's zoom for a recorded work area (its width is the frame's, times the zoom)."""
    return float((area[1][0] - area[0][0]) / style.FRAME_WIDTH)


def test_a_grid_is_near_when_framing_it_with_the_work_keeps_cells_legible(scene, trace):
    canvas = Canvas(scene, trace)
    w = canvas.fresh(tid(trace, "W"))
    canvas.register(w)
    x = canvas.make_grid(tid(trace, "X")).next_to(w, RIGHT, buff=1.0)
    assert near(canvas, [w], x) and zoom_for(canvas, [w, x]) <= style.LEGIBLE_ZOOM
    x.shift(RIGHT * 20)    # framing both would need zoom ~1.8: too small to read at 480p
    assert zoom_for(canvas, [w, x]) > style.LEGIBLE_ZOOM and not near(canvas, [w], x)
    # work too large for a legible zoom anyway (a wide product) keeps a grid within its own frame
    wide = canvas.make_grid(tid(trace, "T")).next_to(w, RIGHT, buff=16.0)
    assert zoom_for(canvas, [w, wide]) > style.LEGIBLE_ZOOM
    x.move_to(wide.get_center() + np.array([0.0, -2.0, 0.0]))
    assert near(canvas, [w, wide], x)


def test_a_far_operand_is_drawn_again_beside_the_work_as_a_copy(scene, trace):
    stage = Stage(scene, trace)
    w, x = tid(trace, "W"), tid(trace, "X")
    (sw, _), (sx, _) = stage.draw(w), stage.draw(x)
    assert bring(stage, [x], [sw.grid]) == []          # drawn right of W: near enough
    sx.grid.shift(RIGHT * 25)
    stage.canvas.register(sx.grid)
    new = bring(stage, [x], [sw.grid])
    assert len(new) == 1 and new[0].copy_of is sx.grid          # a copy, marked as one
    assert new[0].label_text == sx.grid.label_text             # named the same (the original out of its view)
    assert stage.slot(x).grid is new[0] and near(stage.canvas, [sw.grid], new[0])
    assert stage.canvas.is_free([new[0]]) is True   # registered: overlaps nothing else (itself ignored)
    far, _ = stage.draw(x)                            # drawn again, far off, after the copy
    far.grid.shift(RIGHT * 40)
    stage.canvas.register(far.grid)
    assert stage.slot(x) is far
    assert bring(stage, [x], [sw.grid]) == [] and stage.slot(x).grid is new[0]   # the copy near it is read


def test_a_copy_framed_with_its_original_is_named_a_copy(scene):
    """A wide operand A stands 5.5 units right of the work W: further than FAR_GAP, and framing both
    would zoom out past where the camera stands. Its copy goes under W, and W, the copy and A are
    then framed together: two grids named "A" would read as two tensors, so the copy is "A (copy)",
    its brackets where the bare-named copy's were."""
    with tracer.record() as wide:
        W = tracer.param([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0]], name="W")
        A = tracer.tensor(np.arange(12.0).reshape(2, 6) - 5.5, name="A")
        tracer.relu(W, name="H"), tracer.relu(A, name="R")   # (a trace keeps the tensors its steps read)
    stage = Stage(scene, wide)
    (sw, _), (sa, _) = stage.draw(tid(wide, "W")), stage.draw(tid(wide, "A"))
    work, original = sw.grid, sa.grid
    original.shift(RIGHT * (style.FAR_GAP + 1.5 - gap(stage.canvas, [work], original)))
    stage.canvas.register(original)
    stage.camera.focus([work])
    assert zoom_for(stage.canvas, [work, original]) <= style.LEGIBLE_ZOOM   # legible together, yet far:
    assert not seen(stage, [work], original)                                # not read where it is
    bare = stage.canvas.make_grid(tid(wide, "A"), grad=False, label="A", label_side="up")
    beside_all(stage.canvas, bare, [work])   # where bring puts the copy, named as the original
    new = bring(stage, [tid(wide, "A")], [work])
    assert [g.label_text for g in new] == ["A (copy)"] and new[0].copy_of is original
    assert stage.slot(tid(wide, "A")).grid is new[0] and near(stage.canvas, [work, new[0]], original)
    corner = DOWN + LEFT
    assert np.allclose(new[0].brackets.get_corner(corner), bare.brackets.get_corner(corner))


def _framed_far_apart(scene, trace):
    """A canvas with W framed and X far off to its right (off the scene)."""
    canvas = Canvas(scene, trace)
    camera = Camera(scene, canvas)
    here, there = canvas.fresh(tid(trace, "W")), canvas.fresh(tid(trace, "X"))
    there.shift(RIGHT * 60)
    canvas.add_grids(here, there)
    camera.focus([here])
    canvas.cull(*camera.sight(), fade=False)
    return canvas, camera, here, there


def test_a_pan_slides_grids_in_and_out_whole(scene, trace):
    """A pan from one grid to another far away: the grid reached comes in whole (no veil), the
    one left goes out whole; neither is on a paper veil mid-pan (the frame is never empty)."""
    canvas, camera, here, there = _framed_far_apart(scene, trace)
    assert id(there) in canvas.parked
    assert camera.focus([there])                    # a pan
    fades = canvas.cull(*camera.sight(), fade=True)
    assert fades == [] and canvas.veils == {}
    assert there in scene.mobjects and here in scene.mobjects and not canvas.parked
    camera.played()
    canvas.cull(*camera.sight(), fade=True)         # the pan over: the grid left is off the scene
    assert id(here) in canvas.parked and here not in scene.mobjects and there in scene.mobjects


def test_numbers_written_over_a_grid_off_the_scene_stay_off_it(scene, trace):
    """A gradient written home into the band of a far grid (:func:`scenes.players.gradients.home`)
    is not drawn where the grid is not: it comes back with the grid."""
    canvas, camera, here, there = _framed_far_apart(scene, trace)
    number = Dot(there.get_center())
    canvas.add_loose(number)
    assert number in canvas.owned[id(there)] and number not in scene.mobjects
    camera.focus([there], force=True)
    canvas.cull(*camera.sight(), fade=False)
    assert there in scene.mobjects and number in scene.mobjects


def far_apart(trace, w) -> list[str]:
    """The tensors a working reads or writes drawn with more empty canvas than ``style.FAR_GAP``
    between them and the others (the camera would frame a half-empty view, highlights crossing it)."""
    step = trace.steps[w["step"]]
    tids = [t for t in sorted(operands(trace, step) | {step.outputs[w["output"]]}) if t in w["drawn"]]
    out = []
    for t in tids:
        others = [w["drawn"][o] for o in tids if o != t]
        if not others:
            continue
        lo, hi = np.min([b[0][:2] for b in others], axis=0), np.max([b[1][:2] for b in others], axis=0)
        glo, ghi = w["drawn"][t][0][:2], w["drawn"][t][1][:2]
        if max(0.0, *(glo - hi), *(lo - ghi)) > style.FAR_GAP + EPS:
            out.append(f"{step.name}: {trace.tensors[t].name}")
    return out


def _reset_hidden_grad(trace):
    return [s for s in trace.steps if s.name.endswith("gru.t2.reset_hidden.grad")][0]


def test_the_grus_reset_hidden_gradient_is_worked_beside_a_copy_of_h(tmp_path):
    trace, plan, seen = workings("gru", tmp_path)
    stage = _stages["gru"]
    step = _reset_hidden_grad(trace)
    mine = [w for w in seen if w["step"] == step.id]
    assert len(mine) == 2                                        # dreset_gate, then dh
    fwd = trace.steps[step.grad_of]
    gate, h = fwd.inputs
    assert trace.tensors[h].name == "h₂" and trace.tensors[gate].name == "reset_gate"   # the state after timestep 2
    for w in mine:
        assert zoom(w["area"]) <= style.LEGIBLE_ZOOM + EPS, zoom(w["area"])
        assert not missing_operands(trace, w)
        (glo, ghi), (hlo, hhi) = w["drawn"][gate], w["drawn"][h]
        gap = max(hlo[0] - ghi[0], glo[0] - hhi[0], hlo[1] - ghi[1], glo[1] - hhi[1])
        assert gap < 3 * style.GRID_GAP, gap                     # h drawn beside the gate, not across the canvas
    # dh is written with the copy of h (not beside the far h)
    dh = step.outputs[1]
    (dlo, dhi), (hlo, hhi) = mine[1]["drawn"][dh], mine[1]["drawn"][h]
    assert abs(dlo[0] - hlo[0]) < 1.0 and dhi[1] < hlo[1]
    copies = [s.grid for t, s in stage.bindings if t == h and getattr(s.grid, "copy_of", None) is not None]
    assert copies and all(id(g) in stage.retired for g in copies)   # gone once no step reads h
    end = plan.step_beats.index(next(b for b in plan.step_beats if b.step.id == step.id))
    assert zoom(stage.framings[end]["area"]) <= style.LEGIBLE_ZOOM + EPS


@pytest.mark.parametrize("name", ["gru", "lstm"])
def test_no_recurrent_step_is_framed_too_small_to_read(name, tmp_path):
    """Each cell's gates and states are 2×1: every working, and every step's end, is framed at a
    zoom that keeps them legible (their gradients reached 1.5 to 1.6 with far operands; the
    forward r ⊙ h, h a timestep back, 1.13; the LSTM's i ⊙ g 1.06), and no operand is drawn far
    from the rest (the GRU's (1 − u) ⊙ h0 across the whole frame from h0)."""
    trace, plan, seen = workings(name, tmp_path)
    stage = _stages[name]
    most = style.LEGIBLE_ZOOM + EPS
    wide = [(trace.steps[w["step"]].name, round(zoom(w["area"]), 2)) for w in seen if zoom(w["area"]) > most]
    wide += [(b.step.name, round(zoom(f["area"]), 2)) for b, f in zip(plan.step_beats, stage.framings)
             if zoom(f["area"]) > most]
    assert len(stage.framings) == len(plan.step_beats)
    assert not wide, wide
    apart = [p for w in seen for p in far_apart(trace, w)]
    assert not apart, apart


def test_the_sparse_penalty_gradient_is_worked_gathered_under_its_operands(tmp_path):
    """sparse_autoencoder's df = sign(f) ⊙ norm_weights and dnorm_weights: f and norm_weights side
    by side, each gradient under what it is the gradient of (rows lined up), dl1 beside; framed at
    zoom 1.53 before with the five grids in a row and again as copies. f over df is taller than a
    view at zoom 1 (``style.LEGIBLE_ZOOM``): the whole is framed as close as that allows."""
    trace, plan, seen = workings("sparse_autoencoder", tmp_path)
    stage = _stages["sparse_autoencoder"]
    step = trace.step("train.0.sparsity.l1.grad")
    mine = [w for w in seen if w["step"] == step.id]
    assert len(mine) == 2                                    # df, then dnorm_weights
    f, weights = trace.steps[step.grad_of].inputs
    for w in mine:
        assert zoom(w["area"]) <= 1.3, zoom(w["area"])
        assert not missing_operands(trace, w) and not far_apart(trace, w)
        for x, g in zip((f, weights), step.outputs):       # each gradient right under its tensor
            (xlo, xhi), (glo, ghi) = w["drawn"][x], w["drawn"][g]
            assert abs(xlo[0] - glo[0]) < 0.2 and ghi[1] < xlo[1] and xlo[1] - ghi[1] < 2 * style.GRID_GAP
    end = plan.step_beats.index(next(b for b in plan.step_beats if b.step.id == step.id))
    assert zoom(stage.framings[end]["area"]) <= 1.3


def test_the_residuals_gradients_are_summed_with_the_far_share_in_view(tmp_path):
    """transformer_block's dresid_post = dresid_post′ + dresid_post″ (the steps rendered from
    160, depth 1): dresid_post″ stands 4.4 units from resid_post's band, more than
    ``style.FAR_GAP``, but both are whole in the view the camera stands in; it was drawn again
    between them as "dresid_post″ (copy)", a second grid beside its original. It is read where
    it is: no copy, and it is whole in view as the sum is worked."""
    trace = run("transformer_block")
    step = trace.step("train.0.blocks.0.resid_post.grad_sum")
    plan = build_plan(trace, depth=1, steps=f"160..{step.id}")
    plan.hints["audit"] = True
    stage = render_scene(plan, plan.window, tmp_path / "sum.png", "l", still=True).stage
    far = step.inputs[1]
    assert trace.tensors[far].name == "dresid_post″"
    assert not [g.label_text for g in stage.canvas.grids if "(copy)" in g.label_text]   # as the step ends
    mine = [w for w in stage.workings if w["step"] == step.id]
    assert mine and not missing_operands(trace, mine[0])
    (lo, hi), area = mine[0]["drawn"][far], mine[0]["area"]
    assert (lo[:2] >= area[0] - EPS).all() and (hi[:2] <= area[1] + EPS).all()   # the original, in view
    assert zoom(area) <= style.LEGIBLE_ZOOM + EPS
    assert far not in [t for t, s in stage.bindings if getattr(s.grid, "copy_of", None) is not None]


def test_a_concat_gradient_ends_framed_on_the_grids_it_reads(tmp_path):
    """The LSTM's d[h, x] (one training round, no story): hx is drawn beside each gate's weights
    (W_f's, W_i's, W_g's, W_o's); dhx is split in the first, where its gradient is written. The
    step's grids counted the last, beside W_o 34 units off: its end framing had a far hx and the
    empty canvas between to frame (or left it out of view). They count the hx the split reads."""
    trace = run("lstm")
    step = trace.step("train.0.lstm.t2.hx.grad")
    plan = build_plan(trace, story=False, steps=f"0..{step.id}")
    plan.hints["audit"] = True
    stage = render_scene(plan, plan.window, tmp_path / "split.png", "l", still=True).stage
    dhx, h, x = step.inputs
    hx = trace.steps[step.grad_of].outputs[0]
    assert trace.tensors[hx].name == "hx" and len({id(s.grid) for s in stage.slots[hx]}) == 4   # hx beside each gate
    grids = stage.step_grids(step)
    assert grids[hx] is grids[dhx]                       # the hx whose band holds dhx
    end = stage.framings[[b.step.id for b in plan.step_beats].index(step.id)]
    area = end["area"]
    for tid, (lo, hi) in end["work"].items():            # all the step reads and writes, whole in view
        assert (lo[:2] >= area[0] - EPS).all() and (hi[:2] <= area[1] + EPS).all(), trace.tensors[tid].name
    boxes = list(end["work"].values())
    lo, hi = np.min([b[0][:2] for b in boxes], axis=0), np.max([b[1][:2] for b in boxes], axis=0)
    assert (hi - lo)[0] < 5.0                            # h, x and hx side by side, not 38 units across
    assert zoom(area) <= style.LEGIBLE_ZOOM + EPS
