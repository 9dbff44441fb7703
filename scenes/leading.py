"""Lines of prose stacked as a page sets them (broken by :func:`tracer.line_breaks.filled`):
baseline under baseline, one pitch apart.

Stacked by their ink instead (``arrange(DOWN)``), a line with a descender (``y``, ``(``) or a
Chinese character (whose ink reaches below the Latin baseline) pushes the next line down, and a
paragraph's lines stand 0.40 and 0.47 apart by turns. Each line's baseline is found from its own
glyphs: where the letters that sit on it (``H``, ``x``, ``0``) end; in a line of Chinese alone,
where its characters end, raised by what they reach below an ``H`` of the same face.

>>> from scenes import glyphs
>>> texts = ["a line with a descender: gy", "no descender here", "and (one) more"]
>>> lines = [glyphs.prose(s, size=24) for s in texts]
>>> page = stacked(lines, texts, "en", 24)
>>> feet = [baseline_of(m, s, "en", 24) for m, s in zip(lines, texts)]
>>> [round(a - b, 6) for a, b in zip(feet, feet[1:])] == [round(pitch("en", 24), 6)] * 2
True
"""
from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np
from manim import DOWN, LEFT, UP, VGroup, VMobject

from . import glyphs

GAP = 0.18           # between one line's lowest descender and the next line's highest accent
_SITS = set("ABCDEFGHIKLMNOPRSTUVWXYZabcdefhiklmnorstuvwxz0123456789")   # no descender, no tail


def _sits(ch: str) -> bool:
    """``ch`` stands on the baseline: a letter or digit without a descender (Vietnamese ``ố`` too,
    not ``ạ``, whose dot hangs below)."""
    parts = unicodedata.normalize("NFD", ch)
    return parts[0] in _SITS and "\u0323" not in parts


def baseline_of(line: VMobject, text: str, lang: str = "en", size: float = 24, bold: bool = False) -> float | None:
    """The height of ``line``'s baseline as drawn (``text`` is what it draws, one glyph per
    character, in ``lang``'s face at ``size``); ``None`` when its glyphs do not match its
    characters (a raised power) or none of them tells."""
    chars = list(unicodedata.normalize("NFC", text))   # a space is a glyph too (an empty one)
    if len(chars) != len(line.submobjects):
        return None
    sits = [float(m.get_bottom()[1]) for c, m in zip(chars, line.submobjects) if _sits(c)]
    if sits:
        return float(np.median(sits))
    wide = [float(m.get_bottom()[1]) for c, m in zip(chars, line.submobjects) if glyphs.wide(c)]
    return float(np.median(wide)) + _cjk_dip(lang, size, bold) if wide else None


@cache
def _cjk_dip(lang: str, size: float, bold: bool) -> float:
    """How far a Chinese character's ink reaches below the baseline an ``H`` stands on, in the
    language's face at ``size``."""
    h, ch = glyphs.prose("H我", lang, size=size, bold=bold).submobjects
    return float(h.get_bottom()[1] - ch.get_bottom()[1])


@cache
def pitch(lang: str, size: float, bold: bool = False) -> float:
    """From one baseline to the next: the height from the tallest accent to the lowest descender
    of the language's face at ``size``, and :data:`GAP`."""
    probe = "Ág我" if lang.startswith("zh") else "Ágỵ"
    return float(glyphs.prose(probe, lang, size=size, bold=bold).height) + GAP


def stacked(lines: list[VMobject], texts: list[str], lang: str, size: float, bold: bool = False) -> VGroup:
    """``lines`` (drawing ``texts``) left-aligned, each baseline :func:`pitch` under the one before
    (a line whose baseline cannot be told goes :data:`GAP` under the one before, as ``arrange``
    would)."""
    step = pitch(lang, size, bold)
    feet_before: float | None = None
    for k, (m, s) in enumerate(zip(lines, texts)):
        feet = baseline_of(m, s, lang, size, bold)
        if k and feet is not None and feet_before is not None:
            m.shift(UP * (feet_before - step - feet))
            feet = feet_before - step
        elif k:
            m.next_to(lines[k - 1], DOWN, buff=GAP)
            feet = baseline_of(m, s, lang, size, bold)
        if k:
            m.align_to(lines[0], LEFT)
        feet_before = feet
    return VGroup(*lines)


def centred_on(line: VMobject, text: str, y: float, lang: str, size: float, bold: bool = False) -> VMobject:
    """``line`` moved up or down so that its lowercase letters are centred on height ``y`` (a bar's
    middle): its baseline where an ``x`` centred there stands, whatever its descenders (``queen``
    stood higher than ``the`` beside bars of one height)."""
    feet = baseline_of(line, text, lang, size, bold)
    if feet is None:
        return line.set_y(y)
    return line.shift(UP * (y - _x_half(lang, size, bold) - feet))


@cache
def _x_half(lang: str, size: float, bold: bool) -> float:
    return float(glyphs.prose("x", lang, size=size, bold=bold).height) / 2
