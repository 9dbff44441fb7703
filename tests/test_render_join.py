"""``--jobs``: the parts rendered in parallel join seamlessly (issue 9). A part starts where the one
before it ends: on the card that part left up for the next card to cover (a plot, then the
overview: the part opened on a blank page, the plot cut off at the join), under the caption the
step before it left on screen, and a picture shown again is a glance there too (an "overview
again" in the second part held as long as a first look, the video longer than with one job).
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402

FPS = 4
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")]


def frame(path, first: bool) -> np.ndarray:
    from PIL import Image

    out = path.with_suffix(".first.png" if first else ".last.png")
    args = ["-i", str(path), "-frames:v", "1"] if first else ["-sseof", "-0.5", "-i", str(path), "-update", "1"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(out)], check=True)
    return np.asarray(Image.open(out).convert("L"), dtype=float)


def beat(plan, name: str) -> int:
    return next(k for k, b in enumerate(plan.beats) if b.name == name)


@pytest.mark.parametrize("before, at", [("chapter13:summary", "overview:again"),   # plot, then a card
                                        ("12:attn.scaled", "chapter5:plot0")])      # a step, then a card
def test_a_part_opens_on_what_the_part_before_ended_on(tmp_path, before, at):
    plan = build_plan(run("self_attention"))
    lo, k = beat(plan, before), beat(plan, at)
    first = render_scene(plan, (lo, k), tmp_path / "a.mp4", "l", FPS)
    second = render_scene(plan, (k, k + 1), tmp_path / "b.mp4", "l", FPS)
    assert np.abs(frame(tmp_path / "a.mp4", False) - frame(tmp_path / "b.mp4", True)).mean() < 1.0
    whole = render_scene(plan, (lo, k + 1), tmp_path / "whole.mp4", "l", FPS)
    one = whole.timeline[-1].end - whole.timeline[-1].start
    two = second.timeline[-1].end - second.timeline[-1].start
    assert abs(one - two) < 1.5 / FPS, f"{at}: {two:.2f} s in its own part, {one:.2f} s in one"
    assert [m.name for m in first.timeline] + [m.name for m in second.timeline] == [m.name for m in whole.timeline]
