"""The blue gradient bands: where a gradient is written under the values it belongs to.

A grid drawn with a band shows each value's gradient right under it (``dW`` under ``W``); the
players of every backward step write there through these helpers: load a gradient into a band
(hidden, to be revealed cell by cell), make sure the gradient coming back is shown, and, when a
band already shows one contribution of a tensor used twice, give the second one a blue grid of
its own beside it (the accumulate step then adds the two).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP

from .. import style
from ..stage import Slot, Stage
from .common import show_new


def grad_band(stage: Stage, grid, gid: str, bias: bool = False) -> Slot:
    """Put the gradient ``gid`` (hidden) in ``grid``'s blue band and bind it there."""
    record = stage.trace.tensors[gid]
    grid.show_grad_bands()
    if bias:
        old = grid.bias_grads
        texts = grid.bias_texts_for(record, style.GRAD, style.SMALL_NUMBER_SIZE, grad=True)
        grid.bias_grads = texts
    else:
        old = grid.grads
        texts = grid.load_grad(record)
        grid.grads = texts
    for t in texts.values():
        t.set_opacity(0)
    stage.canvas.add_loose(*texts.values())
    slot = stage.bind(gid, grid, "bias_grad" if bias else "grad")
    slot.replaces = dict(old)
    return slot


def ensure_shown_grad(stage: Stage, gid: str, grid) -> None:
    """The incoming gradient must be visible in ``grid``'s band (load it shown if it is not)."""
    s = stage.slot(gid)
    if s is not None and s.lane == "grad" and s.grid is grid:
        return
    slot = grad_band(stage, grid, gid)
    for t in slot.replaces.values():
        t.set_opacity(0)
    for t in slot.grid.grads.values():
        t.set_opacity(1)


def _span(a, b) -> float:
    """How far apart two grids reach (the longer side of the box around both)."""
    lo = np.minimum(a.get_corner(DOWN + LEFT), b.get_corner(DOWN + LEFT))
    hi = np.maximum(a.get_corner(UP + RIGHT), b.get_corner(UP + RIGHT))
    return float(max(hi[0] - lo[0], (hi[1] - lo[1]) * 16 / 9))


def place_grad(stage: Stage, grid, gid: str, step) -> tuple[Slot, object]:
    """Where gradient ``gid`` is written: ``grid``'s blue band, or, when the band already shows
    another contribution that ``gid`` will be added to, a blue grid of its own beside it. Returns
    the slot and the accumulate step to play right after (one inside ``step``), if any."""
    acc = next((s for s in stage.trace.steps if s.op == "accumulate" and gid in s.inputs), None)
    occupied = any(t.get_fill_opacity() > 0 for t in grid.grads.values())
    if acc is None or not occupied:
        return grad_band(stage, grid, gid), None
    # right of the grid, or under it when the free space on the right is far: the two are
    # framed together (named as the trace names the share: dx″, the band holding dx′)
    sides = [stage.canvas.beside(grid, gid, where, role="grad", grad=False) for where in ("right", "down")]
    side = min(sides, key=lambda g: _span(grid, g))
    stage.canvas.register(side)
    show_new(stage, [side], focus=[grid, side])
    return stage.bind(gid, side), (acc if acc.parent == step.id else None)


def accumulate_in_grid(stage: Stage, step, end: bool = True) -> bool:
    """A gradient summed over its contributions (``f.grad_sum``) worked in the grid of the last
    contribution, the sums replacing its numbers there, the other contribution beside it: two
    grids, not a third one for the sum. False (nothing drawn) when that grid is not drawn."""
    from .cells import works_over
    from .common import fill, finish
    from .gradients import bring, in_sight
    from ..words import word

    if len(step.inputs) != 2 or len(step.outputs) != 1:
        return False
    s = stage.slot(step.inputs[1])
    if (s is None or s.lane != "value" or s.grid.transpose or s.grid not in stage.canvas.grids
            or stage.slot(step.inputs[0]) is None):
        return False
    grid = s.grid
    record = stage.trace.tensors[step.outputs[0]]
    if tuple(record.shape) != tuple(grid.record.shape):
        return False
    copies = bring(stage, [step.inputs[0]], [grid])
    show_new(stage, copies, focus=[*in_sight(stage, step.inputs), grid])
    texts = grid.texts_for(record, style.GRAD)
    works = works_over(stage, step, grid, texts, grid.values)
    for w in works:
        w.step = step
    fill(stage, works, color=style.GRAD, detailed_n=0, single_n=2, note=word("accumulate_rest", stage.lang))
    grid.values.update(texts)
    stage.bind(step.outputs[0], grid)
    if end:
        finish(stage)
    return True
