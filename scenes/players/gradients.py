"""Gradient steps through entry-by-entry ops (sigmoid, tanh, exp, add, sub, mul, div, pow ...),
reductions (a sum's or a mean's gradient copied back to every entry) and the composite groups
shown collapsed (softmax, layer norm, attention at depth 0).

The forward layout is reused: the incoming gradient shows in the blue band under the forward
step's output, and each input's gradient is written in blue into the band under that input where
the forward step drew it (or, for a grid drawn without a band, in a blue grid right under it; an
input the forward step never drew, like layer norm's γ, is drawn beside the others first). A tensor
the working reads that is drawn too far from where the gradient is written to show both at once is
drawn again beside it (:func:`scenes.near.bring`: every operand in view, legible, when a cell uses it). Each cell's
working is :func:`tracer.explain.explain`'s. With no forward grid on the canvas (paging), the
generic gradient player.
"""
from __future__ import annotations

from manim import VGroup

from .. import style
from ..grid import NumberGrid
from ..near import beside_all, bring, near, zoom_for
from ..rows import next_in_row
from ..stage import Slot, Stage
from ..words import word
from . import BACKWARD, DECLINE, register
from .cells import explain_cell, later, work_from_cell, worked_from
from .common import fill, finish, show_new


def drawn(stage: Stage, tid: str) -> NumberGrid | None:
    """The grid showing ``tid``'s values on the canvas, if any (as they are: not transposed)."""
    s = stage.slot(tid)
    ok = s is not None and s.lane == "value" and s.grid in stage.canvas.grids and not s.grid.transpose
    return s.grid if ok else None


def input_of(step, fwd, k: int) -> str | None:
    """The forward input whose gradient is output ``k`` (a tensor used twice, ``x·x``, has a
    share per use: the k-th output goes with the k-th input)."""
    gid = step.outputs[k]
    x = next((i for i, g in step.grad_map.items() if g == gid), None)
    if x is None and k < len(fwd.inputs):
        x = fwd.inputs[k]
    return x


def _as_row(stage: Stage, tid: str, like: str) -> bool:
    """A vector that broadcasts along the last axis of ``like`` (γ, β of a layer norm over
    features laid out as columns) reads best as a row."""
    shape, other = stage.trace.tensors[tid].shape, stage.trace.tensors[like].shape
    return len(shape) == 1 and len(other) == 2 and shape[0] == other[1] != other[0]


def draw_missing(stage: Stage, fwd, tids: list[str], near: NumberGrid) -> list[NumberGrid]:
    """Forward inputs the forward step did not draw (γ, β; the gates of an LSTM's product when
    its forward pass was told fast): as given numbers beside ``near``, side by side or one under
    another, whichever frames them closer (:func:`scenes.rows.next_in_row`)."""
    new: list[NumberGrid] = []
    for t in tids:
        g = next_in_row(stage.canvas, [near, *new], t, hidden=False, as_row=_as_row(stage, t, fwd.outputs[0]))
        stage.canvas.register(g)
        stage.bind(t, g)
        new.append(g)
    return new


def incoming(stage: Stage, step, fwd, near: NumberGrid | None = None) -> tuple[NumberGrid | None, list[NumberGrid]]:
    """Show the gradient coming back (the step's first input): in the band under the forward
    output, or in a small blue grid under it when that grid has no band, or beside ``near`` when
    the forward output was never drawn (its chapter told fast)."""
    from .bands import ensure_shown_grad

    g = step.inputs[0]
    s = stage.slot(g)
    if s is not None and s.grid in stage.canvas.grids:
        return s.grid, []
    out = drawn(stage, fwd.outputs[0]) if fwd.outputs else None
    if out is None:
        if near is None or stage.trace.tensors[g].kind != "grad":
            return None, []
        side = stage.canvas.beside(near, g, "right", role="grad", grad=False, hidden=False)
        stage.canvas.register(side)
        stage.bind(g, side)
        return side, [side]
    if out.has_grad:
        ensure_shown_grad(stage, g, out)
        return out, []
    side = stage.canvas.beside(out, g, "down", role="grad", grad=False, hidden=False)
    stage.canvas.register(side)
    stage.bind(g, side)
    return side, [side]


def target(stage: Stage, step, grid: NumberGrid, gid: str) -> tuple[Slot, object, list[NumberGrid]]:
    """Where gradient ``gid`` is written: ``grid``'s blue band (a grid of its own beside it when
    the band holds a contribution it will be added to), or a blue grid under a grid with no band.
    Returns the slot, the accumulate step to play after it (if any) and the new grids."""
    from .bands import place_grad

    if grid.has_grad:
        slot, acc = place_grad(stage, grid, gid, step)
        return slot, acc, []
    side = stage.canvas.beside(grid, gid, "down", role="grad", grad=False)
    if not near(stage.canvas, [grid], side):   # slid far down past other grids: nearer, on any side
        beside_all(stage.canvas, side, [grid])
    stage.canvas.register(side)
    return stage.bind(gid, side), None, [side]


