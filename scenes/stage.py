"""The stage of a walkthrough: which grid shows which tensor, the highlights, the pacing, and
playing animations (placement is :mod:`scenes.layout`, the camera and captions
:mod:`scenes.camera`). On a ``canvas`` the work flows across one layout the camera follows; in
``paging`` mode every step starts on a clean page instead (the generic player).

A tensor is shown by a *slot*: a grid and a lane of it (its values, its blue gradient band, or the
grey bias column of a weight grid). Backward steps find the grids their forward step used
(:attr:`Stage.layouts`) and write gradients into their bands: the forward layout is reused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import Animation, AnimationGroup, VGroup, VMobject

from tracer.explain import Working
from tracer.trace import Trace

from . import anim, style
from .camera import MARK_Z, Camera, View
from .caption import Caption
from .grid import NumberGrid
from .layout import Layout
from .manim_adapter import jump_to_end


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
    """How much of each step is worked cell by cell (the rest is filled a row at a time), and how
    long what is finished stays on screen to be read."""

    detailed: int = 1        # cells worked term by term, with the running partial sum
    single: int = 6          # further cells worked one at a time (expression shown at once)
    cell_time: float = 0.45  # seconds per single cell
    term_time: float = 0.35  # seconds per term of a detailed cell
    row_time: float = 0.5    # seconds per row of the quick fill
    pause: float = 0.6       # a beat at the end of a step
    hold: float = 2.0        # a finished working (and a card) stays at least this long
    read_rate: float = 15.0  # characters read per second: a long caption stays longer
    name: str = "normal"

    def reading(self, text: str) -> float:
        """How long ``text`` stays: at least :attr:`hold`, longer when it takes longer to read.

        >>> Pace().reading("3 + 4 = 7"), Pace().reading("x" * 60)
        (2.0, 4.0)
        """
        return max(self.hold, len(text) / self.read_rate)


PACES = ("slow", "normal", "fast")


def pace_for(name: str = "normal", quick: bool = False) -> Pace:
    """The pacing ``slow``, ``normal`` or ``fast``. ``slow`` works every cell of a small product;
    ``normal`` a representative cell term by term and a few more whole; ``fast`` only a couple.
    ``quick`` (the generic walkthrough, a page per step) works one cell fewer.

    >>> pace_for("slow").single > pace_for("normal").single > pace_for("fast").single
    True
    """
    if name not in PACES:
        from tracer.errors import TracerError
        raise TracerError(f"unknown pace {name!r}: choose one of {', '.join(PACES)}")
    if name == "slow":
        return Pace(detailed=1 if quick else 2, single=48, cell_time=0.7, term_time=0.5, row_time=0.7,
                    pause=1.2, hold=3.0, read_rate=11.0, name=name)
    if name == "fast":
        return Pace(detailed=0, single=1, cell_time=0.35, term_time=0.25, row_time=0.35, pause=0.3,
                    hold=0.8, read_rate=22.0, name=name)
    return Pace(detailed=0 if quick else 1, single=2 if quick else 3, name=name)


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


class Stage(Layout, Camera):
    """The canvas, its slots, the caption band and the camera of one walkthrough scene."""

    def __init__(self, scene, trace: Trace, lang: str = "en", mode: str = "canvas",
                 pace: Pace | None = None, phases: frozenset[str] | None = None) -> None:
        self.scene, self.trace, self.lang, self.mode = scene, trace, lang, mode
        self.pace = pace or Pace()
        self.slots: dict[str, list[Slot]] = {}
        self.layouts: dict[int, dict[str, NumberGrid]] = {}
        self.grids: list[NumberGrid] = []
        self.view = View()
        # the phases the walkthrough shows (all by default): weights get a gradient band, and
        # cells room for their updated values, only when those will be shown
        self.phases = phases if phases is not None else frozenset(s.phase for s in trace.steps)
        self.with_grads = "backward" in self.phases
        self.gets_grad = {r.grad_of for r in trace.tensors.values() if r.grad_of}
        self.caption: Caption | None = None
        self.caption_text = ""             # the caption shown (it stays long enough to be read)
        self.step_start = 0.0              # when the step being played began (seconds of video)
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
        self.framings: list[dict] = []     # framing() at the end of every step, on request
        self.workings: list[dict] = []     # framing() as each output is worked, on request
        self.boxes: dict[int, tuple[np.ndarray, np.ndarray]] = {}   # id(grid) -> its outline
        self._then: dict[str, list[str]] | None = None
        self.owned: dict[int, list[VMobject]] = {}   # id(grid) -> loose mobjects drawn over it
        self.parked: set[int] = set()                # grids taken off the scene, not whole in view
        self.veils: dict[int, tuple[VMobject, bool]] = {}   # id(grid) -> its fading veil, hiding?
        self.drawn = False                           # a frame was drawn: a grid leaving view fades
        self.moved_from: View | None = None          # the view a pending camera move starts from
        self._grads: dict[str, list] = {}
        self.hints: dict[str, object] = {}
        self.step = None                   # the step being played

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

    @property
    def skipping(self) -> bool:
        """Inside a section Manim skips: lay out, do not bother drawing the working."""
        return bool(getattr(self.scene, "skipping", False))

    def page(self) -> list[Animation]:
        """A clean page (paging mode): every grid fades out; the next framing is a cut to the new
        page's work, centred and zoomed to fit."""
        anims: list[Animation] = [anim.Appear(g, out=True, run_time=0.35) for g in self.grids]
        gone = [m for m in self.loose if m.get_fill_opacity() > 0 or m.get_stroke_opacity() > 0]
        if gone:
            anims.append(anim.Reveal(gone, to=0.0, run_time=0.35))
        self.trash += self.grids + self.loose + [v for v, _ in self.veils.values()]
        self.loose, self.veils = [], {}
        self.boxes, self.owned, self.parked = {}, {}, set()
        self.grids, self.slots, self.layouts = [], {}, {}
        self.focused = False
        return anims

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
            arriving = {id(a.mobject): a for a in anims if isinstance(a, anim.Appear) and not a.out}
            fades = self.cull(fade=self.drawn, arriving=set(arriving))
            self.moved_from, self.drawn = None, True
            for key in self.parked & set(arriving):   # a new grid out of view: there, unseen
                arriving[key].interpolate_mobject(1.0)
                anims.remove(arriving[key])
            if anims or fades:
                self._animated_last([*anims, *fades])
                before = list(self.scene.mobjects)
                self.scene.play(*anims, *fades, **kwargs)
                self._settle(before, _groups(anims))
            return
        self.moved_from = None
        jump_to_end(self.scene, anims)

    def _animated_last(self, anims: list[Animation]) -> None:
        """Put what ``anims`` animate (with the numbers drawn over it) at the end of the scene's
        list: Manim redraws, every frame, everything after the first mobject that moves, and
        draws the rest once (grids never overlap, so their order does not matter)."""
        moving = {id(a.mobject) for a in _flat(anims)}
        moved: set[int] = set()
        for m in self.scene.mobjects:
            if id(m) not in moved and any(id(x) in moving for x in m.get_family()):
                moved.add(id(m))
                moved.update(id(o) for o in self.owned.get(id(m), []))
        if moved:
            mobs = self.scene.mobjects
            self.scene.mobjects = [m for m in mobs if id(m) not in moved] + [m for m in mobs if id(m) in moved]

    def _settle(self, before: list[VMobject], made: list[VMobject]) -> None:
        """After a play, the scene holds what it held and what the play added, each grid whole
        or not at all. Manim adds the groups it made to animate several mobjects together (taking
        their members off the scene's list: they are drawn through the group) and any part of a
        grid it animated: through those, a grid taken off the scene (out of view, or cut by the
        frame) was still drawn, in fragments. (The list is set directly: ``Scene.remove`` would
        split a group holding what it removes into its parts.)"""
        drop = {id(m) for m in made}
        for g in self.grids:
            drop.update(id(m) for m in g.get_family()[1:])
        known = {id(m) for m in before}
        added = [m for m in self.scene.mobjects if id(m) not in known]
        keep = [m for m in before + added if id(m) not in drop]
        on = {id(m) for m in keep}
        missing = [g for g in self.grids if id(g) not in self.parked and id(g) not in on]
        self.scene.mobjects = missing + keep

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

    def hide_markers(self) -> list[Animation]:
        return [anim.Reveal([m], to=0.0, run_time=0.2) for m in self.markers if m.get_stroke_opacity() > 0]

    def read_boxes(self, cell: Working) -> list[VMobject]:
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
