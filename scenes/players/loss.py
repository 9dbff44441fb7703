"""Losses: ``Y − Y′``, the squares, their sum (or mean); the L1 penalty's ``|f|`` and sum; and the
loss gradient ``2·(Y − Y′)`` flowing into the blue band under ``Y``.
"""
from __future__ import annotations

from manim import FadeIn, VGroup


from .. import style
from ..near import bring
from ..words import word
from ..stage import Stage
from tracer.ops.spec import REGISTRY

from . import BACKWARD, DECLINE, FORWARD, register
from .cells import cell_works, explain_cell, later, work_from_cell, worked_from
from .common import fill, finish, look, show_new
from .concat import fits


def _fill_step(stage: Stage, child, grid, note: str, single: int = 3) -> None:
    fill(stage, cell_works(stage, child, grid), detailed_n=0, single_n=single, note=note)


def _scalar(stage: Stage, step, src, tid: str, label: str):
    g = stage.canvas.beside(src, tid, label=label)
    stage.canvas.register(g)
    stage.bind(tid, g)
    return g


@register(FORWARD, family="loss")
def play_squared_error(stage: Stage, step) -> object:
    """Y − Y′ cell by cell, then the squares, then their sum (or mean): the loss (a loss made of
    other parts is not one this player shows)."""
    kids = stage.trace.parts(step)
    if not {"diff", "squared", "loss"} <= set(kids):
        return DECLINE
    y, target = step.inputs[:2]
    sy = stage.slot(y)
    if sy is None or sy.lane != "value":
        sy, new = stage.need(y)
    else:
        new = []
    name_t = stage.trace.tensors[target].name
    gt = stage.canvas.beside(sy.grid, target, hidden=False, grad=False, label=name_t)
    if not fits([sy.grid, gt]):   # no room beside the prediction: both again, in fresh space
        gy = stage.canvas.fresh(y)
        stage.canvas.register(gy)
        sy = stage.bind(y, gy)
        new.append(gy)
        gt = stage.canvas.beside(gy, target, hidden=False, grad=False, label=name_t)
    stage.canvas.register(gt)
    stage.bind(target, gt)
    diff, sq, total = kids["diff"].outputs[0], kids["squared"].outputs[0], step.outputs[0]
    name_y = stage.trace.tensors[y].name
    gd = stage.canvas.beside(gt, diff, grad=False, label=f"{name_y} − {name_t}")
    if VGroup(sy.grid, gt, gd).width > style.WIDEST_ROOM[0]:   # no view shows the row: it goes under
        gd = stage.canvas.beside(gt, diff, "down", grad=False, label=f"{name_y} − {name_t}")
    stage.canvas.register(gd)
    stage.bind(diff, gd)
    gs = stage.canvas.beside(gd, sq, grad=False, label=f"({name_y} − {name_t})²")
    stage.canvas.register(gs)
    stage.bind(sq, gs)
    gl = _scalar(stage, step, gs, total, stage.trace.tensors[total].name)
    stage.layouts[step.id] = {"y": sy.grid, "target": gt, "diff": gd, "squared": gs, "out": gl}
    show_new(stage, new + [gt, gd, gs, gl], focus=[sy.grid, gt, gd, gs, gl])
    look(stage, [sy.grid, gt, gd])   # a row too wide for one view: each part with what it reads
    _fill_step(stage, kids["diff"], gd, word("diff_rest", stage.lang))
    look(stage, [gd, gs])
    _fill_step(stage, kids["squared"], gs, word("square_rest", stage.lang))
    look(stage, [gs, gl])
    # the total adds up the squares in view (not Y and Y′ again: 16 of them made a line too long to read at 480p)
    cell = explain_cell(stage, kids["loss"], ())
    w = work_from_cell(stage, cell, gl.entry(()), gl.cell(()))
    w.boxes, w.step = [gs.frame_box()], kids["loss"]
    fill(stage, [w], detailed_n=0, single_n=1)
    finish(stage)


@register(FORWARD, "l1")
def play_l1(stage: Stage, step) -> object:
    """|f| entry by entry, then the sum: the sparsity penalty."""
    kids = stage.trace.parts(step)
    if "abs" not in kids or "penalty" not in kids:
        return DECLINE
    x = step.inputs[0]
    sx = stage.slot(x)
    new = []
    if sx is None or sx.lane != "value":
        sx, new = stage.need(x)
    ga = stage.canvas.beside(sx.grid, kids["abs"].outputs[0], grad=False, label=f"|{stage.trace.tensors[x].name}|")
    stage.canvas.register(ga)
    stage.bind(kids["abs"].outputs[0], ga)
    last, weights = ga, []
    if "weighted" in kids:   # |f| times the weights (the decoder's column norms), drawn under |f| unless in view
        for tid in kids["weighted"].inputs[1:]:
            s = stage.slot(tid)
            if s is None or s.lane != "value" or not fits([s.grid, ga]):
                g = stage.canvas.beside(ga, tid, "down", hidden=False, grad=False)
                stage.canvas.register(g)
                s = stage.bind(tid, g)
                new.append(g)
            weights.append(s.grid)
        last = stage.canvas.beside(ga, kids["weighted"].outputs[0], grad=False)
        stage.canvas.register(last)
        stage.bind(kids["weighted"].outputs[0], last)
    gl = _scalar(stage, step, last, step.outputs[0], stage.trace.tensors[step.outputs[0]].name)
    stage.layouts[step.id] = {"x": sx.grid, "abs": ga, "out": gl}
    show_new(stage, new + [ga] + ([last] if last is not ga else []) + [gl], focus=[sx.grid, ga, last, gl])
    look(stage, [sx.grid, ga])
    _fill_step(stage, kids["abs"], ga, word("abs_rest", stage.lang))
    if last is not ga:
        look(stage, [ga, *weights, last])
        _fill_step(stage, kids["weighted"], last, word("entry_rest", stage.lang))
    look(stage, [last, gl])
    cell = explain_cell(stage, kids["penalty"], ())
    w = work_from_cell(stage, cell, gl.entry(()), gl.cell(()))
    w.boxes = [last.frame_box()]
    fill(stage, [w], detailed_n=0, single_n=1)
    finish(stage)


