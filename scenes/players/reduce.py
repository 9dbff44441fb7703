"""Reductions and normalisations: a sum, mean or max along an axis (the Σ row or column beside
the input, each result with its running sum); the L2 norm of columns; layer norm's mean, spread and
normalised output.
"""
from __future__ import annotations

from manim import VGroup

from tracer.explain import reduced_axes, spread

from .. import style
from ..words import word
from ..stage import Stage
from . import DECLINE, FORWARD, register
from .cells import MINUS, cell_works, explain_cell, later, work_from_cell
from .common import fill, finish, show_new


def _side(stage: Stage, step) -> str:
    """Where the result goes: under the input when columns were reduced (axis 0), else right."""
    nd = len(stage.trace.tensors[step.inputs[0]].shape)
    return "down" if nd >= 2 and reduced_axes(step.attrs, nd) == (0,) else "right"


def _input(stage: Stage, tid: str):
    s = stage.slot(tid)
    if s is not None and s.lane == "value":
        return s, []
    return stage.need(tid)


def _params(stage: Stage, step, first, side: str) -> list:
    """A layer norm's γ and β (given numbers) one after the other from ``first``, toward ``side``."""
    from .gradients import _as_row   # γ and β laid out as the gradient player lays them out
    out, before, params = step.outputs[0], first, []
    for tid in step.inputs[1:]:
        before = stage.canvas.beside(before, tid, side, hidden=False, as_row=_as_row(stage, tid, out))
        params.append((tid, before))
    return params


@register(FORWARD, family="reduction")
def play_reduce(stage: Stage, step) -> None:
    x, out = step.inputs[0], step.outputs[0]
    sx, new = _input(stage, x)
    g = stage.canvas.beside(sx.grid, out, _side(stage, step), grad=False,
                            label=stage.trace.tensors[out].name)
    stage.canvas.register(g)
    stage.bind(out, g)
    stage.layouts[step.id] = {"x": sx.grid, "out": g}
    show_new(stage, new + [g], focus=[sx.grid, g])
    fill(stage, cell_works(stage, step, g), detailed_n=1, single_n=2, note=word("reduce_rest", stage.lang))
    finish(stage)


@register(FORWARD, "l2_norm")
def play_l2_norm(stage: Stage, step) -> object:
    """Each column's (or row's) length: square, add up, square root."""
    kids = stage.trace.parts(step)
    if not {"squared", "sum", "norm"} <= set(kids):
        return DECLINE
    x, out = step.inputs[0], step.outputs[0]
    sx, new = _input(stage, x)
    g = stage.canvas.beside(sx.grid, out, _side(stage, step), grad=False, label=f"‖{stage.trace.tensors[x].name}‖")
    stage.canvas.register(g)
    stage.bind(out, g)
    stage.layouts[step.id] = {"x": sx.grid, "out": g}
    show_new(stage, new + [g], focus=[sx.grid, g])
    squares = kids["squared"].outputs[0]
    def build(idx):
        summed = explain_cell(stage, kids["sum"], idx)
        root = explain_cell(stage, kids["norm"], idx)
        w = work_from_cell(stage, summed, g.entry(idx), g.cell(idx))
        w.boxes = [b for b in (_cells(stage, sx, summed.reads, squares),) if b is not None]
        w.expression = f"√({' + '.join(_squared_terms(stage, sx, summed, squares))}) = {root.text}"
        return w
    works = [later(idx, g.entry(idx), g.cell(idx), build) for idx in g.shown()]
    fill(stage, works, detailed_n=0, single_n=3, note=word("norm_rest", stage.lang))
    finish(stage)


def _squared_terms(stage: Stage, sx, summed, squares: str) -> list[str]:
    """``1²`` for each squared entry read by the sum: the input's entries as shown."""
    from tracer.display import fmt

    x = sx.grid.record
    nf = sx.grid.format_of(x)   # as the grid writes it
    out = []
    for tid, idx in summed.reads:
        v = fmt(x.data[idx], nf, "−") if tid == squares else "?"
        out.append(f"({v})²" if v.startswith("−") else f"{v}²")
    return out


