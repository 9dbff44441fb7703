"""What a blank's hint may name: only grids printed on its page.

A composite (a layer norm's backward, a linear layer's) is worked by the part that made the cell,
and that part may read tensors the composite's own grids do not show: ``dresid_post′`` and
``dresid_post″`` (the two contributions an accumulate adds), the forward ``normalized`` a scale's
gradient multiplies by. The walkthrough shows such a cell's value alone; a sheet can do better, as
it prints grids beside a question. So a blank's working is the part's
(:func:`tracer.explain.explain` with ``parts=True``: a copy a reshape made is followed to the cell
it copies, ``db4[2]`` is a row of ``dZ4`` added up; a gradient a part passed on unchanged is named
as the grid on the page, ``dZ4`` not ``dmatmul``), and whatever else it reads is printed beside the
question, under its own name (:attr:`Exercise.given`); a blank that reads a grid too large to print
is no exercise.

Every number stays the trace's as printed, so the answer key adds up exactly as before.
"""
from __future__ import annotations

from ..explain import Working
from ..trace import Trace


def printable(trace: Trace, tid: str, side: int) -> bool:
    """A grid the sheet can print: at most two-dimensional, at most ``side`` cells each way."""
    rec = trace.tensors.get(tid)
    return rec is not None and len(rec.shape) <= 2 and all(n <= side for n in rec.shape)


def for_page(trace: Trace, w: Working, page: set[str], side: int) -> tuple[Working, list[str]] | None:
    """The working ``w`` of a blank (``explain(..., parts=True)``'s) and the grids to print beside
    it: those it reads that are not on the ``page``; ``None`` when one is too large to print."""
    need = [t for t in dict.fromkeys(t for t, _ in w.reads) if t not in page]
    if not all(printable(trace, t, side) for t in need):
        return None
    return w, need