@register(BACKWARD, "l1")
def play_l1_grad(stage: Stage, step) -> object:
    """df = sign(f) ⊙ the weights, and d(the weights): each gradient written under what it is the
    gradient of (f and the weights side by side, rows lined up), with dl1 beside, so the step is
    framed close (its operands drawn again together, not framed where each was drawn last)."""
    trace, canvas = stage.trace, stage.canvas
    fwd = trace.steps[step.grad_of] if step.grad_of is not None else None
    if fwd is None or not step.inputs or not 1 <= len(step.outputs) <= len(fwd.inputs):
        return DECLINE
    reads = list(dict.fromkeys(t for k in range(len(step.outputs)) for t in worked_from(stage, step, k)))
    xs = fwd.inputs[:len(step.outputs)]   # f (and the weights): what each gradient is of
    if (set(reads) - {step.inputs[0], *xs} or any(step.grad_map.get(x) != g for x, g in zip(xs, step.outputs))
            or any(trace.tensors[x].shape != trace.tensors[g].shape for x, g in zip(xs, step.outputs))):
        return DECLINE
    tops, grads = [], []
    for x, g in zip(xs, step.outputs):
        top = (canvas.fresh(x, grad=False) if not tops
               else canvas.beside(tops[-1], x, "right", hidden=False, grad=False))
        canvas.register(top)
        stage.bind(x, top)
        low = canvas.beside(top, g, "down", role="grad")
        canvas.register(low)
        stage.bind(g, low)
        tops.append(top)
        grads.append(low)
    copies = bring(stage, step.inputs[:1], [*tops, *grads])   # dl1 beside them, when it is far
    work = [*tops, *grads, *(s.grid for s in [stage.slot(step.inputs[0])] if s is not None)]
    show_new(stage, [*tops, *grads, *copies], focus=work)
    for k, low in enumerate(grads):
        fill(stage, cell_works(stage, step, low, k), color=style.GRAD, detailed_n=0, single_n=2,
             note=word("grad_rest", stage.lang))
    finish(stage)


@register(BACKWARD, family="loss")
def play_squared_error_grad(stage: Stage, step) -> object:
    """dY = 2·(Y − Y′) (divided by n for the mean), written under Y, next to Y − Y′."""
    from .bands import grad_band

    fwd = stage.trace.steps[step.grad_of]
    lay = stage.layouts.get(fwd.id)
    y = fwd.inputs[0]
    if lay is None or "diff" not in lay or y not in step.grad_map or not lay["y"].has_grad:
        return DECLINE
    gy, gd = lay["y"], lay["diff"]
    # the gradient is written under Y and worked from Y and Y′ (Y − Y′ beside them when it fits)
    views = ([gy, lay["target"], gd, lay["out"]], [gy, lay["target"], gd], [gy, lay["target"]])
    view = next((v for v in views if stage.canvas.in_one_view(v)), views[-1])
    moves = stage.camera.focus(view)
    if moves:
        stage.play(*moves, run_time=0.6)
    gid = step.grad_map[y]
    slot = grad_band(stage, gy, gid)
    n = stage.trace.tensors[y].size
    tail = f" / {n}" if "{n}" in str(REGISTRY[fwd.op].cell_grad) else ""  # a mean divides

    def build(idx):
        cell = explain_cell(stage, step, idx, step.outputs.index(gid))  # 2×(y − y′) [/ n] = g
        w = work_from_cell(stage, cell, slot.entry(idx), gy.cell(idx))
        w.expression = f"d{stage.trace.tensors[y].name} = {cell.expression}"
        if gd in view:   # (else the cells of Y and Y′ it reads)
            w.boxes = [b for b in (gd.cell(idx),) if b is not None]
        return w
    works = [later(idx, slot.entry(idx), gy.cell(idx), build, [slot.replaces.get(gy.rc(idx))]) for idx in gy.shown()]
    fill(stage, works, color=style.GRAD, detailed_n=0, single_n=3, note=word("loss_grad_rest", stage.lang, tail=tail))
    finish(stage)


__all__ = ["play_squared_error", "play_l1", "play_l1_grad", "play_squared_error_grad", "FadeIn"]
