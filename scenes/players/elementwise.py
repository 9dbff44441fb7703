"""Entry-by-entry ops: ReLU in place (negatives greyed to 0), the other activations and arithmetic
beside their input, scaling by a constant, residual and bias adds; ReLU's gradient masks the blue
band where the unit was off.
"""
from __future__ import annotations

import numpy as np
from manim import AnimationGroup, Line, Succession

from .. import anim, style
from ..words import word
from ..stage import Stage
from . import BACKWARD, DECLINE, FORWARD, register
from .cells import cell_works, explain_cell
from .common import fill, finish, relabel, show_new
from ..near import bring
from .concat import fits

DEAD_FILL = "#E9ECEF"


def _input_slot(stage: Stage, tid: str):
    s = stage.slot(tid)
    if s is not None and s.lane == "value":
        return s, []
    return stage.need(tid)


@register(FORWARD, "relu", in_place=True)
def play_relu(stage: Stage, step) -> None:
    """In place: every negative entry is greyed out and becomes 0; the grid now shows the output."""
    x, out = step.inputs[0], step.outputs[0]
    slot, new = _input_slot(stage, x)
    grid = slot.grid
    show_new(stage, new, focus=[grid])
    z = np.asarray(stage.trace.tensors[x].data)
    new_texts = grid.texts_for(stage.trace.tensors[out], grid.look.text)
    for t in new_texts.values():
        t.set_opacity(0)
    stage.canvas.add_loose(*new_texts.values())
    dead = [idx for idx in grid.shown() if not z[idx] > 0]
    alive = [idx for idx in grid.shown() if z[idx] > 0]
    beats, batch = [], []
    for n, idx in enumerate(dead):
        rc = grid.rc(idx)
        old, box = grid.values[rc], grid.cells[rc]
        strike = Line(old.get_corner([-1, -1, 0]), old.get_corner([1, 1, 0]), stroke_width=2.5, color=style.STRIKE)
        strike.set_stroke(opacity=0)
        stage.canvas.add_loose(strike)
        grid.strikes = getattr(grid, "strikes", []) + [strike]
        turn_off = [anim.Reveal([old, strike], to=0.0, run_time=0.3), box.animate(run_time=0.3).set_fill(DEAD_FILL),
                    anim.Reveal([new_texts[rc].set_color(style.DEAD)], run_time=0.3)]
        if n < 2:  # the first ones one by one, with the comparison on the work line
            beats.append(AnimationGroup(anim.Reveal([strike], run_time=0.25),
                                        anim.Glide(stage.marker(0, box), anim.box_like(box, style.HIGHLIGHT, 4.0), run_time=0.25),
                                        stage.say(explain_cell(stage, step, idx).lines[0], style.COMPUTED)))
            beats.append(anim.hold(0.3))
            beats.append(AnimationGroup(*turn_off))
        else:
            batch += turn_off
    if batch:
        beats.append(AnimationGroup(*batch))
    keep = AnimationGroup(anim.Reveal([grid.values[grid.rc(i)] for i in alive], to=0.0, run_time=0.2),
                          anim.Reveal([new_texts[grid.rc(i)] for i in alive], run_time=0.2))
    say = stage.say(word("relu_off", stage.lang, n=len(dead)), style.COMPUTED)
    renamed = relabel(stage, grid, stage.trace.tensors[out].name)   # (an in-place step)
    if beats:
        stage.play(Succession(*beats, AnimationGroup(keep, say, *renamed)))
    else:
        stage.play(keep, say, *renamed)
    stage.tidy()
    grid.values = dict(grid.values)
    grid.values.update(new_texts)
    stage.slots.pop(x, None)
    stage.bind(out, grid)
    stage.layouts[step.id] = {"x": grid, "out": grid}
    finish(stage)


@register(FORWARD, family="elementwise")
def play_elementwise(stage: Stage, step) -> None:
    """A function of one tensor beside its input; an op of two, entry by entry."""
    (play_unary if len(step.inputs) == 1 else play_binary)(stage, step)


def play_unary(stage: Stage, step) -> None:
    """The output beside the input, each entry the function of the entry on its left."""
    x, out = step.inputs[0], step.outputs[0]
    slot, new = _input_slot(stage, x)
    gout = stage.canvas.beside(slot.grid, out)
    if stage.mode == "canvas" and not fits([slot.grid, gout]):   # no room beside it: the input again
        (slot,), more = _fresh_copies(stage, [x])
        new += more
        gout = stage.canvas.beside(slot.grid, out)
    stage.canvas.register(gout)
    stage.bind(out, gout)
    stage.layouts[step.id] = {"x": slot.grid, "out": gout}
    show_new(stage, new + [gout], focus=[slot.grid, gout])
    fill(stage, cell_works(stage, step, gout), detailed_n=0, single_n=3, note=word("function_rest", stage.lang))
    finish(stage)


