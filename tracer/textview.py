"""Terminal views of a trace, shared by ``tracer show`` and the stepper: step tables, one step's
working, and tensors as grids coloured by sign and size.

A view is a list of lines, each a list of ``(text, style)`` segments (or ``(text, style, action)``
for a cell the mouse can select in the stepper): plain text joins the texts, a terminal gets the
rich styles (blue positive, red negative, deeper for larger magnitudes).
Viewers only read the trace: numbers come through :mod:`tracer.display` and cell arithmetic from
:func:`tracer.explain.explain`. Large tensors are elided: only the cells on screen are read. Every
word printed is in the chosen language (:func:`tracer.i18n.phrase`).

>>> import tracer
>>> from tracer.textview import grid, plain
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.5, -2.0]], name="Z"), name="H")
>>> print(plain(grid(trace, trace.steps[0].outputs[0])))
H (1, 2) activation
  1.50  0.00
"""
from __future__ import annotations

import unicodedata
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np

from .display import NumberFormat, elide, fmt, number_format
from .errors import TracerError
from .explain import Working, explain
from .i18n import formula, narrate, phrase
from .kept import kept_of
from .notation import superscripted
from .trace import Step, Trace

Segment = tuple[str, "str | None"] | tuple[str, "str | None", str]
Line = list[Segment]

FULL_SCAN = 1 << 20  # elements: tensors up to this size are scanned whole for format and colour
KEEP = 3  # rows / columns kept at each end of an elided dimension
HIGHLIGHT = "bold reverse"
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


# ---- grids --------------------------------------------------------------------------------------
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
        data = np.asarray(rec.data)
        nf = number_format(data) if data.dtype.kind in "biuf" else NumberFormat(2)
        st = rec.stats
        return nf, max(abs(st["min"]), abs(st["max"]))
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
        lines.append([("  " + " " * pad + " ".join(_rjust(n, width) for n in col_names), "dim")])
    elif header:
        lines.append([])
    r_iter = iter(range(values.shape[0]))
    for k, i in enumerate(rows):
        if i is None:
            dots = " ".join(("⋮" if j is not None else "⋱").rjust(width) for j in columns)
            lines.append([("  " + " " * pad + dots, "dim")])
            continue
        r = next(r_iter)
        line: Line = [("  ", None)] + ([(_rjust(row_names[k], pad - 1, left=True) + " ", "dim")] if row_names else [])
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


LABEL_CELLS = 10  # a longer axis name is cut with …


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


def _rjust(text: str, width: int, left: bool = False) -> str:
    fill = " " * max(width - width_of(text), 0)
    return text + fill if left else fill + text


def _axis_names(labels: Any, ndim: int, rows: list, columns: list) -> tuple[list[str], list[str]]:
    """The names shown left of the rows and above the columns (``⋮`` / ``⋯`` where elided)."""
    def shown(names: Any, picks: list, gap: str) -> list[str]:
        if names is None:
            return []
        return [gap if i is None else cut(names[i], LABEL_CELLS) for i in picks]
    if not labels or ndim == 0:
        return [], []
    return (shown(labels[-2], rows, "⋮") if ndim >= 2 else []), shown(labels[-1], columns, "⋯")


def _has_column_names(trace: Trace, tid: str) -> bool:
    rec = trace.tensors[tid]
    return bool(rec.labels) and len(rec.shape) >= 1 and rec.labels[-1] is not None


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


# ---- steps --------------------------------------------------------------------------------------
def shapes(trace: Trace, ids: Sequence[str]) -> str:
    return ", ".join(f"{trace.tensors[t].name} {tuple(trace.tensors[t].shape)}" for t in ids)


def step_table(trace: Trace, steps: Sequence[Step], lang: str = "en") -> list[Line]:
    """One line per step: id, phase, name (indented by depth), op and output shapes."""
    names = ["  " * s.depth + s.name for s in steps]
    heads = [phrase(f"col_{c}", lang) for c in ("id", "phase", "name", "op", "outputs")]
    w_name = max([width_of(n) for n in names] + [width_of(heads[2])])
    w_phase = max(width_of(phase_word(p, lang)) for p in ("forward", "backward", "update", heads[1]))
    w_op = max([14, width_of(heads[3])])
    widths = (w_phase, w_name, w_op)
    lines: list[Line] = [[(_rjust(heads[0], 5) + "".join(f"  {_rjust(h, w, left=True)}" for h, w in zip(heads[1:4], widths))
                           + f"  {heads[4]}", "bold")]]
    colours = {"forward": "green", "backward": "blue", "update": "magenta"}
    for s, name in zip(steps, names):
        flag = [(f"  ({s.nonfinite} NaN/Inf)", "bold red")] if s.nonfinite else []
        lines.append([(f"{s.id:>5}  ", None), (_rjust(phase_word(s.phase, lang), w_phase, left=True), colours.get(s.phase)),
                      (f"  {_rjust(name, w_name, left=True)}  ", "bold" if s.depth == 0 else None),
                      (_rjust(s.op, w_op, left=True), "cyan"), (f"  {shapes(trace, s.outputs)}", "dim")] + flag)
    return lines


