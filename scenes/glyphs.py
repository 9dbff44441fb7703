"""Text without LaTeX, built fast.

Numbers, formulas and worked arithmetic are set in the pinned monospace font. Each character is
shaped once by Pango (a Manim ``Text``) and kept as a reference outline; a string is then assembled
from fresh copies of those outlines, one advance apart (measured: a ``Text`` costs 8-40 ms to build
and a ``.copy()`` 0.3 ms per glyph; a fresh outline 0.06 ms). A CJK character in such a line (a
token 蘋果, a label 更新前的 W_Q) is set in the render language's CJK face at that face's own
advance, on the number font's baseline: two monospace cells would letter-space it. A prime (dx′,
dx″) is set as the mathematical prime, a wedge slanted right, in the number font's cell: that font
draws it like a closing quote ’ (:func:`scenes.primes.outline`). Narration and
titles, in proportional fonts and any script (中文, Tiếng Việt), are plain ``Text``, built once per
string.
"""
from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterator
from html import escape

import numpy as np
from manim import MarkupText, Text, VMobject

from tracer.line_breaks import wide
from tracer.notation import MINUS, POWER, power_text, true_minus

from . import ink, manim_adapter, primes, style

_REFS: dict[tuple[object, ...], tuple[list[np.ndarray], float]] = {}
_ADVANCE: dict[tuple[str, float, str], tuple[float, np.ndarray]] = {}
RAISED_SCALE = 0.72   # a superscript's size, of its line's
RAISED_LIFT = 0.45    # how far it is raised, in digit heights
_TEXTS: dict[tuple[str, str, float, str, str], Text] = {}
_SPACE: dict[tuple[str, float, str], float] = {}   # a CJK face's word space
# the render's language: its CJK face sets the CJK characters of a monospace line (language())
_LANGUAGE = ["en"]


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Draw the CJK characters of every :func:`line` inside in ``lang``'s CJK face
    (:func:`scenes.style.cjk_font`); the language before comes back after. A scene draws in it.

    >>> with language("zh-Hant"):
    ...     _LANGUAGE[0]
    'zh-Hant'
    >>> _LANGUAGE[0]
    'en'
    """
    before, _LANGUAGE[0] = _LANGUAGE[0], lang
    try:
        yield
    finally:
        _LANGUAGE[0] = before


def scene_language() -> str:
    """The language the scene being drawn is in (:func:`language`; ``"en"`` outside one).

    >>> with language("vi"):
    ...     scene_language()
    'vi'
    """
    return _LANGUAGE[0]


def _advance(font: str, size: float, weight: str) -> tuple[float, np.ndarray]:
    """The monospace advance and the centre of the first cell, from a line of two bars."""
    key = (font, size, weight)
    if key not in _ADVANCE:
        bars = Text("HH", font=font, font_size=size, weight=weight, disable_ligatures=True)
        a, b = bars.submobjects[0].get_center(), bars.submobjects[1].get_center()
        _ADVANCE[key] = (float(b[0] - a[0]), a)
    return _ADVANCE[key]


def _ref(ch: str, font: str, size: float, weight: str) -> tuple[list[np.ndarray], float]:
    """The outline(s) of ``ch`` (a character and its combining marks: ``m̂``) in the monospace
    ``font``, relative to the centre of its cell, and the font's advance."""
    key = (ch, font, size, weight)
    if key not in _REFS and ch == MINUS:   # the number font draws − as its hyphen: a minus as wide as +
        bar, adv = _ref("-", font, size, weight)
        xs, plus = np.concatenate([o[:, 0] for o in bar]), np.concatenate([o[:, 0] for o in _ref("+", font, size, weight)[0]])
        mid, stretch = (xs.max() + xs.min()) / 2, (plus.max() - plus.min()) / (xs.max() - xs.min())
        _REFS[key] = ([o * np.array([stretch, 1.0, 1.0]) - np.array([mid * (stretch - 1), 0.0, 0.0]) for o in bar], adv)
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


