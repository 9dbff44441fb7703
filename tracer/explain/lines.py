"""A printed line taken apart: ``[names =] expression (= | ≈) result``, or a comparison with a
note (``1.50 > 0 → keep it``). A line may start by naming what it works out or the cells it copies
or adds (``Σ = …``, ``dhx[0, 0] = 0.06``, ``dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08``): those names
are its *label*, the arithmetic follows them (:mod:`.check` holds the named cells to their values).

>>> parse_line("Σ = 1.00 + 0.37 = 1.51").relations
(('=', '1.51'),)
>>> line = parse_line("dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08")
>>> line.label, line.expression, line.relations
('dY[0, 1] + dY[2, 1]', '0.03 + 0.05', (('=', '0.08'),))
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .arith import MINUSES, is_number, tokens


@dataclass(frozen=True)
class Line:
    """A printed line taken apart: the expression, its relations to printed results, a comparison."""

    expression: str
    relations: tuple[tuple[str, str], ...] = ()   # ("=" or "≈", printed result)
    comparison: bool = False                       # "a > b → note": the expression is a comparison
    label: str = ""                                # "Σ" of "Σ = 1.00 + 0.37 = 1.37", "dhx[0, 0]" of "dhx[0, 0] = 0.06"


def cell_ref(name: str, index: tuple[int, ...]) -> str:
    """How a line names a tensor's cell: ``dhx[0, 0]``; a single number by its name alone.

    >>> cell_ref("dhx", (1, 0)), cell_ref("dloss", ())
    ('dhx[1, 0]', 'dloss')
    """
    return f"{name}[{', '.join(map(str, index))}]" if index else name


_CELL = re.compile(r"\S\[\d+(?:, \d+)*\]$")   # a name ending on a cell's index: dhx[0, 0]
_NAME = re.compile(r"[^\W\d][\w′'.]*")              # a single number's name: dloss, dl1
_NAMES_JOIN = re.compile(r" ([+−-]) ")


def named(segment: str) -> list[tuple[str, str]] | None:
    """The cells (or the label) a line's first segment names, each with its sign, or ``None`` when
    the segment is arithmetic: ``dY[0, 1] + dY[2, 1]`` names two cells, ``Σ`` and ``dloss`` are
    names without a number, ``0.03 + x[0]`` is neither.

    >>> named("dY[0, 1] + dY[2, 1]"), named("Σ"), named("dl1"), named("0.03 + x[0]")
    ([('+', 'dY[0, 1]'), ('+', 'dY[2, 1]')], [('+', 'Σ')], [('+', 'dl1')], None)
    """
    pieces = _NAMES_JOIN.split(segment.strip())
    out = [("+", pieces[0])] + [("−" if s in MINUSES else "+", p) for s, p in zip(pieces[1::2], pieces[2::2])]
    for _, piece in out:
        name = _CELL.search(piece) or (_NAME.fullmatch(piece) and not is_number(piece))
        if not name and any(is_number(t) for t in tokens(piece)):
            return None
    return out


def _head(text: str) -> tuple[str, str, str] | None:
    """``text`` split at its first ``=`` or ``≈`` outside brackets: (before, mark, after)."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c in "([") - (c in ")]")
        if depth == 0 and c in "=≈" and text[i - 1:i] == " " and text[i + 1:i + 2] == " ":
            return text[:i - 1], c, text[i + 2:]
    return None


def _top_split(toks: list[str], marks: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """Split tokens at the marks that sit outside brackets: [("", first), (mark, next) …]."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    depth = 0
    for tok in toks:
        depth += (tok in ("(", "[")) - (tok in (")", "]"))
        if depth == 0 and tok in marks:
            parts.append((tok, []))
        else:
            parts[-1][1].append(tok)
    return parts


def parse_line(text: str) -> Line:
    """Take a printed line apart (see :class:`Line`); a leading label such as ``Σ =`` is dropped."""
    head, _, _ = text.partition("→")
    if "→" in text:
        return Line(head.strip(), (), True)
    split = _head(text)
    if split is not None and named(split[0]) is not None:
        # "Σ = …", "dhx[0, 0] = 0.06", "dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08": names, then arithmetic
        rest = parse_line(split[2])
        relations = rest.relations or ((split[1], rest.expression),)
        label = split[0].strip() + (f" = {rest.label}" if rest.label else "")   # "dh[0, 0] = dhx[0, 0] = 0.06"
        return Line(rest.expression, relations, rest.comparison, label)
    parts = _top_split(tokens(text), ("=", "≈"))
    expression = " ".join(parts[0][1])
    relations = tuple((mark, " ".join(toks)) for mark, toks in parts[1:])
    return Line(expression, relations)