def source_line(trace: Trace, step: Step) -> str:
    return "" if step.src is None else str(step.src)


def default_cell(trace: Trace, step: Step, output: int = 0) -> tuple[int, ...] | None:
    """The cell shown by default: the first one of output ``output`` (``None`` when empty)."""
    if not 0 <= output < len(step.outputs) or trace.tensors[step.outputs[output]].size == 0:
        return None
    return (0,) * len(trace.tensors[step.outputs[output]].shape)


def cell_detail(trace: Trace, step: Step, index: tuple[int, ...], minus: str = "-",
                lang: str = "en", output: int = 0) -> tuple[list[Line], Working | None]:
    """The working of one cell of output ``output`` (:func:`tracer.explain.explain`): its lines, and
    the working (whose ``reads`` the grids highlight and whose ``operands`` they show)."""
    out = trace.tensors[step.outputs[output]]
    if sum(trace.tensors[t].size for t in step.inputs) + out.size > FULL_SCAN:
        return [[("  " + phrase("too_large", lang), "dim")]], None
    try:
        working = explain(trace, step, index, output=output, minus=minus, lang=lang)
    # a file's numbers may overflow a float (1e154²); a reduction over no axis (axis=()) has no working yet
    except (TracerError, KeyError, IndexError, ValueError, ArithmeticError, TypeError) as e:
        return [[("  " + phrase("no_working", lang, why=e), "dim")]], None
    label = f"{out.name}[{', '.join(map(str, index))}]" if index else out.name
    lines: list[Line] = [[(label, "bold"), (f" = {working.text}", "bold")]]
    if working.formula and working.formula != formula(trace, step, lang):
        lines.append([(f"  {label} = {superscripted(working.formula)}", "dim")])
    lines.extend([("  " + text, "yellow")] for text in working.lines)
    if working.approx:
        lines.append([("  " + phrase("rounded", lang), "dim")])
    return lines, working


def child_label(parent: Step, kid: Step) -> str:
    """A child step's name relative to its composite parent: ``matmul`` or ``matmul.grad``."""
    base = parent.name.removesuffix(".grad") if parent.phase == "backward" else parent.name
    return kid.name[len(base) + 1:] if kid.name.startswith(base + ".") else kid.name


class StepParts(NamedTuple):
    """One step's view in three parts: ``head`` (name, formula, narration ...), ``grids`` (inputs
    and outputs) and ``working`` (the selected output cell's arithmetic)."""

    head: list[Line]
    grids: list[Line]
    working: list[Line]


