"""Matrix products: ``a @ b`` and the linear layer ``[W | b] · [X ; 1]``, forward.

The product layout, each result cell at the meeting of a row of the left operand and a column of
the right one; they light up, the running partial sum grows, the cell fills in. The backward
players reuse this layout (:mod:`scenes.players.matmul_grad`).
"""
from __future__ import annotations

from manim import Transform

from .. import anim
from ..stage import Stage
from ..supersede import supersede
from ..words import word
from . import DECLINE, FORWARD, register
from .cells import explain_cell, later, work_from_cell
from .common import fill, finish, show_new


def two_d(stage: Stage, *tids: str) -> bool:
    """Whether the tensors ``tids`` are all matrices (a product layout draws nothing else)."""
    return all(len(stage.trace.tensors[t].shape) == 2 for t in tids)


def _bind_product(stage: Stage, step, a: str, b: str, out: str, grids: dict, new: list,
                  bias: str | None = None) -> None:
    if bias is not None:   # first: the [W | b] drawn before shows nothing more than this one, and leaves
        stage.bind(bias, grids["a"], "bias")
    for t, g in ((a, grids["a"]), (b, grids["b"])):
        if g in new:   # drawn again (with its row of 1s): the drawing before leaves
            stage.bind(t, g)
            supersede(stage, t, g)
    stage.bind(out, grids["out"])
    stage.layouts[step.id] = grids


@register(FORWARD, "matmul")
def play_matmul(stage: Stage, step) -> object:
    a, b = step.inputs
    out = step.outputs[0]
    if not (two_d(stage, a, out) and len(stage.trace.tensors[b].shape) in (1, 2)):
        return DECLINE
    grids, new = stage.product(a, b, out)
    _bind_product(stage, step, a, b, out, grids, new)
    ga, gb, gout = grids["a"], grids["b"], grids["out"]
    show_new(stage, new, focus=[ga, gb, gout])
    def build(idx):
        w = work_from_cell(stage, explain_cell(stage, step, idx), gout.entry(idx), gout.cell(idx))
        r, c = gout.rc(idx)
        w.boxes = [x for x in (ga.row_box(r), gb.col_box(c)) if x is not None]
        return w
    works = [later(idx, gout.entry(idx), gout.cell(idx), build) for idx in gout.shown()]
    names = stage.trace.tensors
    fill(stage, works, note=word("matmul_rest", stage.lang, a=names[a].name, b=names[b].name))
    finish(stage)


@register(FORWARD, "linear")
def play_linear(stage: Stage, step) -> object:
    W, X = step.inputs[:2]
    bias = step.inputs[2] if len(step.inputs) > 2 else None
    out = step.outputs[0]
    parts = stage.trace.parts(step)
    mm = parts.get("matmul")
    if mm is None or not two_d(stage, W, X, out) or (bias is not None and "bias" not in parts):
        return DECLINE
    if bias is None:
        grids, new = stage.product(W, X, out)
    else:
        grids, new = stage.product(W, X, out, bias=bias, ones=True)
    _bind_product(stage, step, W, X, out, grids, new, bias)
    ga, gb, gout = grids["a"], grids["b"], grids["out"]
    extra = []
    if bias is not None:
        ones, brackets = gb.attach_ones()
        if gb not in new:  # a grid already drawn grows its row of 1s
            extra = [anim.Appear(ones), Transform(gb.brackets, brackets)]
        else:
            gb.brackets.become(brackets)
        stage.canvas.register(gb)
    show_new(stage, new, *extra, focus=[ga, gb, gout])
    if extra:
        stage.canvas.register(gb)   # its brackets have grown round the row of 1s: measure it again
    def build(idx):
        cell = explain_cell(stage, step if bias is not None else mm, idx)  # [W | b]·[X ; 1]: b×1 last
        w = work_from_cell(stage, cell, gout.entry(idx), gout.cell(idx))
        r, c = gout.rc(idx)
        w.boxes = [x for x in (ga.row_box(r), gb.col_box(c)) if x is not None]
        if bias is not None:
            pairs = cell.reads[:-1]
            w.term_boxes = [[x for x in (stage.cell(*pairs[t]), stage.cell(*pairs[t + 1])) if x is not None]
                            for t in range(0, len(pairs), 2)]
            w.term_boxes.append([x for x in (ga.bias_cells.get(idx[0]), gb.one_cells.get(idx[1])) if x])
        return w
    works = [later(idx, gout.entry(idx), gout.cell(idx), build) for idx in gout.shown()]
    names = stage.trace.tensors   # the caption names the real operands: [W2 | b2] · [H1 ; 1]
    if bias is None:
        note = word("matmul_rest", stage.lang, a=names[W].name, b=names[X].name)
    else:
        note = word("linear_rest", stage.lang, W=names[W].name, b=names[bias].name, X=names[X].name)
    fill(stage, works, note=note)
    finish(stage)
