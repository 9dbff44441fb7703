"""The number grid: one tensor of the trace drawn as a worksheet matrix.

Cells, numbers in the pinned monospace font (each built once, from the trace's values rounded by
:mod:`tracer.display`), drawn brackets, a name label, optional row and column labels, an optional
grey bias column and row of 1s (``[W | b] · [X ; 1]``), an optional blue gradient band under every
value, and elision of long dimensions (first and last rows / columns, ⋯ ⋮, a shape label).

A grid is indexed by the tensor's own indices (``(i, j)``; ``(k,)`` for a vector, ``()`` for a
scalar); cells that elision hides answer ``None``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from manim import DOWN, UP, Rectangle, VGroup, VMobject

from tracer.display import NumberFormat, fmt, number_format
from tracer.explain import noisy, tensor_format
from tracer.trace import TensorRecord, Trace

from . import glyphs, style
from .look import LOOKS, as_matrix, heat, role_of, shown_indices
from .grid_index import GridIndex
from .grid_labels import GridLabels
from .parts import BiasParts
from .spacing import Spacing


class NumberGrid(Spacing, BiasParts, GridLabels, GridIndex, VGroup):
    """A tensor drawn as a matrix of numbered cells.

    Parameters
    ----------
    record : TensorRecord
        The tensor; its values are read once and formatted with the shared rounding rule.
    role : str
        ``given``, ``computed`` (orange numbers), ``grad`` (blue), ``attention`` (bright yellow),
        ``heat`` (cells coloured by sign and size) or ``const``; default from the tensor's kind.
    label : str, optional
        The name drawn beside the grid (default: the tensor's name); ``label_side`` is where.
    hidden : bool
        Build the numbers but leave them invisible, to be revealed one by one.
    grad : bool
        Reserve a blue band under each value for its gradient (``load_grad`` fills it).
    bias, ones_row
        A grey bias column after the last column (``[W | b]``) / a grey row of 1s (``[X ; 1]``).
    transpose : bool
        Draw the tensor transposed (the cells keep the tensor's own indices).
    also : list of TensorRecord
        Other tensors this grid will show in its cells later (the weight after an update, the
        output of an in-place ReLU, the gradients in the band): the cells are made wide enough for
        them too, so nothing has to shrink (lay out from final values).
    most : int
        The longest dimension drawn whole; a longer one is elided (``⋯``) to its first and last
        few (a product too large for the widest view draws fewer: :meth:`~scenes.placement.Placement.product`).
    keep : (rows, columns)
        Drawn rows and columns elision keeps (the answer: :func:`scenes.look.kept_drawn`).
    trace : Trace, optional
        The trace the tensors belong to: numbers are then written as every viewer writes them
        (:func:`tracer.explain.tensor_format`: rounding noise reads ``0.00``); without it, from the
        values alone.
    cell : (float, float)
        The least width and height of a cell: a product's result shares its columns' width with
        the operand above it and its rows' height with the one left of it, so they line up
        (:meth:`~scenes.placement.Placement.product`).
    """

    def __init__(self, record: TensorRecord, *, role: str | None = None, label: str | None = None,
                 label_side: str = "up", hidden: bool = False, grad: bool = False,
                 bias: TensorRecord | None = None, ones_row: bool = False, transpose: bool = False,
                 as_row: bool = False, col_labels: list[str] | None = None,
                 row_labels: list[str] | None = None, minus: str = "−",
                 also: list[TensorRecord] | None = None, bias_also: list[TensorRecord] | None = None,
                 most: int = style.MAX_SHOWN, cell: tuple[float, float] = (0.0, 0.0),
                 keep: tuple[tuple[int, ...], tuple[int, ...]] = ((), ()), trace: Trace | None = None) -> None:
        super().__init__()
        self.record, self.minus = record, minus
        self._formats, self._noisy = _formats(trace)
        self._boxes: dict[tuple, Rectangle | None] = {}
        self.role = role or ("heat" if self._is_large(record, as_row) else role_of(record))
        self.look = LOOKS[self.role]
        self.transpose, self.as_row = transpose, as_row
        data = self._matrix(record.data)
        self.rows_shown = shown_indices(data.shape[0], most, keep[0])
        self.cols_shown = shown_indices(data.shape[1], most, keep[1])
        self.elided = None in self.rows_shown or None in self.cols_shown
        self.nf = self.format_of(record)
        self.has_grad = grad
        texts = self._value_texts(data, self.look.text)
        width = max([t.width for t in texts.values()] + [style.MIN_CELL_WIDTH - style.CELL_PAD]
                    + [self._widest(r) for r in also or []])
        self.cell_w = max(width + style.CELL_PAD, *self._label_widths(col_labels), cell[0])
        self.cell_h = max(style.CELL_HEIGHT + (style.GRAD_HEIGHT if grad else 0.0), cell[1])
        self._place_slots()   # (a ⋯ column, a ⋮ row: narrow)
        self.cells: dict[tuple[int, int], Rectangle] = {}
        self.values: dict[tuple[int, int], VMobject] = {}
        self.grads: dict[tuple[int, int], VMobject] = {}
        self.grad_bands = VGroup()
        self.bias_bands: list[Rectangle] = []
        self.body = VGroup()
        self._build_cells(data, texts, hidden)
        self.bias = self._build_bias(bias, bias_also or []) if bias is not None else None
        self.ones = self._build_ones() if ones_row else None
        self.brackets = self._build_brackets()
        self.col_labels = self.row_labels = None
        self.add(self.body, self.grad_bands, *self.values.values())
        for extra in (self.bias, self.ones):
            if extra is not None:
                self.add(extra)
        self.add(self.brackets)
        self.label_text = label if label is not None else record.name   # (a copy is named alike)
        self.name_label = self._build_label(self.label_text, label_side)
        self.shape_label = self._build_shape_label() if self.elided else None
        self.col_labels = self._axis_labels(col_labels, "col") if col_labels else None
        self.row_labels = self._axis_labels(row_labels, "row") if row_labels else None
        for extra in (self.name_label, self.shape_label, self.col_labels, self.row_labels):
            if extra is not None:
                self.add(extra)
        for m in [self.name_label, *(self.row_labels or []), *(self.col_labels or [])]:
            if m is not None:
                m.label_of = self   # a label knows its grid (scenes.label_room finds orphans)

    # ---- building ----------------------------------------------------------------------------
    @staticmethod
    def _is_large(record: TensorRecord, as_row: bool) -> bool:
        rows, cols = as_matrix(np.empty(record.shape, dtype=np.int8), as_row).shape
        return max(rows, cols) > style.MAX_SHOWN

    def format_of(self, record: TensorRecord) -> NumberFormat:
        """How a tensor's numbers are written (the one rule every viewer reads, never decided here)."""
        return self._formats(record)

    def _widest(self, record: TensorRecord) -> float:
        """The width of the widest number of another tensor shown in these cells (at its size)."""
        if as_matrix(np.empty(record.shape, dtype=np.int8), self.as_row).size != as_matrix(
                np.empty(self.record.shape, dtype=np.int8), self.as_row).size:
            return 0.0
        data = self._matrix(record.data)
        nf = self.format_of(record)
        size = style.SMALL_NUMBER_SIZE if record.kind == "grad" else style.NUMBER_SIZE
        longest = max((fmt(data[r, c], nf, self.minus) for r in self.rows_shown if r is not None
                       for c in self.cols_shown if c is not None), key=len, default="")
        return glyphs.number(longest, style.INK, size).width

    def _matrix(self, a: np.ndarray) -> np.ndarray:
        m = as_matrix(a, self.as_row)
        return m.T if self.transpose else m

    def _value_texts(self, data: np.ndarray, color: str) -> dict[tuple[int, int], VMobject]:
        return {(r, c): glyphs.number(fmt(data[r, c], self.nf, self.minus), color)
                for r in self.rows_shown if r is not None for c in self.cols_shown if c is not None}

    def _build_cells(self, data: np.ndarray, texts: dict, hidden: bool) -> None:
        heat_max = max(abs(self.record.stats["min"]), abs(self.record.stats["max"])) or 1.0
        noise = self._noisy(self.record)   # rounding noise, written 0.00: coloured as 0
        # every cell a copy of one box (a copy costs a seventh of a Rectangle made anew)
        blank = Rectangle(width=self.cell_w, height=self.cell_h, stroke_width=1.2, stroke_color=self.look.edge,
                          fill_color=self.look.fill, fill_opacity=self.look.fill_opacity)
        # the band's room is kept from the start (laid out from final values), but the band is
        # drawn only once a gradient is written in it (show_grad_bands): a forward frame has none
        blank_band = Rectangle(width=self.cell_w - 0.06, height=style.GRAD_HEIGHT - 0.05, stroke_width=0,
                               fill_color=style.GRAD_FILL, fill_opacity=0.0) if self.has_grad else None
        for kr, r in enumerate(self.rows_shown):
            for kc, c in enumerate(self.cols_shown):
                centre = self._xy(kr, kc)
                if r is None or c is None:
                    dots = "⋱" if r is None and c is None else ("⋮" if r is None else "⋯")
                    self.body.add(glyphs.number(dots, style.MUTED).move_to(centre))
                    continue
                box = blank.copy().move_to(centre)
                if self.role == "heat":
                    box.set_fill(heat(0.0 if noise else float(data[r, c]), heat_max), opacity=1.0)
                    if hidden:  # its colour tells its value: it appears with its number
                        box.set_fill(opacity=0.0).set_stroke(opacity=0.0)
                        box.pending, box.shown_alpha = True, (True, True)
                self.cells[(r, c)] = box
                self.body.add(box)
                text = texts[(r, c)].move_to(self._value_centre(box))
                if hidden:
                    text.set_opacity(0)
                self.values[(r, c)] = text
                if blank_band is not None:
                    self.grad_bands.add(blank_band.copy().move_to(self._grad_centre(box)))

    def show_grad_bands(self) -> None:
        """Draw the blue bands (a gradient is being written in them)."""
        for band in [*self.grad_bands, *self.bias_bands]:
            band.set_fill(opacity=1.0)

    def _value_centre(self, box: Rectangle) -> np.ndarray:
        top = box.get_top()
        return top + DOWN * (style.CELL_HEIGHT / 2)

    def _grad_centre(self, box: Rectangle) -> np.ndarray:
        return box.get_bottom() + UP * (style.GRAD_HEIGHT / 2)

    def _build_brackets(self) -> VGroup:
        parts = [self.body] + [p for p in (self.bias, self.ones) if p is not None]
        top = max(p.get_top()[1] for p in parts) + 0.06
        bottom = min(p.get_bottom()[1] for p in parts) - 0.06
        left = self.body.get_left()[0] - 0.08
        right = max(p.get_right()[0] for p in parts) + 0.08
        tick = 0.12
        kw = dict(stroke_width=2.4, color=style.INK)
        lb = VMobject(**kw).set_points_as_corners([[left + tick, top, 0], [left, top, 0],
                                                   [left, bottom, 0], [left + tick, bottom, 0]])
        rb = VMobject(**kw).set_points_as_corners([[right - tick, top, 0], [right, top, 0],
                                                   [right, bottom, 0], [right - tick, bottom, 0]])
        return VGroup(lb, rb)

    # ---- reading (a cell, its number or a row's box by index: scenes.grid_index) ---------------
    def frame_box(self) -> VGroup:
        return VGroup(self.body, self.brackets)

    # ---- changing what is shown -----------------------------------------------------------
    def texts_for(self, record: TensorRecord, color: str, size: float = style.NUMBER_SIZE,
                  grad: bool = False) -> dict[tuple[int, int], VMobject]:
        """Numbers of another tensor of the same shape, placed in this grid's cells (not added).

        Used for in-place steps (ReLU writes H over Z) and for gradients (``grad=True`` puts them
        in the blue band). A number wider than its cell is shrunk to fit. A grid drawn smaller
        after it was made (an optimiser's state beside its weight) gets its numbers as small.
        """
        data = self._matrix(record.data)
        nf = self.format_of(record)
        out = {}
        for (r, c), box in self.cells.items():
            drawn = box.width / self.cell_w
            t = glyphs.number(fmt(data[r, c], nf, self.minus), color, size).scale(drawn)
            glyphs.fit_width(t, (self.cell_w - 0.06) * drawn)
            out[(r, c)] = t.move_to(self._grad_centre(box) if grad else self._value_centre(box))
        return out

    def restyle(self, role: str) -> list[Rectangle]:
        """Give the cells ``role``'s fill and edge (a weight an update rewrote is ``updated``, not
        given any more); returns the cells, recoloured, for the caller to animate or add."""
        self.role, self.look = role, LOOKS[role]
        return [box.set_fill(self.look.fill, opacity=self.look.fill_opacity).set_stroke(self.look.edge)
                for box in self.cells.values()]

    def load_grad(self, record: TensorRecord) -> dict[tuple[int, int], VMobject]:
        """Blue gradient numbers for this grid's band, built hidden; the caller reveals them (the
        band itself is drawn from now on)."""
        self.show_grad_bands()
        texts = self.texts_for(record, style.GRAD, style.SMALL_NUMBER_SIZE, grad=True)
        for t in texts.values():
            t.set_opacity(0)
        return texts


def _formats(trace: Trace | None) -> tuple[Callable[[TensorRecord], NumberFormat], Callable[[TensorRecord], bool]]:
    """How the tensors of ``trace`` are written, and whether one is rounding noise (the trace's
    verdict, :func:`tracer.explain.noisy`). Plain functions, not the trace kept on the grid: copying
    a grid (a deep copy) shares a function and would copy a trace whole."""
    if trace is None:
        return (lambda record: number_format(record.data)), (lambda record: False)
    return (lambda record: tensor_format(trace, record.id)), (lambda record: noisy(trace, record.id))
