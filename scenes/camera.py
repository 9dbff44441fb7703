"""The camera and the heads-up display: the caption band (formula, work line, narration), the
chapter header, and a camera that pans (zooming out only when it must) so the current work is
legible at 480p, carrying the captions along. Grids out of every view leave the scene (Cairo
draws every mobject of a scene, seen or not).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Animation, Rectangle, Succession, VMobject

from . import anim, style
from .manim_adapter import finish_now
from .caption import Caption, backdrop, header, on_screen, work_line

HUD_Z = 20    # caption band and header: over the canvas
MARK_Z = 15   # highlight boxes and partial sums: over the grids, under the caption band
VEIL_Z = 14   # the paper that fades a grid out of view: over the grids, under the markers
TOP_MARGIN = 0.7   # the header strip and a little air: the work stays below it
MAX_ZOOM = 1.6     # the camera zooms out at most this much (digits ~8 px tall at 480p)
Box = tuple[np.ndarray, np.ndarray]   # lower-left and upper-right corners (x, y)


def frame_area(view: "View") -> Box:
    """The canvas rectangle ``view`` films."""
    half = np.array([style.FRAME_WIDTH / 2, style.FRAME_HEIGHT / 2]) * view.scale
    return view.centre[:2] - half, view.centre[:2] + half


def work_area(view: "View") -> Box:
    """The canvas rectangle ``view`` shows the work in: its frame less the header strip at the
    top and the caption band at the bottom (a grid is shown only when it lies whole in here)."""
    lo, hi = frame_area(view)
    return (lo + np.array([0.0, style.CAPTION_HEIGHT * view.scale]),
            hi - np.array([0.0, style.HEADER_HEIGHT * view.scale]))


def _contains(area: Box, lo: np.ndarray, hi: np.ndarray, slack: float = 1e-6) -> bool:
    return bool((lo >= area[0] - slack).all() and (hi <= area[1] + slack).all())


def _touches(lo: np.ndarray, hi: np.ndarray, area: Box) -> bool:
    return bool((lo < area[1]).all() and (hi > area[0]).all())


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
        self.caption_text = f"{formula} {narration}".strip()
        new = self._to_view(Caption(formula, narration, self.lang))
        on_screen(self.scene, f"{formula}\n{narration}")
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

    def focus(self, mobs: list[VMobject], run_time: float = 0.7, force: bool = False,
              whole: bool = False) -> list[Animation]:
        """Pan so ``mobs`` sit whole in the frame above the caption band: nothing moves while
        they are in view; the camera zooms out (at most ``MAX_ZOOM``) only when they do not fit,
        and back in when they are much smaller than the view. Work that does not fit even then
        loses its first grids (the last ones are the result being written): a grid is framed
        whole or not at all (:meth:`cull` hides what is cut); with ``whole``, such work is not
        framed at all. The first framing is a cut."""
        mobs = [m for m in mobs if m is not None]
        if not mobs:
            return []
        usable_w = style.FRAME_WIDTH - 0.5
        usable_h = style.FRAME_HEIGHT - style.CAPTION_HEIGHT - TOP_MARGIN - 0.1
        lo, hi = self._extent(mobs)
        needed = max((hi[0] - lo[0]) / usable_w, (hi[1] - lo[1]) / usable_h)
        if whole and needed > MAX_ZOOM:
            return []
        while needed > MAX_ZOOM and len(mobs) > 1:
            mobs = mobs[1:]
            lo, hi = self._extent(mobs)
            needed = max((hi[0] - lo[0]) / usable_w, (hi[1] - lo[1]) / usable_h)
        if self.focused and not force and needed <= self.view.scale and self._inside(lo, hi, self.view):
            return []
        scale = self.view.scale
        if not self.focused or needed > scale or needed < 0.7 * scale:
            scale = min(MAX_ZOOM, max(0.8, needed))
        first, self.focused = not self.focused, True
        lift = (style.CAPTION_HEIGHT + 0.1 - TOP_MARGIN) / 2 * scale  # the work area's middle
        centre = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2 - lift, 0.0])
        if hi[1] - lo[1] > usable_h * scale:  # too tall even zoomed out: keep its bottom in view
            centre[1] = lo[1] + usable_h * scale / 2 - lift
        if hi[0] - lo[0] > usable_w * scale:   # too wide: keep its right end (the result) in view
            centre[0] = hi[0] - usable_w * scale / 2
        if first:
            for a in self.move_camera(View(centre, scale), run_time):
                finish_now(a)
            self.moved_from = None
            return []
        return self.move_camera(View(centre, scale), run_time)

    def _extent(self, mobs: list[VMobject]) -> Box:
        """The corners of what ``mobs`` cover (a placed grid's outline is remembered)."""
        boxes = [self.boxes.get(id(m)) or (m.get_corner(DOWN + LEFT), m.get_corner(UP + RIGHT)) for m in mobs]
        return (np.min([b[0][:2] for b in boxes], axis=0), np.max([b[1][:2] for b in boxes], axis=0))

    def in_view(self, grid: VMobject) -> bool:
        """``grid`` sits whole in the current view's work area."""
        return self._inside(*self._extent([grid]), self.view)

    def _inside(self, lo: np.ndarray, hi: np.ndarray, view: View) -> bool:
        half_w = style.FRAME_WIDTH / 2 * view.scale - 0.2
        top = view.centre[1] + (style.FRAME_HEIGHT / 2 - TOP_MARGIN) * view.scale
        bottom = view.centre[1] + (-style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT + 0.1) * view.scale
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

    def cull(self, fade: bool = True, arriving: set[int] = frozenset()) -> list[Animation]:
        """Keep on the scene only the grids whole in the view's work area (a grid cut by a frame
        edge, the header strip or the caption band shows stray fragments and labels over the
        caption). Grids a frame of this play can see fade out under a paper veil, or back in when
        whole again; those out of every view leave at once (Cairo draws every mobject of a scene,
        seen or not); so do grids ``arriving`` in this play, not yet seen. Returns the fades, to
        play with the play that moves the camera."""
        area = work_area(self.view)
        seen = [frame_area(v) for v in (self.moved_from, self.view) if v is not None]
        clip = area if self.moved_from is None else (np.minimum(*[s[0] for s in seen]), np.maximum(*[s[1] for s in seen]))
        fades: list[Animation] = []
        for g in self.grids:
            key = id(g)
            if key not in self.boxes:
                continue
            lo, hi = self.boxes[key][0][:2], self.boxes[key][1][:2]
            veil, hidden = self.veils.pop(key, (None, False))   # the last play's fade is over
            if veil is not None:
                self.scene.remove(veil)
            parked = key in self.parked
            seen_now = fade and key not in arriving and any(_touches(lo, hi, s) for s in seen)
            if _contains(area, lo, hi):
                if parked:
                    self.parked.discard(key)
                    self.scene.add(g, *self.owned.get(key, []))
                    self._raise_hud()
                if (parked or hidden) and seen_now:
                    fades.append(self._veil(g, clip, out=True))
            elif not parked:
                if seen_now and not hidden:
                    fades.append(self._veil(g, clip, out=False))
                else:
                    self.parked.add(key)
                    self.scene.remove(g, *self.owned.get(key, []))
        return fades

    def _veil(self, g: VMobject, clip: tuple[np.ndarray, np.ndarray], out: bool) -> Animation:
        """A paper rectangle over grid ``g`` (within ``clip``: off the caption band and header
        while the camera stands still, when they are drawn as background) fading in (``out``:
        fading away). It leaves the scene at the next play."""
        lo = np.maximum(self.boxes[id(g)][0][:2] - 0.06, clip[0])
        hi = np.minimum(self.boxes[id(g)][1][:2] + 0.06, clip[1])
        size = np.maximum(hi - lo, 0.01)
        veil = Rectangle(width=size[0], height=size[1], stroke_width=0, fill_color=style.PAPER, fill_opacity=1.0)
        veil.move_to([*(lo + hi) / 2, 0]).set_z_index(VEIL_Z)
        self.veils[id(g)] = (veil, not out)
        self.scene.add(veil)
        return anim.Appear(veil, out=out, run_time=0.4)

    def step_grids(self, step) -> dict[str, VMobject]:
        """The grids on the canvas showing the tensors ``step`` reads and writes, by tensor id (a
        gradient step reads its forward step's tensors too: dW = dZ·Xᵀ reads X)."""
        tids = [*step.inputs, *step.outputs]
        if step.phase == "backward" and step.grad_of is not None:
            fwd = self.trace.steps[step.grad_of]
            tids += [*fwd.inputs, *fwd.outputs]
        out = {}
        for tid in tids:
            slot = self.slot(tid)
            if slot is not None and id(slot.grid) in self.boxes:
                out[tid] = slot.grid
        return out

    def frame_step(self, step) -> list[Animation]:
        """At the end of ``step``, frame all it read and wrote when that fits in one view (its
        parts may have been worked one view at a time)."""
        if step is None:
            return []
        grids = list({id(g): g for g in self.step_grids(step).values()}.values())
        return self.focus(grids, run_time=0.5, whole=True)

    def framing(self, step) -> dict:
        """Where the camera stands at the end of ``step`` and what it shows, as boxes: its work
        area and frame, the grids of the tensors the step reads and writes (by tensor id), and
        every grid on show (tests check that the work is whole in view and nothing is cut)."""
        def box(g: VMobject) -> Box:
            return self.boxes[id(g)][0][:2], self.boxes[id(g)][1][:2]
        work = {tid: box(g) for tid, g in self.step_grids(step).items()}
        shown = [box(g) for g in self.grids if id(g) in self.boxes and id(g) not in self.parked
                 and not self.veils.get(id(g), (None, False))[1]]
        return {"area": work_area(self.view), "frame": frame_area(self.view), "work": work, "shown": shown}

    def _raise_hud(self) -> None:
        """Keep the caption band, its work line and the header above the canvas markers."""
        for m in (self.caption, self.work, self.header):
            if m is not None and m in self.scene.foreground_mobjects:
                self.scene.foreground_mobjects.remove(m)
                self.scene.foreground_mobjects.append(m)
