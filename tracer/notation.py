"""How names and powers are written, once for every viewer (the video, the stepper, the subtitles).

A transposed name: ``X`` becomes ``Xᵀ`` and ``Xᵀ`` becomes ``X`` again (a transpose undone), so no
name ever reads ``Xᵀᵀ``:

>>> transposed("K₂"), transposed("K₂_rowsᵀ")
('K₂ᵀ', 'K₂_rows')

A power is written ``e^x`` or ``10000^(2i/d)`` in formulas and story text. :data:`POWER` finds
them; the video draws each raised (:mod:`scenes.glyphs`), plain text (a terminal, subtitles) gets
Unicode superscripts from :func:`superscripted`, the caret kept only where a character has none:

>>> superscripted("t / 10000^(2i/d)"), superscripted("e^(−x)·2^n"), superscripted("x^(a·b)")
('t / 10000²ⁱᐟᵈ', 'e⁻ˣ·2ⁿ', 'x^(a·b)')

A negative number in a video, on a slide or a sheet is written with the minus sign ``−`` (U+2212),
and so is a negative power of ten (``1e−05``: one sign for every minus of a line); the engine's
recorded formulas and the terminal keep ASCII (``axis -1``, ``[-1, 1]``, ``1e-05``),
:func:`true_minus` turns them:

>>> true_minus("reshape(b1, [-1, 1]) along axis -1, eps 1e-05, -2.5e-07; t-1 stays")
'reshape(b1, [−1, 1]) along axis −1, eps 1e−05, −2.5e−07; t-1 stays'
"""
from __future__ import annotations

import re

TRANSPOSE = "ᵀ"
MINUS = "−"

# a hyphen-minus that is a number's sign: before a digit, not inside a word (t-1) or an exponent (1e-05)
_SIGN = re.compile(r"(?<![\w.′])-(?=\.?\d)")
# and the sign of a number's power of ten (1e-05, 2.5e-07), not a word's hyphen (size-1e)
_EXPONENT = re.compile(r"(?<![\w.′])(\d+(?:\.\d+)?e)-(?=\d)")

# a caret and its power: one word (e^x, 2^n, e^−x) or a bracket, one level of brackets inside it
POWER = re.compile(r"\^(\((?:[^()]|\([^()]*\))*\)|[−-]?[\w.′]+)")

_SUPERSCRIPT = dict(zip(
    "0123456789+−-=()/abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᐟᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))


def transposed(name: str, gradient: bool = False) -> str:
    """``name`` transposed: a trailing ``ᵀ`` is taken off, otherwise one is added. With
    ``gradient``, the transpose of the gradient ``d<name>``: of a transposed tensor it is
    bracketed, since ``dK`` would name another tensor's gradient.

    >>> transposed("W1"), transposed("K₁ᵀ"), transposed("X", gradient=True), transposed("K₁ᵀ", gradient=True)
    ('W1ᵀ', 'K₁', 'dXᵀ', '(dK₁ᵀ)ᵀ')
    """
    if gradient:
        return f"(d{name}){TRANSPOSE}" if name.endswith(TRANSPOSE) else f"d{name}{TRANSPOSE}"
    return name[:-1] if name.endswith(TRANSPOSE) else name + TRANSPOSE


def power_text(match: re.Match[str]) -> str:
    """The power a :data:`POWER` match raises, without its brackets: ``2i/d`` of ``^(2i/d)``."""
    power = match.group(1)
    return power[1:-1] if power.startswith("(") else power


def superscripted(text: str) -> str:
    """``text`` with every power in Unicode superscripts (a power with a character that has no
    superscript form, or a space, keeps its caret and brackets, so it still reads right).

    >>> superscripted("2^10 and e^x"), superscripted("e^(x − 1)"), superscripted("no power: a ^ b")
    ('2¹⁰ and eˣ', 'e^(x − 1)', 'no power: a ^ b')
    """
    def up(match: re.Match[str]) -> str:
        power = power_text(match)
        return "".join(_SUPERSCRIPT[c] for c in power) if all(c in _SUPERSCRIPT for c in power) else match.group()
    return POWER.sub(up, text) if "^" in text else text


def true_minus(text: str) -> str:
    """``text`` with the sign of every negative number (and of every negative power of ten) written
    ``−``, as the video, the slides and the sheets show numbers."""
    return _EXPONENT.sub(r"\1" + MINUS, _SIGN.sub(MINUS, text)) if "-" in text else text


_PRIMES = ("′", "″", "‴", "⁗")
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def share_mark(k: int) -> str:
    """The mark of the ``k``-th contribution to a gradient: primes up to four, then the count as
    a bracketed superscript (as the fifth derivative is written).

    >>> [share_mark(k) for k in (1, 2, 3, 4, 5, 12)]
    ['′', '″', '‴', '⁗', '⁽⁵⁾', '⁽¹²⁾']
    """
    return _PRIMES[k - 1] if k <= len(_PRIMES) else f"⁽{str(k).translate(_SUPERSCRIPT_DIGITS)}⁾"
