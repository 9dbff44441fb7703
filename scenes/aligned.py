"""Cells that line up across the grids of a product (the by-hand layout of ``out = a @ b``: ``b``
above the result, its columns over the result's; ``a`` left of it, its rows beside the result's).

A grid drawn now may be the operand of a product drawn later, beside it on the canvas (a layer's
output is the next layer's input; an in-place ReLU's output is in its input's cells). Grids never
move or change once drawn, so such a grid is drawn with cells as wide as the later result's
columns and as tall as its rows from the start (lay out from final values): the result then lines
up with it, and it is reused rather than drawn again.
"""
from __future__ import annotations

from typing import Callable

from tracer.trace import Trace

PRODUCTS = ("matmul", "linear")   # the forward ops drawn as a product (scenes.players.matmul)


def later_products(trace: Trace) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``(under, beside)``: for each tensor, the results of the forward products drawn under it
    (it is their right operand ``b``) and beside it (their left operand ``a``); 2-D tensors only.

    >>> import tracer
    >>> with tracer.record() as t:
    ...     W = tracer.param([[1.0, 2.0]], name="W")
    ...     Z = tracer.matmul(W, tracer.tensor([[1.0], [3.0]], name="X"), name="Z")
    >>> under, beside = later_products(t)
    >>> [t.tensors[o].name for o in under[t.steps[0].inputs[1]]], [t.tensors[o].name for o in beside[t.steps[0].inputs[0]]]
    (['Z'], ['Z'])
    """
    under: dict[str, list[str]] = {}
    beside: dict[str, list[str]] = {}
    for s in trace.steps:
        if s.phase != "forward" or s.op not in PRODUCTS or len(s.inputs) < 2 or not s.outputs:
            continue
        a, b, out = s.inputs[0], s.inputs[1], s.outputs[0]
        if all(len(trace.tensors[t].shape) == 2 for t in (a, b, out)):
            under.setdefault(b, []).append(out)
            beside.setdefault(a, []).append(out)
    return under, beside


class Aligned:
    """The least cells of the grids of ``trace`` (``measure(out)``: a later product's result drawn
    as it would be alone; each measured once)."""

    def __init__(self, trace: Trace, measure: Callable[[str], object]) -> None:
        self.under, self.beside = later_products(trace)
        self.measure = measure
        self._natural: dict[str, object] = {}

    def cell(self, shown: list[str]) -> tuple[float, float]:
        """The least (width, height) of a cell of a grid showing the tensors ``shown`` (a tensor,
        then what later shows in its cells): the widest column of a later product's result drawn
        under it, the tallest row of one drawn beside it."""
        wide = [self._result(o).cell_w for t in shown for o in self.under.get(t, [])]
        tall = [self._result(o).cell_h for t in shown for o in self.beside.get(t, [])]
        return max(wide, default=0.0), max(tall, default=0.0)

    def _result(self, out: str):
        if out not in self._natural:
            self._natural[out] = self.measure(out)
        return self._natural[out]


def sized(make: Callable, grid, cell: tuple[float, float]):
    """``grid``, or ``make(cell)`` (the same grid, drawn again) when its cells are smaller than ``cell``."""
    if grid.cell_w < cell[0] - 1e-9 or grid.cell_h < cell[1] - 1e-9:
        return make((max(grid.cell_w, cell[0]), max(grid.cell_h, cell[1])))
    return grid
