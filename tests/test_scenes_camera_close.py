"""Small work framed close (issue: a perceptron's 1×3 W updated in a corner of a wide view, its
digits 12 px tall): at the end of every step the camera frames what the step computed so that it
fills most of the view, or stands as close as it goes, and its digits are at least 16 px tall at
720p wherever the work would fit closer; nothing it wrote is framed out.

The walkthroughs are laid out headless (a still of the last beat: players place their grids and
move the camera exactly as in the video; ``plan.hints["audit"]`` records each step's framing).
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes import style  # noqa: E402
from scenes.camera import DIGIT_PX, FILL, MIN_ZOOM, close  # noqa: E402

from .example_runs import audited_still  # noqa: E402

PX_PER_UNIT_720P = 720 / style.FRAME_HEIGHT   # at zoom 1


def framings(name: str, folder) -> list[tuple]:
    """(step, zoom, fill, digit px at 720p, its outputs' boxes, work area) at the end of every step
    whose work (all it read and wrote) is whole in view."""
    _, plan, scene, _ = audited_still(name, folder)
    out = []
    for f, beat in zip(scene.stage.framings, plan.step_beats):
        boxes = list(f["work"].values())
        if not boxes:
            continue
        lo, hi = np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)
        alo, ahi = f["area"]
        zoom = float((f["frame"][1][0] - f["frame"][0][0]) / style.FRAME_WIDTH)
        whole = (lo >= alo - 1e-6).all() and (hi <= ahi + 1e-6).all()
        digits = [h for tid, h in f["digits"].items() if h > 0]
        px = max(digits) * PX_PER_UNIT_720P / zoom if digits else None
        wrote = [f["work"][t] for t in beat.step.outputs if t in f["work"]]
        out.append((beat.step, zoom, float(max((hi - lo) / (ahi - alo))), px, wrote, f["area"], whole))
    return out


@pytest.mark.parametrize("name", ["perceptron", "lstm"])
def test_small_work_is_framed_close_and_legible(name, tmp_path):
    seen = framings(name, tmp_path)
    whole = [s for s in seen if s[-1]]
    assert len(whole) >= 0.75 * len(seen), "most steps end with all their work in view"
    for step, zoom, fill, px, _, _, _ in whole:
        assert fill >= FILL - 0.02 or zoom <= MIN_ZOOM + 1e-6, f"{step.name}: fills {fill:.2f} of the view at zoom {zoom:.2f}"
        if px is not None:   # 16 px where the layout allows: the work fits no closer than this
            assert px >= DIGIT_PX or fill >= 0.9, f"{step.name}: digits {px:.0f} px at zoom {zoom:.2f}, fill {fill:.2f}"


@pytest.mark.parametrize("name", ["perceptron", "lstm"])
def test_nothing_a_step_wrote_is_framed_out(name, tmp_path):
    """What a step wrote ends whole in view; results too far apart for one view (the perceptron's
    dE and dS, worked one view each) end on the last one."""
    checked = 0
    for step, zoom, _, _, wrote, (alo, ahi), _ in framings(name, tmp_path):
        if not wrote:
            continue
        lo, hi = np.min([b[0] for b in wrote], axis=0), np.max([b[1] for b in wrote], axis=0)
        if ((hi - lo) > np.array(style.WIDEST_ROOM)).any():
            wrote = wrote[-1:]
        for lo, hi in wrote:
            assert (lo >= alo - 1e-6).all() and (hi <= ahi + 1e-6).all(), f"{step.name}: its result cut at zoom {zoom:.2f}"
        checked += 1
    assert checked >= 10


def test_the_perceptrons_update_is_framed_close():
    """W ← W + η·E·Xᵀ, a 1×3 grid: its digits were 19 px at 720p in a view four times its size;
    now twice that, the grid across most of the view."""
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        seen = framings("perceptron", Path(d))
    step, zoom, fill, px, *_ = next(s for s in seen if s[0].phase == "update")
    assert px >= 2 * DIGIT_PX and (fill >= FILL - 0.1 or zoom <= MIN_ZOOM + 1e-6), (zoom, fill, px)


def test_the_camera_comes_closer_only_when_the_view_is_too_wide():
    """In a view that already frames the work (fills 0.8, digits 16 px) the camera stands still; in
    one four times the work, or with digits too small where the work would fit closer, it comes in."""
    legible = style.NUMBER_SIZE / 100 * PX_PER_UNIT_720P / DIGIT_PX   # the zoom of 16 px digits
    assert close(0.9, 1.0) and close(0.3, MIN_ZOOM) and close(1.5, 1.5)
    assert not close(0.25, 1.0) and not close(1.0, 1.3) and legible > 1.0
