"""Where a grid's drawn rows and columns sit (a mixin of :class:`~scenes.grid.NumberGrid`).

Every drawn column is as wide as a number cell and every row as tall, but the ⋯ column and the
⋮ row of an elided dimension: those are only as wide (tall) as the ellipsis and a little padding.
An optimiser's state elided to 5×5 beside its weight spent a whole cell's width (a number in
scientific notation) on a column of dots. Grids elided alike (a product's operand and its result)
put their dots at the same place, so their cells still line up.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import glyphs, style

Span = tuple[float, float]   # where a drawn row or column starts (from the grid's top-left corner) and its size


@lru_cache(maxsize=None)
def dots_room() -> tuple[float, float]:
    """The width of a ⋯ column and the height of a ⋮ row: the ellipsis with padding."""
    across, down = glyphs.number("⋯", style.MUTED), glyphs.number("⋮", style.MUTED)
    return across.width + style.CELL_PAD, down.height + style.CELL_PAD


def spans(shown: list[int | None], size: float, dots: float) -> list[Span]:
    """The span of each drawn slot along one axis: ``size`` for a drawn index, ``dots`` for the
    elision (``None``), never more than ``size``.

    >>> spans([0, None, 5], 1.0, 0.25)
    [(0.0, 1.0), (1.0, 0.25), (1.25, 1.0)]
    """
    out, start = [], 0.0
    for i in shown:
        length = size if i is not None else min(dots, size)
        out.append((start, length))
        start += length
    return out


class Spacing:
    def _place_slots(self) -> None:
        """The spans of the drawn columns and rows (once ``cell_w`` and ``cell_h`` are known)."""
        wide, tall = dots_room()
        self.col_spans = spans(self.cols_shown, self.cell_w, wide)
        self.row_spans = spans(self.rows_shown, self.cell_h, tall)

    @property
    def cols_width(self) -> float:
        """How wide the drawn columns are together."""
        return sum(length for _, length in self.col_spans)

    @property
    def rows_height(self) -> float:
        """How tall the drawn rows are together."""
        return sum(length for _, length in self.row_spans)

    def _xy(self, k_row: int, k_col: int) -> np.ndarray:
        """Centre of the drawn slot (k_row, k_col) as built: the grid's top-left corner is the origin."""
        (x, w), (y, h) = self.col_spans[k_col], self.row_spans[k_row]
        return np.array([x + w / 2, -(y + h / 2), 0.0])
