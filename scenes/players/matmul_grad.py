"""Matrix products backward: the gradients of ``a @ b`` and of the linear layer ``[W | b] · [X ; 1]``.

They reuse the forward layout (:mod:`scenes.players.matmul`): ``dZ`` sits in the blue band under
``Z``; ``dW[i, k]`` pairs row ``i`` of ``dZ`` with row ``k`` of ``X`` (their columns line up),
``dX[k, j]`` pairs column ``k`` of ``W`` with column ``j`` of ``dZ`` (their rows line up), and
``db[i]`` adds up row ``i`` of ``dZ`` against the row of 1s. With no forward layout to reuse
(paging mode, or a training pass whose forward steps were told fast) the gradients get product
layouts of their own with the transposed operand drawn as such (``dZ·Xᵀ``, ``Wᵀ·dZ``), and a
linear layer's ``db`` is drawn level with the rows of ``dZ`` it adds up.
"""
from __future__ import annotations

from manim import LEFT, UP

from tracer.notation import transposed

from .. import style
from ..grid import NumberGrid
from ..stage import Slot, Stage
from ..words import word
from . import BACKWARD, DECLINE, register
from .bands import ensure_shown_grad, grad_band, place_grad
from .cells import explain_cell, later, work_from_cell
from .common import fill, finish, show_new
from .matmul import two_d


def _forward_layout(stage: Stage, step):
    fwd = stage.trace.steps[step.grad_of]
    lay = stage.layouts.get(fwd.id)
    if lay is None or stage.mode != "canvas" or not lay["out"].has_grad:
        return fwd, None
    return fwd, lay


def _fill_grad(stage: Stage, step, output: int, slot: Slot, boxes_for) -> None:
    """Fill gradient ``output`` of ``step`` into ``slot`` (a band, a bias band or a blue grid)."""
    grid = slot.grid
    bias = slot.lane.startswith("bias")
    indices = [(r,) for r in sorted(grid.bias_cells)] if bias else grid.shown()
    def build(idx):
        cell = explain_cell(stage, step, _bias_index(stage, step, output, idx) if bias else idx, output)
        w = work_from_cell(stage, cell, slot.entry(idx), slot.cell(idx))
        w.boxes = boxes_for(idx)
        return w
    works = [later(idx, slot.entry(idx), slot.cell(idx), build, [slot.replaces.get(slot._key(idx))])
             for idx in indices]
    for w in works:   # a linear layer's gradient is worked through its parts (the matmul's, the bias add's)
        w.step, w.output = step, output
    fill(stage, works, color=style.GRAD, note=word("grad_rest", stage.lang))


def _bias_index(stage: Stage, step, output: int, idx: tuple[int, ...]) -> tuple[int, ...]:
    shape = stage.trace.tensors[step.outputs[output]].shape
    return idx + (0,) * (len(shape) - 1)


@register(BACKWARD, "matmul")
def play_matmul_grad(stage: Stage, step) -> object:
    fwd, lay = _forward_layout(stage, step)
    if lay is None or not two_d(stage, *fwd.inputs):
        return play_matmul_grad_paged(stage, step)
    _grads_on_layout(stage, step, fwd, lay, step)
    finish(stage)