def step_parts(trace: Trace, step: Step, cell: tuple[int, ...] | None = None, color: bool = True,
               keep: int = KEEP, lang: str = "en", link: Callable[[tuple[int, ...]], str] | None = None,
               width: int | None = None, hide: bool = False, output: int = 0) -> StepParts:
    """The parts of :func:`step_view`. With ``width``, grids sit side by side while they fit;
    ``hide`` shows ``?`` in place of the selected cell (its working is still returned). The grids
    of the inputs include the operands the working reads beyond the step's inputs. ``cell`` is a
    cell of output ``output`` (a split, a backward step with several gradients)."""
    phase_style = {"forward": "green", "backward": "blue", "update": "magenta"}.get(step.phase)
    lines: list[Line] = [[(phrase("step_id", lang, id=step.id), "bold"), ("  ", None),
                          (phase_word(step.phase, lang), phase_style),
                          ("  ", None), (step.op, "cyan"), ("  ", None), (step.name, "bold")]]
    if step.formula:   # a power as a superscript (10000²ⁱᐟᵈ), as the video raises it
        lines.append([("  " + superscripted(formula(trace, step, lang)), "bold yellow")])
    narration = superscripted(narrate(trace, step, lang))
    if narration:
        lines.append([("  " + narration, "italic")])
    if step.src is not None:
        lines.append([(f"  {phrase('h_source', lang)}  ", "dim"), (source_line(trace, step), None)])
    if step.grad_of is not None:
        fwd = trace.steps[step.grad_of]
        lines.append([(f"  {phrase('h_gradient_of', lang)}  ", "dim"),
                      (f"{phrase('step_id', lang, id=fwd.id)} {fwd.name}", "green")])
    kids = trace.children(step)
    if kids:
        lines.append([(f"  {phrase('h_made_of', lang)}  ", "dim"),
                      (", ".join(f"{k.id} {child_label(step, k)}" for k in kids), None)])
    if step.nonfinite:
        lines.append([("  " + phrase("nonfinite", lang, n=step.nonfinite), "bold red")])
    cell = cell if cell is not None else default_cell(trace, step, output)
    detail, working = cell_detail(trace, step, cell, lang=lang, output=output) if cell is not None else ([], None)
    marks: dict[str, list[tuple]] = {}
    for tid, index in working.reads if working else ():
        marks.setdefault(tid, []).append(tuple(index))
    if cell is not None and not hide:
        marks.setdefault(step.outputs[output], []).append(tuple(cell))
    sections: list[list[list[Line]]] = []
    inputs = list(step.inputs) + list(working.operands if working else ())
    header = width is not None and any(_has_column_names(trace, t) for t in inputs + list(step.outputs))
    for label, ids in ((phrase("h_inputs", lang), inputs), (phrase("h_outputs", lang), step.outputs)):
        blocks = []
        for k, tid in enumerate(ids):
            first = ids is step.outputs and k == output  # the output whose cell is explained
            hidden = [tuple(cell)] if first and hide and cell is not None else []
            block = fitted_grid(trace, tid, width, keep=keep, color=color, marks=marks.get(tid, ()),
                                link=link if first else None, hidden=hidden, lang=lang, header=header)
            blocks.append([[(label, "bold underline")] if k == 0 else []] + block)
        if blocks:
            sections.append(blocks)
    grids: list[Line] = []
    if width is None:  # stacked: one heading per group of grids
        for block in (b for blocks in sections for b in blocks):
            grids.extend(([[]] + block) if block[0] else block[1:])
    elif sections:  # side by side: all in one row when it fits, else inputs, then outputs
        every = [b for blocks in sections for b in blocks]
        wide = sum(max(map(line_width, b)) for b in every) + GAP * (len(every) - 1)
        rows = [beside(every, width)] if wide <= width else [beside(blocks, width) for blocks in sections]
        grids = [line for row in rows for line in [[]] + row]
    arithmetic: list[Line] = [[], [(phrase("h_cell", lang), "bold underline")]] + detail if detail else []
    return StepParts(lines, grids, arithmetic)


def step_view(trace: Trace, step: Step, cell: tuple[int, ...] | None = None, color: bool = True,
              keep: int = KEEP, lang: str = "en",
              link: Callable[[tuple[int, ...]], str] | None = None, output: int = 0) -> list[Line]:
    """One step: its header, formula, narration, source line, inputs (and the operands its working
    reads) and outputs as grids, and the working of one cell of output ``output`` (``cell``,
    default the first; ``link`` makes that output's cells clickable, see :func:`grid`)."""
    head, grids, working = step_parts(trace, step, cell, color=color, keep=keep, lang=lang, link=link,
                                      output=output)
    return head + grids + working


# ---- JSON ---------------------------------------------------------------------------------------
def _json_number(v: float) -> float | str:
    return float(v) if np.isfinite(v) else str(float(v))


def tensor_json(trace: Trace, tid: str, values: bool, limit: int = 10_000) -> dict[str, Any]:
    rec = trace.tensors[tid]
    out: dict[str, Any] = {"id": tid, "name": rec.name, "shape": list(rec.shape), "dtype": rec.dtype,
                           "kind": rec.kind}
    if values:
        if rec.size <= limit:
            data = np.asarray(rec.data, dtype=np.float64)
            out["values"] = np.vectorize(_json_number, otypes=[object])(data).tolist() if data.size else data.tolist()
        else:
            out["values"] = None
            out["elided"] = True
    return out


def step_json(trace: Trace, step: Step, values: bool = False, lang: str = "en",
              cell: tuple[int, ...] | None = None, output: int = 0) -> dict[str, Any]:
    """One step as plain JSON data: narration in ``lang``, tensor values only when ``values``, and
    the working of cell ``cell`` of output ``output`` when a cell is given."""
    out = {"id": step.id, "phase": step.phase, "op": step.op, "name": step.name, "parent": step.parent,
           "depth": step.depth, "formula": formula(trace, step, lang), "narration": narrate(trace, step, lang), "lang": lang,
           "src": None if step.src is None else {"file": step.src.file, "line": step.src.line, "code": step.src.code},
           "grad_of": step.grad_of, "grad_map": step.grad_map, "attrs": step.attrs,
           "nonfinite": step.nonfinite,
           "inputs": [tensor_json(trace, t, values) for t in step.inputs],
           "outputs": [tensor_json(trace, t, values) for t in step.outputs]}
    if cell is not None:
        w = explain(trace, step, cell, output=output, lang=lang)
        out["working"] = {"output": output, "tensor": w.output, "cell": list(w.index), "value": w.text, "formula": w.formula, "lines": list(w.lines),
                          "reads": [[t, list(i)] for t, i in w.reads], "operands": list(w.operands)}
    return out
