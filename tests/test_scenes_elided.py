"""An elided grid's ⋯ column and ⋮ row are narrow (:mod:`scenes.spacing`): exploding_gradients'
RMSprop v_W1, elided to 5×5 beside W1, spent a whole cell's width (a number in scientific
notation) on its column of dots. The cells either side stay aligned with the grids beside them, the
row and column names with their cells, the bias column and the row of 1s with theirs."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes import glyphs, style  # noqa: E402
from scenes.canvas import Canvas  # noqa: E402
from scenes.grid import NumberGrid  # noqa: E402

from .test_stage import scene  # noqa: E402,F401  (fixture)

EPS = 1e-6


@pytest.fixture(scope="module")
def wide() -> tracer.Trace:
    with tracer.record() as t:
        W = tracer.param(np.arange(36.0).reshape(12, 3) * 1111.1, name="W")     # 12 rows: elided
        X = tracer.tensor(np.arange(42.0).reshape(3, 14) / 7, name="X")          # 14 columns: elided
        Z = tracer.matmul(W, X, name="Z")
        tracer.add(Z, tracer.tensor(np.arange(12.0).reshape(12, 1), name="b"), name="Zb")
    return t


def _record(trace, name: str):
    return next(r for r in trace.tensors.values() if r.name == name)


def _x(m) -> float:
    return float(m.get_center()[0])


def _y(m) -> float:
    return float(m.get_center()[1])


def test_the_dots_take_about_their_own_width_and_height():
    w = _record_grid()
    dots = glyphs.number("⋯", style.MUTED)
    left, right = w.cells[(0, 2)], w.cells[(0, 11)]          # either side of the ⋯ column
    gap = right.get_left()[0] - left.get_right()[0]
    assert gap <= dots.width + 2 * style.CELL_PAD and gap < 0.6 * w.cell_w, (gap, w.cell_w)
    above, below = w.cells[(2, 0)], w.cells[(9, 0)]          # either side of the ⋮ row
    gap = above.get_bottom()[1] - below.get_top()[1]
    assert gap <= glyphs.number("⋮", style.MUTED).height + 2 * style.CELL_PAD and gap < 0.6 * w.cell_h, gap
    assert w.shape_label.get_right()[0] == pytest.approx(w.brackets.get_right()[0])


def _record_grid() -> NumberGrid:
    with tracer.record() as t:
        tracer.neg(tracer.tensor(np.arange(168.0).reshape(12, 14) * 1111.1, name="big"), name="out")
    return NumberGrid(_record(t, "big"), grad=True, col_labels=[f"c{k}" for k in range(14)],
                      row_labels=[f"r{k}" for k in range(12)])


def test_names_sit_over_and_beside_their_cells():
    g = _record_grid()
    names = {m.axis_name: m for m in [*g.col_labels, *g.row_labels]}
    for (r, c), box in g.cells.items():
        assert _x(names[f"c{c}"]) == pytest.approx(_x(box)) and names[f"c{c}"].get_bottom()[1] > box.get_top()[1]
        # a row name stands on its line (digits' middle at the row's), not on its ink's middle
        assert _y(names[f"r{r}"]) == pytest.approx(_y(box), abs=0.005) and names[f"r{r}"].get_right()[0] < box.get_left()[0]


def test_an_elided_products_cells_line_up(scene, wide):
    canvas = Canvas(scene, wide)
    step = next(s for s in wide.steps if s.op == "matmul")
    grids, _ = canvas.product(*step.inputs, step.outputs[0], bias=None, ones=False)
    a, b, out = grids["a"], grids["b"], grids["out"]
    assert a.elided and b.elided and out.elided
    for (r, c), box in out.cells.items():
        assert _y(box) == pytest.approx(_y(a.cells[(r, 0)]), abs=EPS)    # beside its row of W
        assert _x(box) == pytest.approx(_x(b.cells[(0, c)]), abs=EPS)    # under its column of X


def test_the_bias_column_and_the_row_of_ones_follow_the_narrow_dots(wide):
    W, X = _record(wide, "W"), _record(wide, "X")
    b = NumberGrid(X, ones_row=True)
    for c, one in b.one_cells.items():
        assert _x(one) == pytest.approx(_x(b.cells[(0, c)]))
    assert b.ones.get_right()[0] <= b.body.get_right()[0] + 0.06
    a = NumberGrid(W, bias=_record(wide, "b"))
    for r, cell in a.bias_cells.items():
        assert _y(cell) == pytest.approx(_y(a.cells[(r, 0)]))
