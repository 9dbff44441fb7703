"""Two gradients of one tensor that met, added apart from the tensor: where the tensor is not drawn
with a blue band to add them in (a weight every timestep shares, told fast; a cell state of an
earlier timestep), the contributions are drawn side by side in the order the formula adds them,
``dx′  dx″ → dx``, and the sum fills in cell by cell, each first cell with its arithmetic
(``−0.25 + 0.03 = −0.22``). A contribution drawn elsewhere is drawn again here: the sum reads left
to right as its formula does, not across the canvas. Under each contribution, a muted line says
the way it came back (``through the output gate o``), in the words of :func:`tracer.shares.named`
(the title and caption say the same): its name alone (``dhx′``) does not say, and the title and
caption are gone by the time one looks.
"""
from __future__ import annotations

from manim import DOWN, LEFT, FadeIn, VGroup, VMobject

from tracer.shares import named

from .. import glyphs, style
from ..rows import next_in_row
from ..stage import Stage
from ..words import word
from .cells import cell_works
from .common import fill, finish, show_new
from .generic import arrow_between, clear_path, place_outputs


PATH_SIZE = 16   # the muted line under a share: smaller than the grid's name and axis names


def path_line(way: str, lang: str) -> VMobject:
    """The way a share came back (:func:`tracer.shares.named`: ``through the output gate o``,
    ``the sum so far``, ``given to backward()``) as the muted line under its grid."""
    return glyphs.prose(way, lang, style.MUTED, PATH_SIZE)


def under(grid, line: VMobject) -> VMobject:
    """``line`` put under ``grid`` (under its shape, when elided), left edges aligned, and made
    part of it: it comes, leaves and is framed with it, and a grid placed under it goes under it."""
    above = VGroup(grid.brackets, *([grid.shape_label] if grid.shape_label is not None else []))
    line.next_to(above, DOWN, buff=0.1).align_to(grid.brackets, LEFT)
    grid.path_line = line
    grid.add(line)
    return line


def gap_after(grid) -> float:
    """The room right of ``grid`` for the next grid: the usual gap, more where its path line is
    wider than its brackets (so it never runs under the next grid's line)."""
    line = getattr(grid, "path_line", None)
    usual = style.GRID_GAP * 1.6
    return usual if line is None else max(usual, line.get_right()[0] - grid.brackets.get_right()[0] + 0.4)


def play_sum_apart(stage: Stage, step, end: bool = True) -> None:
    """``step`` (an accumulate step) as its formula reads: its contributions in a row, each with
    the way it came back under it, → the sum."""
    grids = []
    for tid, (_, way) in zip(step.inputs, named(stage.trace, step, stage.lang)):
        # drawn as gradients, as their sum is (a large one too: not as a heat map beside a blue sum)
        g = (stage.canvas.fresh(tid, role="grad", grad=False) if not grids
             else next_in_row(stage.canvas, grids, tid, role="grad", hidden=False, grad=False,
                              gap=gap_after(grids[-1])))
        for t in g.values.values():   # given numbers: the steps before computed them
            t.set_opacity(1)
        under(g, path_line(way, stage.lang))
        stage.canvas.register(g)
        stage.bind(tid, g)
        grids.append(g)
    outs = place_outputs(stage, step, grids[-1], role="grad", gap=gap_after(grids[-1]))
    arrows = [a for a in [arrow_between(grids[-1], outs[0])] if clear_path(stage, a, (grids[-1], outs[0]))]
    show_new(stage, grids + outs, *[FadeIn(a) for a in arrows], focus=grids + outs)
    for a in arrows:
        stage.canvas.add_loose(a, owners=(grids[-1], outs[0]))
    fill(stage, cell_works(stage, step, outs[0]), color=style.GRAD, detailed_n=0, single_n=2,
         note=word("accumulate_rest", stage.lang))
    if end:
        finish(stage)
