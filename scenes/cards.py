"""The cards between the worked steps: the colour legend under the title, a fast-forwarded
chapter ("×N"), the recap, and the paper they are drawn on (which covers the canvas while they show).

Cards are built in the origin frame; the stage moves them into its view. Every page lies within
the page area (:func:`fit_page`): in the frame and above the caption band, where the subtitles are
written. Their numbers come from
the trace (printed with the shared rounding rule of :mod:`tracer.display`), their words from the
story or :mod:`scenes.words`.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, PI, RIGHT, UP, Line, Rectangle, RoundedRectangle, Triangle, VGroup, VMobject

from tracer.display import fmt
from tracer.explain import tensor_format
from tracer.kept import kept_of
from tracer.line_breaks import filled
from tracer.trace import Trace

from . import glyphs, style
from .leading import stacked
from .look import role_of
from .words import word

TEXT_WIDTH = style.FRAME_WIDTH - 2.0
WORDS_WIDTH = 5.6    # the recap's words beside its picture: a column, the picture the rest of the page
LEGEND = (("legend_given", style.GIVEN_FILL, style.GIVEN_EDGE, style.INK),
          ("legend_computed", style.COMPUTED_FILL, style.COMPUTED_EDGE, style.COMPUTED),
          ("legend_grad", style.GRAD_FILL, style.GRAD_EDGE, style.GRAD),
          ("legend_updated", style.COMPUTED_FILL, style.COMPUTED_EDGE, style.UPDATE),
          ("legend_focus", style.PAPER, style.HIGHLIGHT, style.HIGHLIGHT))


def paper() -> Rectangle:
    """A blank page the size of the frame (a little more), to cover the canvas."""
    return Rectangle(width=style.FRAME_WIDTH + 0.2, height=style.FRAME_HEIGHT + 0.2, stroke_width=0,
                     fill_color=style.PAPER, fill_opacity=1.0)


def fit_page(page: VMobject) -> VMobject:
    """``page`` shrunk (never grown) to fit the page area (``style.PAGE_*``) and moved into it where
    it sticks out: a page is laid out for the area, this keeps an unusually long one in it too.

    >>> from manim import Square
    >>> big = fit_page(Square(side_length=9.0))
    >>> round(float(big.height), 2) == round(style.PAGE_TOP - style.PAGE_BOTTOM, 2)
    True
    >>> bool(big.get_bottom()[1] >= style.PAGE_BOTTOM - 1e-6)
    True
    """
    room = np.array([style.PAGE_RIGHT - style.PAGE_LEFT, style.PAGE_TOP - style.PAGE_BOTTOM])
    shrink = min(1.0, *(room / np.maximum([page.width, page.height], 1e-6)))
    if shrink < 1.0:
        page.scale(shrink)
    lo, hi = page.get_corner(DOWN + LEFT), page.get_corner(UP + RIGHT)
    floor, ceiling = np.array([style.PAGE_LEFT, style.PAGE_BOTTOM]), np.array([style.PAGE_RIGHT, style.PAGE_TOP])
    shift = np.maximum(floor - lo[:2], 0.0) - np.maximum(hi[:2] - ceiling, 0.0)
    return page.shift([*shift, 0.0])


def legend(lang: str) -> VGroup:
    """The one colour legend of every walkthrough: a sample cell per role, and the diverging map
    of signed values (purple − , white 0, orange +)."""
    keys = VGroup()
    for key, fill, edge, ink in LEGEND:
        cell = Rectangle(width=0.62, height=0.36, stroke_width=2.4 if key == "legend_focus" else 1.2,
                         stroke_color=edge, fill_color=fill, fill_opacity=1.0)
        sample = glyphs.number("0.5", ink, style.SMALL_NUMBER_SIZE).move_to(cell)
        keys.add(VGroup(cell, sample, glyphs.prose(word(key, lang), lang, style.MUTED, 18).next_to(cell, DOWN, buff=0.1)))
    ramp = VGroup(*[Rectangle(width=0.2, height=0.36, stroke_width=0, fill_opacity=1.0, fill_color=_signed(v))
                    for v in (-1.0, -0.6, -0.3, 0.0, 0.3, 0.6, 1.0)]).arrange(RIGHT, buff=0)
    keys.add(VGroup(ramp, glyphs.prose(word("legend_signed", lang), lang, style.MUTED, 18).next_to(ramp, DOWN, buff=0.1)))
    return keys.arrange(RIGHT, buff=0.45, aligned_edge=UP)


def _signed(v: float) -> str:
    from .look import heat

    return heat(v, 1.0)


def wrap(s: str, lang: str, size: float, width: float = TEXT_WIDTH, color: str = style.INK,
         bold: bool = False) -> VGroup:
    """``s`` as lines of prose at most ``width`` wide, as :func:`tracer.line_breaks.filled` breaks
    them by their drawn width (between words; in Chinese between characters, by 禁則, never inside
    a number), stacked baseline under baseline; the texts of the lines as ``.lines``."""
    lines = filled(s, width, lambda line: glyphs.prose_width(line, lang, size, bold), lang)
    group = stacked([glyphs.prose(line, lang, color, size, bold) for line in lines], lines, lang, size, bold)
    group.lines = lines
    return group


def title_page(title: str, question: str, lang: str) -> VGroup:
    """The opening card: the story's title, its question, and the colour legend (shown once)."""
    big = glyphs.fit_width(glyphs.title(title, lang, style.INK, 46), TEXT_WIDTH)
    underline = Line(LEFT * 2.5, RIGHT * 2.5, stroke_width=4, color=style.COMPUTED)
    ask = wrap(question, lang, 26, color=style.MUTED) if question else VGroup()
    head = VGroup(big, underline, ask).arrange(DOWN, buff=0.3).move_to(UP * 1.0)
    keys = legend(lang).next_to(head, DOWN, buff=0.6)
    return fit_page(VGroup(head, keys).move_to(UP * (style.PAGE_TOP + style.PAGE_BOTTOM) / 2))


