"""The canvas of a walkthrough: the grids placed on it and the loose mobjects drawn over them.

A grid is made for a tensor from the trace (its axis labels name its rows and columns, its cells
leave room for what will later be shown in them) and registered where it is placed: grids never
move once placed, so their outlines are measured once. Where new grids go is
:class:`~scenes.placement.Placement` (the product layout); which grids are on the scene is
:class:`~scenes.culling.Culling`: both are parts of :class:`Canvas`.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Animation, VMobject

from tracer.kept import kept_of
from tracer.trace import Trace

from . import anim, style
from .aligned import Aligned
from .culling import Box, Culling
from .grid import NumberGrid
from .look import kept_drawn
from .placement import Placement

__all__ = ["Box", "Canvas", "axis_labels"]


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


def fits_one_view(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether the rectangle from corner ``lo`` to ``hi`` fits in one view of the camera zoomed out
    as far as it goes (``style.WIDEST_ROOM``): the one test of "in one view" every player uses."""
    return bool((np.asarray(hi)[:2] - np.asarray(lo)[:2] <= np.array(style.WIDEST_ROOM)).all())


class Canvas(Placement, Culling):
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

    def in_one_view(self, mobs: list[VMobject]) -> bool:
        """Whether ``mobs`` fit in one view of the camera zoomed out as far as it goes (a result
        slid far from the operand it reuses would leave that operand out of view)."""
        return fits_one_view(*self.extent(mobs))

    def extent(self, mobs: list[VMobject]) -> Box:
        """The corners (x, y) of what ``mobs`` cover (a placed grid's outline is remembered)."""
        boxes = [self.boxes.get(id(m)) or self._corners(m) for m in mobs]
        return (np.min([b[0][:2] for b in boxes], axis=0), np.max([b[1][:2] for b in boxes], axis=0))
