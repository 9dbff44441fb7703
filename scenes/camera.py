"""The camera over a :class:`~scenes.canvas.Canvas` and its heads-up display: the caption band
(formula, work line, narration), the chapter header, and a camera that pans (zooming out only when
it must) so the current work is legible at 480p, carrying the captions along. What it films
decides which grids the canvas keeps on the scene (:meth:`Camera.sight`).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from manim import DOWN, ORIGIN, UP, Animation, Succession, VGroup, VMobject

from . import anim, style
from .canvas import Box, Canvas
from .caption import GAP, Caption, backdrop, header, on_screen, work_line
from .manim_adapter import finish_now

HUD_Z = 20    # caption band and header: over the canvas
MARK_Z = 15   # highlight boxes and partial sums: over the grids, under the caption band
TOP_MARGIN = style.TOP_MARGIN
MAX_ZOOM = style.MAX_ZOOM
MIN_ZOOM = 0.45   # as far in as the camera goes: digits ~42 px tall at 720p, a slide's title (0.65 left a
                  # perceptron's 1×1 step filling half the view; 0.8 drew thin work, a 2×1 gate, small)
FILL = 0.8        # the work fills at least this much of the work area's width or height, as far as MIN_ZOOM allows
DIGIT_PX = 16     # ... and its digits are at least this tall at 720p, as far as MAX_ZOOM allows
SIDE = 0.2        # canvas units kept clear at either side of the view: what is nearer its edge is not in view
LEGIBLE = style.NUMBER_SIZE / 100 * 720 / style.FRAME_HEIGHT / DIGIT_PX   # the zoom beyond which they are not (1.18)
USABLE_W = style.FRAME_WIDTH - 0.5   # the work area at zoom 1: the frame less a quarter unit each side,
USABLE_H = style.FRAME_HEIGHT - style.CAPTION_HEIGHT - TOP_MARGIN - 0.1   # above the caption band


def close(needed: float, scale: float) -> bool:
    """Whether a view at ``scale`` frames work that ``needed`` (the zoom at which it fills the work
    area) close enough: the work fills :data:`FILL` of it, or the camera is as close as it goes;
    and its digits are :data:`DIGIT_PX` tall, or the work would not fit any closer.

    >>> close(1.0, 1.1), close(0.5, 1.0), close(0.3, MIN_ZOOM), close(1.48, 1.5), close(1.0, 1.25)
    (True, False, True, True, False)
    """
    fills = needed >= FILL * scale or scale <= MIN_ZOOM + 1e-6
    legible = scale <= LEGIBLE + 1e-6 or needed >= scale - 0.05
    return fills and legible


def fits(lo: np.ndarray, hi: np.ndarray) -> float:
    """The zoom at which the canvas box ``lo``..``hi`` fills the work area: a quarter unit of air
    at either side, and no less than :data:`SIDE` (:meth:`Camera.in_view` keeps that clear at
    every zoom: closer than 0.8, a quarter unit of the view is less, and work framed to the edge
    was out of view, an RNN's x beside h at the end of its split gradient).

    >>> round(fits(np.zeros(2), np.array([style.FRAME_WIDTH - 0.5, 1.0])), 3)   # a quarter unit of air
    1.0
    >>> round(fits(np.zeros(2), np.array([1.0, 0.1])), 3)   # SIDE of air (1 / 13.72 would be 0.073)
    0.098
    """
    w, h = hi[0] - lo[0], hi[1] - lo[1]
    return float(max(w / USABLE_W, (w + 2 * SIDE) / style.FRAME_WIDTH, h / USABLE_H))


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


@dataclass
class View:
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    scale: float = 1.0


class Camera:
    """The camera of one walkthrough scene filming ``canvas``, and the captions it carries
    (in ``lang``)."""

    def __init__(self, scene, canvas: Canvas, lang: str = "en") -> None:
        self.scene, self.canvas, self.lang = scene, canvas, lang
        self.view = View()
        self.focused = False                   # framed once: the next framing pans, not cuts
        self.reframe = False                   # the next framing centres and zooms to the work (a chapter's start)
        self.moved_from: View | None = None    # the view a pending camera move starts from
        self.widest = 1.0   # the widest view since the step began: the step's end frames all its work no wider
        self.tighten = False   # the next framing is a step's first or its end: framed close (its parts pan)
        self.caption: Caption | None = None
        self.header: VMobject | None = None
        self.backdrop: VMobject | None = None
        self.work = VGroup()       # holder of the work line (the arithmetic of the current cell)
        self.bubble = VGroup()     # holder of the running partial sum drawn in the cell
        scene.add_foreground_mobject(self.bubble)
        self.trash: list[VMobject] = []   # faded out: removed from the scene at the next tidy()

    def to_view(self, mob: VMobject, view: View | None = None) -> VMobject:
        """``mob``, built in the origin frame, moved into ``view`` (the current one)."""
        view = view or self.view
        return mob.scale(view.scale, about_point=ORIGIN).shift(view.centre)

    def _backdrop(self) -> None:
        if self.backdrop is None:
            self.backdrop = self.to_view(backdrop()).set_z_index(HUD_Z - 1)
            self.scene.add(self.backdrop)

    def set_caption(self, formula: str, narration: str) -> list[Animation]:
        """The step's formula and narration replace the last step's (out, then in)."""
        self._backdrop()
        new = self.to_view(Caption(formula, narration, self.lang))
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
        room = self.caption.work_room if self.caption is not None else None
        return self.to_view(work_line(text, color, room)).set_z_index(HUD_Z + 1)

    def close_up(self) -> float:
        """For a still with no working on the band: its formula and narration close up, the pair
        centred on the band (in a video they keep to the band's top and bottom, so nothing jumps
        as workings come and go; a still would show the working's empty room as a gap). Returns
        how far each moved."""
        anim.prune(self.work)
        caption = self.caption
        if caption is None or self.work.submobjects or not caption.narration.submobjects:
            return 0.0
        lift = (caption.formula.get_bottom()[1] - caption.narration.get_top()[1] - 2 * GAP * self.view.scale) / 2
        caption.narration.shift(UP * lift)
        caption.formula.shift(DOWN * lift)
        return lift

    @contextmanager
    def closed_up(self) -> Iterator[None]:
        """:meth:`close_up` while a still is taken, then back."""
        caption, lift = self.caption, self.close_up()
        try:
            yield
        finally:
            if caption is not None:
                caption.narration.shift(DOWN * lift)
                caption.formula.shift(UP * lift)

    def say(self, text: str | None, color: str = style.COMPUTED, run_time: float = 0.15) -> Animation:
        """Show ``text`` on the caption's work line (replacing what was there; None clears it)."""
        return anim.Swap(self.work, None if text is None else self.work_text(text, color), run_time=run_time)

    def set_header(self, text: str) -> list[Animation]:
        self._backdrop()
        anims: list[Animation] = []
        if self.header is not None:
            old = self.header
            self.trash.append(old)
            anims.append(anim.Appear(old, out=True, run_time=0.3))
        self.header = self.to_view(header(text, self.lang)) if text else None
        if self.header is not None:
            self.scene.add(self.header.set_z_index(HUD_Z))
            anims.append(anim.Appear(self.header, run_time=0.3))
        return anims

    def focus(self, mobs: list[VMobject], run_time: float = 0.7, force: bool = False,
              whole: bool = False) -> list[Animation]:
        """Pan so ``mobs`` sit whole in the frame above the caption band: nothing moves while
        they are in view (a step's first and last framings, :attr:`tighten`: and framed
        :func:`close` enough); the camera zooms out (at most ``MAX_ZOOM``) only when they do not
        fit, and in (to ``MIN_ZOOM`` at most) when they are much smaller than the view (a step's
        first and last framings: when they fill less than :data:`FILL` of it or their digits are
        smaller than :data:`DIGIT_PX` at 720p). After :attr:`reframe` is set (a
        chapter begins: the work before is done with), the next framing centres the work and
        zooms to it even when it is in view (small, in a corner of the last step's frame). Work
        that does not fit even then loses its first grids (the last ones are the result being written): a grid is framed
        whole or not at all (:meth:`cull` hides what is cut); with ``whole``, such work is not
        framed at all. The first framing is a cut."""
        mobs = [m for m in mobs if m is not None]
        if not mobs:
            return []
        lo, hi = self.canvas.extent(mobs)
        needed = fits(lo, hi)
        if whole and needed > MAX_ZOOM:
            return []
        while needed > MAX_ZOOM and len(mobs) > 1:
            mobs = mobs[1:]
            lo, hi = self.canvas.extent(mobs)
            needed = fits(lo, hi)
        fresh, self.reframe = self.reframe, False
        # a step's first and last framings bring small work in a wide view closer; the framings of
        # its parts between stand still while they are in view (no pumping in and out of them)
        tight, self.tighten = self.tighten, False
        near = close(needed, self.view.scale) if tight else needed >= 0.7 * self.view.scale
        if (self.focused and not force and not fresh and (near or not tight) and needed <= self.view.scale
                and self._inside(lo, hi, self.view)):
            return []
        scale = self.view.scale
        if not self.focused or fresh or needed > scale or not near:
            scale = min(MAX_ZOOM, max(MIN_ZOOM, needed))
        first, self.focused = not self.focused, True
        lift = (style.CAPTION_HEIGHT + 0.1 - TOP_MARGIN) / 2 * scale  # the work area's middle
        centre = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2 - lift, 0.0])
        if hi[1] - lo[1] > USABLE_H * scale:  # too tall even zoomed out: keep its bottom in view
            centre[1] = lo[1] + USABLE_H * scale / 2 - lift
        if hi[0] - lo[0] > USABLE_W * scale:   # too wide: keep its right end (the result) in view
            centre[0] = hi[0] - USABLE_W * scale / 2
        if not first and abs(scale - self.view.scale) < 0.02 and np.allclose(centre[:2], self.view.centre[:2], atol=0.05):
            return []   # (reframed where it stands)
        if first:
            for a in self.move_camera(View(centre, scale), run_time):
                finish_now(a)
            self.played()
            return []
        return self.move_camera(View(centre, scale), run_time)

    def step_begins(self) -> None:
        """A step begins: its first framing is :func:`close` (the widest view it has seen is this one)."""
        self.widest = self.view.scale
        self.tighten = True

    def in_view(self, grid: VMobject) -> bool:
        """``grid`` sits whole in the current view's work area."""
        return self._inside(*self.canvas.extent([grid]), self.view)

    def brought(self, grid: VMobject) -> bool:
        """``grid`` comes into view with the pending camera move: it is not whole in the view the
        move starts from (an empty outline at that view's edge until the pan reaches it)."""
        return self.moved_from is not None and not self._inside(*self.canvas.extent([grid]), self.moved_from)

    def _inside(self, lo: np.ndarray, hi: np.ndarray, view: View) -> bool:
        half_w = style.FRAME_WIDTH / 2 * view.scale - SIDE + 1e-6   # (work framed to the edge is in)
        top = view.centre[1] + (style.FRAME_HEIGHT / 2 - TOP_MARGIN) * view.scale + 1e-6
        bottom = view.centre[1] + (-style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT + 0.1) * view.scale - 1e-6
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
        self.widest = max(self.widest, target.scale)
        return anims

    def sight(self) -> tuple[Box, list[Box], Box]:
        """What the next play films: the view's work area, the frames it passes through (where a
        pending move starts, and where it ends) and the rectangle they span (a veil covers no
        more: while the camera stands still, not the caption band and header)."""
        area = work_area(self.view)
        seen = [frame_area(v) for v in (self.moved_from, self.view) if v is not None]
        clip = area if self.moved_from is None else (np.minimum(*[s[0] for s in seen]), np.maximum(*[s[1] for s in seen]))
        return area, seen, clip

    def played(self) -> None:
        """The pending camera move has been played (or jumped to its end)."""
        self.moved_from = None

    def tidy(self) -> None:
        """Between plays: forget hidden work lines and partial sums, drop faded captions."""
        anim.prune(self.work)
        anim.prune(self.bubble)
        if self.trash:
            self.scene.remove(*self.trash)
            self.trash = []

    def raise_hud(self) -> None:
        """Keep the work line above the canvas markers (the only part of the HUD drawn in the
        foreground: the caption band and header stay above by their z-index)."""
        if self.work in self.scene.foreground_mobjects:
            self.scene.foreground_mobjects.remove(self.work)
            self.scene.foreground_mobjects.append(self.work)
