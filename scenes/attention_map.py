"""One attention head as a heat map: ``tracer render MODEL.trace --layer L --head H``.

Rows are the query tokens (the token that *attends from*), columns the keys (the token it *attends
to*), each cell the head's softmax weight from :mod:`scenes.head_view`. A sequential yellow-to-red
scale colours the weights (blue means gradient in our pictures) and a colour bar reads it; a box
marks each row's strongest key; one cell is worked out beside the map, line by line, from its score
q·k to its weight. Every number on screen is one the explanation printed: the scene only places it.

>>> shade(0.0), shade(1.0)
('#FFFDF2', '#7A1F0B')
>>> wrap("1×2 + 3×4 + 5×6 = 44", 12)
['1×2 + 3×4', '  + 5×6 = 44']
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, LaggedStart, Rectangle, Scene, Square, VGroup, tempconfig

from tracer.errors import TracerError
from tracer.files import check_output, scratch_dir
from tracer.i18n import check_language
from tracer.line_breaks import filled
from tracer.trace import Trace

from . import glyphs, style
from .head_view import NUMBERS_UP_TO, HeadView, find_head, word
from .manim_adapter import speed_up_mobjects
from .render import FORMATS, QUALITIES, manim_settings

# a sequential scale, paper-white to deep red through the attention yellow (never blue)
SCALE = ("#FFFDF2", "#FFE8A3", "#FFD43B", "#F8961E", "#E8590C", "#B02E0C", "#7A1F0B")
DARK_FROM = 0.55      # a weight above this is printed in white on its dark cell
PANEL_LEFT, PANEL_RIGHT = 0.45, 6.85
WORK_SIZE = 15        # the worked lines' font size: about 51 characters across the panel


def shade(w: float) -> str:
    """The colour of weight ``w`` (0 to 1) on the scale (a damaged, non-finite one: grey)."""
    if not np.isfinite(w):
        return style.FAINT
    pos = float(np.clip(w, 0.0, 1.0)) * (len(SCALE) - 1)
    k = min(int(pos), len(SCALE) - 2)
    a, b = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in SCALE[k:k + 2])
    r, g, bl = np.rint(a + (b - a) * (pos - k)).astype(int)
    return f"#{r:02X}{g:02X}{bl:02X}"


def wrap(line: str, width: int) -> list[str]:
    """A worked line in pieces of at most ``width`` characters (continuations indented two), cut
    between its terms as the caption band cuts a working (:func:`tracer.line_breaks.filled`); the
    text itself is the working's, unchanged."""
    lines = filled(line, width - 2, len, working=True)
    return lines[:1] + ["  " + rest for rest in lines[1:]]


class HeatMap(VGroup):
    """The head's weights as coloured cells, tokens along both axes, the strongest key of each
    row boxed. ``get_cell(i, j)``, ``get_row(i)``; ``create()`` fills it row by row."""

    def __init__(self, view: HeadView, lang: str, side: float = 4.2) -> None:
        super().__init__()
        T = len(view.queries)
        self.view, self.size = view, min(0.5, side / T)
        c, label_size = self.size, max(7.0, min(18.0, self.size * 38))
        self.cells = VGroup(*[VGroup(*[self._cell(view, i, j) for j in range(T)]) for i in range(T)])
        for i, row in enumerate(self.cells):
            for j, cell in enumerate(row):
                cell.move_to([(j + 0.5) * c, -(i + 0.5) * c, 0])
        grid = self.cells
        self.row_labels = VGroup(*[glyphs.mono(t, style.INK, label_size) for t in view.queries])
        for t, row in zip(self.row_labels, grid):
            glyphs.fit_width(t, 1.4).next_to(row, LEFT, buff=0.12)
        self.col_labels = VGroup(*[glyphs.mono(t, style.INK, label_size).rotate(np.pi / 2) for t in view.keys])
        for t, cell in zip(self.col_labels, grid[0]):
            t.scale_to_fit_height(min(t.height, 1.4)).next_to(cell, UP, buff=0.12)
        self.to_title = glyphs.prose(word("to", lang), lang, style.MUTED, 18)
        self.to_title.next_to(self.col_labels, UP, buff=0.15).align_to(grid, LEFT)
        self.from_title = glyphs.prose(word("from", lang), lang, style.MUTED, 18).rotate(np.pi / 2)
        self.from_title.next_to(self.row_labels, LEFT, buff=0.15).align_to(grid, UP)
        self.boxes = VGroup(*[self._marker(grid[i][j]) for i, j in enumerate(view.strongest)])
        self.add(self.cells, self.row_labels, self.col_labels, self.to_title, self.from_title, self.boxes)

    def _cell(self, view: HeadView, i: int, j: int) -> VGroup:
        w = float(view.weights[i, j])
        square = Square(self.size, fill_color=shade(w), fill_opacity=1.0, stroke_color=style.FAINT,
                        stroke_width=1)
        if len(view.queries) > NUMBERS_UP_TO:
            return VGroup(square)
        ink = "#FFFFFF" if w > DARK_FROM else style.INK
        number = glyphs.number(view.texts[i][j], ink, min(style.SMALL_NUMBER_SIZE, self.size * 30))
        glyphs.fit_width(number, self.size * 0.86)
        return VGroup(square, number.move_to(square))

    def _box(self, cell: VGroup, colour: str, width: float, inset: float = 0.92) -> Rectangle:
        return Rectangle(width=self.size * inset, height=self.size * inset, stroke_color=colour,
                         stroke_width=width).move_to(cell)

    def _marker(self, cell: VGroup) -> VGroup:
        """Ink around a white line: the box reads on a pale cell and on a dark one."""
        return VGroup(self._box(cell, style.INK, 3.5, 0.96), self._box(cell, "#FFFFFF", 1.5, 0.84))

    def get_cell(self, i: int, j: int) -> VGroup:
        return self.cells[i][j]

    def get_row(self, i: int) -> VGroup:
        return self.cells[i]

    def create(self) -> LaggedStart:
        return LaggedStart(FadeIn(VGroup(self.row_labels, self.col_labels, self.to_title, self.from_title)),
                           *[FadeIn(row) for row in self.cells], lag_ratio=0.12, run_time=2.2)

