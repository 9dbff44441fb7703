"""A step in the terminal (``tracer show``, the stepper): the step table, one step's header, grids
and the working of one output cell, and the same as JSON (``tracer show --json``).

Viewers only read the trace: cell arithmetic comes from :func:`tracer.explain.explain`, grids from
:mod:`tracer.textgrid`, and every word printed is in the chosen language.

>>> import tracer
>>> from tracer.textview import plain
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.5, -2.0]], name="Z"), name="H")
>>> lines = plain(step_view(trace, trace.steps[0], cell=(0, 1))).splitlines()
>>> for line in lines[:2] + lines[-2:]:
...     print(line)
step 0  forward  relu  H
  H = max(0, Z)
  -2.00 ≤ 0 → 0.00
  max(0, -2.00) = 0.00
>>> step_json(trace, trace.steps[0], cell=(0, 1))["working"]["value"]
'0.00'
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .errors import TracerError
from .explain import Working, explain
from .i18n import formula, narrate, phrase
from .notation import superscripted
from .textgrid import fitted_grid, has_column_names
from .textview import FULL_SCAN, GAP, KEEP, Line, beside, line_width, phase_word, rjust, width_of
from .trace import Step, Trace


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
    lines: list[Line] = [[(rjust(heads[0], 5) + "".join(f"  {rjust(h, w, left=True)}" for h, w in zip(heads[1:4], widths))
                           + f"  {heads[4]}", "bold")]]
    colours = {"forward": "green", "backward": "blue", "update": "magenta"}
    for s, name in zip(steps, names):
        flag = [(f"  ({s.nonfinite} NaN/Inf)", "bold red")] if s.nonfinite else []
        lines.append([(f"{s.id:>5}  ", None), (rjust(phase_word(s.phase, lang), w_phase, left=True), colours.get(s.phase)),
                      (f"  {rjust(name, w_name, left=True)}  ", "bold" if s.depth == 0 else None),
                      (rjust(s.op, w_op, left=True), "cyan"), (f"  {shapes(trace, s.outputs)}", "dim")] + flag)
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
    header = width is not None and any(has_column_names(trace, t) for t in inputs + list(step.outputs))
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
