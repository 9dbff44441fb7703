"""Every grid on show, its name and axis labels included, lies inside the camera's frame when a
step has been played (the LSTM's z_o and its name were reported running off the right edge)."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from scenes.walkthrough import Walkthrough  # noqa: E402

from .test_examples import run  # noqa: E402

# 2 frames a second: the checks read what each play leaves on the stage, the same at any frame
# rate (Manim's 15 at -q l drew seven times the frames for nothing)
FPS = 2


def outside(scene) -> tuple[int, list[str]]:
    """How many grids are on show, and those that reach beyond the camera's frame, by name."""
    frame = scene.camera.frame
    lo, hi = frame.get_corner([-1, -1, 0])[:2] - 1e-3, frame.get_corner([1, 1, 0])[:2] + 1e-3
    out, shown = [], [g for g in scene.stage.canvas.shown_grids() if g in scene.mobjects]
    for g in shown:
        g_lo, g_hi = g.get_corner([-1, -1, 0])[:2], g.get_corner([1, 1, 0])[:2]
        if (g_lo < lo).any() or (g_hi > hi).any():
            out.append(g.label_text)
    return len(shown), out


def test_the_lstm_cell_stays_in_frame(tmp_path, monkeypatch):
    plan = build_plan(run("lstm"))
    beats = [k for k, b in enumerate(plan.beats) if b.step is not None and b.step.name.startswith("lstm.t0.")]
    seen: list[tuple[str, int, list[str]]] = []
    play_beat = Walkthrough.play_beat

    def checked(scene, beat):
        play_beat(scene, beat)
        if beat.step is not None:   # (the title and overview cards before are laid out, not drawn)
            seen.append((beat.name, *outside(scene)))

    monkeypatch.setattr(Walkthrough, "play_beat", checked)
    render_scene(plan, (beats[0], beats[-1] + 1), tmp_path / "cell.mp4", "l", FPS)
    assert len(seen) == len(beats) and all(shown for _, shown, _ in seen)   # grids were on show to check
    assert not [(name, out) for name, _, out in seen if out]
