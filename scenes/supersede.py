"""One grid per tensor on screen: a tensor a step draws again takes its earlier drawing off.

A join lays its parts side by side as they will be joined (the GRU's ``hx = [h0, x]`` drew x again
under h0, while the x the slice had just made stood beside it), and a linear layer draws its input
again with the row of 1s the bias multiplies (``[X ; 1]``, while the plain hx stood at the left of
the frame): two grids named x, two named hx. The drawing made earlier leaves the canvas as the new
one comes (it fades with the play that brings it: :func:`scenes.stale.take_off`), unless it shows
a tensor the new one does not (a weight and its update), a gradient step to come reuses its layout,
or it is a copy drawn near the work that stands in for it (:mod:`scenes.near`: ``copy_of``). A
weight drawn with its bias column, ``[W_y | b_y]``, drawn again so for the training pass's output
(the new one with room for the gradients) shows nothing the new one does not: it leaves.
"""
from __future__ import annotations

from .stale import reused, take_off


def supersede(stage, tid: str, grid) -> list:
    """Take off ``stage``'s canvas every other grid showing ``tid``'s values that shows nothing
    ``grid`` (the drawing that stays) does not show too. Returns the grids taken off."""
    if stage.mode != "canvas":
        return []
    canvas, keep = stage.canvas, reused(stage, stage.revisited)
    shows: dict[int, set[str]] = {}
    for t, slot in stage.bindings:
        shows.setdefault(id(slot.grid), set()).add(t)
    gone, also = [], {tid} | shows.get(id(grid), set())
    for s in stage.slots.get(tid, ()):
        g = s.grid
        if (g is grid or s.lane != "value" or id(g) in stage.retired or g not in canvas.grids
                or id(g) not in canvas.boxes or id(g) in keep or shows.get(id(g), set()) - also
                or getattr(grid, "copy_of", None) is g):
            continue
        take_off(stage, g)
        gone.append(g)
    return gone