def _wide_ref(ch: str, font: str, size: float, weight: str, number_font: str) -> tuple[list[np.ndarray], float]:
    """The outline(s) of the CJK character ``ch`` in the CJK face ``font``, relative to the centre
    of its cell as :func:`_ref` places a number font's glyph (so it sits on that font's baseline),
    and the face's own advance. Shaped between two bars (丨), whose middle is the character's cell
    whatever its ink (a comma keeps its corner), after an 'H' on the baseline."""
    key = (ch, font, size, weight, number_font)   # its baseline is the number font's
    if key not in _REFS:
        t = Text("H丨" + ch + "丨", font=font, font_size=size, weight=weight, disable_ligatures=True)
        h, left, right = t.submobjects[0], t.submobjects[1], t.submobjects[-1]
        adv = float(right.get_center()[0] - left.get_center()[0]) / 2
        # the number font's cell centre is half its capital's height above the baseline
        cap = Text("H", font=number_font, font_size=size, weight=weight).height
        cell = np.array([(left.get_center()[0] + right.get_center()[0]) / 2, h.get_bottom()[1] + cap / 2, 0.0])
        _REFS[key] = ([m.points - cell for m in t.submobjects[2:-1] if len(m.points)], adv)
    return _REFS[key]


def _wide_space(font: str, size: float, weight: str) -> float:
    """The CJK face's word space: a space beside a CJK character (的 W_Q) is as wide as the prose
    sets it, not a monospace cell (three times as wide)."""
    key = (font, size, weight)
    if key not in _SPACE:
        def apart(s: str) -> float:
            a, b = Text(s, font=font, font_size=size, weight=weight).submobjects
            return float(b.get_center()[0] - a.get_center()[0])
        _SPACE[key] = apart("丨 丨") - apart("丨丨")
    return _SPACE[key]


def runs(s: str) -> list[tuple[str, bool]]:
    """``s`` cut into characters (each with its combining marks) and whether each is raised: the
    power of ``e^x``, ``e^(−z_f)`` or ``10000^(2i/d)`` is drawn as a real superscript (the caret and
    the power's brackets go; a caret with nothing after it stays).

    >>> "".join(c for c, up in runs("e^(x − 1)·2^n") if up), len(runs("m̂"))
    ('x − 1n', 1)
    """
    out: list[tuple[str, bool]] = []

    def add(text: str, up: bool) -> None:
        for ch in text:
            if unicodedata.combining(ch) and out:
                out[-1] = (out[-1][0] + ch, out[-1][1])
            else:
                out.append((ch, up))
    at = 0
    for m in POWER.finditer(s):
        add(s[at:m.start()], False)
        add(power_text(m), True)
        at = m.end()
    add(s[at:], False)
    return out


def line(s: str, color: str = style.INK, size: float = style.FORMULA_SIZE, bold: bool = False) -> VMobject:
    """``s`` in the number font: one mobject whose outline is every glyph's, centred at the
    origin (one mobject per number, not per glyph: a canvas of many grids stays light). A power
    (``e^x``) is set smaller and raised; a CJK character is set in the language's CJK face at its
    own advance (:func:`language`), and a space beside it as that face spaces words; a
    negative number's sign is the minus ``−`` whatever the text says."""
    s = true_minus(s)
    font, weight = style.number_font(), "BOLD" if bold else "NORMAL"
    cjk = style.cjk_font(_LANGUAGE[0])
    adv, _ = _advance(font, size, weight)
    small = round(size * RAISED_SCALE, 1)
    lift = RAISED_LIFT * _digit_height(font, size, weight)
    parts, x = [], 0.0
    chars = runs(s)
    for k, (ch, up) in enumerate(chars):
        at_size = small if up else size
        if wide(ch):
            outlines, a = _wide_ref(ch, cjk, at_size, weight, font)
        elif ch in primes.PRIMES:
            a = _advance(font, at_size, weight)[0]
            outlines = primes.outline(ch, at_size, weight, font, a)
        elif ch == " " and _between_words(chars, k):
            outlines, a = [], _wide_space(cjk, at_size, weight)
        else:
            a = _advance(font, at_size, weight)[0]
            outlines = [] if ch.isspace() else _ref(ch, font, at_size, weight)[0]
        at = np.array([x + a / 2, lift if up else 0.0, 0.0])
        parts += [pts + at for pts in outlines]
        x += 0.0 if unicodedata.combining(ch[0]) else a   # a mark with no character before it: no cell
    mob = VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0)
    if parts:
        mob.points = np.concatenate(parts)
    else:  # a blank keeps a size and a place, invisibly
        mob.points = np.array([[0, 0.1, 0], [0, 0.1, 0], [0, -0.1, 0], [0, -0.1, 0]], dtype=float)
        mob.set_fill(opacity=0.0)
    width = max(x, adv)
    # centre on the character cells (not the ink), so numbers of one width line up
    mob.shift(np.array([-width / 2, -_baseline_mid(font, size, weight), 0.0]))
    mob.text = s  # what it says (tests read it back)
    return mob


