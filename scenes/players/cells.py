"""The cells a player fills, and the working of each: what :func:`scenes.players.common.fill` plays.

A :class:`Work` is one output cell: the number to reveal, the boxes to light (the cells its working
reads, wherever they are drawn) and the arithmetic to say. The working is
:func:`tracer.explain.explain`'s, explained once per walkthrough and cell; the cell worked first is
one that teaches (:func:`telling_first`). Nothing here animates or computes a value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
from manim import VMobject

from tracer.explain import Working, explain
from tracer.explain.shown import on_view, written
from tracer.ops.spec import family_of

from ..camera import work_area
from ..grid import NumberGrid
from ..stage import Slot, Stage

MINUS = "−"


@dataclass
class Work:
    """One output cell to fill: the number to reveal, the boxes to light, the arithmetic to say."""

    index: tuple[int, ...]
    text: VMobject | None                 # the (hidden) number to reveal
    target: VMobject | None               # the output cell
    expression: str = ""
    terms: tuple[str, ...] = ()
    partials: tuple[str, ...] = ()
    term_boxes: list[list[VMobject]] = field(default_factory=list)   # cells read by each term
    boxes: list[VMobject] = field(default_factory=list)              # what the whole cell reads
    extra: list[VMobject] = field(default_factory=list)              # more to reveal with it
    hide: list[VMobject] = field(default_factory=list)               # what it replaces
    make: Callable[[], "Work"] | None = None   # builds the working, only for cells worked one by one
    step: object = None   # the step the cell belongs to when it is not the one played (a composite's part)
    output: int | None = None   # which of that step's outputs, when its grid shows another tensor (a bias's)


def later(index: tuple[int, ...], text: VMobject | None, target: VMobject | None,
          build: Callable[[tuple[int, ...]], Work], hide: Iterable[VMobject | None] = ()) -> Work:
    """A cell whose working (``tracer.explain.explain``, boxes) is built only if it is shown one by
    one: the cells filled a row at a time need only their number (a cell of a 1000-wide product
    has 1000 terms)."""
    return Work(index, text, target, hide=[h for h in hide if h is not None], make=lambda: build(index))


def works_over(stage: Stage, step, grid: NumberGrid, texts: dict, old: dict, output: int = 0) -> list[Work]:
    """One :class:`Work` per cell of ``texts`` (new numbers by (row, column) of ``grid``, from
    ``grid.texts_for`` or a band's ``load_grad``) written over ``old``'s (an update, a decayed or
    summed gradient); the new numbers wait hidden on the canvas until worked."""
    for t in texts.values():
        t.set_opacity(0)
    stage.canvas.add_loose(*texts.values())
    keys = {grid.index_of(*rc): rc for rc in texts}

    def build(idx):
        return work_from_cell(stage, explain_cell(stage, step, idx, output), texts[keys[idx]], grid.cell(idx))
    return [later(idx, texts[key], grid.cell(idx), build, [old.get(key)]) for idx, key in keys.items()]


def cell_works(stage: Stage, step, where: "NumberGrid | Slot", output: int = 0,
               hide: Callable[[tuple[int, ...]], Iterable[VMobject | None]] | None = None) -> list[Work]:
    """One :class:`Work` per shown cell of ``where`` (a grid, or a slot of one: a gradient band),
    each worked by :func:`tracer.explain.explain` for output ``output`` of ``step``."""
    grid = where.grid if isinstance(where, Slot) else where

    def build(i: tuple[int, ...]) -> Work:
        return work_from_cell(stage, explain_cell(stage, step, i, output), where.entry(i), where.cell(i))
    works = [later(idx, where.entry(idx), where.cell(idx), build, hide(idx) if hide else ()) for idx in grid.shown()]
    for w in works:
        w.step = step
    return works


_UNSEEN = Working(-1, "", (), 0.0, "", ("",))


def working(stage: Stage, step, index: tuple[int, ...], output: int = 0) -> Working:
    """The working of one cell, explained once per walkthrough: the one :func:`telling_first`
    looked at is the one the video works (and the softmax's e^x and its share read one working)."""
    cells = stage.explained
    key = (step.id, tuple(int(i) for i in index), output)
    if key not in cells:
        cells[key] = explain(stage.trace, step, index, output=output, minus=MINUS, lang=stage.lang)
    return cells[key]


def explain_cell(stage: Stage, step, index: tuple[int, ...], output: int = 0) -> Working:
    """The working of one cell (in a skipped section nobody sees it: a blank one, for speed)."""
    if stage.skipping:
        return _UNSEEN
    return working(stage, step, index, output)


def work_from_cell(stage: Stage, cell: Working, text: VMobject | None, target: VMobject | None) -> Work:
    """A :class:`Work` whose boxes are the cells ``cell.reads`` names, wherever they are drawn; its
    line is the working (already ending ``≈`` where rounding shows, already elided when long)."""
    per = len(cell.reads) // len(cell.terms) if cell.terms and len(cell.reads) % len(cell.terms) == 0 else 0
    term_boxes = []
    if per:
        for t in range(len(cell.terms)):
            group = [stage.cell(tid, idx) for tid, idx in cell.reads[t * per:(t + 1) * per]]
            term_boxes.append([g for g in group if g is not None])
    # a working of several lines (a softmax's gradient: the row's Σ, then the cell) is shown whole:
    # the last line alone would use a number (the Σ) drawn nowhere; a sum worked term by term is
    # one line
    said = ";  ".join(cell.lines) if len(cell.lines) > 1 and not cell.terms else cell.expression
    return Work(cell.index, text, target, said, cell.terms, cell.partials, term_boxes,
                [] if stage.skipping else stage.read_boxes(cell))


def worked_from(stage: Stage, step, k: int) -> list[str]:
    """The tensors output ``k`` of ``step`` is worked from, as the trace says (never worked out
    here): those its first cell's working reads (:func:`tracer.explain.explain`) that the step
    takes in, or, for a gradient, that its forward step took in or made (``dhidden = dkept ⊙
    (1 − u)`` reads dkept and 1 − u: not h, though h is an input of the step). A composite shown
    collapsed (an L1 penalty's gradient, sign(f) ⊙ the weights) draws none of its inner tensors:
    every such tensor its parts take in. An op that moves entries, or its gradient (a concat, a
    gather, a where, a split's gradient: each cell from another input, and the first cell's working
    names one) or whose working is the bare value: every input, and none of its parts' (nothing
    worked out reads them). Not a single number written in the formula (the 2 of x²: it has no
    grid, :func:`tracer.explain.shown.written`)."""
    trace = stage.trace
    known = set(on_view(trace, step))
    cell = (0,) * len(trace.tensors[step.outputs[k]].shape)
    first = working(stage, step, cell, k)
    reads = [t for t, _ in first.reads]
    moved = first.expression == first.text or not reads or family_of(step.op) == "structural"
    inner, todo = [], [] if moved else list(trace.children(step))
    while todo:
        part = todo.pop(0)
        inner += part.inputs
        todo += trace.children(part)
    tids = dict.fromkeys([*reads, *inner, *(step.inputs if moved else ())])
    return [t for t in tids if t in known and not written(trace, t)]


def _output_of(stage: Stage, work: Work) -> tuple[object, int]:
    """The step and the output whose cell ``work`` fills."""
    step = work.step or stage.step
    if step is None:
        return None, 0
    output = work.output if work.output is not None else next(
        (k for k, tid in enumerate(step.outputs)
         if stage.slot(tid) is not None and stage.slot(tid).entry(work.index) is work.text), 0)
    return step, output


TELLING_SCAN = 24   # cells looked at for one worth working first; beyond, the first is worked


def telling_first(stage: Stage, works: list[Work]) -> list[Work]:
    """``works`` with the first cell whose working teaches something moved to the front: a printed
    result that is not 0, made from a second operand that is not all 0 (an update whose gradient
    is 0 changes nothing; 0×0 + 0×0 = 0 shows no product). The rest keep their order."""
    trace = stage.trace
    for k, w in enumerate(works[:TELLING_SCAN]):
        step, output = _output_of(stage, w)
        if step is None:   # a player called outside a walkthrough (a test, a still)
            return works
        shape = trace.tensors[step.outputs[output]].shape if 0 <= output < len(step.outputs) else None
        if shape is None or len(w.index) != len(shape):   # a bias's cell shown in another grid
            return works
        cell = working(stage, step, w.index, output)   # (the cell worked then reads this one again)
        printed = any(ch in "123456789" for ch in cell.text)
        rest = [trace.tensors[tid].data[tuple(idx)] for tid, idx in cell.reads[1:] if tid in trace.tensors]
        if printed and (not rest or any(np.any(v != 0) for v in rest)):
            return works if k == 0 else [w] + works[:k] + works[k + 1:]
    return works


def audit_working(stage: Stage, first: Work) -> None:
    """Record where each tensor is drawn and what the camera shows as the cells of one output
    start being worked (tests check that every tensor the first cell reads is whole in view)."""
    step, output = _output_of(stage, first)
    slots = [(tid, stage.slot(tid)) for tid in stage.slots]   # where the working reads each (a retired grid: not)
    drawn = {tid: stage.canvas.boxes[id(s.grid)] for tid, s in slots if s is not None and id(s.grid) in stage.canvas.boxes}
    stage.workings.append({"area": work_area(stage.camera.view), "drawn": drawn, "step": step.id, "output": output,
                           "cell": first.index})
