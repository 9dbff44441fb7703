"""Terminal views of a trace, shared by ``tracer show`` and the stepper: the lines they are made of,
how they print, how wide their text is, and blocks of them side by side.

A view is a list of lines, each a list of ``(text, style)`` segments (or ``(text, style, action)``
for a cell the mouse can select in the stepper): plain text joins the texts, a terminal gets the
rich styles (blue positive, red negative, deeper for larger magnitudes). Tensors as grids are
:mod:`tracer.textgrid`; a step's view, the step table and their JSON are :mod:`tracer.stepview`.
Every word printed is in the chosen language (:func:`tracer.i18n.phrase`).

>>> print(plain(beside([[[("W", "bold")], [("1 2", None)]], [[("蘋果", None)]]], width=20, gap=2)))
W    蘋果
1 2
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterable, Sequence

from .errors import TracerError
from .i18n import phrase

Segment = tuple[str, "str | None"] | tuple[str, "str | None", str]
Line = list[Segment]

FULL_SCAN = 1 << 20  # elements: tensors up to this size are scanned whole for format and colour
KEEP = 3  # rows / columns kept at each end of an elided dimension
GAP = 4  # columns between grids side by side


# ---- output -------------------------------------------------------------------------------------
def plain(lines: Iterable[Line]) -> str:
    """The view as plain text (no colour), for pipes, files and tests."""
    return "\n".join("".join(seg[0] for seg in line) for line in lines)


def to_rich(lines: Iterable[Line]) -> Any:
    """The view as a ``rich.text.Text`` with its styles (rich is imported only here)."""
    from rich.style import Style
    from rich.text import Text

    out = Text()
    for k, line in enumerate(lines):
        if k:
            out.append("\n")
        for seg in line:
            style: Any = seg[1]
            if len(seg) == 3:  # a click runs the action (Textual reads "@click" from the style)
                style = Style.parse(style or "") + Style(meta={"@click": seg[2]})
            out.append(seg[0], style=style)
    return out


# ---- words and widths ---------------------------------------------------------------------------
def kind_word(kind: str, lang: str) -> str:
    """A tensor's kind (``param``, ``grad`` …) in ``lang`` (a kind this version does not know: as saved)."""
    try:
        return phrase(f"kind_{kind}", lang)
    except TracerError:
        return kind


def phase_word(phase: str, lang: str) -> str:
    try:
        return phrase(f"phase_{phase}", lang)
    except TracerError:
        return phase


def width_of(text: str) -> int:
    """Terminal cells ``text`` takes (a CJK character takes two, a combining mark such as the hat
    of ``m̂`` none).

    >>> width_of("蘋果"), width_of("m̂")
    (4, 1)
    """
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def cut(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal cells: a longer one is cut with ``…`` (a CJK
    character is never split).

    >>> cut("麻子正在吃", 5), cut("ok", 5)
    ('麻子…', 'ok')
    """
    if width_of(text) <= cells:
        return text
    kept = ""
    for c in text:
        if width_of(kept + c) > cells - 1:
            break
        kept += c
    return kept + "…"


def rjust(text: str, width: int, left: bool = False) -> str:
    """``text`` padded to ``width`` terminal cells, on the left (or, with ``left``, on the right).

    >>> rjust("蘋果", 6), rjust("ab", 4, left=True)
    ('  蘋果', 'ab  ')
    """
    fill = " " * max(width - width_of(text), 0)
    return text + fill if left else fill + text


# ---- blocks side by side ------------------------------------------------------------------------
def line_width(line: Line) -> int:
    return sum(width_of(seg[0]) for seg in line)


def beside(blocks: Sequence[list[Line]], width: int, gap: int = GAP) -> list[Line]:
    """Blocks of lines (grids) placed side by side while they fit in ``width`` columns, the rest
    on further rows below, a blank line between rows.

    >>> print(plain(beside([[[("ab", None)]], [[("c", None)], [("d", None)]]], width=20, gap=2)))
    ab  c
        d
    """
    rows: list[list[list[Line]]] = []
    used = width + 1
    for block in blocks:
        w = max((line_width(line) for line in block), default=0)
        if rows and used + gap + w <= width:
            rows[-1].append(block)
            used += gap + w
        else:
            rows.append([block])
            used = w
    out: list[Line] = []
    for k, row in enumerate(rows):
        if k:
            out.append([])
        widths = [max((line_width(line) for line in b), default=0) for b in row]
        for n in range(max(len(b) for b in row)):
            line: Line = []
            for b, w, last in zip(row, widths, [False] * (len(row) - 1) + [True]):
                part = b[n] if n < len(b) else []
                line.extend(part)
                if not last:
                    line.append((" " * (w - line_width(part) + gap), None))
            out.append(line)
    return out
