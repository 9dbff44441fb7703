"""The stage of a walkthrough: it owns the :class:`~scenes.canvas.Canvas` the grids are placed on,
the :class:`~scenes.camera.Camera` that films it with the captions, and the *slots*: which grid
shows which tensor. It plays the steps' animations (:mod:`scenes.playback`), with the highlights,
at the walkthrough's :class:`~scenes.pace.Pace`. On a ``canvas`` the work flows across one layout
the camera follows; in ``paging`` mode every step starts on a clean page instead (the generic
player).

A tensor is shown by a *slot*: a grid and a lane of it (its values, its blue gradient band, or the
grey bias column of a weight grid). Backward steps find the grids their forward step used
(:attr:`Stage.layouts`) and write gradients into their bands: the forward layout is reused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from manim import Animation, VGroup, VMobject

from tracer.explain import Working
from tracer.trace import Trace

from . import anim, style
from .camera import MARK_Z, Camera, frame_area, work_area
from .canvas import Canvas
from .grid import NumberGrid
from .near import near, nearest_each, zoom_for
from .pace import Pace
from .playback import Playback


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


class Stage(Playback):
    """The canvas, the camera and the slots of one walkthrough scene, and its playback
    (:class:`~scenes.playback.Playback`)."""

    def __init__(self, scene, trace: Trace, lang: str = "en", mode: str = "canvas",
                 pace: Pace | None = None, phases: frozenset[str] | None = None) -> None:
        self.scene, self.trace, self.lang, self.mode = scene, trace, lang, mode
        self.pace = pace or Pace()
        # the phases the walkthrough shows (all by default): weights get a gradient band, and
        # cells room for their updated values, only when those will be shown
        phases = phases if phases is not None else frozenset(s.phase for s in trace.steps)
        self.canvas = Canvas(scene, trace, bands="backward" in phases and mode == "canvas",
                             updates="update" in phases)
        self.camera = Camera(scene, self.canvas, lang)
        self.slots: dict[str, list[Slot]] = {}
        self.layouts: dict[int, dict[str, NumberGrid]] = {}   # step id -> its grids by role
        self.bindings: list[tuple[str, Slot]] = []   # every (tensor, slot) bound, in order
        self.markers: list[VMobject] = []
        self.drawn = False                 # a frame was drawn: a grid leaving view fades
        self.step_start = 0.0              # when the step being played began (seconds of video)
        self.step = None                   # the step being played
        self.hints: dict[str, object] = {}
        self.said: list[str] = []          # every work line shown, in order (tests check the sums)
        self.audits: list[list] = []       # shown_numbers() at the end of every step, on request
        self.framings: list[dict] = []     # framing() at the end of every step, on request
        self.played_labels: list[dict] = []   # the labels at the end of every play, on request
        self.midway: list[dict] = []          # each play's labels crowded through its middle, on request
        self.worked: dict[tuple[str, str], int] = {}   # worked_as(phase, op) -> the step that first worked it
        self.workings: list[dict] = []     # framing() as each output is worked, on request
        self.explained: dict[tuple, Working] = {}   # (step, cell, output) -> its working, explained once
        self.ahead: list = []              # the steps still to come before the next card
        self.revisited: set[int] = set()   # forward steps whose gradient step comes later
        self.retired: set[int] = set()     # id() of the grids gone stale: no slot shows them now
        self.leaving: list[Animation] = []   # their fades, played with the step's first camera move
        self.left: list[VMobject] = []       # what those fade: off the scene once they have played
        self.left_boxes: list = []            # where the stale grids were
        self.out_marker: int | None = None   # the highlight box on the result cell last worked
        self.filled = False                   # the last play filled a result (a pan away waits a beat)
        self.heading: str | None = None       # a chapter's header, shown once the camera stands at its work
        self.cover = None   # (card, the view it is in): the card the step's work is set up under (scenes.cover)

    def header_now(self) -> list[Animation]:
        """The held chapter header (:attr:`heading`) coming on, once: the camera stands at the
        chapter's work (none held: nothing)."""
        text, self.heading = self.heading, None
        return self.camera.set_header(text) if text is not None else []

    def slot(self, tid: str) -> Slot | None:
        found = [s for s in self.slots.get(tid, ()) if id(s.grid) not in self.retired]
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

    def product(self, a: str, b: str, out: str, *, bias: str | None = None,
                transpose_a: bool = False, transpose_b: bool = False,
                **kw) -> tuple[dict[str, NumberGrid], list[NumberGrid]]:
        """Place ``out = a @ b`` on the canvas (:meth:`~scenes.placement.Placement.product`), reusing the grid that
        shows an operand's values as they are (no bias column, no ones row, not transposed)."""
        sa, sb = self.slot(a), self.slot(b)
        old_a = sa.grid if (sa and sa.lane == "value" and bias is None and sa.grid.bias is None
                            and not transpose_a and not sa.grid.transpose) else None
        old_b = sb.grid if (sb and sb.lane == "value" and sb.grid.ones is None and not transpose_b
                            and not sb.grid.transpose) else None
        return self.canvas.product(a, b, out, old_a=old_a, old_b=old_b, bias=bias,
                                   transpose_a=transpose_a, transpose_b=transpose_b, **kw)

    def need(self, tid: str, near: NumberGrid | None = None, label: str | None = None) -> tuple[Slot, list[NumberGrid]]:
        """The slot showing ``tid``, drawing it (as given numbers) in free space if it is not shown."""
        s = self.slot(tid)
        return (s, []) if s is not None else self.draw(tid, near, label)

    def draw(self, tid: str, near: NumberGrid | None = None, label: str | None = None) -> tuple[Slot, list[NumberGrid]]:
        """``tid`` drawn (as given numbers) in free space, whether or not a grid shows it already."""
        canvas = self.canvas
        g = canvas.beside(near, tid, "down", label=label) if near is not None else canvas.fresh(tid, label=label)
        for t in g.values.values():
            t.set_opacity(1)
        canvas.register(g)
        return self.bind(tid, g), [g]

    def page(self) -> list[Animation]:
        """A clean page (paging mode): every grid fades out; the next framing is a cut to the new
        page's work, centred and zoomed to fit."""
        self.slots, self.layouts = {}, {}
        self.camera.focused = False
        return self.canvas.clear()

    def marker(self, k: int, like: VMobject, color: str = style.HIGHLIGHT, width: float = 3.0) -> VMobject:
        """The k-th highlight box (created on first use at ``like``, invisible)."""
        while len(self.markers) <= k:
            box = anim.box_like(like, color, width)
            box.set_stroke(opacity=0).set_z_index(MARK_Z)
            self.markers.append(box)
            self.scene.add_foreground_mobject(box)
            self.camera.raise_hud()
        return self.markers[k]

    def hide_markers(self) -> list[Animation]:
        return [anim.Reveal([m], to=0.0, run_time=0.2) for m in self.markers if m.get_stroke_opacity() > 0]

    def say(self, text: str, color: str = style.COMPUTED, run_time: float = 0.15) -> Animation:
        """Show ``text`` on the caption's work line (in a skipped section nobody reads it: the
        line is only cleared); what is said is noted (tests check the sums)."""
        if self.skipping:
            return self.camera.say(None, run_time=run_time)
        self.said.append(text)
        return self.camera.say(text, color, run_time)

    def shown_numbers(self) -> list[tuple[str, str, tuple[int, ...], str, float]]:
        """What the canvas shows now: (tensor id, lane, index, text, opacity) for every drawn cell
        of the tensor each grid lane shows last (tests compare it with the trace)."""
        last: dict[tuple[int, str], str] = {}
        for tid, slot in self.bindings:
            last[(id(slot.grid), slot.lane)] = tid
        out = []
        for tid, slot in self.bindings:
            if last[(id(slot.grid), slot.lane)] != tid or slot.grid not in self.canvas.grids:
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
        """Between plays: forget hidden work lines and partial sums, drop what faded out."""
        self.camera.tidy()
        self.canvas.tidy()

    def step_grids(self, step) -> dict[str, VMobject]:
        """The grids on the canvas showing the tensors ``step`` reads and writes, by tensor id (a
        gradient step reads its forward step's tensors too: dW = dZ·Xᵀ reads X); for a tensor shown
        in a far grid a copy drawn near the work stood in for (:mod:`scenes.near`), the grid near
        the work instead; for one drawn in several grids, the one nearest the work
        (:func:`scenes.near.nearest_each`)."""
        tids = [*step.inputs, *step.outputs]
        if step.phase == "backward" and step.grad_of is not None:
            fwd = self.trace.steps[step.grad_of]
            tids += [*fwd.inputs, *fwd.outputs]
        shown = {tid: list({id(s.grid): s.grid for s in self.slots.get(tid, ()) if id(s.grid) not in self.retired
                            and id(s.grid) in self.canvas.boxes}.values()) for tid in tids}
        out = nearest_each(self.canvas, {tid: grids for tid, grids in shown.items() if grids})
        # not a far grid a copy stood in for: a gradient worked beside the copy is bound to the
        # original's band too (scenes.players.gradients.home), but the step showed it where worked
        stood_in = {id(g.copy_of) for g in out.values() if getattr(g, "copy_of", None) is not None}
        for tid in [t for t, g in out.items() if id(g) in stood_in]:
            worked = [s.grid for s in self.slots[tid] if id(s.grid) not in self.retired
                      and id(s.grid) in self.canvas.boxes and id(s.grid) not in stood_in]
            if worked:
                out[tid] = worked[-1]
            else:
                del out[tid]
        return out

    def frame_step(self, step) -> list[Animation]:
        """At the end of ``step``, frame all it read and wrote when that fits in one view (its
        parts may have been worked one view at a time), close (:func:`scenes.camera.close`),
        zoomed out no further than its work was or than keeps cells legible (a far grid a copy stood in for stays out: :mod:`scenes.near`)."""
        if step is None:
            return []
        found = self.step_grids(step)
        # and the grids its player drew for its parts (a layer norm's μ and σ, a softmax's e^x and
        # Σ): the step's last frame shows all it worked, not its inputs and output alone
        drawn = {id(g) for g in self.canvas.grids}
        parts = [g for g in self.layouts.get(step.id, {}).values() if id(g) in drawn]
        grids = list({id(g): g for g in [*found.values(), *parts]}.values())
        most = max(style.LEGIBLE_ZOOM, self.camera.widest) + 1e-9   # (its parts may have been framed closer)
        if grids and zoom_for(self.canvas, grids) > most:
            # then what it wrote, with what is near that; or what it wrote alone, zoomed out as
            # far as the camera goes (the results of a step worked part by part, seen together)
            wrote = [found[t] for t in step.outputs if t in found]
            grids = [g for g in grids if any(g is w for w in wrote) or near(self.canvas, wrote, g)]
            if not wrote or zoom_for(self.canvas, grids) > most:
                grids = wrote
            if not grids or not self.canvas.in_one_view(grids):
                return []
        self.camera.tighten = True   # the step's work, seen whole at its end: framed close
        return self.camera.focus(grids, run_time=0.5, whole=True)

    def framing(self, step) -> dict:
        """Where the camera stands at the end of ``step`` and what it shows, as boxes: its work
        area and frame, the grids of the tensors the step reads and writes (by tensor id) and the
        height of their numbers, and
        every grid on show, every label of them and the labels left without their grid (tests check
        that the work is whole in view, nothing is cut and no label is crowded or orphaned)."""
        view = self.camera.view
        grids = self.step_grids(step)
        work = {tid: self.canvas.extent([g]) for tid, g in grids.items()}
        digits = {tid: max((v.height for v in g.values.values()), default=0.0) for tid, g in grids.items()
                  if getattr(g, "values", None)}   # a number's height: its digits' (canvas units)
        return {"area": work_area(view), "frame": frame_area(view), "work": work, "digits": digits, "shown": self.canvas.on_show(),
                "labels": self.canvas.label_boxes(), "orphans": self.canvas.orphans(self.cover and self.cover[0])}

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
