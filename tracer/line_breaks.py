"""The one line breaker: where text may be cut into lines, and the lines it fills.

Every line broken in a walkthrough is broken here: a card's paragraph and a caption's narration
(measured by their glyphs), a working on the caption band or beside the attention map (measured
by its monospace glyphs or its characters), a subtitle cue's lines (measured in columns, a CJK
character two). One rule book (:func:`breaks`), one line filler (:func:`filled`) that takes the
measure of a line as a function, so a scene measures ink and a subtitle counts columns:

>>> filled("梯度是 1.63e−04，很小。", 9, len, "zh")   # never 1.63e / −04, never a line starting ，
['梯度是', '1.63e−04，', '很小。']
>>> filled("0.24×0.11 + 0.20×0.11 − 0.24×0.79 = −0.02", 24, len, working=True)
['0.24×0.11 + 0.20×0.11', '− 0.24×0.79 = −0.02']

This module draws nothing (no manim): a line's width is the caller's ``measure``.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import accumulate
from typing import Callable

NO_START = set("，。、；：！？」』）》〉】〕,.;:!?)]}%…％")   # 禁則: never a line's first character
NO_END = set("「『（《〈【〔([{")                             # nor its last
_JOINERS = set("−×·^")   # inside a run of Latin letters or digits, not a place to break
_GLUED = ("=", "≈")      # an equation's sign keeps both its sides on its line
_TRAILING = ("→",)       # an arrow stays with what it points from
RELATION = set("=≈≠<>≤≥→←+−/×·")   # a sign that joins two numbers: kept with both when a line allows
_SIGNS = f"[{re.escape(''.join(sorted(RELATION)))}]+"
_FORCED = "·,)=;"        # where a piece too wide for any line is cut, when it must be

# the ranks of a place to cut, the lower the better: prose anywhere between two pieces, then
# inside or before a short bracket, then before a sign relating two numbers, after one last; a
# working between two workings run together, between two terms (the least bracketed first),
# before its "=" only when there is nothing else
_FREE, _BRACKETED, _SOFT, _HANGING = (0, 0), (1, 0), (2, 0), (3, 0)
_BETWEEN_WORKINGS, _BETWEEN_TERMS, _BEFORE_RESULT = -1, 0, 1

Rank = tuple[int, int]
Measure = Callable[[str], float]


def wide(ch: str) -> bool:
    """``ch`` is a CJK character or full-width mark (two columns; Chinese breaks between any two).

    >>> wide("蘋"), wide("，"), wide("W"), wide("→")
    (True, True, False, False)
    """
    return unicodedata.east_asian_width(ch[0]) in "WF"


def breaks(s: str, lang: str = "en", working: bool = False) -> list[tuple[int, Rank]]:
    """Where ``s`` may be cut into lines, in order: each place as (its offset, its rank), the line
    before it ``s[:offset]`` and the line after it ``s[offset:]``, stripped of the space it starts
    with; the lower the rank, the better a place to cut.

    Prose breaks between two :func:`pieces` (a space; in Chinese between two characters, by 禁則):
    a number (``1.63e−04``), an equation (``p = 0.9995``) or a mark that closes or opens stays
    whole; beside a sign relating two numbers (``0.62 / 0.71``, ``「蘋果」→「吃」``) or inside a short
    bracket (``「蘋果」``) it breaks only if it must. A ``working`` (the arithmetic of a cell, in
    monospace) breaks only where a reader can pick it up again: between two workings run together
    (``;  ``) first, else before a `` + `` or `` − `` between its terms (the least bracketed:
    between two squares, not inside one), before its `` = `` only when there is no other; never
    inside an elided stretch ``[94 terms: …]``, nor inside a number (a minus sign with no space
    after it).

    >>> breaks("梯度是 1.63e−04，很小", "zh")
    [(1, (0, 0)), (2, (0, 0)), (3, (0, 0)), (4, (0, 0)), (13, (0, 0)), (14, (0, 0))]
    >>> breaks("(0.2 − 1)² + (−0.3 − 2)² = 5.9", working=True)
    [(4, (0, 1)), (10, (0, 0)), (18, (0, 1)), (24, (1, 0))]
    >>> breaks("Ana 90 → 1.00", "en")   # the arrow rides with 90; a break beside it only if it must
    [(3, (0, 0)), (8, (3, 0))]
    """
    if working:
        return _working_breaks(s)
    parts = _prose_pieces(s, lang)
    ends = list(accumulate(len(p) for p in parts))[:-1]
    bracketed = _short_brackets(s)
    found = []
    for k, at in enumerate(ends):
        word = len(s) - len(s[at:].lstrip())   # where the next line's first word starts
        found.append((at, _relating(s[:at], s[at:]) or (_BRACKETED if word in bracketed else _FREE)))
    return found


def pieces(s: str, lang: str, working: bool = False) -> list[str]:
    """The unbreakable pieces of ``s``, cut at its :func:`breaks`: words with the space before
    them; in Chinese each character, a run of Latin letters or digits, and punctuation riding with
    its neighbour. A line breaks only between two pieces.

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


