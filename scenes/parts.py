"""The grey extras of ``[W | b] · [X ; 1]``: the bias column after a weight grid's last column
and the row of 1s under an input grid (a mixin of :class:`~scenes.grid.NumberGrid`)."""
from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, Line, Rectangle, VGroup, VMobject

from tracer.display import fmt
from tracer.trace import TensorRecord

from . import glyphs, style


class BiasParts:
    def _build_bias(self, bias: TensorRecord, also: list[TensorRecord]) -> VGroup:
        """The grey column ``b`` after a thin separator: ``[W | b]``."""
        b = np.asarray(bias.data).reshape(-1)
        nf = self.format_of(bias)
        strings = [fmt(b[r], nf, self.minus) if r is not None else None for r in self.rows_shown]
        texts = [glyphs.number(s, style.INK) if s else None for s in strings]
        later = []
        for record in also:
            values, f = np.asarray(record.data).reshape(-1), self.format_of(record)
            size = style.SMALL_NUMBER_SIZE if record.kind == "grad" else style.NUMBER_SIZE
            longest = max((fmt(values[r], f, self.minus) for r in self.rows_shown if r is not None), key=len, default="")
            later.append(glyphs.number(longest, style.INK, size).width)
        w = max([t.width for t in texts if t is not None] + [style.MIN_CELL_WIDTH - style.CELL_PAD] + later) + style.CELL_PAD
        x0 = self.cols_width + 0.12
        group = VGroup()
        self.bias_cells: dict[int, Rectangle] = {}
        self.bias_values: dict[int, VMobject] = {}
        self.bias_grads: dict[int, VMobject] = {}
        self.bias_record, self.bias_w = bias, w
        for kr, r in enumerate(self.rows_shown):
            centre = np.array([x0 + w / 2, self._xy(kr, 0)[1], 0.0])
            if r is None:
                group.add(glyphs.number("⋮", style.MUTED).move_to(centre))
                continue
            box = Rectangle(width=w, height=self.cell_h, stroke_width=1.2, stroke_color=style.BIAS_EDGE,
                            fill_color=style.BIAS_FILL, fill_opacity=1.0).move_to(centre)
            self.bias_cells[r] = box
            self.bias_values[r] = texts[kr].move_to(self._value_centre(box))
            group.add(box)
            if self.has_grad:
                band = Rectangle(width=w - 0.06, height=style.GRAD_HEIGHT - 0.05, stroke_width=0,
                                 fill_color=style.GRAD_FILL, fill_opacity=0.0)   # shown with a gradient
                self.bias_bands.append(band)
                group.add(band.move_to(self._grad_centre(box)))
        group.add(*self.bias_values.values())
        sep_x = x0 - 0.06
        group.add(Line([sep_x, 0.05, 0], [sep_x, -self.rows_height - 0.05, 0],
                       stroke_width=2, color=style.RULE))
        return group

    def _offset(self) -> np.ndarray:
        """How far the grid moved since it was built (cell (0, 0) is always drawn)."""
        return self.cells[(0, 0)].get_center() - self._xy(0, 0)

    def attach_ones(self) -> tuple[VGroup, VGroup]:
        """Add the row of 1s to a grid already placed: returns the row (to fade in) and the taller
        brackets (to transform the old ones into)."""
        self.ones = self._build_ones().shift(self._offset())
        self.add(self.ones)
        brackets = self._build_brackets()
        if getattr(self, "shape_label", None) is not None:   # under the row of 1s, not covered by it
            self.shape_label.next_to(brackets, DOWN, buff=0.1).align_to(brackets, RIGHT)
        return self.ones, brackets

    def _build_ones(self) -> VGroup:
        """The grey row of 1s under the columns: ``[X ; 1]`` (each column's bias input)."""
        y = -(self.rows_height + 0.12 + style.CELL_HEIGHT / 2)
        group = VGroup()
        self.one_cells: dict[int, Rectangle] = {}
        for kc, c in enumerate(self.cols_shown):
            centre = np.array([self._xy(0, kc)[0], y, 0.0])
            if c is None:
                group.add(glyphs.number("⋯", style.MUTED).move_to(centre))
                continue
            box = Rectangle(width=self.cell_w, height=style.CELL_HEIGHT, stroke_width=1.2,
                            stroke_color=style.BIAS_EDGE, fill_color=style.BIAS_FILL, fill_opacity=1.0)
            box.move_to(centre)
            self.one_cells[c] = box
            group.add(box, glyphs.number("1", style.MUTED).move_to(centre))
        sep_y = y + style.CELL_HEIGHT / 2 + 0.06
        group.add(Line([-0.05, sep_y, 0], [self.cols_width + 0.05, sep_y, 0],
                       stroke_width=2, color=style.RULE))
        return group

    def bias_texts_for(self, record: TensorRecord, color: str, size: float, grad: bool) -> dict[int, VMobject]:
        """Numbers of another tensor of the bias's shape placed in the bias cells (not added)."""
        b = np.asarray(record.data).reshape(-1)
        nf = self.format_of(record)
        out = {}
        for r, box in self.bias_cells.items():
            t = glyphs.fit_width(glyphs.number(fmt(b[r], nf, self.minus), color, size), self.bias_w - 0.06)
            out[r] = t.move_to(self._grad_centre(box) if grad else self._value_centre(box))
        return out
