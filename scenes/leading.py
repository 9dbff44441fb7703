"""Lines of prose broken and stacked as a page sets them: between two unbreakable pieces
(:func:`pieces`, the subtitles' 禁則 in Chinese), baseline under baseline, one pitch apart.

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
from itertools import accumulate

import numpy as np
from manim import DOWN, LEFT, UP, VGroup, VMobject

from tracer.lecture.subtitles import NO_END, NO_START

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


# Chinese line breaking (禁則, the subtitles' rule): a closing mark never starts a line and an
# opening one never ends one, so each rides with its neighbour; a number such as 1.63e−04 is one word.
_CLOSING, _OPENING = NO_START | {"％"}, NO_END
_JOINERS = set("−×·^")   # inside a run of Latin letters or digits, not a place to break


_GLUED = ("=", "≈")   # an equation's sign keeps both its sides on its line
_TRAILING = ("→",)     # an arrow stays with what it points from

# a working's ranks, the lower the better a cut: between two workings run together, between two
# terms (the least bracketed first), before its "=" only when there is nothing else
_BETWEEN_WORKINGS, _BETWEEN_TERMS, _BEFORE_RESULT = -1, 0, 1


def breaks(s: str, lang: str = "en", working: bool = False) -> list[tuple[int, tuple[int, int]]]:
    """Where ``s`` may be cut into lines, in order: each place as (its offset, its rank), the line
    before it ``s[:offset]`` and the line after it ``s[offset:]``, stripped of the space it starts
    with; the lower the rank, the better a place to cut. The one rule book of every line break: a
    card's lines (:func:`scenes.cards.wrap`), a caption's two lines of narration
    (:func:`scenes.caption.split_at`) and of a working (:func:`scenes.caption.wrap_at`).

    Prose breaks between two :func:`pieces` (a space; in Chinese between two characters, by the
    subtitles' 禁則), every place ranked alike: a number (``1.63e−04``), an equation (``p = 0.9995``)
    or a mark that closes or opens stays whole. A ``working`` (the arithmetic of a cell, in
    monospace) breaks only where a reader can pick it up again: between two workings run together
    (``;  ``) first, else before a `` + `` or `` − `` between its terms (the least bracketed: between
    two squares, not inside one), before its `` = `` only when there is no other; never inside an
    elided stretch ``[94 terms: …]``, nor inside a number (a minus sign with no space after it).

    >>> breaks("梯度是 1.63e−04，很小", "zh")
    [(1, (0, 0)), (2, (0, 0)), (3, (0, 0)), (4, (0, 0)), (13, (0, 0)), (14, (0, 0))]
    >>> breaks("(0.2 − 1)² + (−0.3 − 2)² = 5.9", working=True)
    [(4, (0, 1)), (10, (0, 0)), (18, (0, 1)), (24, (1, 0))]
    """
    if working:
        return _working_breaks(s)
    ends = list(accumulate(len(p) for p in _prose_pieces(s, lang)))[:-1]
    return [(at, (0, 0)) for at in ends]


def pieces(s: str, lang: str, working: bool = False) -> list[str]:
    """The unbreakable pieces of ``s``, cut at its :func:`breaks`: words with the space before
    them; in Chinese each character, a run of Latin letters or digits, and punctuation riding with
    its neighbour. A line of prose breaks only between two pieces.

    >>> pieces("梯度是 1.63e−04，很小", "zh")
    ['梯', '度', '是', ' ', '1.63e−04，', '很', '小']
    >>> pieces("詞「吃」", "zh")
    ['詞', '「吃」']
    >>> pieces("the next word (p = 0.9995) → a", "en")
    ['the', ' next', ' word', ' (p = 0.9995) →', ' a']
    >>> pieces("x − μ = −1.04;  (x − μ) / σ = −1.35", "en", working=True)
    ['x', ' − μ', ' = −1.04; ', ' (x', ' − μ) / σ', ' = −1.35']
    """
    cuts = [0] + [at for at, _ in breaks(s, lang, working)] + [len(s)]
    return [s[a:b] for a, b in zip(cuts, cuts[1:])]


def break_at(s: str, lang: str = "en", *, near: int | None = None, fits=None, working: bool = False) -> int | None:
    """The one place to cut ``s`` in two, among its best-ranked :func:`breaks`: the last whose first
    line ``fits`` (a predicate on ``s[:offset]``: a line growing term by term keeps its first line
    as it grows); else, with ``near`` (a character count), the last place before it when one is
    close by (past 0.6 of the way), else the first after it; else the place that leaves the two
    halves most even. ``None`` when ``s`` has no place to cut.

    >>> s = "梯度是 1.63e−04，很小"
    >>> s[:break_at(s, "zh", near=10)]   # not 1.63e / −04，, not ，很小
    '梯度是 1.63e−04，'
    >>> s = "0.244×(−0.081) − 0.705×(−0.248) = −0.17"
    >>> s[:break_at(s, working=True)]    # between two terms, not before the result
    '0.244×(−0.081)'
    """
    found = breaks(s, lang, working)
    if not found:
        return None
    best = min(rank for _, rank in found)
    cuts = [at for at, rank in found if rank == best]
    fitting = [at for at in cuts if fits is not None and fits(s[:at])]
    if fitting:
        return fitting[-1]
    if near is not None:
        before, after = [at for at in cuts if at <= near], [at for at in cuts if at > near]
        return before[-1] if before and (before[-1] > near * 0.6 or not after) else after[0]
    return min(cuts, key=lambda at: abs(2 * at - len(s)))


def _working_breaks(s: str) -> list[tuple[int, tuple[int, int]]]:
    """A working's :func:`breaks`: before the space that opens `` + b`` (ranked by how deep in
    brackets it stands), or at the second space of ``;  ``."""
    depth, square, found = 0, 0, []
    for k, ch in enumerate(s):
        if ch in "([":
            depth, square = depth + 1, square + (ch == "[")
        elif ch in ")]":
            depth, square = depth - 1, square - (ch == "]")
        elif square:   # inside an elided stretch [94 terms: …]: nothing to cut
            continue
        elif ch in "+−-=≈" and k > 1 and s[k - 1] == " " and s[k + 1:k + 2] == " ":
            found.append((k - 1, (_BEFORE_RESULT if ch in "=≈" else _BETWEEN_TERMS, depth)))
        elif s.startswith(";  ", k):   # between two workings (x − μ; (x − μ) / σ)
            found.append((k + 2, (_BETWEEN_WORKINGS, depth)))
    return found


def _prose_pieces(s: str, lang: str) -> list[str]:
    """Prose's unbreakable pieces (:func:`pieces`)."""
    if not lang.startswith("zh"):
        out = []
        for k, w in enumerate(s.split(" ")):
            # an equation stays whole (p = 0.9995, y = 0.08) and no line starts with an arrow
            if out and (w in _GLUED or w in _TRAILING or out[-1].endswith(tuple(_GLUED))):
                out[-1] += " " + w
            else:
                out.append(w if not k else " " + w)
        return out
    out: list[str] = []
    opened = ""   # opening marks waiting for the character they open
    for k, ch in enumerate(s):
        if ch in _OPENING:
            opened += ch
        elif out and not opened and (ch in _CLOSING or _in_run(s, k, out[-1])):
            out[-1] += ch
        else:
            out.append(opened + ch)
            opened = ""
    if opened:
        out.append(opened)
    return out


def _in_run(s: str, k: int, before: str) -> bool:
    """Whether ``s[k]`` continues the run of Latin letters or digits that ``before`` ends (with the
    Greek letters, subscripts and powers written among them: ``β₁``, ``Kᵀ``, ``dW1²``)."""
    last = before[-1:]
    if not (_latin(last) and last not in "()[]") and last not in _JOINERS:
        return False
    ch = s[k]
    if _latin(ch):
        return True
    after = s[k + 1:k + 2]   # a joiner between two pieces of the run (1.63e−04, 2×3, 1−β₁)
    return ch in _JOINERS and _latin(after)


def _latin(ch: str) -> bool:
    """``ch`` is a character of a run set among Chinese (a letter, digit, sign): not a space, not
    a Chinese character or full-width mark, not a joiner (which continues a run only between two of
    these)."""
    return ch != "" and not ch.isspace() and not glyphs.wide(ch) and ch not in _JOINERS
