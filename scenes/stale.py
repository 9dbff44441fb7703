"""Which grids have gone stale (issue 9): a grid on the canvas none of whose tensors (those it
showed, and those it will show: an update, a gradient) is read or written by the step being played
or by a step still to come before the next card. It would only sit beside the work: the stage
fades it out (:func:`retire`) with the step's first camera move (:func:`leave`: the work left fades
as the pan leaves it, no empty page filmed between it and the work reached); a later chapter that
needs its tensor draws it again.

An update worked in its weight's gradient band keeps no transposed grid of the weight: the RNN's
W_hᵀ, drawn for the backward pass, stood beside W_x while every weight was updated.

A copy of a far operand drawn beside the work (:mod:`scenes.near`, ``copy_of``) stands in for it
during the step that needed it; once a step that does not read it is played, the copy leaves (its
original is still on the canvas, and a later step that needs it near draws a copy of its own). The
GRU's ``hidden``, copied beside ``kept`` for ``kept``'s gradient, stood next to the original in
the next step's view.

Kept, to stay conservative: grids a gradient step to come reuses (its forward step's layout), and
grids showing updated weights (the result of a training step). A weight whose update comes only
after a card is not kept for it: the LSTM's W_g stood beside i ⊙ g, the product after it.
"""
from __future__ import annotations

from tracer.trace import Step, Trace

from . import anim
from .label_room import overlap
from .manim_adapter import jump_to_end


def step_tensors(trace: Trace, step: Step) -> set[str]:
    """What ``step`` and the parts inside it read and write (a composite's player draws its parts,
    a loss's X̂ − X), with the tensors whose gradient band it writes into (a gradient step, also
    what its forward step read and wrote: dW = dZ·Xᵀ reads X).

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     p = tracer.softmax(tracer.tensor([[1.0, 2.0]], name="s"), name="p")
    >>> sorted(trace.tensors[t].name for t in step_tensors(trace, trace.step("p")))
    ['exp', 'max', 'p', 's', 'shifted', 'sum']
    """
    out: set[str] = set()
    todo = [step] + ([trace.steps[step.grad_of]] if step.grad_of is not None else [])
    while todo:
        s = todo.pop()
        out.update(s.inputs, s.outputs)
        out.update(r for t in s.outputs if (r := trace.tensors[t].grad_of))
        todo += trace.children(s)
    return out


def stale_grids(stage, ahead: list[Step], revisited: set[int]) -> list:
    """The grids on ``stage``'s canvas gone stale, given the steps ``ahead`` (before the next card)
    and the forward steps whose gradient step comes later (``revisited``: their layout is reused)."""
    trace, canvas = stage.trace, stage.canvas
    used: set[str] = set()     # read or written by the steps ahead
    banded: set[str] = set()   # ... by updates only: worked in a grid with a gradient band, not transposed
    for s in [stage.step, *ahead]:
        (banded if in_band(s) else used).update(step_tensors(trace, s))
    new = {t for s in trace.steps if s.phase == "update" for t in s.outputs}   # new weights on screen stay
    now = step_tensors(trace, stage.step)
    keep = reused(stage, revisited)
    shows: dict[int, set[str]] = {}
    for tid, slot in stage.bindings:
        shows.setdefault(id(slot.grid), set()).add(tid)
    out = []
    for g in canvas.grids:
        tids = shows.get(id(g))
        if not tids or id(g) in keep or id(g) not in canvas.boxes or tids & new:
            continue
        tids = tids | {r.id for t in tids for r in canvas.later_shown(t, True)}
        if not tids & used and (g.transpose or not tids & banded):
            out.append(g)
        elif getattr(g, "copy_of", None) in canvas.grids and not tids & now:
            out.append(g)   # a far operand's stand-in whose step is over: its original is on the canvas
    return out


def in_band(step: Step) -> bool:
    """Whether ``step`` is an update worked in its weight's gradient band (W ← W − η·dW, weight
    decay): a transposed grid of the weight (the W_hᵀ of dh = W_hᵀ·dz) is of no use to it, the
    update draws the weight again (:func:`scenes.players.update.weight_slot`)."""
    return step.phase == "update" and not step.op.startswith("clip_grad")


def reused(stage, revisited: set[int]) -> set[int]:
    """id() of the grids of the forward layouts a gradient step to come reuses (``revisited``)."""
    keep: set[int] = set()
    for sid in revisited:
        for v in stage.layouts.get(sid, {}).values():
            keep.update(id(g) for g in (v if isinstance(v, (list, tuple)) else [v]))
    return keep


def retire(stage) -> None:
    """Take the grids gone stale (:func:`stale_grids`) off ``stage``'s canvas: no slot shows them any
    more (a tensor needed again is drawn again); those on the scene fade out with the step's first
    play (:func:`leave`)."""
    if stage.mode != "canvas" or stage.step is None:
        return
    for g in stale_grids(stage, stage.ahead, stage.revisited):
        take_off(stage, g)


def take_off(stage, g) -> None:
    """``g`` off ``stage``'s canvas: no slot shows it any more; on the scene, it fades out with the
    step's next play (:func:`leave`)."""
    canvas, fades = stage.canvas, stage.leaving
    key, owned = id(g), canvas.owned.pop(id(g), [])
    if key not in canvas.parked:
        fades.append(anim.Appear(g, out=True, run_time=0.4))
        fades += [anim.Reveal([m], to=0.0, run_time=0.4) for m in owned]
    veil = canvas.veils.pop(key, None)
    stage.left += [g, *owned, *([veil[0]] if veil else [])]
    stage.left_boxes.append(canvas.boxes.pop(key))
    canvas.grids.remove(g)
    canvas.parked.discard(key)
    stage.retired.add(key)


def leave(stage, anims: list) -> list:
    """``anims`` with the stale grids' fades when they move the camera (the work left fades as the
    pan leaves it), unless a grid they bring is drawn where a stale one was; otherwise the fades are
    played first, on their own. What faded leaves the scene at the next tidy."""
    fades, stage.leaving = stage.leaving, []
    boxes, stage.left_boxes = stage.left_boxes, []
    arriving = [stage.canvas.extent([a.mobject]) for a in anims if isinstance(a, anim.Appear) and not a.out]
    clash = any(overlap(a, b, slack=0.0) for a in arriving for b in boxes)   # a grid drawn where one is fading out
    if stage.skipping or stage.camera.moved_from is None or clash:
        if stage.skipping:
            jump_to_end(stage.scene, fades)
        else:
            stage.scene.play(*fades)
        fades = []
    stage.canvas.trash += stage.left
    stage.left = []
    return fades + anims

