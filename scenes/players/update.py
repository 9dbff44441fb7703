"""A parameter update, W ← W − η·dW, worked in the weight's own grid: each new weight comes from
the old one and the gradient in the blue band under it, and replaces it (in green). A clipping of
all the gradients at once, worked on the first gradient.
"""
from __future__ import annotations

from manim import FadeIn

from .. import anim, style
from ..words import word
from ..stage import Stage
from . import DECLINE, UPDATE, register
from .bands import grad_band
from .common import cell_works, explain_cell, fill, finish, later, show_new, work_from_cell


@register(UPDATE, family="update")
def play_sgd(stage: Stage, step) -> object:
    """The new weights replace the old ones in place, each worked from the weight and its
    gradient (momentum and Adam keep running averages: their formula is in the caption). A weight
    no step drew yet is drawn now, and a gradient shown elsewhere (or not at all) is brought into
    the weight's band: the update shows the weight, its gradient and the new value, nothing else."""
    W, dW = step.inputs[:2]
    slot, canvas = stage.slot(W), stage.canvas
    usable = slot is not None and slot.lane in ("value", "bias") and slot.grid.has_grad
    # not drawn, or only where it has no band (a transposed operand of dX = Wᵀ·dZ): drawn now, with one
    drawable = not usable and canvas.bands and W in canvas.gets_grad
    if stage.mode != "canvas" or not (usable or drawable):
        return DECLINE
    slot, new = (slot, []) if usable else stage.draw(W)
    grid = slot.grid
    brought = []
    gslot = stage.slot(dW)
    if gslot is None or gslot.grid is not grid:   # dW into W's band, where each new weight is worked
        band = grad_band(stage, grid, dW, bias=slot.lane == "bias")
        gone = [t for t in band.replaces.values() if t is not None]
        brought = [anim.Reveal((grid.bias_grads if slot.lane == "bias" else grid.grads).values())]
        brought += [anim.Reveal(gone, to=0.0)] if gone else []
    show_new(stage, new, *brought, focus=[grid])
    record = stage.trace.tensors[step.outputs[0]]
    if slot.lane == "bias":
        texts = grid.bias_texts_for(record, style.UPDATE, style.NUMBER_SIZE, grad=False)
        keys = {(r,) + (0,) * (len(record.shape) - 1): r for r in texts}
        old = grid.bias_values
    else:
        texts = grid.texts_for(record, style.UPDATE)
        keys = {grid.index_of(*rc): rc for rc in texts}
        old = grid.values
    for t in texts.values():
        t.set_opacity(0)
    stage.canvas.add_loose(*texts.values())
    def build(idx):
        w = work_from_cell(stage, explain_cell(stage, step, idx), texts[keys[idx]], slot.cell(idx))
        w.boxes = [b for b in (slot.cell(idx),) if b is not None]
        return w
    works = [later(idx, texts[key], slot.cell(idx), build, [old[key]]) for idx, key in keys.items()]
    fill(stage, works, color=style.UPDATE, detailed_n=0, single_n=2, note=word("update_rest", stage.lang))
    old.update(texts)
    if slot.lane == "value":  # the weights are updated now, no longer given: the legend's colours
        stage.play(recolour(grid, "updated"), run_time=stage.pace.recolour)
    stage.bind(step.outputs[0], grid, slot.lane)
    finish(stage)


def recolour(grid, role: str) -> anim.Recolour:
    """``grid``'s cells fading from their colours to ``role``'s (the grid takes the role now)."""
    boxes = list(grid.cells.values())
    before = [(b.fill_rgbas.copy(), b.stroke_rgbas.copy()) for b in boxes]
    grid.restyle(role)
    return anim.Recolour(grid, boxes, before)


CLIPS = ("clip_grad_norm", "clip_grad_value")   # ops that treat all their outputs alike


@register(UPDATE, *CLIPS)
def play_clip(stage: Stage, step) -> object:
    """Clipping treats every gradient the same way: the first one is drawn and its clipped copy
    worked beside it, cell by cell; the others are only counted ("×21"), not drawn empty."""
    from .generic import arrow_between, place_inputs

    if not step.inputs or not step.outputs:
        return DECLINE
    slots, new = place_inputs(stage, step.inputs[:1])
    out = stage.canvas.beside(slots[0].grid, step.outputs[0], role="grad")
    stage.canvas.register(out)
    stage.bind(step.outputs[0], out)
    arrow = arrow_between(slots[0].grid, out)
    show_new(stage, new + [out], FadeIn(arrow), focus=[slots[0].grid, out])
    stage.canvas.add_loose(arrow, owners=(slots[0].grid, out))
    fill(stage, cell_works(stage, step, out, 0), color=style.GRAD, detailed_n=0, single_n=2,
         note=word("entry_rest", stage.lang))
    others = len(step.outputs) - 1
    if others and not stage.skipping:
        stage.play(stage.say(word("clip_others", stage.lang, n=others), style.GRAD))
        stage.scene.pause(stage.pace.hold)
    finish(stage)