def _grads_on_layout(stage: Stage, step, fwd, lay, mm_step) -> None:
    """dW in W's band (rows of dZ against rows of X), then dX in X's band (columns)."""
    a, b = fwd.inputs[:2]
    gout = lay["out"]
    g = mm_step.inputs[0]
    if mm_step is not step:  # inside a linear layer: the matmul's incoming gradient is dZ itself
        ensure_shown_grad(stage, step.inputs[0], gout)
        if stage.slot(g) is None:
            stage.bind(g, gout, "grad")
    ensure_shown_grad(stage, g, gout)
    moves = stage.camera.focus([lay["a"], lay["b"], gout])
    if moves:
        stage.play(*moves, run_time=0.6)
    for k, gid in enumerate(mm_step.outputs):
        x = next(i for i, v in mm_step.grad_map.items() if v == gid)
        grid = lay["a"] if x == a else lay["b"]
        if not grid.has_grad:
            continue
        slot, acc = place_grad(stage, grid, gid, step)
        if x == a:   # dW[i, k]: row i of dZ, row k of X
            def boxes(idx, ga=grid):
                r, c = ga.rc(idx)
                return [m for m in (gout.row_box(r), lay["b"].row_box(c)) if m is not None]
        else:        # dX[k, j]: column k of W, column j of dZ
            def boxes(idx, gb=grid):
                r, c = gb.rc(idx)
                return [m for m in (lay["a"].col_box(r), gout.col_box(c)) if m is not None]
        if slot.grid is not grid:  # a second contribution, in a grid of its own: plain cells
            def boxes(idx, boxes=boxes, g=slot.grid):
                return boxes(idx)
        _fill_grad(stage, mm_step, k, slot, boxes)
        if acc is not None:
            from .generic import play_accumulate
            play_accumulate(stage, acc, end=False)


@register(BACKWARD, "linear")
def play_linear_grad(stage: Stage, step) -> object:
    fwd, lay = _forward_layout(stage, step)
    parts = stage.trace.parts(step)
    mm = parts.get("matmul")
    if mm is None:
        return DECLINE
    if lay is None:   # its forward step was told fast: the products laid out afresh (dZ·Xᵀ, Wᵀ·dZ)
        if stage.mode != "canvas" or not two_d(stage, *fwd.inputs[:2], step.inputs[0]):
            return DECLINE
        return _linear_grad_fresh(stage, step, fwd, mm, parts.get("bias"))
    _grads_on_layout(stage, step, fwd, lay, mm)
    bias = fwd.inputs[2] if len(fwd.inputs) > 2 else None
    add = parts.get("bias")
    if bias is not None and add is not None and bias in step.grad_map and lay["a"].bias is not None:
        ga, gout, gb = lay["a"], lay["out"], lay["b"]
        slot = grad_band(stage, ga, step.grad_map[bias], bias=True)
        ones = gb.ones

        def boxes(idx):
            r = ga.rc((idx[0], 0))[0]
            return [m for m in (gout.row_box(r), ones) if m is not None]
        _fill_grad(stage, add, _add_bias_output(stage, add), slot, boxes)
    finish(stage)


def _add_bias_output(stage: Stage, add_grad) -> int:
    """Which output of the bias add's gradient step is the bias column's gradient."""
    fwd = stage.trace.steps[add_grad.grad_of]
    col = fwd.inputs[1]
    gid = add_grad.grad_map.get(col)
    return add_grad.outputs.index(gid) if gid in add_grad.outputs else len(add_grad.outputs) - 1


def play_matmul_grad_paged(stage: Stage, step) -> object:
    """No forward layout to reuse: each gradient gets its own product layout (dZ·Xᵀ, Wᵀ·dZ)."""
    fwd = stage.trace.steps[step.grad_of]
    if not two_d(stage, *fwd.inputs[:2], step.inputs[0]):
        return DECLINE
    _grads_fresh(stage, step, fwd)
    finish(stage)


