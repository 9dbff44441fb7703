"""Where an exercise sheet's grids go: the weights left of the result, the inputs above it, the
grids the hints read beyond the step's own in rows under a caption; every result named along its
rows and columns on the questions as in the key, and every input too (X's rows: the features); over a row of grids, a line for column labels
only when one of them has any (a scalar's name sits on its cell); the numbers' size shrinks
until a block fits the page's width. :class:`Layout` is a part of :class:`.sheet.Writer`, which
draws what it places.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..trace import Trace
from .exercise import Exercise

MARGIN, PAGE_W, PAGE_H = 15.0, 210.0, 297.0
WIDTH = PAGE_W - 2 * MARGIN
CELL_H = 5.5
CAPTION_H = 4.0       # the line over the grids a step's hints read beyond its own
GAP = 4.0


@dataclass
class Placed:
    """A grid at ``(x, y)`` (its cells' top-left corner) drawn ``rows`` × ``cols``."""

    tid: str
    x: float
    y: float
    rows: int
    cols: int
    column: bool          # a 1-D tensor drawn as a column (a bias beside the weights)
    row_labels: bool
    col_labels: bool
    head: float = 0.0     # the room over its cells: its name, and its row's line of column labels


class Layout:
    """The places of one step's grids on the page; the writer holds ``pdf``, ``trace``, ``plan``."""

    size: float
    cell_w: float
    given_y: float

    def layout(self, ex: Exercise, answers: bool) -> tuple[list[Placed], float]:
        """Where each grid goes (relative to the block's top), and the block's height; the number
        size shrinks until the block fits the page's width."""
        for size in (8.0, 7.0, 6.0, 5.0, 4.2):
            self.size = size
            self.cell_w = self.column_width(ex)
            placed, right, height = self._place(ex, answers)
            if right <= MARGIN + WIDTH:
                break
        return placed, height

    def _place(self, ex: Exercise, answers: bool) -> tuple[list[Placed], float, float]:
        """The weights left of the results, the inputs above them in the results' columns; every
        result with its row and column labels (on the questions as in the key), room for them
        left of it and above it."""
        tensors = self.trace.tensors
        left = [] if answers else ex.left
        top = [] if answers else ex.top
        top_head, row_head = self.head(top), self.head(left + ex.results, column=set(left))
        x, placed = MARGIN + self.label_w(ex.left[:1] if left else []), []
        row_y = row_head + (max((self.rows(t) for t in top), default=0) * CELL_H + GAP + top_head if top else 0)
        for k, t in enumerate(left):
            r, c = self.rc(t, column=True)
            placed.append(Placed(t, x, row_y, r, c, len(tensors[t].shape) == 1, k == 0, True, row_head))
            x += self.span(t, c) + (GAP if k == len(left) - 1 else 1.5)
        if left:   # the first result's row labels between the weights and it (the first input's
            # are drawn in the same room, over the weights' row: no grid is beside them there)
            x = max(x + self.label_w(ex.results[:1]), MARGIN + self.label_w(top[:1]))
        else:
            x = MARGIN + max(self.label_w(top), self.label_w(ex.results))
        start, right = x, x
        for k, t in enumerate(top):
            r, c = self.rc(t)
            if k:  # room for this grid's row labels, drawn left of it
                x += self.label_w([t])
            placed.append(Placed(t, x, top_head, r, c, False, True, True, top_head))
            x += self.span(t, c) + GAP
            right = max(right, x)
        x, bottom = start, row_y
        for k, t in enumerate(ex.results):
            r, c = self.rc(t)
            if k:   # room for this result's row labels, drawn left of it
                x += self.label_w([t])
            placed.append(Placed(t, x, row_y, r, c, False, True, True, row_head))
            x += self.span(t, c) + GAP + 4
            right, bottom = max(right, x), max(bottom, row_y + r * CELL_H)
        self.given_y = bottom + GAP
        if not answers and ex.given:
            bottom = self._place_given(ex.given, placed, bottom + GAP + CAPTION_H)
        return placed, right, bottom + 2

    def _place_given(self, given: list[str], placed: list[Placed], y: float) -> float:
        """The grids the hints read beyond the step's own, in rows under a caption, each with room
        for its row labels; a row that would run off the page wraps. Returns their bottom."""
        lines: list[list[str]] = [[]]
        x = MARGIN
        for t in given:
            room, wide = self.label_w([t]), self.span(t, self.rc(t)[1])
            if x > MARGIN and x + room + wide > MARGIN + WIDTH:
                lines.append([])
                x = MARGIN
            lines[-1].append(t)
            x += room + wide + GAP + 4
        bottom = y - GAP
        for line in lines:
            head = self.head(line)
            x, row_y = MARGIN, bottom + GAP + head
            for t in line:
                r, c = self.rc(t)
                room = self.label_w([t])
                placed.append(Placed(t, x + room, row_y, r, c, False, True, True, head))
                x += room + self.span(t, c) + GAP + 4
                bottom = max(bottom, row_y + r * CELL_H)
        return bottom

    def head(self, tids: list[str], column: frozenset[str] | set[str] = frozenset()) -> float:
        """The room over a row of grids: their names, and a line for the column labels when one of
        them has any (a scalar's name sits on its cell; ``column``: grids drawn as a column, whose
        one axis runs down)."""
        labelled = any(self.labels(t, 1) for t in tids if not (t in column and len(self.trace.tensors[t].shape) == 1))
        return 4.5 + (self.label_h() if labelled else 0.0)

    def name_w(self, tid: str) -> float:
        """The width of a grid's name as :meth:`grid` writes it over the grid."""
        self.pdf.set_font("bold", size=self.size)
        return self.pdf.get_string_width(self.trace.tensors[tid].name[:28]) + 1

    def span(self, tid: str, cols: int) -> float:
        """The width a grid takes in its row: its cells, or its name where that is wider (a narrow
        column such as ``dnorm_weights``), so the next grid's name never runs into it."""
        return max(cols * self.cell_w, self.name_w(tid))

    def rows(self, tid: str) -> int:
        return self.rc(tid)[0]

    def rc(self, tid: str, column: bool = False) -> tuple[int, int]:
        shape = tuple(self.trace.tensors[tid].shape)
        if len(shape) == 2:
            return shape
        if len(shape) == 1:
            return (shape[0], 1) if column else (1, shape[0])
        return 1, 1

    def column_width(self, ex: Exercise) -> float:
        texts = [self.plan.text(t, i) for t in ex.left + ex.top + ex.results for i in _cells(self.trace, t)]
        widest = 4.0 if not texts else 0.0
        for font in ("mono", "bold"):   # the key writes a blank's answer in bold, a little wider
            self.pdf.set_font(font, size=self.size)
            widest = max([widest] + [self.pdf.get_string_width(s) for s in texts])
        labels = [str(n) for t in ex.left + ex.top + ex.results for n in self.labels(t, 1)]
        self.pdf.set_font("sans", size=self.size * 0.8)
        widest = max([widest] + [self.pdf.get_string_width(n) for n in labels])
        # room for the key's answers to stand clear of their boxes' corner letters (:meth:`clear_of`)
        letters = max([self.letter_room(b.label) for b in ex.blanks] + [0.0])
        return max(widest + max(2.5, letters + 0.8), CELL_H + 1)

    def label_h(self) -> float:
        return self.size * 0.45

    def label_w(self, tids: list[str]) -> float:
        self.pdf.set_font("sans", size=self.size * 0.8)
        names = [n for t in tids for n in self.labels(t, 0)]
        return max([self.pdf.get_string_width(n) + 2 for n in names] + [0])

    def labels(self, tid: str, axis: int) -> tuple[str, ...]:
        """Names of the positions of a grid's rows (axis 0) or columns (axis 1), as drawn."""
        rec = self.trace.tensors[tid]
        labels = rec.labels or ()
        if len(rec.shape) == 1:  # a row of cells: its one axis runs across
            return tuple(labels[0] or ()) if labels and axis == 1 else ()
        return tuple(labels[axis] or ()) if len(labels) > axis and labels[axis] else ()

    def letter_room(self, label: str) -> float:
        """The width a box's corner letter takes from the cell's left edge, as :meth:`grid` writes it
        (0.4 mm in, after the cell's own inner margin), and a little air."""
        self.pdf.set_font("sans", size=self.size * 0.6)
        return 0.4 + self.pdf.c_margin + self.pdf.get_string_width(label) + 0.5


def _cells(trace: Trace, tid: str) -> list[tuple[int, ...]]:
    import numpy as np

    shape = tuple(trace.tensors[tid].shape)
    return [tuple(int(i) for i in c) for c in np.ndindex(*shape)] if shape else [()]
