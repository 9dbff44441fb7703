"""The label audit mid-play (issue 9): labels crowded while a play runs, not only once it is over.

The stage's audit (:meth:`scenes.stage.Stage._audit_labels`) reads the labels at the end of every
play. A label that a move slides across another grid's numbers, or one a grid fading in covers
while the camera pans, is gone by then. On request (``hints["audit_midway"]``, tests only: a
render never pays for it), a play laid out without drawing (a skipped section, where the tests lay
out a walkthrough) is not jumped to its end but run as Manim runs it, stopping at a quarter, half
and three quarters of its time to read the labels there (:func:`scenes.label_room.crowded`).

What counts: an overlap present at all three (the whole middle of the play) that neither its
start nor its end shows (those the end-of-play audit reports). One seen at a single instant is
a move passing by; a grid fading out is off the canvas's grids already (:func:`scenes.stale.take_off`),
so a grid drawn over it as it fades is no finding.
"""
from __future__ import annotations

from .label_room import crowded
from .manim_adapter import prepare_animation

TIMES = (0.25, 0.5, 0.75)   # of the play's run time


def crowded_now(stage) -> set[str]:
    return set(crowded(stage.canvas.label_boxes()))


def play_sampled(stage, anims: list) -> None:
    """Run ``anims`` to their end on ``stage``'s scene (as :func:`scenes.manim_adapter.jump_to_end`
    does, nothing drawn) through the instants of :data:`TIMES`, noting in ``stage.midway`` the
    play and the crowding that lasts through them: ``{"step": ..., "found": [...]}``."""
    scene = stage.scene
    run = [prepare_animation(a) for a in anims]
    for a in run:
        a._setup_scene(scene)
        a.begin()
    total = max((a.get_run_time() for a in run), default=0.0)
    start, middle = crowded_now(stage), None
    for t in TIMES if total > 0 else ():
        for a in run:   # each animation at its own pace, as a play runs them together
            a.interpolate(min(1.0, t * total / a.get_run_time()) if a.get_run_time() > 0 else 1.0)
        now = crowded_now(stage)
        middle = now if middle is None else middle & now
    for a in run:
        a.finish()
        a.clean_up_from_scene(scene)
    lasting = (middle or set()) - start - crowded_now(stage)
    stage.midway.append({"step": stage.step, "found": sorted(lasting)})
