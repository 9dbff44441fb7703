"""The stage's parts without a video: the canvas places grids apart, the camera frames them and the
canvas keeps off the scene what the camera cannot show whole, and a player that cannot draw a
step declines before drawing, leaving the fallback to the chain."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import MovingCameraScene, tempconfig  # noqa: E402

import tracer  # noqa: E402
from scenes.camera import Camera, View, work_area  # noqa: E402
from scenes.canvas import Canvas  # noqa: E402
from scenes.players import DECLINE, FORWARD, play, players_for  # noqa: E402
from scenes.players.generic import play_generic  # noqa: E402
from scenes.stage import Stage  # noqa: E402


class Skipped(MovingCameraScene):
    """A scene in a skipped section: plays jump to their end, nothing is drawn."""

    skipping = True

    def pause(self, seconds: float) -> None:
        pass


@pytest.fixture
def scene(tmp_path):
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "verbosity": "ERROR", "progress_bar": "none"}):
        yield Skipped()


@pytest.fixture(scope="module")
def trace() -> tracer.Trace:
    with tracer.record() as t:
        W = tracer.param([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0]], name="W")
        X = tracer.tensor([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]], name="X")
        tracer.matmul(W, X, name="Z")
        tracer.neg(tracer.tensor(np.arange(24.0).reshape(2, 3, 4), name="T"), name="negT")
        tracer.transpose(tracer.tensor(np.arange(24.0).reshape(2, 3, 4), name="U"), name="Ut")
        tracer.relu(tracer.tensor([[1.0, -1.0]], name="V"), name="R")
    return t


def tid(trace: tracer.Trace, name: str) -> str:
    return next(r.id for r in trace.tensors.values() if r.name == name)


def apart(canvas: Canvas, a, b) -> bool:
    (alo, ahi), (blo, bhi) = canvas.extent([a]), canvas.extent([b])
    return bool((ahi <= blo).any() or (bhi <= alo).any())


def test_the_canvas_places_a_product_and_fresh_grids_without_overlap(scene, trace):
    canvas = Canvas(scene, trace)          # a canvas of its own: no stage, no camera
    step = next(s for s in trace.steps if s.op == "matmul")
    grids, new = canvas.product(*step.inputs, step.outputs[0])
    assert new == [grids["a"], grids["b"], grids["out"]]      # nothing to reuse: all three are new
    canvas.register(*new)
    ga, gb, gout = grids["a"], grids["b"], grids["out"]
    assert ga.get_right()[0] < gout.get_left()[0] and gb.get_bottom()[1] > gout.get_top()[1]   # W left, X above
    assert abs(ga.body.get_top()[1] - gout.body.get_top()[1]) < 1e-6                          # rows aligned
    assert abs(gb.body.get_left()[0] - gout.body.get_left()[0]) < 1e-6                        # columns aligned
    more = canvas.fresh(tid(trace, "T"))
    assert canvas.is_free([more])
    canvas.register(more)
    assert not canvas.is_free([canvas.make_grid(tid(trace, "T")).move_to(gout)])   # over the product: taken
    for a, b in [(ga, gb), (ga, gout), (gb, gout), (ga, more), (gb, more), (gout, more)]:
        assert apart(canvas, a, b)


def test_the_camera_frames_a_grid_and_the_canvas_parks_the_ones_it_cannot_show(scene, trace):
    canvas = Canvas(scene, trace)
    camera = Camera(scene, canvas)
    near, far = canvas.fresh(tid(trace, "W")), canvas.fresh(tid(trace, "X"))
    far.shift(np.array([100.0, 0.0, 0.0]))
    canvas.add_grids(near, far)
    assert camera.focus([near]) == []          # the first framing is a cut: nothing to play
    lo, hi = canvas.extent([near])
    area = work_area(camera.view)
    assert camera.in_view(near) and (lo >= area[0]).all() and (hi <= area[1]).all()
    assert not camera.in_view(far)
    assert canvas.cull(*camera.sight(), fade=False) == []
    assert id(far) in canvas.parked and far not in scene.mobjects and near in scene.mobjects
    moves = camera.focus([far])              # a pan: the camera moves and the far grid comes back
    assert moves and camera.in_view(far) and not camera.in_view(near)
    assert camera.moved_from is not None and camera.view.centre[0] > 90
    canvas.cull(*camera.sight(), fade=False)
    camera.played()
    assert id(far) not in canvas.parked and far in scene.mobjects and id(near) in canvas.parked


def test_a_player_that_cannot_draw_declines_and_the_chain_falls_back(scene, trace):
    stage = Stage(scene, trace)
    step = next(s for s in trace.steps if s.op == "transpose")      # 3-D: not a grid to flip
    assert players_for(trace, step) == [FORWARD["transpose"], play_generic]   # its own, then the generic one
    neg = next(s for s in trace.steps if s.op == "neg")
    assert players_for(trace, neg) == [FORWARD["family:elementwise"], play_generic]   # no own player: its family's
    relu = next(s for s in trace.steps if s.op == "relu")   # its own player declines straight to the generic one
    assert players_for(trace, relu) == [FORWARD["relu"], play_generic] and FORWARD["relu"] is not FORWARD["family:elementwise"]
    assert FORWARD["transpose"](stage, step) is DECLINE
    assert stage.canvas.grids == [] and stage.slots == {}            # declined before drawing anything
    play(stage, step)                                                # the generic player shows it
    assert stage.slot(step.outputs[0]) is not None and stage.slot(step.outputs[0]).grid in stage.canvas.grids


def test_the_stage_owns_its_parts(scene, trace):
    stage = Stage(scene, trace, mode="paging")
    assert stage.camera.canvas is stage.canvas and isinstance(stage.camera.view, View)
    assert not stage.canvas.bands        # paging: no gradient bands
    step = next(s for s in trace.steps if s.op == "matmul")
    play(stage, step)
    assert set(stage.layouts[step.id]) == {"a", "b", "out"} and len(stage.canvas.grids) == 3
    stage.page()
    assert stage.canvas.grids == [] and stage.slots == {} and stage.layouts == {}
    assert not stage.camera.focused      # the next framing cuts to the new page


def test_only_the_chain_chooses_the_generic_fallback():
    """A player that cannot show a step declines; none calls the generic player itself (the
    chain's one lookup chooses the fallback)."""
    import pathlib

    import scenes.players

    folder = pathlib.Path(scenes.players.__file__).parent
    callers = [p.name for p in folder.glob("*.py")
               if p.name not in ("__init__.py", "generic.py") and "play_generic" in p.read_text(encoding="utf-8")]
    assert callers == []


def test_a_still_with_no_working_closes_the_caption_up_under_its_formula(scene, trace):
    camera = Camera(scene, Canvas(scene, trace))
    camera.move_camera(View(np.array([3.0, -1.0, 0.0]), 1.5))   # a zoomed-out view: the band scaled with it
    camera.set_caption("Z = W · X", "A linear layer: multiply X by the weights W.")
    caption = camera.caption
    home, middle = caption.narration.get_top()[1], caption.get_center()[1]
    with camera.closed_up():   # nothing on the work line: the narration sits under the formula
        gap = caption.formula.get_bottom()[1] - caption.narration.get_top()[1]
        assert gap == pytest.approx(0.08 * 1.5) and caption.get_center()[1] == pytest.approx(middle)
    assert caption.narration.get_top()[1] == pytest.approx(home)   # and goes back after the still
    camera.work.add(camera.work_text("2×3 + 1 = 7"))
    with camera.closed_up():   # a working on the band keeps its room
        assert caption.narration.get_top()[1] == pytest.approx(home)
