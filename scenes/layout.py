"""Where grids go on the canvas: the product layout and its neighbours.

For ``out = a @ b`` the left operand sits left of the result with its rows aligned, the right one
above it with its columns aligned, the result at the intersection (BRIEF §4). Column-layout layers
(``W @ X``) cascade down, row-layout ones (``X @ W``) run right: each layer's output is the next
one's operand. An operand already drawn is reused when the result fits beside it; otherwise a copy
is drawn in fresh space. Grids never move once placed, so their outlines are measured once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Animation, VMobject

from . import anim, style
from .grid import NumberGrid

if TYPE_CHECKING:
    from .stage import Slot


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


class Layout:
    """The placement half of :class:`~scenes.stage.Stage` (a mixin: it uses the stage's state)."""

    def make_grid(self, tid: str, hidden: bool = False, **kw) -> NumberGrid:
        """A grid for tensor ``tid``, with a gradient band when the trace gives it a gradient, its
        rows and columns named by the tensor's axis labels (rows left, columns above)."""
        record = self.trace.tensors[tid]
        rows, cols = axis_labels(record, kw.get("as_row", False), kw.get("transpose", False))
        kw.setdefault("row_labels", rows)
        kw.setdefault("col_labels", cols)
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
                updates = s.phase == "update" and "update" in self.phases
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

    def add_loose(self, *mobs: VMobject, owners: tuple[VMobject, ...] = ()) -> None:
        """Add mobjects that belong to the canvas but to no grid (numbers written over a grid's
        cells, strike-outs, relabels, arrows): a new page clears them with the grids, and they
        leave and come back with the grid they are drawn over, or with each of ``owners`` (an
        arrow with both grids it joins; see :meth:`cull`)."""
        self.loose.extend(mobs)
        self.scene.add(*mobs)
        for m in mobs:
            c = m.get_center()
            found = [id(g) for g in owners] or [
                gid for gid, (lo, hi) in self.boxes.items() if lo[0] <= c[0] <= hi[0] and lo[1] <= c[1] <= hi[1]][:1]
            for owner in found:
                self.owned.setdefault(owner, []).append(m)

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
        # the result's rows are the left operand's and its columns the upper one's: named there
        gout = self.make_grid(out, hidden=True, role=out_role, label=labels.get("out"), label_side="right",
                              row_labels=None, col_labels=None)

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
