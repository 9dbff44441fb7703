"""The camera and the heads-up display: the caption band (formula, work line, narration), the
chapter header, and a camera that pans (zooming out only when it must) so the current work is
legible at 480p, carrying the captions along. Grids out of every view leave the scene (Cairo
draws every mobject of a scene, seen or not).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Animation, Succession, VGroup, VMobject
from manim.animation.animation import prepare_animation

from . import anim, style
from .caption import Caption, backdrop, header, work_line

HUD_Z = 20    # caption band and header: over the canvas
MARK_Z = 15   # highlight boxes and partial sums: over the grids, under the caption band
TOP_MARGIN = 0.7   # the header strip and a little air: the work stays below it


@dataclass
class View:
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    scale: float = 1.0


class Camera:
    """The camera half of :class:`~scenes.stage.Stage` (a mixin: it uses the stage's state)."""

    def _to_view(self, mob: VMobject, view: View | None = None) -> VMobject:
        view = view or self.view
        return mob.scale(view.scale, about_point=ORIGIN).shift(view.centre)

    def _backdrop(self) -> None:
        if self.backdrop is None:
            self.backdrop = self._to_view(backdrop()).set_z_index(HUD_Z - 1)
            self.scene.add(self.backdrop)

    def set_caption(self, formula: str, narration: str) -> list[Animation]:
        """The step's formula and narration replace the last step's (out, then in)."""
        self._backdrop()
        new = self._to_view(Caption(formula, narration, self.lang))
        appear = anim.Appear(new, run_time=0.3)
        anims: list[Animation] = []
        if self.caption is not None:
            old = self.caption
            self.trash.append(old)
            anims.append(Succession(anim.Appear(old, out=True, run_time=0.2), appear))
        else:
            anims.append(appear)
        self.caption = new
        self.work.submobjects = []
        # not a foreground mobject (those are redrawn on every frame): a high z-index keeps the
        # band over the canvas, and while it stands still it is part of the static background
        new.set_z_index(HUD_Z)
        self.scene.add(new)
        self.scene.add_foreground_mobject(self.work)
        return anims

    def work_text(self, text: str, color: str = style.COMPUTED) -> VMobject:
        return self._to_view(work_line(text, color)).set_z_index(HUD_Z + 1)

    def say(self, text: str, color: str = style.COMPUTED, run_time: float = 0.15) -> Animation:
        """Show ``text`` on the caption's work line (replacing what was there)."""
        if self.skipping:
            return anim.Swap(self.work, None, run_time=run_time)
        self.said.append(text)
        return anim.Swap(self.work, self.work_text(text, color), run_time=run_time)

    def set_header(self, text: str) -> list[Animation]:
        self._backdrop()
        anims: list[Animation] = []
        if self.header is not None:
            old = self.header
            self.trash.append(old)
            anims.append(anim.Appear(old, out=True, run_time=0.3))
        self.header = self._to_view(header(text, self.lang)) if text else None
        if self.header is not None:
            self.scene.add(self.header.set_z_index(HUD_Z))
            anims.append(anim.Appear(self.header, run_time=0.3))
        return anims

    def focus(self, mobs: list[VMobject], run_time: float = 0.7, force: bool = False) -> list[Animation]:
        """Pan so ``mobs`` sit in the frame above the caption band: nothing moves while they are
        in view; the camera zooms out (at most 1.35×) only when they do not fit, and back in
        when they are much smaller than the view. The first framing is a cut, not a move."""
        group = VGroup(*[m for m in mobs if m is not None])
        if not group.submobjects:
            return []
        usable_w = style.FRAME_WIDTH - 0.5
        usable_h = style.FRAME_HEIGHT - style.CAPTION_HEIGHT - TOP_MARGIN - 0.1
        needed = max(group.width / usable_w, group.height / usable_h)
        if self.focused and not force and needed <= self.view.scale and self._inside(group, self.view):
            return []
        scale = self.view.scale
        if not self.focused or needed > scale or needed < 0.7 * scale:
            scale = min(1.35, max(0.8, needed))
        first, self.focused = not self.focused, True
        lift = (style.CAPTION_HEIGHT + 0.1 - TOP_MARGIN) / 2 * scale  # the work area's middle
        centre = group.get_center().copy()
        centre[1] -= lift
        if group.height > usable_h * scale:  # too tall even zoomed out: keep its bottom in view
            centre[1] = group.get_bottom()[1] + usable_h * scale / 2 - lift
        if group.width > usable_w * scale:   # too wide: keep its right end (the result) in view
            centre[0] = group.get_right()[0] - usable_w * scale / 2
        if first:
            for a in self.move_camera(View(centre, scale), run_time):
                a = prepare_animation(a)
                a.begin()
                a.finish()
            self.moved_from = None
            return []
        return self.move_camera(View(centre, scale), run_time)

    def _inside(self, group: VMobject, view: View) -> bool:
        half_w = style.FRAME_WIDTH / 2 * view.scale - 0.2
        top = view.centre[1] + (style.FRAME_HEIGHT / 2 - TOP_MARGIN) * view.scale
        bottom = view.centre[1] + (-style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT + 0.1) * view.scale
        lo, hi = group.get_corner(DOWN + LEFT), group.get_corner(UP + RIGHT)
        return (lo[0] >= view.centre[0] - half_w and hi[0] <= view.centre[0] + half_w
                and lo[1] >= bottom and hi[1] <= top)

    def move_camera(self, target: View, run_time: float = 0.7) -> list[Animation]:
        frame = self.scene.camera.frame
        hud = [m for m in (self.backdrop, self.caption, self.header, self.work, self.bubble) if m is not None]
        anims: list[Animation] = [frame.animate(run_time=run_time).move_to(target.centre).set(width=style.FRAME_WIDTH * target.scale)]
        for m in hud:
            anims.append(anim.Follow(m, self.view.centre, self.view.scale, target.centre, target.scale, run_time=run_time))
        self.moved_from = self.moved_from or self.view
        self.view = target
        return anims

    def cull(self, views: list["View"]) -> None:
        """Take the grids no view can see off the scene, and bring back those it can: Cairo draws
        every mobject of a scene, on screen or not, and a long walkthrough's canvas is large."""
        margin = 1.0
        rects = []
        for v in views:
            half = np.array([style.FRAME_WIDTH / 2, style.FRAME_HEIGHT / 2, 0]) * v.scale
            rects.append((v.centre - half - margin, v.centre + half + margin))
        for g in self.grids:
            lo, hi = self.boxes.get(id(g), (None, None))
            if lo is None:
                continue
            seen = any(lo[0] < rhi[0] and hi[0] > rlo[0] and lo[1] < rhi[1] and hi[1] > rlo[1]
                       for rlo, rhi in rects)
            parked = id(g) in self.parked
            if seen and parked:
                self.parked.discard(id(g))
                self.scene.add(g, *self.owned.get(id(g), []))
                self._raise_hud()
            elif not seen and not parked:
                self.parked.add(id(g))
                self.scene.remove(g, *self.owned.get(id(g), []))

    def _raise_hud(self) -> None:
        """Keep the caption band, its work line and the header above the canvas markers."""
        for m in (self.caption, self.work, self.header):
            if m is not None and m in self.scene.foreground_mobjects:
                self.scene.foreground_mobjects.remove(m)
                self.scene.foreground_mobjects.append(m)