def play_binary(stage: Stage, step) -> None:
    """``a ∘ b`` entry by entry (broadcast as recorded); a constant operand is named in the caption."""
    ins = [t for t in step.inputs if stage.trace.tensors[t].size > 1 or stage.trace.tensors[t].kind != "const"]
    slots, new = [], []
    for tid in ins:
        s, n = _input_slot(stage, tid) if not slots else _near(stage, tid, slots[0].grid)
        slots.append(s)
        new += n
    if stage.mode == "canvas" and len(slots) > 1:
        # an operand drawn far back (the GRU's h, a timestep ago) again beside the one drawn
        # last, where the work is (scenes.near)
        grids = stage.canvas.grids
        last = max(range(len(slots)), key=lambda i: grids.index(slots[i].grid) if slots[i].grid in grids else -1)
        result = stage.canvas.beside(slots[last].grid, step.outputs[0])   # where the result would go
        new += bring(stage, [t for i, t in enumerate(ins) if i != last], [slots[last].grid, result])
        slots = [stage.slot(t) for t in ins]
    anchor = max((s.grid for s in slots), key=lambda g: g.get_right()[0])
    out = step.outputs[0]
    gout = stage.canvas.beside(anchor, out)
    if stage.mode == "canvas" and not fits([s.grid for s in slots] + [gout]):
        # an operand drawn far back (a residual's input), or no room beside them: the operands
        # again in fresh space, in a column, the result beside them
        slots, more = _fresh_copies(stage, ins)
        new += more
        anchor = more[0]
        gout = stage.canvas.beside(anchor, out)
    stage.canvas.register(gout)
    stage.bind(out, gout)
    stage.layouts[step.id] = {"a": slots[0].grid, "out": gout, **({"b": slots[1].grid} if len(slots) > 1 else {})}
    show_new(stage, new + [gout], focus=[s.grid for s in slots] + [gout])
    fill(stage, cell_works(stage, step, gout), detailed_n=0, single_n=3, note=word("entry_rest", stage.lang))
    finish(stage)


def _near(stage: Stage, tid: str, grid):
    s = stage.slot(tid)
    if s is not None and s.lane == "value":
        return s, []
    return _copy(stage, tid, grid)


def _copy(stage: Stage, tid: str, grid):
    """``tid`` drawn (as given numbers) under ``grid`` (right of it when the two, one under the
    other, are taller than any view: the result goes right of the rightmost operand)."""
    g = stage.canvas.beside(grid, tid, "down", hidden=False)
    if grid.height + g.height + style.GRID_GAP > style.WIDEST_ROOM[1]:
        g = stage.canvas.beside(grid, tid, hidden=False)
    stage.canvas.register(g)
    return stage.bind(tid, g), [g]


def _fresh_copies(stage: Stage, tids: list[str]):
    """``tids`` drawn again (as given numbers) in a column in fresh space."""
    g = stage.canvas.fresh(tids[0])
    stage.canvas.register(g)
    slots, grids = [stage.bind(tids[0], g)], [g]
    for tid in tids[1:]:
        s, more = _copy(stage, tid, grids[-1])
        slots.append(s)
        grids += more
    return slots, grids


@register(BACKWARD, "relu")
def play_relu_grad(stage: Stage, step) -> object:
    """The gradient passes where the unit was on and is blocked (0) where ReLU turned it off."""
    from .bands import ensure_shown_grad, grad_band

    fwd = stage.trace.steps[step.grad_of]
    lay = stage.layouts.get(fwd.id)
    if lay is None or not lay["x"].has_grad or stage.mode != "canvas":
        return DECLINE
    grid = lay["x"]
    g_in, gid = step.inputs[0], step.outputs[0]
    ensure_shown_grad(stage, g_in, grid)
    moves = stage.camera.focus([grid])
    if moves:
        stage.play(*moves, run_time=0.6)
    slot = grad_band(stage, grid, gid)
    before = slot.replaces
    z = np.asarray(stage.trace.tensors[fwd.inputs[0]].data)
    dead = [idx for idx in grid.shown() if not z[idx] > 0]
    beats = []
    for n, idx in enumerate(dead):
        rc = grid.rc(idx)
        parts = [anim.Glide(stage.marker(0, grid.cells[rc]), anim.box_like(grid.cells[rc], style.GRAD, 4.0), run_time=0.2),
                 anim.Reveal([before.get(rc)], to=0.0, run_time=0.25),
                 anim.Reveal([slot.entry(idx).set_color(style.DEAD)], run_time=0.25)]
        if n < 2:
            parts.append(stage.say(explain_cell(stage, step, idx).expression, style.GRAD))
        beats.append(AnimationGroup(*parts))
    alive = [grid.rc(i) for i in grid.shown() if z[i] > 0]
    swap = AnimationGroup(anim.Reveal([before.get(rc) for rc in alive], to=0.0, run_time=0.2),
                          anim.Reveal([slot.grid.grads[rc] for rc in alive], run_time=0.2),
                          stage.say(word("relu_grad", stage.lang), style.GRAD))
    stage.play(Succession(*beats, swap) if beats else swap)
    finish(stage)


__all__ = ["play_relu", "play_unary", "play_binary", "play_relu_grad"]
