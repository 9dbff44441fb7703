"""The label audit mid-play (:mod:`scenes.midway`): with ``hints["audit_midway"]``, a play laid out
without drawing runs through a quarter, half and three quarters of its time, and a label crowded
through that whole middle (but not at the play's start or end, which the end-of-play audit sees)
is noted; a grid passing a label in one instant is not. The walkthroughs the label room test lays
out are audited so (tests/test_scenes_label_room.py)."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from manim import LEFT, RIGHT, Succession  # noqa: E402

from scenes import anim  # noqa: E402
from scenes.midway import crowded_now  # noqa: E402
from scenes.stage import Stage  # noqa: E402

from .test_stage import scene, tid, trace  # noqa: E402,F401  (fixtures)


def two_grids(scene, trace):
    stage = Stage(scene, trace)
    stage.hints["audit_midway"] = True
    (a, _), (b, _) = stage.draw(tid(trace, "W")), stage.draw(tid(trace, "X"))
    b.grid.move_to(a.grid.name_label.get_center() + 12 * LEFT)   # far left of W's name
    return stage, a.grid, b.grid


def test_a_grid_passing_over_a_label_is_no_finding(scene, trace):
    stage, a, b = two_grids(scene, trace)
    assert crowded_now(stage) == set()
    b.shift(12 * RIGHT)
    assert crowded_now(stage)   # half-way, X lies over W's name
    b.shift(12 * LEFT)
    stage.play(b.animate(run_time=1.0).shift(24 * RIGHT))   # passing: over W's name only half-way
    assert [(m["found"], m["read"]) for m in stage.midway] == [([], 3)] and crowded_now(stage) == set()


def test_a_label_covered_through_the_middle_of_a_play_is_found(scene, trace):
    stage, a, b = two_grids(scene, trace)
    b.move_to(a.name_label.get_center())
    b.set_opacity(0)
    stage.play(Succession(anim.Reveal([b], run_time=0.2), anim.hold(0.6), anim.Reveal([b], to=0.0, run_time=0.2)))
    found = [f for m in stage.midway for f in m["found"]]
    assert found and all("W" in f for f in found), stage.midway
    assert any("over the cells of X" in f for f in found)
