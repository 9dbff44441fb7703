"""After a card, the next step's work is framed under the card (:mod:`scenes.cover`): the card lifts
on the new work, the camera does not pan across the last chapter's grids to it in view of the
learner; and a grid a pan brings appears as the camera reaches it, not as an empty outline at the
edge of the view the pan leaves (issue 9: the perceptron's "after learning" step, the LSTM's hx).

The walkthrough is played for real here (a few beats, a few frames a second, nothing written):
every ``Scene.play`` is noted with where the camera stood before and after it.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import MovingCameraScene, tempconfig  # noqa: E402

from scenes import anim, style  # noqa: E402
from scenes.camera import View, work_area  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.walkthrough import CARD_Z, Walkthrough  # noqa: E402

from .example_runs import run  # noqa: E402


def played(name: str, start: int, stop: int, tmp_path) -> list:
    """Play beats ``start``..``stop`` of ``name``'s walkthrough; every play as a dict: the step on
    the stage, the camera's view before and after, whether a card was on the scene, how many work
    lines had been shown, and the grids (with their boxes) that came in with an ``Appear``."""
    trace = run(name)
    plan = build_plan(trace)
    plays = []
    real = MovingCameraScene.play

    def noted(self, *anims, **kwargs):
        frame = self.camera.frame
        before = View(frame.get_center().copy(), frame.width / style.FRAME_WIDTH)
        covered = any(m.z_index >= CARD_Z for m in self.mobjects)
        canvas = self.stage.canvas
        came = [(a, canvas.extent([a.mobject])) for a in anims
                if isinstance(a, anim.Appear) and not a.out and id(a.mobject) in canvas.boxes]
        result = real(self, *anims, **kwargs)
        after = View(frame.get_center().copy(), frame.width / style.FRAME_WIDTH)
        plays.append({"step": self.stage.step, "before": before, "after": after, "covered": covered,
                      "said": len(self.stage.said), "came": came,
                      "moved": not (np.allclose(before.centre, after.centre)
                                    and np.isclose(before.scale, after.scale))})
        return result
    settings = {"media_dir": str(tmp_path), "dry_run": True, "verbosity": "ERROR", "progress_bar": "none",
                "quality": "low_quality", "frame_rate": 4}
    with tempconfig(settings), pytest.MonkeyPatch.context() as mp:
        mp.setattr(MovingCameraScene, "play", noted)
        Walkthrough(plan, start=start, stop=stop).render()
    return plan, plays


def after_card(name: str, card: str) -> int:
    """The beat of ``name``'s first ``card`` card followed by a step."""
    plan = build_plan(run(name))
    return next(k for k, b in enumerate(plan.beats)
                if b.card == card and k + 1 < len(plan.beats) and plan.beats[k + 1].step is not None)


@pytest.mark.parametrize("name, card", [("perceptron", "summary"), ("lstm", "summary"), ("self_attention", "overview")])
def test_after_a_card_the_camera_moves_under_it(name, card, tmp_path):
    k = after_card(name, card)
    plan, plays = played(name, k - 1, k + 2, tmp_path)
    step = plan.beats[k + 1].step
    mine = [p for p in plays if p["step"] is step]
    assert mine, "the step after the card played"
    before_work = [p for p in mine if p["said"] == mine[0]["said"]]   # until the step's first work line
    bare = [p for p in before_work if p["moved"] and not p["covered"]]
    assert not bare, f"{step.name}: the camera moved in view after the card went ({len(bare)} plays)"
    assert mine[0]["covered"], f"{step.name}: the card is up as the step begins, and lifts with it"
    assert not mine[-1]["covered"], f"{step.name}: the card is gone by the step's end"


def _whole_in(box, view: View) -> bool:
    lo, hi = work_area(view)
    return bool((box[0][:2] >= lo - 1e-6).all() and (box[1][:2] <= hi + 1e-6).all())


def test_a_grid_a_pan_brings_appears_as_the_camera_reaches_it(tmp_path):
    """The LSTM's hx = [h0, x]: hx (empty, to be filled) and the copy of x came in at the edge of
    x's frame as the pan to them began."""
    plan = build_plan(run("lstm"))
    k = next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.name == "lstm.t0.hx")
    _, plays = played("lstm", k, k + 1, tmp_path)
    brought = [(p, a, box) for p in plays if p["moved"] for a, box in p["came"] if not _whole_in(box, p["before"])]
    assert brought, "the pan to hx brings grids"
    for p, a, box in brought:   # a quarter into the pan (the camera has hardly left): not shown yet
        assert a.rate_func(0.25) == 0.0 and a.rate_func(1.0) == 1.0, box