def _cells(stage: Stage, sx, reads, squares: str):
    from manim import VGroup

    boxes = [sx.grid.cell(idx) for tid, idx in reads if tid == squares]
    boxes = [b for b in boxes if b is not None]
    return VGroup(*boxes) if boxes else None


def _along(grid, idx: tuple[int, ...]) -> tuple[int, ...]:
    """The entry of a broadcast operand (γ of shape (d, 1)) that cell ``idx`` of the output uses."""
    shape = grid.record.shape
    idx = idx[len(idx) - len(shape):]
    return tuple(0 if n == 1 else i for i, n in zip(idx, shape))


def spread_cell(stage: Stage, step, idx: tuple[int, ...]):
    """The working of σ at ``idx``: σ², then σ (:func:`work_from_cell` shows them on one line)."""
    if stage.skipping:
        return explain_cell(stage, step, idx)   # (a blank one: nobody sees it)
    return spread(stage.trace, step, idx, minus=MINUS, lang=stage.lang)


@register(FORWARD, family="normalization")
def play_layer_norm(stage: Stage, step) -> object:
    """The mean and the spread of each sample beside the input, then the normalised output (a
    normalisation made of other parts is not one this player shows)."""
    kids = stage.trace.parts(step)
    if not {"mean", "std", "normalized"} <= set(kids) or len(stage.trace.tensors[step.inputs[0]].shape) != 2:
        return DECLINE
    x, out = step.inputs[0], step.outputs[0]
    sx, new = _input(stage, x)
    side = "down" if step.attrs.get("axis", -1) % 2 == 0 else "right"
    gm = stage.canvas.beside(sx.grid, kids["mean"].outputs[0], side, grad=False, label="μ")
    gs = stage.canvas.beside(gm, kids["std"].outputs[0], side, grad=False, label="σ")
    # γ and β, given numbers, between the input and the output (their lines meet); under σ when
    # the spread is a column, unless that column is taller than any view (then along the row)
    base, along = (sx.grid, "right") if side == "down" else (gs, "down")
    params = _params(stage, step, base, along)
    if along == "down" and params and VGroup(gs, *[g for _, g in params]).height > style.WIDEST_ROOM[1]:
        along, params = "right", _params(stage, step, gs, "right")
    go = stage.canvas.beside(params[-1][1] if params and along == "right" else base, out, "right",
                             label=stage.trace.tensors[out].name)
    for tid, g in ((kids["mean"].outputs[0], gm), (kids["std"].outputs[0], gs), *params, (out, go)):
        stage.canvas.register(g)
        stage.bind(tid, g)
    stage.layouts[step.id] = {"x": sx.grid, "mean": gm, "std": gs, "out": go, **{f"p{k}": g for k, (_, g) in enumerate(params)}}
    show_new(stage, new + [gm, gs] + [g for _, g in params] + [go], focus=[sx.grid, gm, gs, *[g for _, g in params], go])
    fill(stage, cell_works(stage, kids["mean"], gm), detailed_n=0, single_n=1, note=word("mean_rest", stage.lang))
    def build_std(idx):   # σ² then σ, as the explanation layer writes them
        return work_from_cell(stage, spread_cell(stage, step, idx), gs.entry(idx), gs.cell(idx))
    works = [later(idx, gs.entry(idx), gs.cell(idx), build_std) for idx in gs.shown()]
    fill(stage, works, detailed_n=0, single_n=1, note=word("spread_rest", stage.lang))
    final = kids.get("shifted") or kids.get("scaled") or kids["normalized"]
    def build_out(idx):
        norm = explain_cell(stage, kids["normalized"], idx)
        w = work_from_cell(stage, norm, go.entry(idx), go.cell(idx))
        w.boxes = [b for b in (sx.grid.cell(idx), *[g.cell(_along(g, idx)) for _, g in params]) if b is not None] + w.boxes
        w.expression = ";  ".join(explain_cell(stage, step, idx).lines)   # x − μ; (x − μ)/σ; γ·x̂ + β
        return w
    works = [later(idx, go.entry(idx), go.cell(idx), build_out) for idx in go.shown()]
    fill(stage, works, detailed_n=0, single_n=2, note=word("normalize_rest", stage.lang))
    finish(stage)
