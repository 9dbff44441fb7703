"""A trace in a Jupyter notebook: ``Trace._repr_html_`` (the step table), ``Step._repr_html_`` (its
grids with their axis labels, formula, narration and a working), and :func:`video` / :func:`still`,
which render on demand with the CLI's options and return IPython's Video / Image.

Every name a trace holds is escaped (a trace is data from anywhere: a step called ``<script>`` is
shown, never run); numbers are printed by the one rule and workings come from
:func:`tracer.explain.explain`. IPython and the renderer are imported only by :func:`video` and
:func:`still`.

>>> import tracer
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="<Z>"), name="H")
>>> "&lt;Z&gt;" in step_html(trace.steps[0]) and "<Z>" not in step_html(trace.steps[0])
True
>>> trace_html(trace).count("<tr>")
2
"""
from __future__ import annotations

import os
import tempfile
from html import escape
from pathlib import Path
from typing import Any

from ..display import elide
from ..errors import TracerError
from ..explain import explain, number_view
from ..explain.numbers import Numbers
from ..i18n import check_language
from ..label_names import in_language
from ..kept import kept_of
from ..story import Story
from ..textview import phase_word
from ..trace import Step, Trace, owner
from .exercise import cell_name
from .words import step_formula, step_words, trace_title, word

MAX_ROWS = 200        # the step table shows this many steps; trace.step(k) shows any one
KEEP = 4              # a long axis shows its first and last KEEP positions around a ⋯
TABLE = "border-collapse:collapse;font-family:monospace;font-size:12px;margin:2px 6px"
CELL = "border:1px solid #ccc;padding:1px 6px;text-align:right"
HEAD = "padding:1px 6px;color:#888;font-weight:normal;font-size:11px"


def trace_html(trace: Trace, lang: str = "en") -> str:
    """The step table: id, phase, name (indented by depth), op and outputs with their shapes."""
    lang = check_language(lang)   # zh-hant is zh-Hant: the story's title too
    try:
        story = Story.from_meta(trace.meta)
    except TracerError:  # a damaged story still leaves the steps to show
        story = None
    title = trace_title(trace, story, lang)
    heads = "".join(f"<th style='{HEAD};text-align:left'>{escape(word(k, lang))}</th>"
                    for k in ("id", "phase", "name", "op", "outputs"))
    rows = []
    for s in trace.steps[:MAX_ROWS]:
        outs = ", ".join(f"{trace.tensors[t].name} {tuple(trace.tensors[t].shape)}" for t in s.outputs
                         if t in trace.tensors)
        rows.append(f"<tr><td style='{HEAD}'>{s.id}</td><td>{escape(phase_word(s.phase, lang))}</td>"
                    f"<td style='padding-left:{4 + 14 * s.depth}px'>{escape(s.name)}</td>"
                    f"<td>{escape(s.op)}</td><td>{escape(outs)}</td></tr>")
    more = len(trace.steps) - MAX_ROWS
    tail = f"<p style='color:#888'>{escape(word('rows_hidden', lang, n=more))}</p>" if more > 0 else ""
    count = word("steps_total", lang, n=len(trace.steps), t=len(trace.tensors))
    return (f"<div class='tracer-trace'><b>{escape(title)}</b> <span style='color:#888'>{escape(count)}</span>"
            f"<table style='{TABLE};font-family:inherit'><thead><tr>{heads}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{tail}</div>")


def step_html(step: Step, trace: Trace | None = None, lang: str = "en") -> str:
    """A step: its heading, formula, narration, the grids of its inputs and outputs, and the
    working of its first output cell."""
    trace = trace or owner(step)
    if trace is not None:
        trace = in_language(trace, lang)   # the grids' rows and columns named in lang
    head = (f"<b>{escape(word('step', lang, n=step.id))} · {escape(step.name)}</b> "
            f"<code>{escape(step.op)}</code> <span style='color:#888'>{escape(phase_word(step.phase, lang))}</span>")
    if trace is None:  # a step on its own (copied out of its trace): no numbers to show
        return f"<div class='tracer-step'>{head}<p><code>{escape(step_formula(None, step, lang))}</code></p></div>"
    formula, narration = step_words(trace, step, lang)
    view = number_view(trace, minus="−")
    grids = [grid_html(trace, view, t) for t in dict.fromkeys(step.inputs + step.outputs) if t in trace.tensors]
    return (f"<div class='tracer-step'>{head}<p><code>{escape(formula)}</code></p><p>{escape(narration)}</p>"
            f"<div style='display:flex;flex-wrap:wrap;align-items:flex-start'>{''.join(grids)}</div>"
            f"{working_html(trace, step, lang)}</div>")


