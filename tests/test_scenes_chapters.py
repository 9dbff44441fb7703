"""A chapter's start (issue 9, walkthroughs that teach): the work before is done with, so the camera
centres on the chapter's first work and zooms to it, even when that work is already in view (the
update chapter's W, a small grid in a corner of the last step's frame, was worked there with the
rest of the frame empty); the chapter's header shows once the camera stands at that work, not over
the last chapter's grids while it pans (the LSTM's "every weight updated" headed hidden and hx).

The walkthroughs are laid out without drawing a frame (a still of the last beat: the players place
their grids and move the camera exactly as in the video; ``plan.hints["audit"]`` records each
step's framing and each working's view).
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes import style  # noqa: E402
from scenes.camera import MIN_ZOOM, USABLE_H, USABLE_W  # noqa: E402

from .example_runs import audited_still  # noqa: E402


def laid_out(name: str, folder) -> tuple:
    """The example's trace, plan, stage and every header shown: (text, step id, the camera's work
    area then, whether a camera move was still to play)."""
    trace, plan, scene, headers = audited_still(name, folder)
    return trace, plan, scene.stage, headers


def updates(plan) -> list:
    return [b.step for b in plan.step_beats if b.step.phase == "update"]


@pytest.mark.parametrize("name", ["perceptron", "self_attention"])
def test_the_update_chapter_is_framed_centred_and_legible(name, tmp_path):
    trace, plan, stage, _ = laid_out(name, tmp_path)
    first = updates(plan)[0]
    framing = next(f for f, b in zip(stage.framings, plan.step_beats) if b.step is first)
    boxes = list(framing["work"].values())
    assert boxes, f"{first.name}: no grid framed"
    lo = np.min([b[0] for b in boxes], axis=0)
    hi = np.max([b[1] for b in boxes], axis=0)
    alo, ahi = framing["area"]
    zoom = float((framing["frame"][1][0] - framing["frame"][0][0]) / style.FRAME_WIDTH)
    assert (lo >= alo - 1e-6).all() and (hi <= ahi + 1e-6).all(), f"{first.name}: not whole in view"
    # centred: the work's middle in the middle of the work area, within a tenth of it
    off = np.abs((lo + hi) / 2 - (alo + ahi) / 2) / (ahi - alo)
    assert (off < 0.1).all(), f"{first.name}: off centre by {off} of the view"
    # legible: zoomed in as far as the camera goes, or until the work fills most of the view
    needed = float(max((hi - lo) / np.array([USABLE_W, USABLE_H])))
    assert zoom <= max(MIN_ZOOM, needed / 0.7) + 1e-6, f"{first.name}: zoom {zoom:.2f} for work needing {needed:.2f}"


@pytest.mark.parametrize("name", ["perceptron", "self_attention"])
def test_a_chapters_header_shows_once_the_camera_stands_at_its_work(name, tmp_path):
    trace, plan, stage, headers = laid_out(name, tmp_path)
    chapters = {b.step.id: b.chapter for b in plan.step_beats if b.chapter}
    seen = {sid: (area, moving) for text, sid, area, moving in headers if sid in chapters and text == chapters[sid]}
    assert set(seen) == set(chapters), "every chapter's header shown, with its first step"
    checked = 0
    for sid, (area, moving) in seen.items():
        assert not moving, f"{trace.steps[sid].name}: header shown while the camera was still to move"
        first = next((w for w in stage.workings if w["step"] == sid), None)
        if first is None:
            continue
        checked += 1
        assert np.allclose(first["area"][0], area[0]) and np.allclose(first["area"][1], area[1]), \
            f"{trace.steps[sid].name}: the camera moved after its chapter's header showed"
    assert checked >= 2
