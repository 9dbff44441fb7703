"""The generic player: any step as its inputs, an arrow, its outputs, and the formula.

It is what makes *any* trace render: ops without a player of their own, composites shown
collapsed, steps whose tensors are too odd for a product layout, updates a weight's grid cannot
hold in place (shown W (before), dW → W). Outputs fill in a row at a time,
the first cells with the working :func:`tracer.explain.explain` gives for them.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, FadeIn, VMobject

from .. import style
from ..grid import NumberGrid
from ..rows import next_in_row
from ..words import word
from ..stage import Slot, Stage
from . import BACKWARD, register
from .cells import cell_works, explain_cell, later, work_from_cell, worked_from
from .common import fill, finish, relabel, show_new

MAX_INPUTS = 4


def place_inputs(stage: Stage, tids: list[str]) -> tuple[list[Slot], list[NumberGrid]]:
    """Slots for ``tids``: those in view are reused, the others drawn in fresh space, side by side
    (or one under another when that frames them closer: :func:`scenes.rows.next_in_row`), as
    given numbers. A tensor drawn out of view is drawn again rather than reached by an arrow
    across the canvas (a weight updated long after the layer that used it)."""
    slots, new = [], []
    for tid in tids:
        s = stage.slot(tid)
        if s is not None and not s.grid.transpose and (stage.mode != "canvas" or stage.camera.in_view(s.grid)):
            slots.append(s)
            continue
        # a copy shows the numbers only: no gradient band that nothing would fill
        g = stage.canvas.fresh(tid, grad=False) if not new else next_in_row(stage.canvas, new, tid, hidden=False, grad=False)
        for t in g.values.values():
            t.set_opacity(1)
        stage.canvas.register(g)
        new.append(g)
        slots.append(stage.bind(tid, g))
    from .concat import fits

    if new and not fits([s.grid for s in slots]):   # those reused too far from the new ones: again, with them
        for k, (tid, s) in enumerate(zip(tids, slots)):
            if s.grid not in new:
                g = next_in_row(stage.canvas, new, tid, hidden=False, grad=False)
                stage.canvas.register(g)
                new.append(g)
                slots[k] = stage.bind(tid, g)
    return slots, new


def place_outputs(stage: Stage, step, after: NumberGrid | None, role: str | None = None,
                  gap: float = style.GRID_GAP * 1.6) -> list[NumberGrid]:
    grids = []
    for tid in step.outputs:
        src = grids[-1] if grids else after
        g = stage.canvas.beside(src, tid, role=role, gap=gap) if src is not None else stage.canvas.fresh(tid, hidden=True, role=role)
        stage.canvas.register(g)
        stage.bind(tid, g)
        grids.append(g)
    return grids


def _clear_of_labels(g: NumberGrid, point: np.ndarray, side: int) -> np.ndarray:
    """``point`` on the side (-1 left, 1 right) of ``g``'s cells moved out past the labels of ``g``
    at its height (row names, a name written beside it), so an arrow never ends on them."""
    beside = [m for m in (g.row_labels, g.name_label) if m is not None and (m.has_points() or m.submobjects)]
    level = [m for m in beside if m.get_bottom()[1] - 0.15 <= point[1] <= m.get_top()[1] + 0.15]
    edges = [point[0]] + [(m.get_right() if side > 0 else m.get_left())[0] for m in level]
    return np.array([max(edges) if side > 0 else min(edges), point[1], 0.0])


def arrow_between(a: NumberGrid, b: NumberGrid) -> Arrow:
    """An arrow from ``a`` to ``b``, from past ``a``'s labels to short of ``b``'s."""
    start = _clear_of_labels(a, a.frame_box().get_right(), 1)
    end = _clear_of_labels(b, b.frame_box().get_left(), -1)
    return Arrow(start, end, buff=0.12, stroke_width=3, color=style.MUTED, max_tip_length_to_length_ratio=0.2)


def clear_path(stage: Stage, arrow: VMobject, ends: tuple[NumberGrid, ...]) -> bool:
    """No grid but the two it joins lies under ``arrow`` (an output slid past other grids to
    free space is better shown without one than with an arrow drawn across them)."""
    lo, hi = arrow.get_corner(DOWN + LEFT)[:2], arrow.get_corner(UP + RIGHT)[:2]
    skip = {id(g) for g in ends}
    return not any(k not in skip and lo[0] < ghi[0] and hi[0] > glo[0] and lo[1] < ghi[1] and hi[1] > glo[1]
                   for k, (glo, ghi) in stage.canvas.boxes.items())


def play_generic(stage: Stage, step, role: str | None = None, color: str | None = None,
                 inputs: list[str] | None = None, end: bool = True, row: bool = False,
                 also: Callable[[], list] | None = None) -> None:
    """Inputs (``inputs``: those to draw, by default the step's) → outputs with the formula;
    outputs fill in a row at a time (in the colour of new weights for an optimiser's step).
    ``end``: the step is over (not a part played inside another). ``row``: the inputs stay where
    they are drawn, in one row left of the output (an update, W, dW → W, reads as its formula;
    the old W is not drawn again right of the new one because dW stands between them). ``also``:
    what to play as the outputs appear, made once inputs and outputs are placed."""
    color = color or (style.UPDATE if step.phase == "update" else style.COMPUTED)
    shown_inputs = [t for t in (step.inputs if inputs is None else inputs) if stage.trace.tensors[t].kind != "const"
                    or stage.trace.tensors[t].size > 1][:MAX_INPUTS]
    slots, new = place_inputs(stage, shown_inputs)
    anchor = max((s.grid for s in slots), key=lambda g: g.get_right()[0], default=None)
    outs = place_outputs(stage, step, anchor, role)
    arrows = [arrow_between(anchor, outs[0])] if anchor is not None and outs else []
    arrows = [a for a in arrows if clear_path(stage, a, (anchor, outs[0]))]
    show_new(stage, new + outs, *[FadeIn(a) for a in arrows], *(also() if also else []),
             focus=[s.grid for s in slots] + outs)
    for a in arrows:
        stage.canvas.add_loose(a, owners=(anchor, outs[0]))
    from .gradients import bring, in_sight

    for k, g in enumerate(outs):
        # outputs that do not fit the view together: each one as it fills, with the inputs it
        # reads (drawn again beside it when they are too far to show with it); not those only
        # another output reads (dh = dkept ⊙ (1 − u) is not shown beside a copy of h)
        reads = set(worked_from(stage, step, k))
        mine = [t for t in shown_inputs if t in reads]
        copies = [] if row else bring(stage, mine, [g])
        show_new(stage, copies, focus=[*in_sight(stage, mine), g])
        fill(stage, cell_works(stage, step, g, k), color=color, detailed_n=0, single_n=2, note=word("generic_rest", stage.lang))
    if end:
        finish(stage)


def play_generic_update(stage: Stage, step) -> None:
    """An update without a player that can show it (the weight's grid has no gradient band to
    work it in: a walkthrough drawn without bands, a paged one): as its formula reads, the old
    value and its gradient in a row, → the new value; then each grid still showing a value the
    step replaces (the old W, an optimiser's old m) is named ``W (before)``, so the learner reads
    ``W (before)  dW → W``, not two grids both named W."""
    # renamed as the new value appears: while it fills, one grid is named W
    play_generic(stage, step, row=len(step.outputs) == 1, also=lambda: before_labels(stage, step))


def before_labels(stage: Stage, step) -> list:
    """Every grid on the canvas showing an input of ``step`` named as one of its outputs (the value
    the step replaces) relabelled ``<name> (before)``; a grid showing an output too, or named
    otherwise (a transposed copy, ``W_Qᵀ``), keeps its name."""
    names = {stage.trace.tensors[t].name for t in step.outputs}
    outs = {id(s.grid) for t in step.outputs for s in stage.slots.get(t, ())}
    anims: list = []
    for tid in dict.fromkeys(step.inputs):
        name = stage.trace.tensors[tid].name
        if name not in names or tid in step.outputs:
            continue
        for s in stage.slots.get(tid, ()):
            g = s.grid
            if s.lane == "value" and id(g) not in outs and g in stage.canvas.grids and g.label_text == name:
                if id(g) in stage.canvas.parked:   # off the scene: renamed without a fade to film
                    g.rename(word("before", stage.lang, name=name))[1].set_opacity(1)
                else:
                    anims += relabel(stage, g, word("before", stage.lang, name=name))
    return anims


def play_generic_grad(stage: Stage, step) -> None:
    """A gradient step without a player of its own: each gradient goes into the blue band of the
    tensor it belongs to (when that tensor is drawn with one), or into a blue grid of its own."""
    from .bands import ensure_shown_grad, place_grad
    from .gradients import bring, in_sight

    fwd = stage.trace.steps[step.grad_of] if step.grad_of is not None else None
    banded = []
    for k, gid in enumerate(step.outputs):
        x = next((i for i, v in step.grad_map.items() if v == gid), None)
        s = stage.slot(x) if x is not None else None
        if s is None or s.lane != "value" or not s.grid.has_grad:
            banded = None
            break
        banded.append((k, gid, s.grid))
    if not banded:   # the gradient coming in, and what the gradients read (a loss's inputs)
        reads = [t for k in range(len(step.outputs)) for t in worked_from(stage, step, k)]
        return play_generic(stage, step, role="grad", color=style.GRAD,
                            inputs=list(dict.fromkeys([*step.inputs[:1], *reads])))
    for tid in step.inputs[:1]:
        out_slot = stage.slot(fwd.outputs[0]) if fwd is not None and fwd.outputs else None
        if out_slot is not None and out_slot.grid.has_grad and stage.trace.tensors[tid].kind == "grad":
            ensure_shown_grad(stage, tid, out_slot.grid)
    moves = stage.camera.focus([g for _, _, g in banded])
    if moves:
        stage.play(*moves, run_time=0.6)
    for k, gid, grid in banded:
        slot, acc = place_grad(stage, grid, gid, step)
        reads = worked_from(stage, step, k)   # drawn again beside the band when they are far
        copies = bring(stage, reads, [slot.grid])
        show_new(stage, copies, focus=[slot.grid, *in_sight(stage, reads)])
        works = cell_works(stage, step, slot, k, hide=lambda i, slot=slot: [slot.replaces.get(slot._key(i))])
        fill(stage, works, color=style.GRAD, detailed_n=0, single_n=2, note=word("grad_rest", stage.lang))
        if acc is not None:
            play_accumulate(stage, acc, end=False)
    finish(stage)


@register(BACKWARD, "accumulate")
def play_accumulate(stage: Stage, step, end: bool = True) -> None:
    """A tensor fed several ops: its gradients add up, cell by cell, into its blue band."""
    from .bands import grad_band

    x = step.attrs.get("tensor")
    s = stage.slot(x) if x else None
    if (s is None or s.lane != "value" or not s.grid.has_grad or s.grid.transpose
            or any(stage.slot(t) is None for t in step.inputs)):
        from .bands import accumulate_in_grid   # in the grid of the last contribution, else a third grid
        from .sums import play_sum_apart        # (the contributions side by side, as the formula adds them)
        if accumulate_in_grid(stage, step, end):
            return None
        return play_sum_apart(stage, step, end)
    from .gradients import bring, in_sight

    grid = s.grid
    copies = bring(stage, list(step.inputs), [grid])   # a share drawn far away: again, beside the band
    show_new(stage, copies, focus=[grid, *in_sight(stage, step.inputs)])
    slot = grad_band(stage, grid, step.outputs[0])
    works = [later(idx, slot.entry(idx), grid.cell(idx),
                   lambda i: work_from_cell(stage, explain_cell(stage, step, i), slot.entry(i), grid.cell(i)),
                   [slot.replaces.get(grid.rc(idx))])
             for idx in grid.shown()]
    for w in works:   # (inside a linear layer's gradient: one of its parts)
        w.step = step
    fill(stage, works, color=style.GRAD, detailed_n=0, single_n=2,
         note=word("accumulate_rest", stage.lang))
    if end:
        finish(stage)


__all__ = ["play_generic", "play_generic_grad", "place_inputs", "place_outputs", "clear_path"]