def summary_page(trace: Trace, title: str, repeat: int, losses: list[str], result: str | None,
                 lang: str) -> tuple[VGroup, list[VMobject]]:
    """A chapter fast-forwarded: "▶▶ ×N" (the sign alone for a single pass), its title, the losses it reached,
    and the tensor it ends on as a grid. Returns the page and the numbers to fill in, in order."""
    from .grid import NumberGrid
    from .look import kept_drawn

    arrows = fast_forward()
    tag = VGroup(arrows, glyphs.mono(f"×{repeat}", style.COMPUTED, 44, bold=True)) if repeat > 1 else VGroup(arrows)
    tag.arrange(RIGHT, buff=0.2)
    badge = RoundedRectangle(corner_radius=0.15, width=tag.width + 0.5, height=tag.height + 0.35,
                             stroke_color=style.COMPUTED, stroke_width=3, fill_opacity=0).move_to(tag)
    note = glyphs.prose(word("times", lang, n=repeat) if repeat > 1 else word("fast", lang), lang, style.MUTED, 20)
    head = VGroup(VGroup(badge, tag), glyphs.fit_width(glyphs.prose(title, lang, style.INK, 30, bold=True), TEXT_WIDTH - 3))
    head.arrange(RIGHT, buff=0.4)
    page = VGroup(head, note).arrange(DOWN, buff=0.2).move_to(UP * 2.6)
    fills: list[VMobject] = []
    below = note
    if losses:
        # each loss as its own grid writes it (2.31 → 4.00e−04, not 2.31 → 0.00)
        values = [(float(trace.tensors[t].data.reshape(-1)[0]), tensor_format(trace, t)) for t in losses]
        colon = "：" if lang.startswith("zh") else ":"
        parts = [glyphs.prose(f"{word('losses', lang)}{colon}", lang, style.MUTED, style.FORMULA_SIZE)]
        for k, (v, nf) in enumerate(values):
            if k:
                parts.append(glyphs.mono("→", style.MUTED, style.FORMULA_SIZE))
            parts.append(glyphs.mono(fmt(v, nf, "−"), style.COMPUTED, style.FORMULA_SIZE).set_opacity(0))
            fills.append(parts[-1])
        row = glyphs.fit_width(VGroup(*parts).arrange(RIGHT, buff=0.15), TEXT_WIDTH)
        page.add(row.next_to(below, DOWN, buff=0.45))
        below = row
    if result is not None:
        record = trace.tensors[result]
        labels = record.labels or ()
        grid = NumberGrid(record, hidden=True, role=role_of(record) if record.size <= 81 else None,   # a gradient in blue
                          row_labels=_axis(labels, -2), col_labels=_axis(labels, -1),
                          keep=kept_drawn(record.shape, kept_of(trace, result)), trace=trace)
        caption = glyphs.prose(word("ends_on", lang, name=record.name), lang, style.MUTED, 18)
        room = below.get_bottom()[1] - 0.35 - caption.height - 0.2 - style.PAGE_BOTTOM   # above the caption band
        if grid.height > room:
            grid.scale_to_fit_height(room)
        glyphs.fit_width(grid, TEXT_WIDTH)
        block = VGroup(caption, grid).arrange(DOWN, buff=0.2).next_to(below, DOWN, buff=0.35)
        page.add(block)
        rows: dict[int, list[VMobject]] = {}
        for (r, _), t in sorted(grid.values.items()):
            rows.setdefault(r, []).append(t)
        for r in sorted(rows):
            fills.append(VGroup(*rows[r]))
        for box in grid.cells.values():
            if getattr(box, "pending", False):
                box.set_fill(opacity=1.0).set_stroke(opacity=1.0)
    return fit_page(page), fills


