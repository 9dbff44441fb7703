"""A parameter update, W ← W − η·dW, worked in the weight's own grid: each new weight comes from
the old one and the gradient in the blue band under it, and replaces it (in green); Adam's and
RMSprop's running averages beside it are updated in place too. L2 weight decay, worked in the
weight's band. A clipping of all the gradients at once, worked on the first gradient.
"""
from __future__ import annotations

from manim import UL, FadeIn

from tracer.explain.working import reads_outputs

from .. import anim, style
from ..near import zoom_for
from ..words import word
from ..stage import Stage
from . import DECLINE, UPDATE, register
from .bands import grad_band
from .cells import cell_works, explain_cell, later, work_from_cell, works_over
from .common import fill, finish, show_new


@register(UPDATE, family="update")
def play_sgd(stage: Stage, step) -> object:
    """The new weights replace the old ones in place, each worked from the weight and its
    gradient; an optimiser's state (Adam's m and v, RMSprop's v) is drawn beside the weight and
    its new values worked over the old ones after the weight's when its working reads the old
    (RMSprop), before when it reads the new (Adam's, short enough to read that way). A weight
    no step drew yet is drawn now, and a gradient shown elsewhere (or not at all) is brought into
    the weight's band: the update shows the weight, its gradient and the new value, nothing else."""
    W, dW = step.inputs[:2]
    drawn = weight_slot(stage, W, ("value", "bias"))
    if drawn is None:
        return DECLINE
    slot, new = drawn
    grid = slot.grid
    states = []
    if slot.lane == "value":   # Adam's m and v, RMSprop's v: each right of or under the grid
        # before, where the work stays smallest (a row of three 8×8 grids is wider than the view)
        states = place_states(stage, step, grid)
        if states and not fits_view(stage, [grid, *states]):   # W far from free space: drawn
            drop(stage, states)
            slot, again = stage.draw(W)                        # again, the states beside the copy
            grid, new = slot.grid, new + again
            states = place_states(stage, step, grid)
        shrink_to_fit(stage, grid, states)
        for g in states:
            stage.canvas.register(g)
        for sid, g in zip(step.inputs[2:], states):
            stage.bind(sid, g)
    new += states
    show_new(stage, new, focus=[grid, *states])   # the grids first: a band's numbers go on top
    stage.play(*band_shown(stage, grid, dW, bias=slot.lane == "bias"), run_time=0.4)
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
        w.boxes = [b for b in (slot.cell(idx), *(g.cell(idx) for g in states)) if b is not None]
        return w
    works = [later(idx, texts[key], slot.cell(idx), build, [old[key]]) for idx, key in keys.items()]
    first = reads_outputs(step.op) if len(states) == len(step.outputs) - 1 else []
    for k, sgrid in enumerate(states, start=1):   # m, v: their new values replace the old in place
        if k in first:
            work_state(stage, step, sgrid, k)
    fill(stage, works, color=style.UPDATE, detailed_n=0, single_n=2, note=word("update_rest", stage.lang))
    old.update(texts)
    for k, sgrid in enumerate(states, start=1):
        if k not in first:
            work_state(stage, step, sgrid, k)
    if slot.lane == "value":  # the weights are updated now, no longer given: the legend's colours
        stage.play(recolour(grid, "updated"), run_time=stage.pace.recolour)
    stage.bind(step.outputs[0], grid, slot.lane)
    finish(stage)


def weight_slot(stage: Stage, W: str, lanes: tuple[str, ...]):
    """The slot where weight ``W`` is worked (one of ``lanes``, with a gradient band) and the grids
    drawn for it: drawn now when no step drew it, or drew it only without a band (a transposed
    operand of dX = Wᵀ·dZ); ``None`` when it cannot be (a paged scene, a weight given no band)."""
    slot, canvas = stage.slot(W), stage.canvas
    usable = slot is not None and slot.lane in lanes and slot.grid.has_grad
    drawable = not usable and canvas.bands and W in canvas.gets_grad
    if stage.mode != "canvas" or not (usable or drawable):
        return None
    return (slot, []) if usable else stage.draw(W)


def band_shown(stage: Stage, grid, dW: str, bias: bool = False) -> list:
    """Animations that show ``dW`` in ``grid``'s blue band, where the update is worked: loaded
    there when it is shown elsewhere (or nowhere), revealed when it is there but hidden."""
    gslot = stage.slot(dW)
    texts = grid.bias_grads if bias else grid.grads
    shown = texts and all(t is None or t.get_fill_opacity() > 0.99 for t in texts.values())
    if gslot is not None and gslot.grid is grid and gslot.lane in ("grad", "bias_grad") and shown:
        return []
    band = grad_band(stage, grid, dW, bias=bias)   # (loaded again when it was there but hidden)
    gone = [t for t in band.replaces.values() if t is not None]
    texts = grid.bias_grads if bias else grid.grads
    return [anim.Reveal(texts.values())] + ([anim.Reveal(gone, to=0.0)] if gone else [])


