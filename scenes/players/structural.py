"""Ops that move numbers without changing them: a transpose turns rows into columns (the numbers
fly to their new cells); reshapes, slices and lookups use the generic player (concat has its own:
:mod:`scenes.players.concat`).
"""
from __future__ import annotations

from manim import AnimationGroup

from .. import anim
from ..words import word
from ..stage import Stage
from . import DECLINE, FORWARD, register
from .common import finish, show_new


@register(FORWARD, "transpose")
def play_transpose(stage: Stage, step) -> object:
    x, out = step.inputs[0], step.outputs[0]
    if len(stage.trace.tensors[x].shape) != 2:
        return DECLINE
    sx = stage.slot(x)
    new = []
    if sx is None or sx.lane != "value":
        sx, new = stage.need(x)
    g = stage.canvas.beside(sx.grid, out, "down", grad=False, label=stage.trace.tensors[out].name)
    stage.canvas.register(g)
    stage.bind(out, g)
    stage.layouts[step.id] = {"x": sx.grid, "out": g}
    show_new(stage, new + [g], focus=[sx.grid, g])
    flights = []
    for idx in g.shown():
        src = sx.grid.entry((idx[1], idx[0]))
        dst = g.entry(idx)
        if src is None or dst is None:
            continue
        copy = src.copy().set_opacity(1)
        stage.scene.add(copy)
        flights.append((copy, dst))
    if flights:
        stage.play(stage.say(word("transpose", stage.lang), run_time=0.2),
                         *[copy.animate(run_time=1.0).move_to(dst) for copy, dst in flights])
        stage.play(AnimationGroup(anim.Reveal([d for _, d in flights], run_time=0.2)))
        stage.scene.remove(*[c for c, _ in flights])
    else:
        stage.play(anim.Reveal(list(g.values.values()), run_time=0.5))
    finish(stage)
