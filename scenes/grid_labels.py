"""A grid's labels: its name, its row and column names and its shape (a mixin of
:class:`~scenes.grid.NumberGrid`, which reads ``brackets``, ``cell_w``, ``rows_shown`` and
``cols_shown``, ``col_labels``, ``name_label``, ``label_text``, ``record`` and ``_xy`` from it)."""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, VGroup, VMobject

from tracer.i18n_formulas import worded

from . import glyphs, style
from .look import shape_text


class GridLabels:
    def _label_widths(self, names: list[str] | None) -> list[float]:
        """The cell widths the column names ask for: each name over its column, COL_NAME_GAP clear
        of its neighbours (a long one is shrunk beyond ~7 characters)."""
        if not names:
            return []
        shown = [names[c] for c in self.cols_shown if c is not None and c < len(names)]
        return [min(glyphs.mono(n, style.MUTED, style.SMALL_NUMBER_SIZE).width, 1.1) + style.COL_NAME_GAP
                for n in shown]

    def _shown(self, text: str) -> str:
        """The name ``text`` as the label writes it: a tensor name that is words (even rows) in the
        scene's language, as its formula and narration write it (:func:`tracer.i18n_formulas.worded`);
        ``label_text`` keeps the trace's name, which the players look grids up by."""
        return worded(text, [self.record.name, text], glyphs.scene_language())

    def _build_label(self, text: str, side: str) -> VMobject | None:
        if not text:
            return None
        label = glyphs.mono(self._shown(text), style.INK, style.LABEL_SIZE, bold=True)
        glyphs.fit_width(label, max(2.4, self.brackets.width))
        direction = {"up": UP, "left": LEFT, "down": DOWN, "right": RIGHT}[side]
        label.next_to(self.brackets, direction, buff=style.NAME_GAP if side == "left" else 0.12)
        if side == "up" and self.col_labels is None:
            label.align_to(self.brackets, LEFT)
        return label

    def rename(self, text: str) -> tuple[VMobject | None, VMobject | None]:
        """The grid now shows another tensor (an in-place ReLU): a new name label, hidden, takes
        the old one's place in the grid, so it moves, fades and leaves with the grid and no part of
        the old name stays drawn under it. Returns (old, new); the old label is no part of the grid."""
        old = self.name_label
        if old is None:
            return None, None
        new = glyphs.mono(self._shown(text), style.INK, style.LABEL_SIZE, bold=True)
        glyphs.fit_width(new, max(2.4, self.brackets.width))
        # the edge that faces the brackets stays put: a longer name (W_Q (before)) grows away from them
        left_of = old.get_right()[0] <= self.brackets.get_left()[0] + 1e-6
        new.move_to(old, aligned_edge=RIGHT if left_of else LEFT).set_opacity(0)
        new.label_of = self
        old.label_text = self.label_text   # what an orphan says it was
        self.remove(old)
        self.add(new)
        self.name_label, self.label_text = new, text
        return old, new

    def _build_shape_label(self) -> VMobject:
        label = glyphs.mono(shape_text(self.record.shape), style.MUTED, style.SMALL_NUMBER_SIZE)
        return label.next_to(self.brackets, DOWN, buff=0.1).align_to(self.brackets, RIGHT)

    def _axis_labels(self, names: list[str], axis: str) -> VGroup:
        """The row or column names: each set on the line of the numbers (:func:`glyphs.line` puts
        its digits' middle at the origin), not centred on its own ink, so "once upon a" share a
        baseline ("upon" is not lifted by its p) and a row's name stands on its numbers' baseline;
        column names are centred over their cells, row names end one gap left of the brackets."""
        group = VGroup()
        shown = self.cols_shown if axis == "col" else self.rows_shown
        for k, i in enumerate(shown):
            if i is None or i >= len(names):
                continue
            t = glyphs.mono(names[i], style.MUTED, style.SMALL_NUMBER_SIZE)
            t.axis_name = names[i]   # what the label room's audit calls it
            room = self.cell_w - style.COL_NAME_GAP if axis == "col" else 1.16
            if t.width > room:   # shrunk toward its baseline, which stays its neighbours'
                t.scale(room / t.width, about_point=np.array([0.0, glyphs.baseline(style.SMALL_NUMBER_SIZE), 0.0]))
            if axis == "col":
                t.shift(np.array([self._xy(0, k)[0] - t.get_center()[0], self.brackets.get_top()[1] + 0.2, 0.0]))
            else:
                t.shift(np.array([self.brackets.get_left()[0] - 0.1 - t.get_right()[0], self._xy(k, 0)[1], 0.0]))
            group.add(t)
        name = self.name_label
        if axis == "col" and name is not None and name.get_bottom()[1] < group.get_top()[1] + 0.05:
            name.shift(UP * (group.get_top()[1] + 0.08 - name.get_bottom()[1]))
        left = name is not None and name.get_center()[0] < self.brackets.get_left()[0]   # label_side "left"
        if axis == "row" and left and len(group) and name.get_right()[0] > group.get_left()[0] - style.NAME_GAP:
            name.shift(LEFT * (name.get_right()[0] - group.get_left()[0] + style.NAME_GAP))   # beyond the row names
        return group