def break_at(s: str, lang: str = "en", *, near: int | None = None, fits: Callable[[str], bool] | None = None,
             working: bool = False) -> int | None:
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


def filled(text: str, width: float, measure: Measure, lang: str = "en", *, working: bool = False,
           even: bool = False) -> list[str]:
    """``text`` in lines at most ``width`` wide (each line's width is ``measure(line)``), each about
    as full as it goes, cut at :func:`breaks` only: at the best-ranked place in the second half of
    the longest line that fits, the last of those (a sign kept with its numbers, a short bracket
    whole, a working cut between its workings, when a line allows). A piece wider than a line
    alone is cut where it must be, after its last ``·``, ``,``, ``)``, ``=`` or ``;`` that fits
    (anywhere, when none does; never against 禁則). ``even``: as many lines, as even as they go
    (two of 30 columns, not 42 and 18).

    >>> filled("Ana 90 → 1.00, Bao 80 → 0.75", 14, len)
    ['Ana 90 → 1.00,', 'Bao 80 → 0.75']
    >>> filled("a few words set in lines as even as they go", 30, len, even=True)
    ['a few words set in lines', 'as even as they go']
    """
    if not text.strip():
        return []
    seen: dict[str, float] = {}

    def width_of(line: str) -> float:
        if line not in seen:
            seen[line] = measure(line)
        return seen[line]

    # many lines of a working are cut at its least bracketed places first, before an "=" too:
    # (−2.20 − 0.53)²) / 16 | = 2148.10, not (−2.20 | − 0.53)²) / 16 = 2148.10
    found = [(at, (depth, kind)) for at, (kind, depth) in breaks(text, lang, working)]
    places, ranks = [at for at, _ in found], dict(found)
    spans = _fill(text, places, width, width_of, ranks)
    if even and len(spans) > 1:
        spans = _evened(text, places, width, width_of, len(spans), ranks)
    lines = [text[a:b].strip() for a, b in spans]
    return [part for line in lines if line for part in _forced(line, width, width_of)]


