"""Operands drawn side by side when that frames them closer than stacked.

Grids a player draws afresh, one after another (the inputs of a step shown as inputs → outputs,
the forward inputs a gradient step finds undrawn), went one under the other. Thin ones (an LSTM's
4×1 gates, a gradient band under each value) then made a column taller than the view: the camera
zoomed out to frame its height, the digits drew small and the right half of the frame stayed
empty. Each next grid now goes right of the last one (tops aligned) or under it (left edges
aligned), whichever lets the camera frame them closer; beside it when that is no worse.
"""
from __future__ import annotations

from .camera import MIN_ZOOM
from .canvas import Canvas
from .grid import NumberGrid
from .near import zoom_for


def framed_zoom(canvas: Canvas, grids: list) -> float:
    """The zoom the camera frames ``grids`` at (it never comes closer than ``MIN_ZOOM``)."""
    return max(MIN_ZOOM, zoom_for(canvas, grids))


def next_in_row(canvas: Canvas, row: list[NumberGrid], tid: str, **kw) -> NumberGrid:
    """A grid for ``tid`` (``kw`` as for :meth:`~scenes.placement.Placement.beside`) right of the last grid of ``row``,
    or under it when the row with it beside would be framed from further out than with it under
    (wide grids: a row of them would be wider than the view). Not registered."""
    right = canvas.beside(row[-1], tid, "right", **kw)
    down = canvas.beside(row[-1], tid, "down", **kw)
    if framed_zoom(canvas, [*row, right]) <= framed_zoom(canvas, [*row, down]) + 1e-9:
        return right
    return down
