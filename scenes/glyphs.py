"""Text without LaTeX, built fast.

Numbers, formulas and worked arithmetic are set in the pinned monospace font. Each character is
shaped once by Pango (a Manim ``Text``) and kept as a reference outline; a string is then assembled
from fresh copies of those outlines, one advance apart (measured: a ``Text`` costs 8-40 ms to build
and a ``.copy()`` 0.3 ms per glyph; a fresh outline 0.06 ms). Narration and titles, in proportional
fonts and any script (中文, Tiếng Việt), are plain ``Text``, built once per string.
"""
from __future__ import annotations

import numpy as np
from manim import Text, VMobject

from . import style

_REFS: dict[tuple[str, str, float, str], tuple[list[np.ndarray], float]] = {}
_ADVANCE: dict[tuple[str, float, str], tuple[float, np.ndarray]] = {}
_TEXTS: dict[tuple[str, str, float, str, str], Text] = {}


def _advance(font: str, size: float, weight: str) -> tuple[float, np.ndarray]:
    """The monospace advance and the centre of the first cell, from a line of two bars."""
    key = (font, size, weight)
    if key not in _ADVANCE:
        bars = Text("HH", font=font, font_size=size, weight=weight, disable_ligatures=True)
        a, b = bars.submobjects[0].get_center(), bars.submobjects[1].get_center()
        _ADVANCE[key] = (float(b[0] - a[0]), a)
    return _ADVANCE[key]


def _ref(ch: str, font: str, size: float, weight: str) -> tuple[list[np.ndarray], float]:
    """The outline(s) of ``ch`` relative to the centre of its character cell."""
    key = (ch, font, size, weight)
    if key not in _REFS:
        adv, _ = _advance(font, size, weight)
        try:  # shaped after an 'H', whose cell is known, so the glyph keeps its height on the line
            t = Text("H" + ch, font=font, font_size=size, weight=weight, disable_ligatures=True)
            cell = t.submobjects[0].get_center() + np.array([adv, 0.0, 0.0])
            outlines = [m.points - cell for m in t.submobjects[1:] if len(m.points)]
        except ValueError:  # a character Pango will not shape on its own: centre it in its cell
            t = Text(ch, font=font, font_size=size, weight=weight)
            outlines = [m.points - t.get_center() for m in t.submobjects if len(m.points)]
        _REFS[key] = (outlines, adv)
    return _REFS[key]


def line(s: str, color: str = style.INK, size: float = style.FORMULA_SIZE, bold: bool = False) -> VMobject:
    """``s`` in the number font: one mobject whose outline is every glyph's, centred at the
    origin (one mobject per number, not per glyph: a canvas of many grids stays light)."""
    font, weight = style.number_font(), "BOLD" if bold else "NORMAL"
    adv, _ = _advance(font, size, weight)
    parts = []
    for k, ch in enumerate(s):
        if ch.isspace():
            continue
        outlines, _ = _ref(ch, font, size, weight)
        parts += [pts + np.array([k * adv, 0.0, 0.0]) for pts in outlines]
    mob = VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0)
    if parts:
        mob.points = np.concatenate(parts)
    else:  # a blank keeps a size and a place, invisibly
        mob.points = np.array([[0, 0.1, 0], [0, 0.1, 0], [0, -0.1, 0], [0, -0.1, 0]], dtype=float)
        mob.set_fill(opacity=0.0)
    width = max(len(s), 1) * adv
    # centre on the character cells (not the ink), so numbers of one width line up
    mob.shift(np.array([-(width - adv) / 2, -_baseline_mid(font, size, weight), 0.0]))
    mob.text = s  # what it says (tests read it back)
    return mob


def _baseline_mid(font: str, size: float, weight: str) -> float:
    """Vertical offset that centres digits (not descenders) on the line's middle."""
    outlines, _ = _ref("0", font, size, weight)
    ys = np.concatenate([p[:, 1] for p in outlines])
    return float((ys.max() + ys.min()) / 2)


def number(s: str, color: str = style.INK, size: float = style.NUMBER_SIZE) -> VMobject:
    """A number (or any short monospace string) as shown in a grid cell."""
    return line(s, color, size)


def mono(s: str, color: str = style.INK, size: float = style.FORMULA_SIZE, bold: bool = False) -> VMobject:
    """A formula, a label or a worked line of arithmetic, in the number font."""
    return line(s, color, size, bold)


def _text(s: str, font: str, size: float, color: str, weight: str = "NORMAL") -> Text:
    if not s.strip():  # Pango draws no glyph for blanks: an invisible dot keeps a size and a place
        return _text(".", font, size, color, weight).set_opacity(0)
    key = (s, font, size, color, weight)
    master = _TEXTS.get(key)
    if master is None:
        master = Text(s, font=font, font_size=size, color=color, weight=weight, disable_ligatures=True)
        _TEXTS[key] = master
    return master.copy()


def prose(s: str, lang: str = "en", color: str = style.INK, size: float = style.NARRATION_SIZE,
          bold: bool = False) -> Text:
    """A sentence of narration in a font that has the language's script (中文, Tiếng Việt)."""
    return _text(s, style.prose_font(lang), size, color, "BOLD" if bold else "NORMAL")


def title(s: str, lang: str = "en", color: str = style.INK, size: float = 40) -> Text:
    return _text(s, style.title_font(lang), size, color, "BOLD")


def fit_width(mob: VMobject, width: float) -> VMobject:
    """Shrink ``mob`` to at most ``width`` (never grow it): long formulas stay on screen."""
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob
