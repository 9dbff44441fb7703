"""The stage: where the grids of a walkthrough go, which grid shows which tensor, and the camera.

The product layout (BRIEF §4): for ``out = a @ b`` the left operand sits left of the result with
its rows aligned, the right operand above it with its columns aligned, the result at the
intersection. Column-layout layers (``W @ X``) cascade down, row-layout ones (``X @ W``) run right;
each layer's output is the next one's operand, so the work flows on a canvas the camera follows.
In ``paging`` mode every step starts on a clean page instead (the generic player).

A tensor is shown by a *slot*: a grid and a lane of it (its values, its blue gradient band, or the
grey bias column of a weight grid). Backward steps find the grids their forward step used
(:attr:`Stage.layouts`) and write gradients into their bands: the forward layout is reused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim.animation.animation import prepare_animation
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Animation, Succession, VGroup, VMobject

from tracer.cells import Cell
from tracer.trace import Trace

from . import anim, style
from .caption import Caption, backdrop, header, work_line
from .grid import NumberGrid

HUD_Z = 20    # caption band and header: over the canvas
MARK_Z = 15   # highlight boxes and partial sums: over the grids, under the caption band


@dataclass
class Slot:
    """Where a tensor is drawn: ``grid`` and its ``lane`` (value, grad, bias or bias_grad)."""

    grid: NumberGrid
    lane: str = "value"
    replaces: dict = field(default_factory=dict)   # numbers this slot's numbers are drawn over

    def _key(self, index: tuple[int, ...]) -> object:
        if self.lane.startswith("bias"):
            return int(index[0]) if index else 0
        return self.grid.rc(index)

    def cell(self, index: tuple[int, ...]) -> VMobject | None:
        if self.lane.startswith("bias"):
            return self.grid.bias_cells.get(self._key(index))
        return self.grid.cells.get(self._key(index))

    def entry(self, index: tuple[int, ...]) -> VMobject | None:
        table = {"value": self.grid.values, "grad": self.grid.grads,
                 "bias": self.grid.bias_values if self.grid.bias is not None else {},
                 "bias_grad": self.grid.bias_grads if self.grid.bias is not None else {}}[self.lane]
        return table.get(self._key(index))


@dataclass
class Pace:
    """How much of each step is worked cell by cell (the rest is filled a row at a time)."""

    detailed: int = 1        # cells worked term by term, with the running partial sum
    single: int = 6          # further cells worked one at a time (expression shown at once)
    cell_time: float = 0.45  # seconds per single cell
    term_time: float = 0.35  # seconds per term of a detailed cell
    row_time: float = 0.5    # seconds per row of the quick fill
    pause: float = 0.6       # a beat at the end of a step


@dataclass
class View:
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    scale: float = 1.0


class Stage:
    """The canvas, its slots, the caption band and the camera of one walkthrough scene."""

    def __init__(self, scene, trace: Trace, lang: str = "en", mode: str = "canvas",
                 pace: Pace | None = None, grads: bool = True) -> None:
        self.scene, self.trace, self.lang, self.mode = scene, trace, lang, mode
        self.pace = pace or Pace()
        self.slots: dict[str, list[Slot]] = {}
        self.layouts: dict[int, dict[str, NumberGrid]] = {}
        self.grids: list[NumberGrid] = []
        self.view = View()
        self.with_grads = grads and any(s.phase == "backward" for s in trace.steps)
        self.gets_grad = {r.grad_of for r in trace.tensors.values() if r.grad_of}
        self.caption: Caption | None = None
        self.work = VGroup()       # holder of the work line (the arithmetic of the current cell)
        self.bubble = VGroup()     # holder of the running partial sum drawn in the cell
        scene.add_foreground_mobject(self.bubble)
        self.header: VMobject | None = None
        self.backdrop: VMobject | None = None
        self.markers: list[VMobject] = []
        self.cursor = np.array([0.0, 0.0, 0.0])  # top-left corner of the next free area
        self.focused = False
        self.trash: list[VMobject] = []   # faded out: removed from the scene at the next tidy()
        self.loose: list[VMobject] = []
        self.said: list[str] = []          # every work line shown, in order (tests check the sums)
        self.bindings: list[tuple[str, Slot]] = []   # every (tensor, slot) bound, in order
        self.audits: list[list] = []       # shown_numbers() at the end of every step, on request
        self.boxes: dict[int, tuple[np.ndarray, np.ndarray]] = {}   # id(grid) -> its outline
        self._then: dict[str, list[str]] | None = None
        self.owned: dict[int, list[VMobject]] = {}   # id(grid) -> loose mobjects drawn over it
        self.parked: set[int] = set()                # grids taken off the scene, out of view
        self.moved_from: View | None = None          # the view a pending camera move starts from
        self._grads: dict[str, list] = {}
        self.hints: dict[str, object] = {}

    # ---- slots ---------------------------------------------------------------------------
    def slot(self, tid: str) -> Slot | None:
        found = self.slots.get(tid)
        return found[-1] if found else None

    def bind(self, tid: str, grid: NumberGrid, lane: str = "value") -> Slot:
        """``tid`` is (now) what ``grid``'s ``lane`` shows."""
        slot = Slot(grid, lane)
        self.slots.setdefault(tid, []).append(slot)
        self.bindings.append((tid, slot))
        return slot

    def entry(self, tid: str, index: tuple[int, ...]) -> VMobject | None:
        s = self.slot(tid)
        return s.entry(index) if s else None

    def cell(self, tid: str, index: tuple[int, ...]) -> VMobject | None:
        s = self.slot(tid)
        return s.cell(index) if s else None

    # ---- building grids ------------------------------------------------------------------
    def make_grid(self, tid: str, hidden: bool = False, **kw) -> NumberGrid:
        """A grid for tensor ``tid``, with a gradient band when the trace gives it a gradient."""
        record = self.trace.tensors[tid]
        grad = self.with_grads and self.mode == "canvas" and tid in self.gets_grad
        kw.setdefault("grad", grad)
        kw.setdefault("also", self.later_shown(tid, kw["grad"]))
        if kw.get("bias") is not None:
            kw.setdefault("bias_also", self.later_shown(kw["bias"].id, kw["grad"]))
        return NumberGrid(record, hidden=hidden, **kw)

    def later_shown(self, tid: str, grads: bool) -> list:
        """Tensors that will be shown in the cells of ``tid``'s grid: its in-place ReLU output, its
        updated versions, and (with a band) all their gradients."""
        if self._then is None:  # indexes of the trace, built once
            self._then, self._grads = {}, {}
            for s in self.trace.steps:
                if s.inputs and s.outputs and (s.op == "relu" and s.phase == "forward" or s.phase == "update"):
                    self._then.setdefault(s.inputs[0], []).append(s.outputs[0])
            for r in self.trace.tensors.values():
                if r.grad_of:
                    self._grads.setdefault(r.grad_of, []).append(r)
        chain, k = [tid], 0
        while k < len(chain):
            chain += [t for t in self._then.get(chain[k], []) if t not in chain]
            k += 1
        out = [self.trace.tensors[t] for t in chain[1:]]
        if grads:
            out += [r for t in chain for r in self._grads.get(t, [])]
        return out

    @staticmethod
    def _corners(m: VMobject) -> tuple[np.ndarray, np.ndarray]:
        return m.get_corner(DOWN + LEFT), m.get_corner(UP + RIGHT)

    def _overlaps(self, lo: np.ndarray, hi: np.ndarray, margin: float) -> bool:
        for glo, ghi in self.boxes.values():
            if (lo[0] < ghi[0] + margin and hi[0] > glo[0] - margin
                    and lo[1] < ghi[1] + margin and hi[1] > glo[1] - margin):
                return True
        return False

    def is_free(self, mobs: list[VMobject], margin: float = 0.15, offset: np.ndarray | None = None) -> bool:
        """No drawn grid overlaps ``mobs`` (shifted by ``offset``; drawn grids are ignored)."""
        shift = np.zeros(3) if offset is None else offset
        return not any(self._overlaps(lo + shift, hi + shift, margin)
                       for lo, hi in (self._corners(m) for m in mobs if m not in self.grids))

    def slide(self, mobs: list[VMobject], direction: np.ndarray, tries: int = 80) -> bool:
        """Move ``mobs`` together by half units along ``direction`` until they overlap nothing
        drawn (their outline is measured once: grids are costly to measure)."""
        boxes = [self._corners(m) for m in mobs if m not in self.grids]
        for k in range(tries):
            off = direction * 0.5 * k
            if not any(self._overlaps(lo + off, hi + off, 0.15) for lo, hi in boxes):
                if k:
                    for m in mobs:
                        m.shift(off)
                return True
        return False

    def free_corner(self) -> np.ndarray:
        """Top-left corner of fresh space: right of everything drawn, level with its top."""
        if not self.boxes:
            return self.cursor.copy()
        right = max(hi[0] for _, hi in self.boxes.values())
        top = max(hi[1] for _, hi in self.boxes.values())
        return np.array([right + 1.0, top, 0.0])

    def add_loose(self, *mobs: VMobject) -> None:
        """Add mobjects that belong to the canvas but to no grid (numbers written over a grid's
        cells, strike-outs, relabels): a new page clears them with the grids, and they leave and
        come back with the grid they are drawn over (see :meth:`cull`)."""
        self.loose.extend(mobs)
        self.scene.add(*mobs)
        for m in mobs:
            c = m.get_center()
            owner = next((gid for gid, (lo, hi) in self.boxes.items()
                          if lo[0] <= c[0] <= hi[0] and lo[1] <= c[1] <= hi[1]), None)
            if owner is not None:
                self.owned.setdefault(owner, []).append(m)

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

    def register(self, *grids: NumberGrid) -> None:
        """The grids are on the canvas for good: remember where (they never move again)."""
        for g in grids:
            if g not in self.grids:
                self.grids.append(g)
            self.boxes[id(g)] = self._corners(g)

    def add_grids(self, *grids: NumberGrid) -> list[Animation]:
        """Animations that bring new grids (frames, then given numbers) onto the canvas."""
        out: list[Animation] = []
        for g in grids:
            self.register(g)
            out.append(anim.Appear(g, run_time=0.45))
            self.scene.add(g)
        return out

    # ---- the product layout ----------------------------------------------------------------
    def product(self, a: str, b: str, out: str, *, bias: str | None = None,
                ones: bool = False, out_role: str | None = None, transpose_a: bool = False,
                transpose_b: bool = False,
                labels: dict[str, str] | None = None) -> tuple[dict[str, NumberGrid], list[NumberGrid]]:
        """Place ``out = a @ b``: a left of out, b above it. Returns the grids by role and the new
        ones (an operand already on the canvas is reused when the result fits beside it)."""
        labels = labels or {}
        sa, sb = self.slot(a), self.slot(b)
        old_a = sa.grid if (sa and sa.lane == "value" and bias is None and sa.grid.bias is None
                            and not transpose_a and not sa.grid.transpose) else None
        old_b = sb.grid if (sb and sb.lane == "value" and sb.grid.ones is None and not transpose_b
                            and not sb.grid.transpose) else None
        gout = self.make_grid(out, hidden=True, role=out_role, label=labels.get("out"), label_side="right")

        def new_a() -> NumberGrid:
            return self.make_grid(a, bias=self.trace.tensors[bias] if bias else None,
                                  label=labels.get("a"), label_side="up", transpose=transpose_a)

        def new_b() -> NumberGrid:
            return self.make_grid(b, label=labels.get("b"), label_side="left", transpose=transpose_b)

        if old_b is not None:  # column layout: the result goes under what is above it
            ga = new_a()
            self._below(old_b, ga, gout, ones)
            if self.is_free([ga, gout]):
                return {"a": ga, "b": old_b, "out": gout}, [ga, gout]
        if old_a is not None:  # row layout: the result goes right of what is left of it
            gb = new_b()
            gout.next_to(old_a.frame_box(), RIGHT, buff=style.GRID_GAP)
            gout.shift(UP * (old_a.body.get_top()[1] - gout.body.get_top()[1]))
            self._hang(gb, gout, ones)
            if self.slide([gb, gout], RIGHT, 60):
                return {"a": old_a, "b": gb, "out": gout}, [gb, gout]
        ga, gb = new_a(), new_b()
        corner = self.free_corner()
        gb.move_to(corner + RIGHT * (ga.frame_box().width + style.GRID_GAP + 0.3), aligned_edge=UP + LEFT)
        self._below(gb, ga, gout, ones)
        return {"a": ga, "b": gb, "out": gout}, [ga, gb, gout]

    def _below(self, gb: NumberGrid, ga: NumberGrid, gout: NumberGrid, ones: bool) -> None:
        """Result under ``gb`` (columns aligned, room for a row of 1s), ``ga`` left of the result."""
        gap = style.GRID_GAP + (style.CELL_HEIGHT + 0.2 if ones else 0.0)
        top = gb.frame_box().get_bottom()[1] - gap
        gout.shift(UP * (top - gout.frame_box().get_top()[1]))
        gout.shift(RIGHT * (gb.body.get_left()[0] - gout.body.get_left()[0]))
        ga.next_to(gout.frame_box(), LEFT, buff=style.GRID_GAP)
        ga.shift(UP * (gout.body.get_top()[1] - ga.body.get_top()[1]))

    def _hang(self, gb: NumberGrid, gout: NumberGrid, ones: bool) -> None:
        """``gb`` above the result with its columns aligned."""
        gap = style.GRID_GAP + (style.CELL_HEIGHT + 0.2 if ones else 0.0)
        gb.shift(UP * (gout.frame_box().get_top()[1] + gap - gb.frame_box().get_bottom()[1]))
        gb.shift(RIGHT * (gout.body.get_left()[0] - gb.body.get_left()[0]))

    def beside(self, src: NumberGrid, out: str, side: str = "right", role: str | None = None,
               label: str | None = None, gap: float = style.GRID_GAP * 1.6, hidden: bool = True,
               **kw) -> NumberGrid:
        """A grid for ``out`` right of (or under) ``src``, rows (columns) aligned, in free space."""
        g = self.make_grid(out, hidden=hidden, role=role, label=label, label_side="up", **kw)
        if side == "right":
            g.next_to(src.frame_box(), RIGHT, buff=gap)
            g.shift(UP * (src.body.get_top()[1] - g.body.get_top()[1]))
        else:
            g.next_to(src, DOWN, buff=gap)
            g.shift(RIGHT * (src.body.get_left()[0] - g.body.get_left()[0]))
        self.slide([g], RIGHT if side == "right" else DOWN)
        return g

    def fresh(self, tid: str, role: str | None = None, label: str | None = None,
              hidden: bool = False, **kw) -> NumberGrid:
        """A grid for ``tid`` in fresh space (right of everything drawn)."""
        g = self.make_grid(tid, hidden=hidden, role=role, label=label, **kw)
        g.move_to(self.free_corner(), aligned_edge=UP + LEFT)
        if g.name_label is not None:
            g.shift(DOWN * (g.get_top()[1] - g.frame_box().get_top()[1]))
        return g

    def need(self, tid: str, near: NumberGrid | None = None, label: str | None = None) -> tuple[Slot, list[NumberGrid]]:
        """The slot showing ``tid``, drawing it (as given numbers) in free space if it is not shown."""
        s = self.slot(tid)
        if s is not None:
            return s, []
        g = self.beside(near, tid, "down", label=label) if near is not None else self.fresh(tid, label=label)
        for t in g.values.values():
            t.set_opacity(1)
        self.register(g)
        return self.bind(tid, g), [g]

    # ---- caption, header, camera ----------------------------------------------------------------
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

    @property
    def skipping(self) -> bool:
        """Inside a section Manim skips: lay out, do not bother drawing the working."""
        return bool(getattr(self.scene, "skipping", False))

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
        usable_h = style.FRAME_HEIGHT - style.CAPTION_HEIGHT - 0.75
        needed = max(group.width / usable_w, group.height / usable_h)
        if self.focused and not force and needed <= self.view.scale and self._inside(group, self.view):
            return []
        scale = self.view.scale
        if not self.focused or needed > scale or needed < 0.7 * scale:
            scale = min(1.35, max(0.8, needed))
        first, self.focused = not self.focused, True
        lift = (style.CAPTION_HEIGHT - 0.55) / 2 * scale
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
        top = view.centre[1] + (style.FRAME_HEIGHT / 2 - 0.5) * view.scale
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

    def page(self) -> list[Animation]:
        """A clean page (paging mode): every grid fades out, the camera goes home."""
        anims: list[Animation] = [anim.Appear(g, out=True, run_time=0.35) for g in self.grids]
        gone = [m for m in self.loose if m.get_fill_opacity() > 0 or m.get_stroke_opacity() > 0]
        if gone:
            anims.append(anim.Reveal(gone, to=0.0, run_time=0.35))
        self.trash += self.grids + self.loose
        self.loose = []
        self.boxes, self.owned, self.parked = {}, {}, set()
        self.grids, self.slots, self.layouts = [], {}, {}
        if self.view.scale != 1.0 or np.any(self.view.centre != 0):
            anims += self.move_camera(View(), run_time=0.35)
        return anims

    # ---- highlights ------------------------------------------------------------------------
    def marker(self, k: int, like: VMobject, color: str = style.HIGHLIGHT, width: float = 3.0) -> VMobject:
        """The k-th highlight box (created on first use at ``like``, invisible)."""
        while len(self.markers) <= k:
            box = anim.box_like(like, color, width)
            box.set_stroke(opacity=0).set_z_index(MARK_Z)
            self.markers.append(box)
            self.scene.add_foreground_mobject(box)
            self._raise_hud()
        return self.markers[k]

    def play(self, *anims: Animation, **kwargs) -> None:
        """Play ``anims``; in a skipped section, jump to their end without Manim's per-play
        bookkeeping (which walks every mobject on the canvas: most of the cost of laying out
        the steps before ``--steps`` or a ``--jobs`` chunk)."""
        anims = [a for a in anims if a is not None]
        if not anims:
            return
        if not self.skipping:
            self.cull([v for v in (self.moved_from, self.view) if v is not None])
            self.moved_from = None
            self.scene.play(*anims, **kwargs)
            return
        for a in map(prepare_animation, anims):
            a._setup_scene(self.scene)
            a.begin()
            a.finish()
            a.clean_up_from_scene(self.scene)

    def shown_numbers(self) -> list[tuple[str, str, tuple[int, ...], str, float]]:
        """What the canvas shows now: (tensor id, lane, index, text, opacity) for every drawn cell
        of the tensor each grid lane shows last (tests compare it with the trace)."""
        last: dict[tuple[int, str], str] = {}
        for tid, slot in self.bindings:
            last[(id(slot.grid), slot.lane)] = tid
        out = []
        for tid, slot in self.bindings:
            if last[(id(slot.grid), slot.lane)] != tid or slot.grid not in self.grids:
                continue
            last[(id(slot.grid), slot.lane)] = None   # once per lane
            shape = self.trace.tensors[tid].shape
            indices = ([(r,) + (0,) * (len(shape) - 1) for r in slot.grid.bias_cells]
                       if slot.lane.startswith("bias") else slot.grid.shown())
            for idx in indices:
                text = slot.entry(idx)
                out.append((tid, slot.lane, idx, getattr(text, "text", None),
                            float(text.fill_rgbas[0, 3]) if text is not None else 0.0))
        return out

    def tidy(self) -> None:
        """Between plays: forget hidden work lines and partial sums."""
        anim.prune(self.work)
        anim.prune(self.bubble)
        if self.trash:
            self.scene.remove(*self.trash)
            self.trash = []

    def _raise_hud(self) -> None:
        """Keep the caption band, its work line and the header above the canvas markers."""
        for m in (self.caption, self.work, self.header):
            if m is not None and m in self.scene.foreground_mobjects:
                self.scene.foreground_mobjects.remove(m)
                self.scene.foreground_mobjects.append(m)

    def hide_markers(self) -> list[Animation]:
        return [anim.Reveal([m], to=0.0, run_time=0.2) for m in self.markers if m.get_stroke_opacity() > 0]

    def highlight_reads(self, cell: Cell, out_box: VMobject | None, run_time: float,
                        first: int = 0) -> list[Animation]:
        """Boxes round the input cells ``cell`` reads (a whole row / column when that is what they
        are) and round the output cell."""
        targets = self.read_boxes(cell)
        if out_box is not None:
            targets.append(anim.box_like(out_box, style.HIGHLIGHT, 4.0))
        anims = []
        for k, t in enumerate(targets):
            m = self.marker(first + k, t)
            anims.append(anim.Glide(m, t, run_time=run_time))
        for m in self.markers[first + len(targets):]:
            if m.get_stroke_opacity() > 0:
                anims.append(anim.Reveal([m], to=0.0, run_time=run_time))
        return anims

    def read_boxes(self, cell: Cell) -> list[VMobject]:
        by_tensor: dict[str, list[tuple[int, ...]]] = {}
        for tid, index in cell.reads:
            by_tensor.setdefault(tid, []).append(index)
        boxes = []
        for tid, indices in by_tensor.items():
            slot = self.slot(tid)
            if slot is None:
                continue
            cells = [slot.cell(i) for i in indices]
            cells = [c for c in cells if c is not None]
            if cells:
                group = VGroup(*cells)
                boxes.append(anim.box_like(group, style.HIGHLIGHT, 3.0).stretch_to_fit_width(group.width + 0.08)
                             .stretch_to_fit_height(group.height + 0.08).move_to(group))
        return boxes
