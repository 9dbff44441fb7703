"""The canvas of a walkthrough: the grids placed on it, where new ones go, and which of them are
on the scene.

For ``out = a @ b`` the left operand sits left of the result with its rows aligned, the right one
above it with its columns aligned, the result at the intersection (BRIEF §4). Column-layout layers
(``W @ X``) cascade down, row-layout ones (``X @ W``) run right: each layer's output is the next
one's operand. An operand already drawn is reused when the result fits beside it; otherwise a copy
is drawn in fresh space. Grids never move once placed, so their outlines are measured once. Only
the grids a view shows whole stay on the scene (Cairo draws every mobject of a scene, seen or not).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Animation, Rectangle, VMobject

from tracer.kept import kept_of
from tracer.trace import Trace

from . import anim, label_room, style
from .aligned import Aligned, sized
from .grid import NumberGrid
from .look import kept_drawn

VEIL_Z = 14   # the paper that fades a grid out of view: over the grids, under the markers
Box = tuple[np.ndarray, np.ndarray]   # lower-left and upper-right corners (x, y)


def axis_labels(record, as_row: bool = False, transpose: bool = False) -> tuple[list[str] | None, list[str] | None]:
    """The names of a tensor's drawn rows and columns, from its axis labels (a vector drawn as a
    column is named down its rows; a transposed grid swaps them; more than 2 axes: none)."""
    labels = record.labels or ()
    names = [list(n) if n else None for n in labels]
    if len(record.shape) == 1 and names:
        rows, cols = (None, names[0]) if as_row else (names[0], None)
    elif len(record.shape) == 2 and len(names) == 2:
        rows, cols = names
    else:
        return None, None
    return (cols, rows) if transpose else (rows, cols)


def _room(names: VMobject | None, axis: int) -> float:
    """The width (``axis`` 0) or height (1) a grid's row or column names take beside it."""
    if names is None:
        return 0.0  # (NumberGrid sets row names 0.1 left of its bracket, column names' middles 0.2 above)
    return names.width + 0.15 if axis == 0 else names.height / 2 + 0.3