class ColourBar(VGroup):
    """The scale from 0 (bottom) to 1 (top), its ends and middle labelled, titled ``weight``."""

    def __init__(self, height: float, lang: str) -> None:
        super().__init__()
        n = 48
        strips = VGroup(*[Rectangle(width=0.22, height=height / n, stroke_width=0, fill_opacity=1.0,
                                    fill_color=shade((k + 0.5) / n)) for k in range(n)])
        strips.arrange(UP, buff=0)
        frame = Rectangle(width=0.22, height=height, stroke_color=style.RULE, stroke_width=1).move_to(strips)
        ticks = VGroup(*[glyphs.mono(t, style.MUTED, 15).next_to(frame.get_corner(DOWN + RIGHT) + UP * height * f,
                                                                  RIGHT, buff=0.08)
                         for t, f in (("0", 0.0), ("0.5", 0.5), ("1", 1.0))])
        name = glyphs.prose(word("weight", lang), lang, style.MUTED, 16).next_to(frame, UP, buff=0.12)
        self.add(strips, frame, ticks, name)

class AttentionMap(Scene):
    """The map of one head, then its worked cell (the last frame is the still)."""

    def __init__(self, view: HeadView, lang: str = "en", **kwargs) -> None:
        self.view, self.lang = view, lang
        super().__init__(**kwargs)
        speed_up_mobjects()   # copies and bounding boxes without Manim's Python per point

    def construct(self) -> None:
        with glyphs.language(self.lang):   # its tokens' CJK in its language's face
            self._construct()

    def _construct(self) -> None:
        view, lang = self.view, self.lang
        self.camera.background_color = style.PAPER
        title = glyphs.fit_width(glyphs.title(word("title", lang, layer=view.layer, head=view.head), lang,
                                              style.INK, 30), style.FRAME_WIDTH - 1.0).move_to(UP * 3.62)
        heads = [title]
        if view.sentence:
            heads.append(glyphs.fit_width(glyphs.prose(f"“{view.sentence}”", lang, style.MUTED, 20),
                                          style.FRAME_WIDTH - 1.0).next_to(title, DOWN, buff=0.12))
        self.play(FadeIn(VGroup(*heads), run_time=0.6))
        self.heat = heat = HeatMap(view, lang)
        heat.shift(np.array([-0.95 - heat.cells.get_right()[0], 1.15, 0]))
        bar = ColourBar(heat.cells.height, lang).next_to(heat.cells, RIGHT, buff=0.3)
        self.play(heat.create())
        self.play(FadeIn(bar, run_time=0.5))
        note = glyphs.fit_width(glyphs.prose(word("rows", lang), lang, style.INK, 17), style.FRAME_WIDTH - 0.8)
        note.move_to(DOWN * 3.62)
        self.play(FadeIn(note, run_time=0.5), LaggedStart(*[Create(b) for b in heat.boxes], lag_ratio=0.2,
                                                           run_time=1.5))
        self.wait(1.0)
        self.work_cell()
        self.wait(2.5)

    def work_cell(self) -> None:
        """Box the worked cell and its row, then write its workings beside the map."""
        view, lang, heat = self.view, self.lang, self.heat
        i, j = view.cell
        row = Rectangle(width=heat.cells.width + 0.08, height=heat.size + 0.08, stroke_color=style.HIGHLIGHT,
                        stroke_width=2).move_to(heat.get_row(i))
        cell = heat._box(heat.get_cell(i, j), style.HIGHLIGHT, 6)
        heading = glyphs.prose(word("cell", lang, query=view.queries[i], key=view.keys[j]), lang,
                               style.HIGHLIGHT, 22, bold=True)
        self.panel = VGroup(heading)
        heading.move_to([PANEL_LEFT, 2.75, 0], aligned_edge=LEFT)
        self.play(Create(row), Create(cell), FadeIn(heading), run_time=0.8)
        advance = glyphs.mono("0" * 10, size=WORK_SIZE).width / 10
        width = int((PANEL_RIGHT - PANEL_LEFT) / advance) - 1
        for w, kind in zip(view.workings, view.kinds):
            label = glyphs.prose(word(kind, lang), lang, style.INK, 18, bold=True)
            formula = glyphs.mono(w.formula, style.MUTED, WORK_SIZE)
            self._place(label, 0.3)
            if label.get_right()[0] + 0.3 + formula.width <= PANEL_RIGHT:
                formula.next_to(label, RIGHT, buff=0.3)
                self.panel.add(formula)
            else:
                self._place(formula, 0.12)
            self.play(FadeIn(label), FadeIn(formula), run_time=0.4)
            for text in w.lines:
                pieces = [glyphs.mono(p, style.COMPUTED, WORK_SIZE) for p in wrap(text, width)]
                for p in pieces:
                    self._place(p, 0.13)
                self.play(FadeIn(VGroup(*pieces)), run_time=0.5)
                self.wait(0.4)

    def _place(self, mob, gap: float) -> None:
        """Below what the panel holds, at its left edge."""
        glyphs.fit_width(mob, PANEL_RIGHT - PANEL_LEFT)
        mob.next_to(self.panel, DOWN, buff=gap)
        mob.align_to([PANEL_LEFT, 0, 0], LEFT)
        self.panel.add(mob)


