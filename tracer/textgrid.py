"""Tensors as grids in the terminal: name, shape and kind, then the cells, coloured by sign and size.

Viewers only read the trace: numbers come through :mod:`tracer.display`. Large tensors are
elided (``⋯`` / ``⋮``): only the cells on screen are read, a tensor of more than two axes shows
one 2-D slice, and the axes' names (the labels) stand above the columns and left of the rows.

>>> import tracer
>>> from tracer.textview import plain
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.5, -2.0]], name="Z"), name="H")
>>> print(plain(grid(trace, trace.steps[0].outputs[0])))
H (1, 2) activation
  1.50  0.00
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .display import NumberFormat, elide, fmt, number_format
from .explain.noise import noisy, tensor_format as shown_format
from .i18n import phrase
from .kept import kept_of
from .textview import FULL_SCAN, KEEP, Line, cut, kind_word, line_width, rjust, width_of
from .trace import Trace

HIGHLIGHT = "bold reverse"  # a marked cell, and a hidden one
LABEL_CELLS = 10  # a longer axis name is cut with …


def _shade(value: float, scale: float) -> str | None:
    """Background by sign and size: blue positive, red negative, white text on the deep shades."""
    if not np.isfinite(value):
        return "bold white on magenta"
    if value == 0 or scale <= 0:
        return None
    t = min(abs(value) / scale, 1.0)
    light, deep = ((225, 232, 255), (30, 80, 200)) if value > 0 else ((255, 225, 225), (190, 30, 30))
    r, g, b = (round(a + (z - a) * t) for a, z in zip(light, deep))
    return f"{'white' if t > 0.5 else 'black'} on rgb({r},{g},{b})"


def _window(shape: tuple[int, ...], keep: int, cols: int | None, at: tuple[int, ...] | None = None,
            also: dict[int, tuple[int, ...]] | None = None) -> tuple[list[int | None], list[int | None], tuple[int, ...]]:
    """Rows and columns to show (``None`` marks ⋯ / ⋮) and the leading index of a >2-D tensor:
    the slice that holds cell ``at`` (the cell being explained), else the first. ``also``: the
    indices each axis keeps (the answer, :func:`tracer.kept.kept`)."""
    if len(shape) == 0:
        return [0], [0], ()
    also = also or {}
    lead = tuple(at[:-2]) if at is not None and len(at) == len(shape) > 2 else (0,) * max(len(shape) - 2, 0)
    rows = elide(shape[-2], keep, also.get(len(shape) - 2, ())) if len(shape) >= 2 else [0]
    return rows, elide(shape[-1], cols if cols is not None else keep, also.get(len(shape) - 1, ())), lead


def _values(data: np.ndarray, shape: tuple[int, ...], rows: list, cols: list, lead: tuple) -> np.ndarray:
    """Only the cells on screen (a memory-mapped array reads just their pages)."""
    r = [i for i in rows if i is not None]
    c = [j for j in cols if j is not None]
    if len(shape) == 0:
        return np.asarray(data, dtype=np.float64).reshape(1, 1)
    if len(shape) == 1:
        return np.asarray(data[c], dtype=np.float64).reshape(1, -1)
    return np.asarray(data[lead][np.ix_(r, c)], dtype=np.float64)


def tensor_format(trace: Trace, tid: str, shown: np.ndarray | None = None) -> tuple[NumberFormat, float]:
    """The tensor's number format and colour scale: from all its values when it is small enough,
    else from the cells on screen (a 1 GB tensor is never scanned to draw seven rows of it)."""
    rec = trace.tensors[tid]
    if rec.size <= FULL_SCAN or shown is None:
        nf = shown_format(trace, tid)   # rounding noise reads 0.00, as in the video and the workings
        st = rec.stats
        return nf, 0.0 if noisy(trace, tid) else max(abs(st["min"]), abs(st["max"]))  # noise: no shade
    finite = shown[np.isfinite(shown)]
    scale = rec._stats and max(abs(rec._stats["min"]), abs(rec._stats["max"]))
    return number_format(shown), float(scale if scale else (np.abs(finite).max() if finite.size else 0.0))


def grid(trace: Trace, tid: str, keep: int = KEEP, cols: int | None = None, color: bool = True,
         marks: Sequence[tuple[int, ...]] = (), minus: str = "-",
         link: Callable[[tuple[int, ...]], str] | None = None,
         hidden: Sequence[tuple[int, ...]] = (), lang: str = "en", header: bool = False) -> list[Line]:
    """A tensor as a titled grid: name, shape, kind, then its (elided) cells.

    ``marks`` are cells to highlight (full indices), e.g. the row and column a matmul cell reads;
    ``hidden`` cells show ``?`` instead of their value (the stepper's practice mode); a tensor of
    more than two axes shows the 2-D slice that holds the first of them;
    ``link(index)`` names the action a click on a cell runs; ``header`` keeps a line for column
    names even when there are none, so that grids side by side start their rows on the same line.
    """
    rec = trace.tensors[tid]
    shape = tuple(rec.shape)
    at = next(iter(hidden), None) or next(iter(marks), None)
    rows, columns, lead = _window(shape, keep, cols, tuple(at) if at is not None else None, kept_of(trace, tid))
    title: Line = [(rec.name, "bold"), (f" {shape} {kind_word(rec.kind, lang)}", "dim")]
    if len(shape) > 2:
        title.append((f"  {phrase('showing', lang)} [{', '.join(map(str, lead))}, :, :]", "dim"))
    if rec.size == 0:
        return [title, [("  " + phrase("empty", lang), "dim")]]
    values = _values(rec.data, shape, rows, columns, lead)
    nf, scale = tensor_format(trace, tid, values)
    texts = [[fmt(v, nf, minus) for v in row] for row in values]
    row_names, col_names = _axis_names(rec.labels, len(shape), rows, columns)
    width = max([len(t) for row in texts for t in row] + [width_of(n) for n in col_names])
    pad = max(map(width_of, row_names), default=-1) + 1  # the row names' column, and a space
    marked, hide = {tuple(m) for m in marks}, {tuple(h) for h in hidden}
    lines: list[Line] = [title]
    if col_names:  # column names above their columns, elided with them
        lines.append([("  " + " " * pad + " ".join(rjust(n, width) for n in col_names), "dim")])
    elif header:
        lines.append([])
    r_iter = iter(range(values.shape[0]))
    for k, i in enumerate(rows):
        if i is None:
            dots = " ".join(("⋮" if j is not None else "⋱").rjust(width) for j in columns)
            lines.append([("  " + " " * pad + dots, "dim")])
            continue
        r = next(r_iter)
        line: Line = [("  ", None)] + ([(rjust(row_names[k], pad - 1, left=True) + " ", "dim")] if row_names else [])
        c_iter = iter(range(values.shape[1]))
        for k, j in enumerate(columns):
            if k:
                line.append((" ", None))
            if j is None:
                line.append(("⋯".rjust(width), "dim"))
                continue
            c = next(c_iter)
            index = () if not shape else (j,) if len(shape) == 1 else lead + (i, j)
            style = _shade(values[r, c], scale) if color else None
            text = texts[r][c]
            if index in hide:  # neither the number nor its colour gives the answer away
                text, style = "?", HIGHLIGHT
            elif index in marked:
                style = f"{style} {HIGHLIGHT}" if style else HIGHLIGHT
            if link is not None:
                line.append((text.rjust(width), style, link(index)))
            else:
                line.append((text.rjust(width), style))
        lines.append(line)
    return lines


def fitted_grid(trace: Trace, tid: str, width: int | None, keep: int = KEEP, **options: Any) -> list[Line]:
    """:func:`grid`, keeping fewer columns each side of the ⋯ (down to one) while its rows are
    wider than ``width``: a row that wrapped in a narrow pane would no longer read as a row."""
    block = grid(trace, tid, keep=keep, **options)
    for cols in range(keep - 1, 0, -1):
        if width is None or max(map(line_width, block[1:]), default=0) <= width:
            break
        block = grid(trace, tid, keep=keep, cols=cols, **options)
    return block


def _axis_names(labels: Any, ndim: int, rows: list, columns: list) -> tuple[list[str], list[str]]:
    """The names shown left of the rows and above the columns (``⋮`` / ``⋯`` where elided)."""
    def shown(names: Any, picks: list, gap: str) -> list[str]:
        if names is None:
            return []
        return [gap if i is None else cut(names[i], LABEL_CELLS) for i in picks]
    if not labels or ndim == 0:
        return [], []
    return (shown(labels[-2], rows, "⋮") if ndim >= 2 else []), shown(labels[-1], columns, "⋯")


def has_column_names(trace: Trace, tid: str) -> bool:
    """Whether the tensor's last axis has names to show above its columns."""
    rec = trace.tensors[tid]
    return bool(rec.labels) and len(rec.shape) >= 1 and rec.labels[-1] is not None
