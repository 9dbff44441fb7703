"""How a stage plays a step's animations (a mixin of :class:`~scenes.stage.Stage`).

:meth:`Playback.play` plays them with Manim, or, in a section Manim skips, jumps to their end
without Manim's per-play bookkeeping. Around each play it keeps the scene's list of mobjects to what it
should draw: the grids the camera shows whole (the others are culled, or fade under a veil), what
moves last (Manim redraws everything after the first mobject that moves), each grid whole or not
at all. Stale grids leave with the step's first camera move (:mod:`scenes.stale`), a step's work set
up under a card waits for it (:mod:`scenes.cover`), and on request the labels are audited at the
end of every play and through its middle (:mod:`scenes.midway`).
"""
from __future__ import annotations

from manim import Animation, AnimationGroup, VMobject

from . import anim
from .camera import frame_area, work_area
from .cover import under_cover
from .manim_adapter import jump_to_end
from .midway import Probe, play_sampled
from .stale import leave, retire


def _groups(anims) -> list[VMobject]:
    """The mobjects made only to animate others together (an ``AnimationGroup``'s group, a
    ``Reveal``'s handle on several mobjects)."""
    out = []
    for a in anims:
        if isinstance(a, AnimationGroup):   # Succession too
            out.append(a.group)
            out += _groups(a.animations)
        elif isinstance(a, anim.Reveal) and len(a.targets) > 1:
            out.append(a.mobject)
    return out


def _flat(anims) -> list[Animation]:
    out = []
    for a in anims:
        out.append(a)
        if isinstance(a, AnimationGroup):
            out += _flat(a.animations)
    return out


class Playback:
    """The stage's playback: :meth:`play` and the bookkeeping around each play."""

    def play(self, *anims: Animation, **kwargs) -> None:
        """Play ``anims``; in a skipped section, jump to their end without Manim's per-play
        bookkeeping (which walks every mobject on the canvas: most of the cost of laying out
        the steps before ``--steps`` or a ``--jobs`` chunk)."""
        anims = [a for a in anims if a is not None]
        if anims and self.camera.moved_from is None:
            anims += self.header_now()   # the camera has reached the chapter's work
        if self.cover is not None and anims and not self.skipping and under_cover(self, anims):
            return self._audit_labels()
        if self.leaving:
            anims = self._leave(anims)
        if not anims:
            return
        if not self.skipping:
            arriving = {id(a.mobject): a for a in anims if isinstance(a, anim.Appear) and not a.out}
            for a in arriving.values():   # a grid a pan brings appears as the camera reaches it
                if id(a.mobject) in self.canvas.boxes and self.camera.brought(a.mobject):
                    anim.late(a)
            fades = self.cull(fade=self.drawn, arriving=set(arriving))
            self.camera.played()
            self.drawn = True
            for key in self.canvas.parked & set(arriving):   # a new grid out of view: there, unseen
                arriving[key].interpolate_mobject(1.0)
                anims.remove(arriving[key])
            if anims or fades:
                self._animated_last([*anims, *fades])
                before = list(self.scene.mobjects)
                probe = Probe.along(self, [*anims, *fades]) if self.hints.get("audit_midway") else None
                self.scene.play(*anims, *fades, *([probe] if probe else []), **kwargs)
                self._settle(before, _groups(anims))
                if probe:
                    probe.done()
            return self._audit_labels()
        self.camera.played()
        if self.hints.get("audit_midway"):   # tests: the labels read mid-play too
            play_sampled(self, anims)
        else:
            jump_to_end(self.scene, anims)
        self._audit_labels()

    def _audit_labels(self) -> None:
        """On request, the labels on show and the orphans at the end of every play: a label
        crowded or orphaned mid-step is caught too (tests read :attr:`played_labels`)."""
        if self.hints.get("audit"):
            self.played_labels.append({"step": self.step, "labels": self.canvas.label_boxes(),
                                       "orphans": self.canvas.orphans(self.cover and self.cover[0]), "frame": frame_area(self.camera.view),
                                       "area": work_area(self.camera.view)})

    def cull(self, fade: bool = True, arriving: set[int] = frozenset()) -> list[Animation]:
        """Keep on the scene only the grids the camera shows whole (:meth:`~scenes.culling.Culling.cull`)."""
        return self.canvas.cull(*self.camera.sight(), fade=fade, arriving=arriving)

    def _leave(self, anims: list[Animation]) -> list[Animation]:
        """The stale grids' fades, with ``anims`` when those move the camera (:func:`scenes.stale.leave`)."""
        return leave(self, anims)

    def retire(self) -> None:
        """Take the grids gone stale off the canvas (:func:`scenes.stale.retire`)."""
        retire(self)

    def _animated_last(self, anims: list[Animation]) -> None:
        """Put what ``anims`` animate (with the numbers drawn over it) at the end of the scene's
        list: Manim redraws, every frame, everything after the first mobject that moves, and
        draws the rest once (grids never overlap, so their order does not matter)."""
        moving = {id(a.mobject) for a in _flat(anims)}
        moved: set[int] = set()
        for m in self.scene.mobjects:
            if id(m) not in moved and any(id(x) in moving for x in m.get_family()):
                moved.add(id(m))
                moved.update(id(o) for o in self.canvas.owned.get(id(m), []))
        if moved:
            mobs = self.scene.mobjects
            self.scene.mobjects = [m for m in mobs if id(m) not in moved] + [m for m in mobs if id(m) in moved]

    def _settle(self, before: list[VMobject], made: list[VMobject]) -> None:
        """After a play, the scene holds what it held and what the play added, each grid whole
        or not at all. Manim adds the groups it made to animate several mobjects together (taking
        their members off the scene's list: they are drawn through the group) and any part of a
        grid it animated, or number written over a grid off the scene: through those, a grid
        taken off the scene (out of view, or cut by the frame) was still drawn, in fragments.
        (The list is set directly: ``Scene.remove`` would split a group holding what it removes
        into its parts.)"""
        drop = {id(m) for m in made}
        for g in self.canvas.grids:
            drop.update(id(m) for m in g.get_family()[1:])
        for key in self.canvas.parked:   # what is written over a grid off the scene is off it too
            drop.update(id(m) for m in self.canvas.owned.get(key, []))
        known = {id(m) for m in before}
        added = [m for m in self.scene.mobjects if id(m) not in known]
        keep = [m for m in before + added if id(m) not in drop]
        on = {id(m) for m in keep}
        missing = [g for g in self.canvas.grids if id(g) not in self.canvas.parked and id(g) not in on]
        self.scene.mobjects = missing + keep
