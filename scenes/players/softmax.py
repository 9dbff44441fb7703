"""Softmax, as recorded: e^x (shifted by the maximum when the trace did so), the Σ of each row
(or column), then each e^x divided by its Σ. Attention weights come out bright yellow.
"""
from __future__ import annotations

from .. import style
from ..grid import NumberGrid
from ..near import zoom_for
from ..words import word
from ..stage import Stage
from . import DECLINE, FORWARD, register
from .cells import cell_works, explain_cell, later, work_from_cell
from .common import fill, finish, look, show_new
from .concat import fits


@register(FORWARD, "softmax")
def play_softmax(stage: Stage, step) -> object:
    kids = stage.trace.parts(step)
    x, out = step.inputs[0], step.outputs[0]
    if not {"exp", "sum"} <= set(kids) or len(stage.trace.tensors[x].shape) != 2:
        return DECLINE
    axis = step.attrs.get("axis", -1) % 2
    sx = stage.slot(x)
    new = []
    if sx is None or sx.lane != "value":
        sx, new = stage.need(x)
    e, total = kids["exp"].outputs[0], kids["sum"].outputs[0]
    name = stage.trace.tensors[x].name
    label = f"e^({name} − max)" if "max" in kids else f"e^{name}"
    ge = stage.canvas.beside(sx.grid, e, grad=False, label=label)
    if stage.mode == "canvas" and not fits([sx.grid, ge]):   # no room beside the scores: them again
        g = stage.canvas.fresh(x)
        stage.canvas.register(g)
        sx = stage.bind(x, g)
        new.append(g)
        ge = stage.canvas.beside(g, e, grad=False, label=label)
    gs = stage.canvas.beside(ge, total, "right" if axis == 1 else "down", grad=False, label="Σ")
    gp = _weights_grid(stage, [sx.grid, ge, gs], ge if axis == 1 else gs, gs if axis == 1 else ge, out)
    for tid, g in ((e, ge), (total, gs), (out, gp)):
        stage.canvas.register(g)
        stage.bind(tid, g)
    stage.layouts[step.id] = {"x": sx.grid, "exp": ge, "sum": gs, "out": gp}
    show_new(stage, new + [ge, gs, gp], focus=[sx.grid, ge, gs, gp])
    def build_exp(idx):
        cell = explain_cell(stage, step, idx)
        w = work_from_cell(stage, cell, ge.entry(idx), ge.cell(idx))
        w.expression, w.boxes = cell.lines[0], [b for b in (sx.grid.cell(idx),) if b is not None]
        return w
    works = [later(idx, ge.entry(idx), ge.cell(idx), build_exp) for idx in ge.shown()]
    look(stage, [sx.grid, ge])
    fill(stage, works, detailed_n=0, single_n=2, note=word("exp_rest", stage.lang))
    look(stage, [ge, gs])
    fill(stage, cell_works(stage, kids["sum"], gs), detailed_n=0, single_n=1, note=word("sum_rows" if axis == 1 else "sum_cols", stage.lang))
    look(stage, [ge, gs, gp])
    def build_prob(idx):
        cell = explain_cell(stage, step, idx)
        w = work_from_cell(stage, cell, gp.entry(idx), gp.cell(idx))
        sum_idx = (idx[0], 0) if axis == 1 else (0, idx[1])
        w.expression = cell.lines[2]
        w.boxes = [b for b in (ge.cell(idx), gs.cell(sum_idx)) if b is not None]
        return w
    works = [later(idx, gp.entry(idx), gp.cell(idx), build_prob) for idx in gp.shown()]
    for w in works:   # each probability is its e^x over its Σ (the part "probs"): those are in view
        w.step = kids.get("probs")
    fill(stage, works, color=style.COMPUTED, detailed_n=0,
         single_n=2, note=word("divide_rows" if axis == 1 else "divide_cols", stage.lang))
    finish(stage)


def _weights_grid(stage: Stage, before: list[NumberGrid], under: NumberGrid, after: NumberGrid, out: str) -> NumberGrid:
    """The weights' grid right of ``after`` (x, e^x, Σ, weights in a row), or under ``under`` when
    the row would be framed zoomed out past the normal scale (four grids of 4 columns: digits 14 px
    tall at 720p, not 19) and the two rows are framed closer."""
    label = stage.trace.tensors[out].name
    row = stage.canvas.beside(after, out, label=label)
    wide = zoom_for(stage.canvas, [*before, row])
    if wide <= style.LEGIBLE_ZOOM + 1e-9:
        return row
    stacked = stage.canvas.beside(under, out, "down", label=label, gap=style.GRID_GAP)
    return stacked if zoom_for(stage.canvas, [*before, stacked]) < wide else row
