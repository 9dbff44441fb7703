"""The caption band at the bottom of the frame and the chapter header at its top.

Every step carries a caption: its formula (monospace), the arithmetic being worked right now
(orange, or blue for gradients) and one sentence of narration in the chosen language, in a font
that has the language's script. The band is pinned to the camera: when the camera pans, the band
travels with it (see :class:`~scenes.stage.Stage`).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Line, Rectangle, VGroup, VMobject

from tracer.lecture.subtitles import first_sentences
from tracer.line_breaks import break_at

from . import glyphs, style
from .manim_adapter import video_time
from .words import word

TEXT_WIDTH = style.FRAME_WIDTH - 0.8
MARGIN = 0.06            # the formula from the band's top edge
FOOT = 0.1               # the narration from the frame's bottom (6 px at 480p: clear of the edge)
LEADING = 0.04           # between a two-line narration's lines (clear of Vietnamese diacritics)
FORMULA_HEIGHT = 0.23    # the formula line's height (its glyphs, bold, at FORMULA_SIZE)
GAP = 0.04               # between the work line and the formula above it, the narration below it
WRAP_BELOW = 0.85        # a working drawn smaller than this on one line is drawn on two
ONE_LINE = 0.27          # a one-line narration's height (the room never reaches lower)


def split_at(text: str, k: int, lang: str) -> tuple[str, str]:
    """Cut ``text`` near character ``k``, between two of its pieces as a card breaks its lines
    (:func:`tracer.line_breaks.break_at`: at a space; in Chinese between two characters, never before a
    closing mark or after an opening one, nor inside a number): at the last place before ``k``
    when one is close by, else the first after it.

    >>> split_at("梯度是 1.63e−04，很小", 10, "zh")   # not 1.63e / −04，, not ，很小
    ('梯度是 1.63e−04，', '很小')
    """
    at = break_at(text, lang, near=k)
    if at is None:
        return text, ""
    return text[:at].rstrip(), text[at:].lstrip()


def _narration(text: str, lang: str) -> VMobject:
    """One line, or two cut where the rendered width says (mixed 中文 and formulas measure
    differently from their character count), shrunk only if a line still overflows."""
    color, size = "#495057", style.NARRATION_SIZE
    whole = glyphs.prose(text, lang, color, size)
    if whole.width <= TEXT_WIDTH:
        return whole
    size -= 1   # two lines a point smaller and closer: the working above keeps its room
    k = max(1, int(len(text) * TEXT_WIDTH / whole.width) - 2)
    first, rest = split_at(text, k, lang)
    group = VGroup(glyphs.prose(first, lang, color, size), glyphs.prose(rest, lang, color, size))
    group.arrange(DOWN, aligned_edge=LEFT, buff=LEADING)
    return glyphs.fit_width(group, TEXT_WIDTH)


def backdrop() -> VGroup:
    """The paper the captions sit on: a band along the frame's bottom (with a rule) and a strip
    along its top for the chapter header. It stays while the texts on it change."""
    bottom = -style.FRAME_HEIGHT / 2
    top = bottom + style.CAPTION_HEIGHT
    band = Rectangle(width=style.FRAME_WIDTH + 0.2, height=style.CAPTION_HEIGHT, stroke_width=0,
                     fill_color=style.PAPER, fill_opacity=1.0).move_to([0, (top + bottom) / 2, 0])
    rule = Line([-style.FRAME_WIDTH / 2 + 0.3, top, 0], [style.FRAME_WIDTH / 2 - 0.3, top, 0],
                stroke_width=1.5, color=style.FAINT)
    strip = Rectangle(width=style.FRAME_WIDTH + 0.2, height=style.HEADER_HEIGHT, stroke_width=0,
                      fill_color=style.PAPER, fill_opacity=1.0)
    strip.move_to([0, (style.FRAME_HEIGHT - style.HEADER_HEIGHT) / 2, 0])
    return VGroup(band, rule, strip)


class Caption(VGroup):
    """A step's formula and narration on the caption band (origin frame; the stage moves it with
    the camera). The formula sits at the band's top, the narration (one line or two) at its
    bottom; the work line between them is the stage's, changed cell by cell, drawn in the room
    they leave (:attr:`work_room`: two lines of working fit at full size over a one-line
    narration)."""

    def __init__(self, formula: str = "", narration: str = "", lang: str = "en") -> None:
        super().__init__()
        top = -style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT
        self.formula = glyphs.fit_width(glyphs.mono(formula, style.INK, style.FORMULA_SIZE, bold=True), TEXT_WIDTH)
        self.formula.move_to([0, top - MARGIN - FORMULA_HEIGHT / 2, 0]).align_to([-TEXT_WIDTH / 2, 0, 0], LEFT)
        self.narration = _narration(narration, lang)
        self.narration.next_to([-TEXT_WIDTH / 2, -style.FRAME_HEIGHT / 2 + FOOT, 0], UP, buff=0, aligned_edge=LEFT)
        self.narration.align_to([-TEXT_WIDTH / 2, 0, 0], LEFT)
        self.work_room = work_room(self.narration.height if narration.strip() else 0.0)
        self.add(self.formula, self.narration)


def work_room(narration_height: float) -> tuple[float, float]:
    """The band's room for the work line (origin frame, top and bottom y) above a narration of
    this height: between the formula and the narration."""
    top = -style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT - MARGIN - FORMULA_HEIGHT - GAP
    bottom = -style.FRAME_HEIGHT / 2 + FOOT + max(narration_height, ONE_LINE) + GAP
    return top, bottom


def wrap_at(text: str, fits=None) -> int | None:
    """Where to cut a working in two (:func:`tracer.line_breaks.break_at` of a working): between two
    workings run together (``;  ``), else before a `` + `` or `` − `` between its terms (the least
    bracketed ones), before its ``=`` only when there is no other; the last one whose first line
    ``fits``, or the one that leaves the halves most even; None when there is none (an elided
    stretch ``[94 terms: …]`` is never cut). The space cut at is dropped: ``text[:k]``,
    ``text[k + 1:]``.

    >>> wrap_at("0.244×(−0.081) − 0.705×(−0.248) = −0.17")
    14
    """
    return break_at(text, fits=fits, working=True)


def work_line(text: str, color: str = style.COMPUTED, room: tuple[float, float] | None = None) -> VMobject:
    """The arithmetic being worked, on the caption's middle line (origin frame), in ``room`` (the
    caption's :attr:`Caption.work_room`). A working that one line would draw smaller than
    ``WRAP_BELOW`` goes on two, cut between two terms, when they draw it larger: the text stays
    one line (the stepper and the tests read it whole), only its drawing is folded."""
    top, bottom = room or work_room(ONE_LINE)

    def draw(s: str) -> VMobject:
        return glyphs.mono(s, color, style.FORMULA_SIZE)
    one = draw(text)
    drawn: VMobject = one
    scale = min(1.0, TEXT_WIDTH / one.width, (top - bottom) / one.height)
    if scale < WRAP_BELOW:
        wide = min(1.0, 2 * TEXT_WIDTH / one.width)   # the size two full lines would draw it at
        cut = wrap_at(text, lambda first: draw(first).width * wide <= TEXT_WIDTH)
        if cut is not None:
            two = VGroup(draw(text[:cut]), draw(text[cut + 1:])).arrange(DOWN, aligned_edge=LEFT, buff=0.03)
            folded = min(1.0, TEXT_WIDTH / two.width, (top - bottom) / two.height)
            if folded > scale:
                drawn, scale = two, folded
    drawn.scale(scale)
    return drawn.move_to([0, (top + bottom) / 2, 0]).align_to([-TEXT_WIDTH / 2, 0, 0], LEFT)


def on_screen(scene, text: str) -> None:
    """Note that ``text`` comes on screen now (the renderer's clock: seconds into the video being
    written) on the scene's ``captions_shown``; the subtitles are cut from these notes."""
    shown = getattr(scene, "captions_shown", None)
    if shown is not None and not getattr(scene, "skipping", False):
        shown.append((video_time(scene), text))