def in_sight(stage: Stage, tids: list[str]) -> list[NumberGrid]:
    """The grids showing ``tids`` now."""
    return [s.grid for s in (stage.slot(t) for t in tids) if s is not None and s.grid in stage.canvas.grids]


def named(name: str, expression: str) -> str:
    """``dZ = 0.02×0.42×(1 − 0.42) = 0.01``: the working says which gradient it is."""
    if expression.startswith(f"{name} "):
        return expression
    left, _, right = expression.rpartition(" = ")
    if left and left == right:   # a gradient passed on unchanged reads "g = g": say it once
        return f"{name} = {right}"
    return f"{name} = {expression}"


def play_grad_flow(stage: Stage, step) -> object:
    """The gradient flows back through the forward step's layout (see the module's docstring)."""
    from .generic import play_accumulate

    fwd = stage.trace.steps[step.grad_of] if step.grad_of is not None else None
    if fwd is None or stage.mode != "canvas":
        return DECLINE
    xs = [input_of(step, fwd, k) for k in range(len(step.outputs))]
    grids = {x: drawn(stage, x) for x in xs if x is not None}
    near = next((g for g in grids.values() if g is not None), None) or drawn(stage, fwd.outputs[0])
    if None in xs or near is None:
        return DECLINE
    back, new = incoming(stage, step, fwd, near)
    missing = [x for x, g in grids.items() if g is None]
    new += draw_missing(stage, fwd, missing, back or near)
    for x in missing:
        grids[x] = drawn(stage, x)
    hub = [back] if back is not None else []
    # a forward input drawn far from where the gradient comes in (the GRU's h, a timestep back)
    # is drawn again beside it, and its gradient written there (scenes.near)
    new += bring(stage, list(dict.fromkeys(xs)), hub) if hub else []
    grids.update((x, drawn(stage, x)) for x in xs)
    show_new(stage, new, focus=[grids[x] for x in dict.fromkeys(xs)] + hub)
    # the forward operands a gradient reads (d(a·b)/da reads b) stay in view with it when they fit
    operands = list({id(g): g for g in (drawn(stage, t) for t in fwd.inputs) if g is not None}.values())
    for k, (gid, x) in enumerate(zip(step.outputs, xs)):
        slot, acc, side = target(stage, step, grids[x], gid)
        mine = [grids[x]] + side
        reads = worked_from(stage, step, k)   # drawn again beside the gradient when they are far
        copies = bring(stage, reads, mine)
        mine = mine + in_sight(stage, reads)
        views = (operands + side + hub + mine, mine + hub, mine)   # with where it comes from, if it can
        legible = max(style.LEGIBLE_ZOOM, zoom_for(stage.canvas, mine))   # context only when cells stay legible
        show_new(stage, side + copies, focus=next(v for v in views if v is mine or zoom_for(stage.canvas, v) <= legible))
        name = stage.trace.tensors[gid].name

        def build(idx, k=k, slot=slot, name=name):
            w = work_from_cell(stage, explain_cell(stage, step, idx, k), slot.entry(idx), slot.cell(idx))
            w.expression = named(name, w.expression)
            return w
        works = [later(idx, slot.entry(idx), slot.cell(idx), build, [slot.replaces.get(slot._key(idx))])
                 for idx in slot.grid.shown()]
        fill(stage, works, color=style.GRAD, single_n=3, note=word("grad_rest", stage.lang))
        if acc is not None:
            play_accumulate(stage, acc, end=False)
        else:
            home(stage, gid, grids[x])
    finish(stage)


def home(stage: Stage, gid: str, grid: NumberGrid) -> None:
    """A gradient worked beside a copy of a far operand (:func:`bring`'s, ``copy_of`` the grid it
    copies) is written into the original grid's band too, and bound there: the copy does not keep
    the numbers the later steps read."""
    from .. import anim
    from .bands import grad_band

    orig = getattr(grid, "copy_of", None)
    if orig is None or not orig.has_grad or orig not in stage.canvas.grids:
        return
    slot = grad_band(stage, orig, gid)
    gone = [t for t in slot.replaces.values() if t is not None]
    stage.play(anim.Reveal(list(orig.grads.values())), *([anim.Reveal(gone, to=0.0)] if gone else []),
               run_time=0.3)


# the ops of these families have no gradient player of their own unless they register one (ReLU's
# mask, the matmul's rows and columns): the chain tries the op's player first
for _family in ("elementwise", "reduction", "normalization", "layer", "structural"):
    register(BACKWARD, family=_family)(play_grad_flow)

__all__ = ["play_grad_flow", "drawn", "incoming", "target", "bring", "in_sight", "named", "VGroup"]
