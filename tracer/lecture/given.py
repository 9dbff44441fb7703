"""What a blank's hint may name: only grids printed on its page.

A composite (a layer norm's backward, a linear layer's) is worked by the part that made the cell,
and that part reads tensors the composite's own grids do not show: ``dresid_post′`` and
``dresid_post″`` (the two contributions an accumulate adds), ``dmatmul`` (the gradient an add's
backward passed on unchanged), ``dbias_column`` (a copy the reshape then made a bias of), the
forward ``normalized`` a scale's gradient multiplies by. A learner cannot find those on the page.
So, for each blank:

1. a working that only copies a cell made inside the step (``db4[2] = dbias_column[2, 0]``) gives
   way to the working of that cell (``db4[2]`` is a row of ``dZ4`` added up);
2. a tensor a part passed on unchanged from a grid on the page (``dmatmul``, a copy of ``dZ4``) is
   named as that grid: the same numbers, the name the learner sees;
3. whatever else it reads is printed beside the question, under its own name (:attr:`Exercise.given`);
   a blank that reads a grid too large to print is no exercise.

Every number stays the trace's as printed, so the answer key adds up exactly as before.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ..explain import Working, explain
from ..ops.spec import family_of
from ..trace import Step, Trace

FOLLOW = 4   # copies of copies followed at most: a reshape of a transpose of a slice


def inside(trace: Trace, step_id: int | None, composite: Step) -> bool:
    """Whether step ``step_id`` is one of ``composite``'s parts, at any depth."""
    while step_id is not None:
        step_id = trace.steps[step_id].parent
        if step_id == composite.id:
            return True
    return False


def printable(trace: Trace, tid: str, side: int) -> bool:
    """A grid the sheet can print: at most two-dimensional, at most ``side`` cells each way."""
    rec = trace.tensors.get(tid)
    return rec is not None and len(rec.shape) <= 2 and all(n <= side for n in rec.shape)


def copy_of(trace: Trace, tid: str, page: set[str], step: Step, depth: int = FOLLOW) -> str | None:
    """The grid on the page that part-made tensor ``tid`` holds unchanged (an add's backward passes
    ``dZ4`` on as ``dmatmul``): one its maker reads, of the same shape and the same numbers."""
    rec = trace.tensors[tid]
    if depth == 0 or not inside(trace, rec.producer, step):
        return None
    for src in trace.steps[rec.producer].inputs:
        if src not in trace.tensors or tuple(trace.tensors[src].shape) != tuple(rec.shape):
            continue
        if not np.array_equal(np.asarray(trace.tensors[src].data), np.asarray(rec.data)):
            continue
        found = src if src in page else copy_of(trace, src, page, step, depth - 1)
        if found is not None:
            return found
    return None


def followed(trace: Trace, step: Step, w: Working, page: set[str], lang: str) -> Working:
    """The working of the cell a copy made inside ``step`` reads, while it prints the same value."""
    for _ in range(FOLLOW):
        reads = set(w.reads)
        if len(reads) != 1 or family_of(trace.steps[w.step].op) != "structural":
            return w
        (tid, index), = reads
        maker = trace.tensors[tid].producer
        if tid in page or copy_of(trace, tid, page, step) or not inside(trace, maker, step):
            return w
        made = trace.steps[maker]
        nxt = explain(trace, made, index, output=made.outputs.index(tid), minus="−", lang=lang)
        if nxt.text != w.text:
            return w
        w = nxt
    return w


def renamed(trace: Trace, w: Working, aliases: dict[str, str]) -> Working:
    """``w`` with each aliased tensor named as the grid it copies, in its reads, formula and lines."""
    if not aliases:
        return w
    words = {trace.tensors[a].name: trace.tensors[b].name for a, b in aliases.items()}

    def swap(text: str) -> str:
        for old, new in words.items():
            text = re.sub(rf"(?<![\w′″‴']){re.escape(old)}(?![\w′″‴'])", new, text)
        return text
    return replace(w, reads=tuple((aliases.get(t, t), i) for t, i in w.reads), formula=swap(w.formula),
                   lines=tuple(swap(line) for line in w.lines))


def for_page(trace: Trace, step: Step, w: Working, page: set[str], side: int,
             lang: str) -> tuple[Working, list[str]] | None:
    """The working of a blank as its page can show it, and the grids to print beside it; ``None``
    when it reads one too large to print."""
    w = followed(trace, step, w, page, lang)
    off = [t for t in dict.fromkeys(t for t, _ in w.reads) if t not in page]
    aliases = {t: s for t in off if (s := copy_of(trace, t, page, step)) is not None}
    w = renamed(trace, w, aliases)
    need = [t for t in dict.fromkeys(t for t, _ in w.reads) if t not in page]
    if not all(printable(trace, t, side) for t in need):
        return None
    return w, need