def render_head(trace: Trace, layer: int, head: int, quality: str = "l", fmt: str = "mp4",
                output: str | os.PathLike[str] | None = None, lang: str = "en", fps: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """Render the map of ``head`` of ``layer`` to ``output`` (``png``: the last frame, a still)
    and return the file written; a failed render leaves nothing behind and clobbers nothing.

    Raises
    ------
    TracerError
        See :func:`scenes.head_view.find_head`; a bad output path, quality or format.
    """
    lang = check_language(lang)   # zh-hant is zh-Hant for the map's words and fonts
    if quality not in QUALITIES or fmt not in FORMATS:
        raise TracerError(f"quality {quality!r} / format {fmt!r}: choose one of {', '.join(QUALITIES)} / "
                          f"{', '.join(FORMATS)}")
    view = find_head(trace, layer, head, lang)
    out = Path(output) if output is not None else Path(f"layer{layer}_head{head}.{fmt}")
    check_output(out, inputs=[trace.origin] if trace.origin else [])
    with scratch_dir(out.parent, ".tracer-render-") as tmp:
        made = tmp / ("still.png" if fmt == "png" else "map.mp4")
        draw(view, made, quality, fps, lang)
        if fmt in ("gif", "webm"):
            from .render import _convert
            made = _convert(made, tmp / f"final.{fmt}", fmt)
        if not made.exists() or made.stat().st_size == 0:
            raise TracerError("the render produced no output")
        os.replace(made, out)
    if progress:
        progress(1, 1)
    return out


def draw(view: HeadView, path: Path, quality: str = "l", fps: int | None = None, lang: str = "en") -> "AttentionMap":
    """Render ``view`` to ``path`` (a ``.png`` is the last frame) and return the scene (its
    mobjects tell what was drawn)."""
    still = path.suffix == ".png"
    media = path.parent / f"media-{path.stem}"
    with tempconfig(manim_settings(path, media, quality, fps, still)):
        scene = AttentionMap(view, lang)
        scene.render()
    if not path.exists():  # Manim may have written into its media folder instead
        found = sorted(media.rglob(f"*{path.suffix}"), key=lambda p: p.stat().st_mtime)
        if found:
            found[-1].replace(path)
    return scene