STATE_MOST = 5   # a state grid too wide to sit whole beside its weight: first and last 2 (⋯)


def place_states(stage: Stage, step, grid) -> list:
    """The optimiser's state grids beside ``grid``, drawn whole when they fit in one view with it,
    else elided (:data:`STATE_MOST`) at full size: RMSprop's v in scientific notation beside an
    8×8 W1, shrunk to fit, had digits 5 px tall at 480p."""
    pairs = list(zip(step.inputs[2:], step.outputs[1:]))
    states: list = []
    for most in (None, STATE_MOST):
        drop(stage, states)
        states = []
        for sid, out in pairs:
            states.append(state_grid(stage, [grid, *states], sid, out, most))
        if not states or fits_view(stage, [grid, *states]):
            break
    return states


def drop(stage: Stage, states: list) -> None:
    """State grids placed but not kept: their outlines off the canvas."""
    for g in states:
        stage.canvas.boxes.pop(id(g), None)


def state_grid(stage: Stage, work: list, sid: str, out: str, most: int | None = None):
    """An optimiser's state (Adam's m and v, RMSprop's v) drawn right of or under the last of
    ``work`` (the weight's grid, then the states drawn before), on the side that keeps the work
    smallest; its cells as wide as the weight's (as tall without the band) and as many rows and
    columns shown (elided alike), or at most ``most``."""

    weight = work[0]
    shape = weight.record.data.shape
    if most is None:
        most = style.MAX_SHOWN if weight.elided else max(max(shape, default=1), 1)
    tensors, canvas = stage.trace.tensors, stage.canvas

    sides = [canvas.beside(work[-1], sid, side, hidden=False, planned=False, grad=False, most=most,
                           cell=(weight.cell_w, 0.0), also=[tensors[out]], label=tensors[sid].name)
             for side in ("right", "down")]
    g = min(sides, key=lambda g: zoom_out(stage, [*work, g]))
    for t in g.values.values():
        t.set_opacity(1)
    canvas.boxes[id(g)] = canvas._corners(g)   # (measured: the next state is placed around it)
    return g


def shrink_to_fit(stage: Stage, grid, states: list) -> None:
    """States still too wide to show with their weight even elided (:func:`place_states`) drawn
    smaller, each about its corner nearest the weight, down to half size: the last resort."""
    k = 1.0
    while states and not fits_view(stage, [grid, *states]) and k > 0.5:
        k *= 0.9
        for g in states:
            g.scale(0.9, about_point=g.get_corner(UL))
            stage.canvas.boxes[id(g)] = stage.canvas._corners(g)


def zoom_out(stage: Stage, grids: list) -> float:
    """How much of the widest view ``grids`` take (1: the camera zoomed out as far as it goes)."""
    return zoom_for(stage.canvas, grids) / style.MAX_ZOOM


def fits_view(stage: Stage, grids: list) -> bool:
    """Whether ``grids`` fit in one view, zoomed out as far as the camera goes."""
    return zoom_out(stage, grids) <= 0.95   # (an outline leaves out a name above: 5% spare)


def work_state(stage: Stage, step, sgrid, output: int) -> None:
    """Output ``output`` of ``step`` (a new m or v) worked cell by cell over the old one in its grid."""
    texts = sgrid.texts_for(stage.trace.tensors[step.outputs[output]], style.UPDATE)
    works = works_over(stage, step, sgrid, texts, sgrid.values, output)
    fill(stage, works, color=style.UPDATE, detailed_n=0, single_n=1, note=word("update_rest", stage.lang))
    sgrid.values.update(texts)
    stage.bind(step.outputs[output], sgrid)


@register(UPDATE, "weight_decay")
def play_decay(stage: Stage, step) -> object:
    """L2 weight decay, dW ← dW + λ·W, worked in W's blue band: each decayed gradient comes from
    the gradient in the band and the weight above it, and replaces the gradient there."""
    W, dW = step.inputs[:2]
    drawn = weight_slot(stage, W, ("value",))
    if drawn is None:
        return DECLINE
    slot, new = drawn
    grid = slot.grid
    show_new(stage, new, focus=[grid])
    stage.play(*band_shown(stage, grid, dW), run_time=0.4)
    old = dict(grid.grads)
    texts = grid.load_grad(stage.trace.tensors[step.outputs[0]])
    works = works_over(stage, step, grid, texts, old)
    fill(stage, works, color=style.GRAD, detailed_n=0, single_n=2, note=word("entry_rest", stage.lang))
    grid.grads = texts
    stage.bind(step.outputs[0], grid, "grad")
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