def fast_forward() -> VGroup:
    """The fast-forward sign, two triangles (drawn: the number font has no ⏩)."""
    one = Triangle(fill_color=style.COMPUTED, fill_opacity=1.0, stroke_width=0).rotate(-PI / 2).scale(0.2)
    return VGroup(one, one.copy()).arrange(RIGHT, buff=0.0)


def _axis(labels: tuple, k: int) -> list[str] | None:
    if not labels or len(labels) < -k:
        return None
    names = labels[k]
    return list(names) if names else None


def recap_page(heading: str, recap: str, lang: str, result: VMobject | None = None) -> VGroup:
    """The last card: RECAP and the result a learner should leave with, in the story's words, and
    beside them ``result`` (the story's closing plot, its page), so that the video ends on the
    result itself, not on words about it."""
    head = glyphs.title(heading, lang, style.COMPUTED, 40)
    underline = Line(LEFT * 1.8, RIGHT * 1.8, stroke_width=4, color=style.COMPUTED)
    if result is None:
        body = wrap(recap, lang, 28)
        page = VGroup(head, underline, body).arrange(DOWN, buff=0.35)
    else:   # the words in a column on the right, the picture as large as the rest of the page allows
        body = wrap(recap, lang, 24, width=WORDS_WIDTH)
        words = VGroup(head, underline, body).arrange(DOWN, buff=0.3)
        body.align_to(words, LEFT)
        room = style.PAGE_TOP - style.PAGE_BOTTOM
        if words.height > room:
            words.scale(room / words.height)
        page = VGroup(_picture(result, style.PAGE_RIGHT - style.PAGE_LEFT - words.width - 0.5, room), words)
        page.arrange(RIGHT, buff=0.5)
    page.recap_lines = body.lines
    return fit_page(page.move_to(UP * (style.PAGE_TOP + style.PAGE_BOTTOM) / 2))


def _picture(plot_page: VMobject, width: float, height: float) -> VMobject:
    """A plot's page fitted to ``width`` × ``height``: its drawing as large as that allows, its
    title (a long line, that would shrink the drawing with it) narrowed to the drawing's room."""
    title = getattr(plot_page, "title", None)
    drawing = VGroup(*[m for m in plot_page.submobjects if m is not title])
    room = np.array([width, height - (title.height + 0.25 if title is not None else 0.0)])
    drawing.scale(min(*(room / np.maximum([drawing.width, drawing.height], 1e-6))))
    if title is None:
        return drawing
    return VGroup(glyphs.fit_width(title, width), drawing).arrange(DOWN, buff=0.25)