def fits_one_view(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether the rectangle from corner ``lo`` to ``hi`` fits in one view of the camera zoomed out
    as far as it goes (``style.WIDEST_ROOM``): the one test of "in one view" every player uses."""
    return bool((np.asarray(hi)[:2] - np.asarray(lo)[:2] <= np.array(style.WIDEST_ROOM)).all())


def _contains(area: Box, lo: np.ndarray, hi: np.ndarray, slack: float = 1e-6) -> bool:
    return bool((lo >= area[0] - slack).all() and (hi <= area[1] + slack).all())


def _touches(lo: np.ndarray, hi: np.ndarray, area: Box) -> bool:
    return bool((lo < area[1]).all() and (hi > area[0]).all())


class Canvas:
    """The grids of one walkthrough scene: where they are (``boxes``), the loose mobjects drawn
    over them (``owned``), the space still free, and which grids are off the scene (``parked``).

    ``bands``: weights get a gradient band (the backward phase is shown on this canvas);
    ``updates``: cells get room for their updated values (the update phase is shown).
    """

    def __init__(self, scene, trace: Trace, bands: bool = False, updates: bool = False) -> None:
        self.scene, self.trace, self.bands, self.updates = scene, trace, bands, updates
        self.gets_grad = {r.grad_of for r in trace.tensors.values() if r.grad_of}
        self.grids: list[NumberGrid] = []
        self.boxes: dict[int, Box] = {}            # id(grid) -> its outline (3-d corners)
        self.loose: list[VMobject] = []
        self.owned: dict[int, list[VMobject]] = {}   # id(grid) -> loose mobjects drawn over it
        self.parked: set[int] = set()                # grids taken off the scene, not whole in view
        self.veils: dict[int, tuple[VMobject, bool]] = {}   # id(grid) -> its fading veil, hiding?
        self.trash: list[VMobject] = []   # faded out: removed from the scene at the next tidy()
        self._then: dict[str, list[str]] | None = None
        self._grads: dict[str, list] = {}
        self.aligned = Aligned(trace, lambda out: self.make_grid(out, hidden=True, planned=False))

    def make_grid(self, tid: str, hidden: bool = False, planned: bool = True, **kw) -> NumberGrid:
        """A grid for tensor ``tid``, with a gradient band when the trace gives it a gradient, its
        rows and columns named by the tensor's axis labels (rows left, columns above). A result
        (``hidden``: its numbers are yet to be worked) gets cells as wide and tall as those of the
        products later drawn under and beside it (:mod:`scenes.aligned`; unless not ``planned``),
        so they line up with it; a copy of a given tensor keeps its own (a product draws its
        operands to match itself)."""
        record = self.trace.tensors[tid]
        if planned and hidden and not kw.get("transpose") and not kw.get("as_row"):
            least = self.aligned.cell([tid] + [r.id for r in self.later_shown(tid, False)])
            kw["cell"] = tuple(max(x, y) for x, y in zip(kw.get("cell", (0.0, 0.0)), least))
        rows, cols = axis_labels(record, kw.get("as_row", False), kw.get("transpose", False))
        kw.setdefault("row_labels", rows)
        kw.setdefault("col_labels", cols)
        kw.setdefault("keep", kept_drawn(record.shape, kept_of(self.trace, tid), kw.get("as_row", False),
                                         kw.get("transpose", False)))   # the answer's row stays in view
        kw.setdefault("grad", self.bands and tid in self.gets_grad and not kw.get("transpose"))   # Xᵀ of dZ·Xᵀ gets none
        kw.setdefault("also", self.later_shown(tid, kw["grad"]))
        if kw.get("bias") is not None:
            kw.setdefault("bias_also", self.later_shown(kw["bias"].id, kw["grad"]))
        return NumberGrid(record, hidden=hidden, trace=self.trace, **kw)

    def later_shown(self, tid: str, grads: bool) -> list:
        """Tensors that will be shown in the cells of ``tid``'s grid: its in-place ReLU output, its
        updated versions, and (with a band) all their gradients."""
        if self._then is None:  # indexes of the trace, built once
            self._then, self._grads = {}, {}
            for s in self.trace.steps:
                updates = s.phase == "update" and self.updates
                if s.inputs and s.outputs and (s.op in style.IN_PLACE and s.phase == "forward" or updates):
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
        return any(lo[0] < ghi[0] + margin and hi[0] > glo[0] - margin and lo[1] < ghi[1] + margin
                   and hi[1] > glo[1] - margin for glo, ghi in self.boxes.values())

    def is_free(self, mobs: list[VMobject], margin: float = 0.15) -> bool:
        """No drawn grid overlaps ``mobs`` (those of them already drawn are ignored)."""
        return not any(self._overlaps(lo, hi, margin) for lo, hi in (self._corners(m) for m in mobs if m not in self.grids))

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
        if not self.boxes:   # the first grid's top-left corner is the origin
            return np.zeros(3)
        right = max(hi[0] for _, hi in self.boxes.values())
        top = max(hi[1] for _, hi in self.boxes.values())
        return np.array([right + 1.0, top, 0.0])

    def add_loose(self, *mobs: VMobject, owners: tuple[VMobject, ...] = ()) -> None:
        """Add mobjects that belong to the canvas but to no grid (numbers written over a grid's
        cells, strike-outs, relabels, arrows): a new page clears them with the grids, and they
        leave and come back with the grid they are drawn over, or with each of ``owners`` (an
        arrow with both grids it joins; see :meth:`cull`): written over a grid off the scene (a
        gradient written home into a far grid's band), they join the scene when it does."""
        self.loose.extend(mobs)
        for m in mobs:
            c = m.get_center()
            found = [id(g) for g in owners] or [
                gid for gid, (lo, hi) in self.boxes.items() if lo[0] <= c[0] <= hi[0] and lo[1] <= c[1] <= hi[1]][:1]
            for owner in found:
                self.owned.setdefault(owner, []).append(m)
            if not found or not all(owner in self.parked for owner in found):   # else: with its grid, later
                self.scene.add(m)

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

    def product(self, a: str, b: str, out: str, *, old_a: NumberGrid | None = None,
                old_b: NumberGrid | None = None, bias: str | None = None, ones: bool = False,
                out_role: str | None = None, transpose_a: bool = False, transpose_b: bool = False,
                labels: dict[str, str] | None = None) -> tuple[dict[str, NumberGrid], list[NumberGrid]]:
        """Place ``out = a @ b``: a left of out, b above it. Returns the grids by role and the new
        ones (``old_a``, ``old_b``: grids on the canvas already showing an operand, reused when
        the result fits beside them). A product larger than the widest view is drawn again with
        its long dimensions elided further (the first rows and columns, which the first worked
        cell reads, stay), so the camera can show all three grids while a cell is worked."""
        for most in (style.MAX_SHOWN, 7, 5, 3):
            grids, new = self._product(a, b, out, old_a, old_b, bias, ones, out_role, transpose_a,
                                       transpose_b, labels or {}, most)
            if self.in_one_view(list(grids.values())):
                break
            old_a = old_b = None   # a fresh layout: every grid elided alike, so rows and columns align
        return grids, new

    def _product(self, a: str, b: str, out: str, old_a: NumberGrid | None, old_b: NumberGrid | None,
                 bias: str | None, ones: bool, out_role: str | None, transpose_a: bool, transpose_b: bool,
                 labels: dict[str, str], most: int) -> tuple[dict[str, NumberGrid], list[NumberGrid]]:
        """One layout of :meth:`product`, dimensions longer than ``most`` elided."""
        # the result names its rows and columns too (scores: tokens by tokens), so it keeps them
        # once its operands have gone; the operands stand off to leave them room. Its columns are
        # as wide as those of the operand above it, its rows as tall as those of the one left of
        # it (a weight's rows carry a gradient band, a wide batch's cells are narrow), so each
        # result cell sits under its column of b and beside its row of a.
        def new_out(cell: tuple[float, float] = (0.0, 0.0)) -> NumberGrid:
            return self.make_grid(out, hidden=True, role=out_role, label=labels.get("out"), label_side="right",
                                  most=most, cell=cell)

        def new_a(cell: tuple[float, float] = (0.0, 0.0)) -> NumberGrid:
            return self.make_grid(a, bias=self.trace.tensors[bias] if bias else None, label=labels.get("a"),
                                  label_side="up", transpose=transpose_a, most=most, cell=cell)

        def new_b(cell: tuple[float, float] = (0.0, 0.0)) -> NumberGrid:
            return self.make_grid(b, label=labels.get("b"), label_side="left", transpose=transpose_b, most=most,
                                  cell=cell)

        natural = new_out()
        if old_b is not None and old_b.cell_w >= natural.cell_w - 1e-9:  # column layout: under what is above it
            ga = new_a((0.0, natural.cell_h))
            gout = sized(new_out, natural, (old_b.cell_w, ga.cell_h))
            self._below(old_b, ga, gout, ones)
            if self.is_free([ga, gout]):
                return {"a": ga, "b": old_b, "out": gout}, [ga, gout]
        if old_a is not None and old_a.cell_h >= natural.cell_h - 1e-9:  # row layout: right of what is left of it
            gb = new_b((natural.cell_w, 0.0))
            gout = sized(new_out, natural, (gb.cell_w, old_a.cell_h))
            gout.next_to(old_a.frame_box(), RIGHT, buff=style.GRID_GAP + _room(gout.row_labels, 0))
            gout.shift(UP * (old_a.body.get_top()[1] - gout.body.get_top()[1]))
            self._hang(gb, gout, ones)
            if self.slide([gb, gout], RIGHT, 60) and self.in_one_view([old_a, gb, gout]):
                return {"a": old_a, "b": gb, "out": gout}, [gb, gout]
        ga, gb = new_a((0.0, natural.cell_h)), new_b((natural.cell_w, 0.0))
        gout = sized(new_out, natural, (gb.cell_w, ga.cell_h))
        ga = sized(new_a, ga, (0.0, gout.cell_h))
        gb = sized(new_b, gb, (gout.cell_w, 0.0))
        corner = self.free_corner()
        gb.move_to(corner + RIGHT * (ga.frame_box().width + style.GRID_GAP + 0.3), aligned_edge=UP + LEFT)
        self._below(gb, ga, gout, ones)
        return {"a": ga, "b": gb, "out": gout}, [ga, gb, gout]

    def _below(self, gb: NumberGrid, ga: NumberGrid, gout: NumberGrid, ones: bool) -> None:
        """Result under ``gb`` (columns aligned, room for a row of 1s), ``ga`` left of the result."""
        gap = style.GRID_GAP + (style.CELL_HEIGHT + 0.2 if ones else 0.0) + _room(gout.col_labels, 1)
        top = gb.frame_box().get_bottom()[1] - gap
        gout.shift(UP * (top - gout.frame_box().get_top()[1]))
        gout.shift(RIGHT * (gb.body.get_left()[0] - gout.body.get_left()[0]))
        ga.next_to(gout.frame_box(), LEFT, buff=style.GRID_GAP + _room(gout.row_labels, 0))
        ga.shift(UP * (gout.body.get_top()[1] - ga.body.get_top()[1]))

    def _hang(self, gb: NumberGrid, gout: NumberGrid, ones: bool) -> None:
        """``gb`` above the result with its columns aligned."""
        gap = style.GRID_GAP + (style.CELL_HEIGHT + 0.2 if ones else 0.0) + _room(gout.col_labels, 1)
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

    def in_one_view(self, mobs: list[VMobject]) -> bool:
        """Whether ``mobs`` fit in one view of the camera zoomed out as far as it goes (a result
        slid far from the operand it reuses would leave that operand out of view)."""
        return fits_one_view(*self.extent(mobs))

    def extent(self, mobs: list[VMobject]) -> Box:
        """The corners (x, y) of what ``mobs`` cover (a placed grid's outline is remembered)."""
        boxes = [self.boxes.get(id(m)) or self._corners(m) for m in mobs]
        return (np.min([b[0][:2] for b in boxes], axis=0), np.max([b[1][:2] for b in boxes], axis=0))

    def on_show(self) -> list[Box]:
        """The outlines (x, y) of the grids on show: on the scene and not veiled out."""
        return [(self.boxes[id(g)][0][:2], self.boxes[id(g)][1][:2]) for g in self.shown_grids()]

    def shown_grids(self) -> list[NumberGrid]:
        """The grids on show: on the scene and not veiled out (see :meth:`on_show`)."""
        return [g for g in self.grids if id(g) in self.boxes and id(g) not in self.parked
                and not self.veils.get(id(g), (None, False))[1]]

    def label_boxes(self) -> list[dict]:
        """Every visible label of the grids on show, with its box (:func:`label_room.label_boxes`)."""
        return label_room.label_boxes(self.shown_grids())

    def orphans(self, card=None) -> list[str]:
        """The labels on the scene no grid on show holds (:func:`label_room.orphans`); those of a
        grid under a paper veil (faded out of view in a play) are covered, not left behind, and
        those of a grid drawn on ``card`` (a plot's heat map, up while a step is set up under it)
        are the card's."""
        veiled = [g for g in self.grids if self.veils.get(id(g), (None, False))[1]]
        on_card = [m for m in card.get_family() if hasattr(m, "label_text")] if card is not None else []
        return label_room.orphans(self.scene, self.shown_grids(), covered=veiled + on_card)

    def clear(self) -> list[Animation]:
        """A clean page: every grid and loose mobject fades out (and leaves at the next tidy)."""
        anims: list[Animation] = [anim.Appear(g, out=True, run_time=0.35) for g in self.grids]
        gone = [m for m in self.loose if m.get_fill_opacity() > 0 or m.get_stroke_opacity() > 0]
        if gone:
            anims.append(anim.Reveal(gone, to=0.0, run_time=0.35))
        self.trash += self.grids + self.loose + [v for v, _ in self.veils.values()]
        self.loose, self.veils, self.grids = [], {}, []
        self.boxes, self.owned, self.parked = {}, {}, set()
        return anims

    def tidy(self) -> None:
        """Between plays: what faded out leaves the scene."""
        if self.trash:
            self.scene.remove(*self.trash)
            self.trash = []

    def cull(self, area: Box, seen: list[Box], clip: Box, fade: bool = True,
             arriving: set[int] = frozenset()) -> list[Animation]:
        """Keep on the scene only the grids whole in ``area`` (a view's work area: a grid cut by a
        frame edge, the header strip or the caption band shows stray fragments). ``seen`` are the
        frames a play films: where a camera move starts, then where it ends. A grid a pan brings in
        from beyond the first frame slides in whole, and one it takes beyond the last frame slides
        out whole (a pan never films an empty page between the work left and the work reached); a
        grid the first frame cuts fades in under a paper veil (within ``clip``), and one the last
        frame would cut fades out. The others, and grids ``arriving`` in this play, leave or come
        back at once. Returns the fades, to play with the play that moves the camera."""
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
            filmed = fade and key not in arriving
            if _contains(area, lo, hi):
                if parked:
                    self.parked.discard(key)
                    self.scene.add(g, *self.owned.get(key, []))
                if filmed and (hidden or parked and _touches(lo, hi, seen[0])):
                    fades.append(self._veil(g, clip, out=True))
            elif not parked:
                if filmed and not hidden and _touches(lo, hi, seen[-1]):
                    fades.append(self._veil(g, clip, out=False))
                elif not (filmed and not hidden and _touches(lo, hi, seen[0])):   # else: it slides out
                    self.parked.add(key)
                    self.scene.remove(g, *self.owned.get(key, []))
        return fades

    def _veil(self, g: VMobject, clip: Box, out: bool) -> Animation:
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