def _grads_fresh(stage: Stage, mm_step, fwd, incoming: str | None = None) -> NumberGrid | None:
    """dW = dZ·Xᵀ and dX = Wᵀ·dZ in product layouts of their own, the transposed operand drawn
    as such. ``incoming``: the gradient shown for dZ (a linear layer's, which its bias add passes
    to the matmul unchanged). Returns the grid dZ is drawn in last."""
    a, b = fwd.inputs[:2]
    g = mm_step.inputs[0]
    names = stage.trace.tensors
    shown = incoming or g
    if shown != g:   # the matmul's dZ is drawn as the gradient coming in (the same numbers)
        s = stage.slot(shown)
        if s is not None and s.lane == "value":
            stage.bind(g, s.grid)
    gz = None
    for k, gid in enumerate(mm_step.outputs):
        x = next(i for i, v in mm_step.grad_map.items() if v == gid)
        acc = next((s for s in stage.trace.steps if s.op == "accumulate" and gid in s.inputs), None)
        # the result named as the trace names it (a share later added to another, a weight used twice: dW′)
        if x == a:
            grids, new = stage.product(g, b, gid, transpose_b=True,
                                       labels={"a": names[shown].name, "b": transposed(names[b].name), "out": None})
            gz, gt = grids["a"], grids["b"]
            stage.bind(b, gt) if gt in new else None
        else:
            grids, new = stage.product(a, g, gid, transpose_a=True,
                                       labels={"a": transposed(names[a].name), "b": names[shown].name, "out": None})
            gt, gz = grids["a"], grids["b"]
            stage.bind(a, gt) if gt in new else None
        if gz in new:
            stage.bind(g, gz)
            if shown != g:
                stage.bind(shown, gz)
        stage.bind(gid, grids["out"])
        show_new(stage, new, focus=[grids["a"], grids["b"], grids["out"]])
        gout = grids["out"]

        def build(idx, k=k, grids=grids, gout=gout):
            w = work_from_cell(stage, explain_cell(stage, mm_step, idx, k), gout.entry(idx), gout.cell(idx))
            r, c = gout.rc(idx)
            w.boxes = [m for m in (grids["a"].row_box(r), grids["b"].col_box(c)) if m is not None]
            return w
        works = [later(idx, gout.entry(idx), gout.cell(idx), build) for idx in gout.shown()]
        for w in works:
            w.step, w.output = mm_step, k
        fill(stage, works, color=style.GRAD, note=word("grad_rest", stage.lang))
        if acc is not None and acc.parent is not None and acc.parent == mm_step.parent:   # inside a linear layer
            from .generic import play_accumulate
            play_accumulate(stage, acc, end=False)
    return gz


def _row_beside(stage: Stage, gz: NumberGrid, gid: str) -> NumberGrid:
    """A blue grid for ``gid`` level with ``gz``'s rows: right of it, or left of it when the free
    space on the right is too far to show both at once."""
    canvas = stage.canvas
    g = canvas.beside(gz, gid, "right", role="grad", grad=False)
    if canvas.in_one_view([gz, g]):
        return g
    g.next_to(gz.frame_box(), LEFT, buff=style.GRID_GAP * 1.6 + (gz.row_labels.width if gz.row_labels else 0))
    g.shift(UP * (gz.body.get_top()[1] - g.body.get_top()[1]))
    canvas.slide([g], LEFT)
    return g


def _linear_grad_fresh(stage: Stage, step, fwd, mm, add) -> None:
    """A linear layer's gradients with no forward layout to reuse: dW and dX in product layouts
    of their own (:func:`_grads_fresh`), then db beside dZ's rows: db[i] adds up row i of dZ."""
    gz = _grads_fresh(stage, mm, stage.trace.steps[mm.grad_of], incoming=step.inputs[0])
    bias = fwd.inputs[2] if len(fwd.inputs) > 2 else None
    if bias is None or add is None or bias not in step.grad_map or gz is None:
        finish(stage)
        return
    gid = step.grad_map[bias]
    gdb = _row_beside(stage, gz, gid)
    stage.canvas.register(gdb)
    slot = stage.bind(gid, gdb)
    show_new(stage, [gdb], focus=[gz, gdb])
    output = _add_bias_output(stage, add)
    rank = len(stage.trace.tensors[add.outputs[output]].shape)

    def build(idx):
        cell = explain_cell(stage, add, idx + (0,) * (rank - len(idx)), output)
        w = work_from_cell(stage, cell, slot.entry(idx), slot.cell(idx))
        w.boxes = [m for m in (gz.row_box(gz.rc((idx[0], 0))[0]),) if m is not None]
        return w
    works = [later(idx, slot.entry(idx), slot.cell(idx), build) for idx in gdb.shown()]
    for w in works:
        w.step, w.output = add, output
    fill(stage, works, color=style.GRAD, note=word("grad_rest", stage.lang))
    finish(stage)