def _between_words(chars: list[tuple[str, bool]], k: int) -> bool:
    """The space ``chars[k]`` stands beside a CJK character and between words (的 W_Q, 取 sin):
    spaced as the CJK face spaces words. Beside a sign (``PE = 偶數列``) it keeps its monospace
    cell, as the space on the sign's other side does, or the sign leans on the word (``PE =偶``)."""
    near = [chars[j][0] for j in (k - 1, k + 1) if 0 <= j < len(chars)]
    return any(wide(c) for c in near) and all(wide(c) or c[0].isalnum() or c[0] == "_" for c in near)


def baseline(size: float = style.FORMULA_SIZE, bold: bool = False) -> float:
    """The height of the baseline in a :func:`line` of ``size`` as drawn (before it is moved),
    whatever its ink ("upon" and "once" alike): where an H stands, below the digits' middle at
    the origin (a digit's round foot dips a little below it).

    >>> baseline(22) < 0
    True
    """
    font, weight = style.number_font(), "BOLD" if bold else "NORMAL"
    feet = min(float(o[:, 1].min()) for o in _ref("H", font, size, weight)[0])
    return feet - _baseline_mid(font, size, weight)


def _digit_height(font: str, size: float, weight: str) -> float:
    outlines, _ = _ref("0", font, size, weight)
    ys = np.concatenate([p[:, 1] for p in outlines])
    return float(ys.max() - ys.min())


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
    return _master(true_minus(s), font, size, color, weight).copy()


def _master(s: str, font: str, size: float, color: str, weight: str) -> Text:
    """The one drawing of ``s`` kept for its copies (Pango and the SVG parse cost ~0.1 s)."""
    key = (s, font, size, color, weight)
    master = _TEXTS.get(key)
    if master is None:
        if POWER.search(s):  # a power in a sentence (base^(2i/d)) is raised there too
            master = MarkupText(_sup(s), font=font, font_size=size, color=color, weight=weight)
        else:
            master = Text(s, font=font, font_size=size, color=color, weight=weight, disable_ligatures=True)
        _TEXTS[key] = manim_adapter.drop_svg_parse(master)
    return _TEXTS[key]


def prose_width(s: str, lang: str = "en", size: float = style.NARRATION_SIZE, bold: bool = False) -> float:
    """How wide :func:`prose` draws ``s``: its ink, read off Pango's outline (:mod:`scenes.ink`)
    without building the ``Text`` (a card's line breaking measures many lines it never draws)."""
    if not s.strip():
        return 0.0
    s, font, weight = true_minus(s), style.prose_font(lang), "BOLD" if bold else "NORMAL"
    key = (s, font, size, style.INK, weight)
    if key in _TEXTS or POWER.search(s) or "\t" in s or "\n" in s:   # drawn already, or set as markup
        return float(_master(s, font, size, style.INK, weight).width)
    return ink.width(s, font, size, weight)


def _sup(s: str) -> str:
    """Pango markup of ``s`` with its powers in ``<sup>`` (the rest escaped)."""
    out, at = [], 0
    for m in POWER.finditer(s):
        out += [escape(s[at:m.start()]), "<sup>", escape(power_text(m)), "</sup>"]
        at = m.end()
    return "".join(out + [escape(s[at:])])


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
