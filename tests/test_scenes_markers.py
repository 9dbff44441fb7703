"""Highlight boxes never cross empty canvas mid-glide (a reviewer's watch of the GRU, ~3:30: the
box on a row of W_hᵀ glided onto the rest of drhx, straddling W_hᵀ and the gap beside it), nor
span it (perceptron's first S = W·X, the GRU's z_r: one box round a term's two cells, W's left of
the result and X's above it, covered the empty canvas between them for the whole term)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import DOWN, LEFT, RIGHT, UP  # noqa: E402

from scenes import anim, style  # noqa: E402
from scenes.manim_adapter import prepare_animation  # noqa: E402
from scenes.players.cells import work_from_cell  # noqa: E402
from scenes.players.common import _boxes_to, detailed  # noqa: E402
from tracer.explain import explain  # noqa: E402
from scenes.stage import Stage  # noqa: E402

from .test_stage import scene, tid, trace  # noqa: E402,F401  (fixtures)


def test_the_rest_of_a_result_is_boxed_by_the_box_on_the_cell_just_worked(scene, trace):
    stage = Stage(scene, trace)
    (sw, _), (sz, _) = stage.draw(tid(trace, "W")), stage.draw(tid(trace, "Z"))
    w, z = sw.grid, sz.grid
    first = _boxes_to(stage, [w.row_box(0)], z.cell((0, 0)), 0.2)   # W's row, then Z[0, 0]
    assert [a.mobject for a in first] == stage.markers[:2]
    rest = _boxes_to(stage, [], z.cell((1, 1)), 0.2)                  # then the rest of Z
    glides = [a for a in rest if isinstance(a, anim.Glide)]
    assert [g.mobject for g in glides] == [stage.markers[1]]           # Z[0, 0]'s box, not W's row's
    assert all(isinstance(a, anim.Reveal) for a in rest if a not in glides)


def test_a_hidden_box_fades_in_where_it_goes(scene, trace):
    stage = Stage(scene, trace)
    grid = stage.draw(tid(trace, "W"))[0].grid
    box = stage.marker(0, grid.cell((0, 0)))            # hidden (opacity 0), at W[0, 0]
    target = anim.box_like(grid.cell((0, 0)), "#000000").shift(RIGHT * 8)
    glide = prepare_animation(anim.Glide(box, target))
    glide.begin()
    glide.interpolate(0.5)
    assert np.allclose(box.get_center(), target.get_center())   # not halfway across the canvas
    assert 0 < box.get_stroke_opacity() < 1


def test_a_pan_to_the_next_part_takes_the_boxes_off_the_work_left(scene, trace):
    """The LSTM's z_o.grad: the box on the rest of dhx′ rode the pan to db_o, on a grid the frame cut."""
    from scenes.players.common import show_new

    stage = Stage(scene, trace)
    here = stage.draw(tid(trace, "W"))[0].grid
    show_new(stage, [], focus=[here])
    box = stage.marker(0, here.cell((0, 0)))
    box.set_stroke(opacity=1.0)
    stage.filled = True
    there = stage.canvas.fresh(tid(trace, "X")).shift(RIGHT * 30)
    show_new(stage, [there])
    assert stage.camera.in_view(there) and not stage.camera.in_view(here)
    assert box.get_stroke_opacity() == 0 and stage.filled is False


def test_each_cell_a_term_reads_is_boxed_on_its_own(scene, trace):
    """Z = W·X worked term by term: W[0, k] left of Z, X[k, 0] above it, a box on each (and on Z[0, 0])."""
    stage = Stage(scene, trace)
    step = next(s for s in trace.steps if s.op == "matmul")
    W, X = step.inputs
    grids, new = stage.product(W, X, step.outputs[0])
    stage.canvas.register(*new)
    for t, role in ((W, "a"), (X, "b"), (step.outputs[0], "out")):
        stage.bind(t, grids[role])
    cell = explain(trace, step, (0, 0))
    w = work_from_cell(stage, cell, grids["out"].entry((0, 0)), grids["out"].cell((0, 0)))
    assert len(w.terms) == 3
    beats = detailed(stage, w, style.COMPUTED)
    glides = [a for beat in beats for a in getattr(beat, "animations", []) if isinstance(a, anim.Glide)]
    assert len(glides) == 3 * 3                               # each term: W's cell, X's cell, the result's
    outlines = [stage.canvas.extent([g]) for g in grids.values()]
    for g in glides:
        lo, hi = g.target.get_corner(DOWN + LEFT)[:2], g.target.get_corner(UP + RIGHT)[:2]
        assert any((lo >= olo - 0.1).all() and (hi <= ohi + 0.1).all() for olo, ohi in outlines), (lo, hi)


def test_a_box_far_from_where_it_goes_fades_there_rather_than_sweep(scene, trace):
    stage = Stage(scene, trace)
    grid = stage.draw(tid(trace, "W"))[0].grid
    box = stage.marker(0, grid.cell((0, 0)))
    box.set_stroke(opacity=1.0)                          # on show, at W[0, 0]
    start = box.get_center()
    target = anim.box_like(grid.cell((0, 0)), "#000000").shift(RIGHT * 8)
    glide = prepare_animation(anim.Glide(box, target))
    glide.begin()
    for alpha, at, seen in ((0.25, start, True), (0.5, target.get_center(), False), (0.75, target.get_center(), True)):
        glide.interpolate(alpha)
        assert np.allclose(box.get_center(), at)                # never halfway across the canvas
        assert (0 < box.get_stroke_opacity() < 1) if seen else box.get_stroke_opacity() < 0.01
    glide.interpolate(1.0)
    assert box.get_stroke_opacity() == 1.0
    near = anim.box_like(grid.cell((0, 1)), "#000000")      # the next cell along the row: it glides
    glide = prepare_animation(anim.Glide(box.move_to(grid.cell((0, 0))), near))
    glide.begin()
    glide.interpolate(0.5)
    assert grid.cell((0, 0)).get_center()[0] < box.get_center()[0] < grid.cell((0, 1)).get_center()[0]