def _fill(text: str, places: list[int], width: float, width_of: Measure,
          ranks: dict[int, Rank]) -> list[tuple[int, int]]:
    """``text`` cut at ``places`` greedily, as spans (start, end): each line the longest that fits
    (at least one piece; a line is no narrower than a shorter one), then cut back to the best of
    its ``ranks`` in its second half. Searched outward from a guess (the last line's width per
    character), so that what is measured is about a line long, not half the text (a card measures
    each line by its glyphs)."""
    ends = places + [len(text)]
    ranks = {**ranks, len(text): (-1, -1)}   # the end of the text: the best place to end a line
    spans: list[tuple[int, int]] = []
    start, k, per_char = 0, 0, 0.0   # k: the first end past the line's start

    def fits(j: int) -> bool:
        return width_of(text[start:ends[j]].strip()) <= width

    while k < len(ends):
        guess = k
        if per_char:
            while guess + 1 < len(ends) and (ends[guess + 1] - start) * per_char <= width:
                guess += 1
        lo, hi, step = k, len(ends), 1   # ends[lo] is taken (it fits, or it is the one piece); ends[hi] does not fit
        if guess == k or fits(guess):
            lo = guess
            while lo + step < len(ends) and fits(lo + step):
                lo, step = lo + step, step * 2
            hi = min(lo + step, len(ends))
        else:
            hi = guess
            while hi - step > lo and not fits(hi - step):
                hi, step = hi - step, step * 2
            lo = max(hi - step, lo)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
        # a better place in the line's second half wins over the last that fits (a working cut
        # between its workings, not before the "=" after one; 「我」→「吃」 kept whole)
        half = width_of(text[start:ends[lo]].strip()) / 2
        for j in sorted((j for j in range(k, lo) if ranks[ends[j]] < ranks[ends[lo]]), key=lambda j: (ranks[ends[j]], -j)):
            if width_of(text[start:ends[j]].strip()) >= half:
                lo = j
                break
        line = text[start:ends[lo]].strip()
        if line and width_of(line) <= width:
            per_char = width_of(line) / len(line)
        spans.append((start, ends[lo]))
        start, k = ends[lo], lo + 1
    return spans


def _evened(text: str, places: list[int], width: float, width_of: Measure, n: int,
            ranks: dict[int, Rank]) -> list[tuple[int, int]]:
    """The ``n`` lines :func:`_fill` makes of ``text`` at the narrowest width that still takes
    ``n`` (a narrower line never makes fewer)."""
    lo, hi = min(width, max(width_of(p.strip()) for p in _cut(text, places))), width
    for _ in range(24):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if len(_fill(text, places, mid, width_of, ranks)) <= n else (mid, hi)
    return _fill(text, places, hi, width_of, ranks)


def _cut(text: str, places: list[int]) -> list[str]:
    cuts = [0] + places + [len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:])]


def _forced(line: str, width: float, width_of: Measure) -> list[str]:
    """``line`` as it is when it fits, else cut where it must be (see :func:`filled`)."""
    out = []
    while width_of(line) > width and len(line) > 1:
        fits = max([k for k in range(1, len(line)) if width_of(line[:k]) <= width] or [1])
        kept = [k for k in range(1, fits + 1) if line[k] not in NO_START and line[k - 1] not in NO_END] or [fits]
        marks = [k for k in kept if line[k - 1] in _FORCED]
        k = marks[-1] if marks and marks[-1] > fits // 2 else kept[-1]
        out.append(line[:k].strip())
        line = line[k:].strip()
    return out + [line]


def _relating(before: str, after: str) -> Rank | None:
    """The rank of a place beside a sign relating two numbers, standing on its own (``90 →``,
    `` / 0.71``, ``「蘋果」→「吃」``; not the minus of ``−0.38``): better before the sign (the next
    line opens with it) than after it (a line left hanging on it); ``None`` when there is none."""
    ahead = re.match(_SIGNS, after.lstrip())
    if ahead and _apart(after.lstrip()[ahead.end():ahead.end() + 1]):
        return _SOFT
    behind = re.search(f"{_SIGNS}$", before.rstrip())
    return _HANGING if behind and _apart(before.rstrip()[behind.start() - 1:behind.start()]) else None


def _apart(ch: str) -> bool:
    """``ch``, beside a sign, sets it apart from a number: nothing, a space or a Chinese character
    or mark (not the 0 of −0.38)."""
    return ch == "" or ch.isspace() or wide(ch)


def _short_brackets(s: str) -> set[int]:
    """The places inside a short bracket (「蘋果」, （0.79）) and before it (a gloss: 我 (I))."""
    inside: set[int] = set()
    for m in re.finditer(r"[「『（(【][^「『（(【」』）)】]{1,8}[」』）)】]", s):
        inside.update(range(m.start(), m.end()))
    return inside


def _working_breaks(s: str) -> list[tuple[int, Rank]]:
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
        if ch in NO_END:
            opened += ch
        elif out and not opened and (ch in NO_START or _in_run(s, k, out[-1])):
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
    return ch != "" and not ch.isspace() and not wide(ch) and ch not in _JOINERS