def card_said(card: str, title: str, gist: str = "", repeat: int = 1, lang: str = "en") -> str:
    """A card's subtitle: its title and its gist, not every word and number on it (a viewer reads
    those on the card). The title card's question; a fast-forwarded chapter as "fast-forward:" and
    what it covers (×N when it stands for N passes); the recap's first sentence(s); the overview's
    and a plot's title alone.

    >>> card_said("summary", "Training steps 2–5", repeat=4)
    'fast-forward: Training steps 2–5\\nthe same computation ×4'
    >>> recap = "(x − 50) / (90 − 50)：最低分變成 0，最高分變成 1。Ana 90 → 1.00、Bao 80 → 0.75。"
    >>> card_said("recap", "重點回顧", recap, lang="zh-Hant")
    '重點回顧\\n(x − 50) / (90 − 50)：最低分變成 0，最高分變成 1。'
    """
    if card == "summary":
        colon = "：" if lang.startswith("zh") else ": "
        lines = [f"{word('fast', lang)}{colon}{title}", word("times", lang, n=repeat) if repeat > 1 else ""]
    elif card == "recap":
        lines = [title, first_sentences(gist)]
    elif card == "title":
        lines = [title, gist]
    else:
        lines = [title]
    return "\n".join(line for line in lines if line)


def header(text: str, lang: str = "en") -> VMobject:
    """The chapter title at the frame's top-left corner (origin frame), on the backdrop's strip,
    shrunk to the frame's width when longer (a title naming two ways back in words)."""
    label = glyphs.fit_width(glyphs.prose(text, lang, style.MUTED, 22, bold=True), style.FRAME_WIDTH - 0.7)
    corner = np.array([-style.FRAME_WIDTH / 2 + 0.35, style.FRAME_HEIGHT / 2 - 0.3, 0])
    return label.move_to(corner, aligned_edge=LEFT)


def title_card(title: str, subtitle: str, lang: str = "en") -> VGroup:
    """The opening card: the walkthrough's title and a one-line summary."""
    big = glyphs.fit_width(glyphs.title(title, lang, style.INK, 46), style.FRAME_WIDTH - 1.5)
    small = glyphs.fit_width(glyphs.prose(subtitle, lang, style.MUTED, 24), style.FRAME_WIDTH - 1.5)
    underline = Line(LEFT * 2.5, RIGHT * 2.5, stroke_width=4, color=style.COMPUTED)
    card = VGroup(big, underline, small).arrange(DOWN, buff=0.3)
    return card.move_to(UP * 0.4)
