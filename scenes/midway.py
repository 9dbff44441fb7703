"""The label audit mid-play (issue 9): labels crowded while a play runs, not only once it is over.

The stage's audit (:meth:`scenes.playback.Playback._audit_labels`) reads the labels at the end of
every play. A label that a move slides across another grid's numbers, or one a grid fading in covers
while the camera pans, is gone by then. On request (``hints["audit_midway"]``, tests only: a
render never pays for it), a play laid out without drawing (a skipped section, where the tests lay
out a walkthrough) is not jumped to its end but run as Manim runs it, stopping at a quarter, half
and three quarters of its time to read the labels there (:func:`scenes.label_room.crowded`). A
play drawn (a video rendered by a test) carries a :class:`Probe` that reads them at the first
frame at or after each of those instants (grids culled out of view, under a veil, are not read).

What counts: an overlap present at all three (the whole middle of the play) that neither its
start nor its end shows (those the end-of-play audit reports). One seen at a single instant is
a move passing by; a grid fading out is off the canvas's grids already (:func:`scenes.stale.take_off`),
so a grid drawn over it as it fades is no finding.
"""
from __future__ import annotations

from manim import Animation, VMobject, linear

from .label_room import crowded
from .manim_adapter import prepare_animation

TIMES = (0.25, 0.5, 0.75)   # of the play's run time


def crowded_now(stage) -> set[str]:
    return set(crowded(stage.canvas.label_boxes()))


def play_sampled(stage, anims: list) -> None:
    """Run ``anims`` to their end on ``stage``'s scene (as :func:`scenes.manim_adapter.jump_to_end`
    does, nothing drawn) through the instants of :data:`TIMES`, noting in ``stage.midway`` the
    play, the crowding that lasts through them and how many instants were read:
    ``{"step": ..., "found": [...], "read": 3}``."""
    scene = stage.scene
    run = [prepare_animation(a) for a in anims]
    for a in run:
        a._setup_scene(scene)
        a.begin()
    total = max((a.get_run_time() for a in run), default=0.0)
    start, middle, read = crowded_now(stage), None, 0
    for t in TIMES if total > 0 else ():
        for a in run:   # each animation at its own pace, as a play runs them together
            a.interpolate(min(1.0, t * total / a.get_run_time()) if a.get_run_time() > 0 else 1.0)
        now, read = crowded_now(stage), read + 1
        middle = now if middle is None else middle & now
    for a in run:
        a.finish()
        a.clean_up_from_scene(scene)
    note(stage, start, middle, read)


def note(stage, start: set[str], middle: set[str] | None, read: int) -> None:
    """What lasted through the ``read`` instants (none at the play's start or end)."""
    lasting = (middle or set()) - start - crowded_now(stage)
    stage.midway.append({"step": stage.step, "found": sorted(lasting), "read": read})


class Probe(Animation):
    """Played with a drawn play (as long as it): reads the labels crowded at the frames that reach
    :data:`TIMES` (:meth:`done` notes what lasted, once the play is over)."""

    def __init__(self, stage, run_time: float) -> None:
        self.stage, self.start, self.middle, self.due, self.read = stage, crowded_now(stage), None, list(TIMES), 0
        super().__init__(VMobject(), run_time=run_time, rate_func=linear)

    @classmethod
    def along(cls, stage, anims: list) -> "Probe | None":
        """A probe as long as the play of ``anims`` (None for a play that takes no time)."""
        total = max((prepare_animation(a).get_run_time() for a in anims), default=0.0)
        return cls(stage, total) if total > 0 else None

    def interpolate_mobject(self, alpha: float) -> None:
        if self.due and alpha >= self.due[0] and alpha < 1.0:
            while self.due and alpha >= self.due[0]:
                self.due.pop(0)
            now, self.read = crowded_now(self.stage), self.read + 1
            self.middle = now if self.middle is None else self.middle & now

    def done(self) -> None:
        """After the play: note what lasted; the probe's empty mobject leaves the scene."""
        note(self.stage, self.start, self.middle, self.read)
        self.stage.scene.remove(self.mobject)
