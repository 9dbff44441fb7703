"""A grid's cells by the tensor's own indices (a mixin of :class:`~scenes.grid.NumberGrid`, which
reads ``record``, ``transpose``, ``as_row``, ``cells``, ``values``, ``grads``, ``bias``,
``bias_cells``, ``ones``, ``one_cells`` and ``_boxes`` from it).

A tensor index (``(i, j)``; ``(k,)`` for a vector, ``()`` for a scalar; more axes folded into the
rows) maps to a (row, column) of the matrix as drawn, transposed or not; the cells, numbers and
highlight boxes are looked up by either. A cell that elision hides answers ``None``.
"""
from __future__ import annotations

import numpy as np
from manim import Rectangle, VGroup, VMobject

from . import style

Index = tuple[int, ...]


class GridIndex:
    def rc(self, index: Index | int) -> tuple[int, int]:
        """The (row, column) of the drawn matrix holding the tensor's cell ``index``."""
        index = (index,) if isinstance(index, (int, np.integer)) else tuple(index)
        shape = self.record.shape
        if len(shape) == 0:
            r, c = 0, 0
        elif len(shape) == 1:
            r, c = (0, index[0]) if self.as_row else (index[0], 0)
        else:
            r = int(np.ravel_multi_index(index[:-1], shape[:-1])) if len(shape) > 2 else index[0]
            c = index[-1]
        return (c, r) if self.transpose else (r, c)

    def cell(self, index: Index | int) -> Rectangle | None:
        return self.cells.get(self.rc(index))

    def entry(self, index: Index | int) -> VMobject | None:
        return self.values.get(self.rc(index))

    def grad_entry(self, index: Index | int) -> VMobject | None:
        return self.grads.get(self.rc(index))

    def index_of(self, r: int, c: int) -> Index:
        """The tensor index drawn at (row, column): the inverse of :meth:`rc`."""
        if self.transpose:
            r, c = c, r
        shape = self.record.shape
        if len(shape) == 0:
            return ()
        if len(shape) == 1:
            return (c,) if self.as_row else (r,)
        if len(shape) == 2:
            return (r, c)
        return tuple(int(i) for i in np.unravel_index(r, shape[:-1])) + (c,)

    def shown(self) -> list[Index]:
        """Every tensor index drawn (not elided), in reading order of the drawing."""
        return [self.index_of(r, c) for (r, c) in sorted(self.cells)]

    def row_box(self, r: int) -> Rectangle | None:
        """The drawn row ``r`` (a row of the matrix as drawn), bias cell included."""
        key = ("row", r, self.bias is not None)
        if key not in self._boxes:
            boxes = [b for (rr, _), b in self.cells.items() if rr == r]
            if self.bias is not None and r in self.bias_cells:
                boxes.append(self.bias_cells[r])
            self._boxes[key] = _around(boxes)
        return self._boxes[key]

    def col_box(self, c: int) -> Rectangle | None:
        """The drawn column ``c``, the 1 under it included."""
        key = ("col", c, self.ones is not None)
        if key not in self._boxes:
            boxes = [b for (_, cc), b in self.cells.items() if cc == c]
            if self.ones is not None and c in self.one_cells:
                boxes.append(self.one_cells[c])
            self._boxes[key] = _around(boxes)
        return self._boxes[key]


def _around(boxes: list[VMobject]) -> Rectangle | None:
    """A highlight rectangle around ``boxes`` (a row or a column of cells)."""
    if not boxes:
        return None
    group = VGroup(*boxes)
    rect = Rectangle(width=group.width + 0.08, height=group.height + 0.08, stroke_width=3,
                     stroke_color=style.HIGHLIGHT, fill_color=style.HIGHLIGHT_FILL, fill_opacity=0.0)
    return rect.move_to(group)
