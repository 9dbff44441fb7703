"""Two gradients of one tensor that met, added apart from the tensor: where the tensor is not drawn
with a blue band to add them in (a weight every timestep shares, told fast; a cell state of an
earlier timestep), the contributions are drawn side by side in the order the formula adds them,
``dx′  dx″ → dx``, and the sum fills in cell by cell, each first cell with its arithmetic
(``−0.25 + 0.03 = −0.22``). A contribution drawn elsewhere is drawn again here: the sum reads left
to right as its formula does, not across the canvas.
"""
from __future__ import annotations

from manim import FadeIn

from .. import style
from ..rows import next_in_row
from ..stage import Stage
from ..words import word
from .cells import cell_works
from .common import fill, finish, show_new
from .generic import arrow_between, clear_path, place_outputs


def play_sum_apart(stage: Stage, step, end: bool = True) -> None:
    """``step`` (an accumulate step) as its formula reads: its contributions in a row, → the sum."""
    grids = []
    for tid in step.inputs:
        # drawn as gradients, as their sum is (a large one too: not as a heat map beside a blue sum)
        g = (stage.canvas.fresh(tid, role="grad", grad=False) if not grids
             else next_in_row(stage.canvas, grids, tid, role="grad", hidden=False, grad=False))
        for t in g.values.values():   # given numbers: the steps before computed them
            t.set_opacity(1)
        stage.canvas.register(g)
        stage.bind(tid, g)
        grids.append(g)
    outs = place_outputs(stage, step, grids[-1], role="grad")
    arrows = [a for a in [arrow_between(grids[-1], outs[0])] if clear_path(stage, a, (grids[-1], outs[0]))]
    show_new(stage, grids + outs, *[FadeIn(a) for a in arrows], focus=grids + outs)
    for a in arrows:
        stage.canvas.add_loose(a, owners=(grids[-1], outs[0]))
    fill(stage, cell_works(stage, step, outs[0]), color=style.GRAD, detailed_n=0, single_n=2,
         note=word("accumulate_rest", stage.lang))
    if end:
        finish(stage)