def grid_html(trace: Trace, view: Numbers, tid: str) -> str:
    """One tensor as a table, its axis labels as row and column heads, long axes elided."""
    rec = trace.tensors[tid]
    shape = tuple(rec.shape)
    caption = f"<caption style='text-align:left;white-space:nowrap'><b>{escape(rec.name)}</b> {shape}</caption>"
    if len(shape) > 2:
        return f"<table style='{TABLE}'>{caption}</table>"
    labels, keep = rec.labels or (), kept_of(trace, tid)   # the answer's row stays (tracer.kept)
    if len(shape) < 2:  # a single number or one row of cells
        rows_at, cols_at = [None], elide(shape[0], KEEP, keep.get(0, ())) if shape else [None]
        row_names, col_names = (), (labels[0] or ()) if shape and labels else ()
    else:
        rows_at, cols_at = elide(shape[0], KEEP, keep.get(0, ())), elide(shape[1], KEEP, keep.get(1, ()))
        row_names = labels[0] or () if labels else ()
        col_names = labels[1] or () if len(labels) > 1 else ()

    def cell(i: int | None, j: int | None) -> tuple[int, ...]:
        return tuple(k for k in (i, j) if k is not None) if len(shape) == 2 else ((j,) if shape else ())

    out = [caption]
    if col_names:
        out.append("<tr><th></th>" + "".join(
            f"<th style='{HEAD}'>{'⋯' if j is None else escape(str(col_names[j]))}</th>" for j in cols_at) + "</tr>")
    for i in rows_at:
        if len(shape) == 2 and i is None:
            out.append(f"<tr><th></th>{''.join(f'<td style={CELL!r}>⋮</td>' for _ in cols_at)}</tr>")
            continue
        side = escape(str(row_names[i])) if row_names and i is not None else ""
        tds = "".join(f"<td style='{CELL}'>{'⋯' if j is None and len(shape) else escape(view.text(tid, cell(i, j)))}</td>"
                      for j in cols_at)
        out.append(f"<tr><th style='{HEAD}'>{side}</th>{tds}</tr>")
    return f"<table style='{TABLE}'>{''.join(out)}</table>"


def working_html(trace: Trace, step: Step, lang: str) -> str:
    """The arithmetic behind the step's first output cell (nothing when it has no working)."""
    if not step.outputs or step.outputs[0] not in trace.tensors:
        return ""
    shape = tuple(trace.tensors[step.outputs[0]].shape)
    if 0 in shape:
        return ""
    index = (0,) * len(shape)
    try:
        w = explain(trace, step, index, minus="−", lang=lang)
    except (TracerError, KeyError, IndexError, ValueError, ArithmeticError, TypeError):  # see stepview
        return ""
    where = cell_name(trace, step.outputs[0], index)
    return (f"<p style='margin-bottom:0'>{escape(word('working', lang, cell=where))}</p>"
            f"<pre style='margin-top:2px'>{escape(chr(10).join(w.lines))}</pre>")


# ---- rendering on demand -------------------------------------------------------------------------
def _ipython() -> Any:
    try:
        from IPython import display
    except ImportError as e:
        raise TracerError(f"showing videos and stills inline needs IPython: pip install 'tracer[lecture]' ({e})") from None
    return display


def video(trace: Trace, output: str | os.PathLike[str] | None = None, **options: Any) -> Any:
    """Render the walkthrough (``scene``, ``steps``, ``depth``, ``quality``, ``jobs``, ``lang``,
    as ``tracer render``) and return an IPython ``Video`` holding it (saved in the notebook)."""
    display = _ipython()
    data = _rendered(trace, output, "mp4", options)
    return display.Video(data=data, embed=True, mimetype="video/mp4")


def still(trace: Trace, step: int | str | Step, output: str | os.PathLike[str] | None = None,
          **options: Any) -> Any:
    """The walkthrough's frame at ``step`` (its id, name or the Step) as an IPython ``Image``."""
    display = _ipython()
    sid = step.id if isinstance(step, Step) else trace.step(step).id
    data = _rendered(trace, output, "png", {**options, "steps": (sid, sid)})
    return display.Image(data=data, format="png")


def _rendered(trace: Trace, output, fmt: str, options: dict[str, Any]) -> bytes:
    from scenes.render import render

    if output is not None:
        return Path(render(trace, fmt=fmt, output=output, **options)).read_bytes()
    with tempfile.TemporaryDirectory(prefix="tracer-notebook-") as folder:
        return Path(render(trace, fmt=fmt, output=Path(folder) / f"walkthrough.{fmt}", **options)).read_bytes()
