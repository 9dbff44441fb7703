"""Where a new grid goes on the canvas (a mixin of :class:`~scenes.canvas.Canvas`): the grids of
a product, one beside another, one in fresh space, and the tests of free space they use.

For ``out = a @ b`` the left operand sits left of the result with its rows aligned, the right one
above it with its columns aligned, the result at the intersection (BRIEF §4). Column-layout layers
(``W @ X``) cascade down, row-layout ones (``X @ W``) run right: each layer's output is the next
one's operand. An operand already drawn is reused when the result fits beside it; otherwise a copy
is drawn in fresh space. The canvas makes the grids (``make_grid``) and remembers their outlines
(``boxes``, ``_corners``); :class:`Placement` decides where they go.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, VMobject

from . import style
from .aligned import sized
from .grid import NumberGrid


def _room(names: VMobject | None, axis: int) -> float:
    """The width (``axis`` 0) or height (1) a grid's row or column names take beside it."""
    if names is None:
        return 0.0  # (NumberGrid sets row names 0.1 left of its bracket, column names' middles 0.2 above)
    return names.width + 0.15 if axis == 0 else names.height / 2 + 0.3


class Placement:
    """Where the canvas puts new grids: in free space, beside the grids they continue."""

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
