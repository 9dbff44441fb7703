"""Far operands brought near (issue 9: every operand on screen, a walkthrough that teaches).

The camera frames a step's work whole. When an operand was drawn far back on the canvas (the GRU's
h, drawn a timestep before the reset gate whose gradient reads it), framing it with the rest would
zoom the camera out until the cells are too small to read at 480p, with highlight boxes crossing
empty space between them. The rule: a grid that cannot be framed with the work without zooming out
past ``style.LEGIBLE_ZOOM`` (and further than the work alone needs), or that stands far from it
and only a zoom out would bring into view (:func:`seen`: one the learner sees where it is, in the
view the camera stands in, is read there), is drawn again beside the work when the copy brings it
nearer. The copy is named as the grid it copies (``X (copy)`` when the two are framed together:
a learner seeing both must not count two tensors) and marked as a copy (``copy_of``: a gradient
worked beside it is written into that grid's band too, :func:`scenes.players.gradients.home`); it
shows the tensor's values only, and leaves the canvas once a step that does not read its tensor
plays (:mod:`scenes.stale`).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP

from . import style
from .camera import fits
from .grid import NumberGrid
from .words import word



def zoom_for(canvas, mobs: list) -> float:
    """The zoom the camera needs to frame ``mobs`` whole (:func:`scenes.camera.fits`, as
    :meth:`Camera.focus` measures it)."""
    return fits(*canvas.extent(mobs))


def gap(canvas, work: list, grid) -> float:
    """The empty space between ``grid`` and what ``work`` covers (across or along, the larger)."""
    (lo, hi), (glo, ghi) = canvas.extent(work), canvas.extent([grid])
    return float(max(0.0, glo[0] - hi[0], lo[0] - ghi[0], glo[1] - hi[1], lo[1] - ghi[1]))


def near(canvas, work: list, grid) -> bool:
    """``grid`` can be framed with ``work`` zoomed out no further than keeps cells legible (or
    than ``work`` alone needs: a large product is framed as it must be), without an empty stretch
    wider than ``style.FAR_GAP`` between them (highlight boxes crossing it, the frame half empty)."""
    if not work:
        return True
    return (zoom_for(canvas, [*work, grid]) <= max(style.LEGIBLE_ZOOM, zoom_for(canvas, work)) + 1e-9
            and gap(canvas, work, grid) <= style.FAR_GAP)


def seen(stage, work: list, grid) -> bool:
    """``grid`` is seen with ``work`` when the step is framed: legible with it (:func:`near`'s zoom),
    and either close (no wider gap than ``style.FAR_GAP``) or whole in a view as close as the camera
    stands now (framing them together pans, it does not zoom out: the learner sees the grid where
    it is, and a copy beside the work would show a second one; transformer_block's dresid_post″
    4.4 units from the band it is summed into). A grid that only a zoom out would bring in is
    still far: the GRU's 1 − u, 7.4 units from the work of (1 − u) ⊙ h's gradient, needs zoom 0.79
    where the camera stands at 0.65."""
    canvas = stage.canvas
    if not work or near(canvas, work, grid):
        return True
    both = zoom_for(canvas, [*work, grid])
    legible = max(style.LEGIBLE_ZOOM, zoom_for(canvas, work))
    return both <= min(legible, stage.camera.view.scale) + 1e-9


def beside_all(canvas, g: NumberGrid, work: list) -> None:
    """Put ``g`` in free space right of, under, above or left of ``work``, where the whole is
    smallest (measured against the widest view); in fresh space if there is none near."""
    (x0, y0), (x1, y1) = canvas.extent(work)
    gap = style.GRID_GAP * 1.6
    sides = ((RIGHT, (x1 + gap, y1), UP + LEFT), (DOWN, (x0, y0 - gap), UP + LEFT),
             (UP, (x0, y1 + gap), DOWN + LEFT), (LEFT, (x0 - gap, y1), UP + RIGHT))
    best = None
    for direction, (x, y), corner in sides:
        g.move_to(np.array([x, y, 0.0]), aligned_edge=corner)
        if canvas.slide([g], direction):
            score = zoom_for(canvas, [*work, g])
            if best is None or score < best[0]:
                best = (score, g.get_center().copy())
    if best is None:
        g.move_to(canvas.free_corner(), aligned_edge=UP + LEFT)
    else:
        g.move_to(best[1])


def bring(stage, tids: list[str], grids: list) -> list[NumberGrid]:
    """Each of ``tids`` not drawn near ``grids`` (:func:`near`: the work, e.g. a gradient where it
    is written) drawn again beside them, on the side that keeps the work smallest, unless the copy
    would be no nearer than the grid it copies. Returns the new grids."""
    canvas, new, kept = stage.canvas, [], [g for g in grids if g is not None]
    for t in tids:
        s = stage.slot(t)
        shown = s.grid if s is not None and s.grid in canvas.grids else None
        other = _nearest(stage, t, kept)   # another grid showing it (a copy drawn earlier) may be near
        if other is not None and other is not s and not (shown is not None and seen(stage, kept, shown)):
            if seen(stage, kept, other.grid):
                stage.slots[t].append(other)   # the slot the working reads now
                s, shown = other, other.grid
        if shown is not None and seen(stage, kept, shown):
            kept.append(shown)
            continue
        role = "grad" if stage.trace.tensors[t].kind == "grad" else None
        # named as where it is drawn, unless that is a band or a transposed copy
        plain = s is not None and s.lane == "value" and not s.grid.transpose
        name = s.grid.label_text if plain else None
        g = canvas.make_grid(t, role=role, grad=False, label=name, label_side="up")
        beside_all(canvas, g, kept)
        if shown is not None and near(canvas, [*kept, g], shown):
            g = _called_a_copy(stage, t, g, role)
        g.copy_of = s.grid if s is not None and s.lane == "value" else None   # where its gradient goes
        if (shown is not None and canvas.in_one_view([*kept, shown])
                and zoom_for(canvas, [*kept, g]) >= zoom_for(canvas, [*kept, shown]) - 1e-9):
            kept.append(shown)   # no room nearer than where it is
            continue
        canvas.register(g)
        stage.bind(t, g)
        new.append(g)
        kept.append(g)
    return new


def _called_a_copy(stage, tid: str, g: NumberGrid, role: str | None) -> NumberGrid:
    """``g`` named ``X (copy)``, where it stands: framed with its original (a wide operand legible
    with the work but out of the camera's view, its copy put beside the work: no built-in example
    does it now, tests/test_scenes_near.py builds one), two grids named alike would read as two
    tensors. (A copy of a grid out of view keeps the bare name: its wider label would move where
    it goes.)"""
    named = stage.canvas.make_grid(tid, role=role, grad=False, label=word("copy", stage.lang, name=g.label_text),
                                   label_side="up")
    named.shift(g.brackets.get_corner(DOWN + LEFT) - named.brackets.get_corner(DOWN + LEFT))
    return named


def _nearest(stage, tid: str, work: list):
    """Of the slots showing ``tid`` on the canvas, the one nearest ``work`` (None if none)."""
    canvas = stage.canvas
    slots = [s for s in stage.slots.get(tid, ()) if id(s.grid) not in stage.retired and s.grid in canvas.grids]
    return min(slots, key=lambda s: zoom_for(canvas, [*work, s.grid]), default=None) if work else None


def nearest_each(canvas, shown: dict[str, list]) -> dict:
    """For each tensor, of the grids on the canvas showing it (``shown``: oldest first), the one
    nearest the grids of the tensors shown once (the step's work): the LSTM's hx is drawn beside
    each gate's weights (W_f's, then W_i's, W_g's, W_o's); its gradient's concat split is worked
    in the first, and the last, 34 units off, would have the step's end framed with it (or the
    step's grids count a grid the learner does not read). Ties go to the latest drawn; with no
    tensor shown once, the latest drawn."""
    once = [grids[0] for grids in shown.values() if len(grids) == 1]
    return {tid: grids[-1] if len(grids) == 1 or not once
            else min(reversed(grids), key=lambda g: gap(canvas, once, g)) for tid, grids in shown.items()}
