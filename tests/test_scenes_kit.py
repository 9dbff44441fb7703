"""The visual kit without rendering: grids read the trace's numbers under the shared rounding rule,
elide large tensors, draw the bias column and the row of 1s; glyph lines are monospace; no LaTeX
class is used anywhere in the scenes."""
from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes import glyphs, style  # noqa: E402
from scenes.grid import NumberGrid  # noqa: E402
from tracer.display import fmt, number_format  # noqa: E402


def record(trace: tracer.Trace, name: str):
    return next(r for r in trace.tensors.values() if r.name == name)


@pytest.fixture(scope="module")
def layer():
    with tracer.record() as trace:
        W = tracer.param([[1, -1, 0, 2], [0, 1, 1, -1], [2, 0, -1, 1]], name="W")
        b = tracer.param([0.5, 1, -1], name="b")
        X = tracer.tensor([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 1, 0], [1, 0, 2, 3]], name="X")
        tracer.relu(tracer.linear(W, X, b, name="Z"), name="H")
        big = tracer.tensor(np.arange(240, dtype=float).reshape(12, 20) / 7 - 10, name="E")
        tracer.neg(big, name="negE")
        tracer.neg(tracer.tensor(np.arange(24.0).reshape(2, 3, 4), name="T3"), name="negT3")
    return trace


def test_every_number_is_the_trace_value_under_the_shared_rounding(layer):
    for name in ("W", "X", "Z", "b", "E"):
        rec = record(layer, name)
        grid = NumberGrid(rec)
        nf = number_format(rec.data)
        for idx in grid.shown():
            assert grid.entry(idx).text == fmt(rec.data[idx], nf, "−"), (name, idx)


def test_a_large_tensor_is_elided_with_dots_and_its_shape(layer):
    grid = NumberGrid(record(layer, "E"))               # 12 × 20
    assert grid.rows_shown == [0, 1, 2, None, 9, 10, 11]
    assert grid.cols_shown == [0, 1, 2, None, 17, 18, 19]
    assert grid.shape_label.text == "(12, 20)"
    assert grid.cell((5, 5)) is None and grid.cell((11, 19)) is not None
    assert len(grid.shown()) == 36
    assert grid.role == "heat"                          # large: coloured by sign and size
    dots = {m.text for m in grid.body if hasattr(m, "text")}
    assert dots == {"⋮", "⋯", "⋱"}


def test_bias_column_and_row_of_ones(layer):
    grid = NumberGrid(record(layer, "W"), bias=record(layer, "b"))
    assert [grid.bias_values[r].text for r in range(3)] == ["0.50", "1.00", "−1.00"]
    above = NumberGrid(record(layer, "X"))
    ones, brackets = above.attach_ones()
    assert sorted(above.one_cells) == [0, 1, 2, 3]
    assert above.col_box(2).height > above.row_box(0).height * 4   # the column includes its 1
    assert brackets.height > above.body.height


def test_vectors_scalars_and_stacked_dimensions(layer):
    b = NumberGrid(record(layer, "b"))
    assert (len(b.rows_shown), len(b.cols_shown)) == (3, 1)
    t3 = NumberGrid(record(layer, "T3"))               # (2, 3, 4): leading axes stacked as rows
    assert (len(t3.rows_shown), len(t3.cols_shown)) == (6, 4)
    assert t3.entry((1, 2, 3)).text == "23" and t3.index_of(*t3.rc((1, 2, 3))) == (1, 2, 3)
    transposed = NumberGrid(record(layer, "W"), transpose=True)
    assert transposed.rc((0, 3)) == (3, 0) and transposed.entry((0, 3)).text == "2"


def test_cells_are_wide_enough_for_what_they_will_show(layer):
    W = record(layer, "W")
    with tracer.record() as trace:
        wide = tracer.tensor([[-12.25, 3.5, 0.5, 1.0]] * 3, name="W_new")
        tracer.neg(wide)
    narrow = NumberGrid(W)
    grown = NumberGrid(W, also=[record(trace, "W_new")])
    assert grown.cell_w > narrow.cell_w
    assert grown.cell_w > glyphs.number("−12.25").width


def test_numbers_written_into_a_grid_drawn_smaller_fit_its_drawn_cells(layer):
    """An optimiser's state is drawn smaller beside its weight (shrink_to_fit), then its new
    numbers are written in: they take the grid's drawn size, not run into the next cell."""
    grid = NumberGrid(record(layer, "E"))
    grid.scale(0.6)
    for (r, c), t in grid.texts_for(record(layer, "negE"), style.UPDATE).items():
        assert t.width <= grid.cells[(r, c)].width - 0.03


def test_glyph_lines_are_monospace_and_shaped():
    a, b = glyphs.number("12"), glyphs.number("−7")
    assert a.width == pytest.approx(b.width, abs=0.03)
    assert len(glyphs.number("8").points) > 8           # a real outline, not a box
    assert glyphs.mono("").text == ""                   # a blank is a valid, invisible line


def test_fonts_are_pinned_and_cjk_has_a_font():
    assert style.number_font() == "JetBrains Mono"
    assert "CJK" in style.prose_font("zh-Hant") and "CJK" in style.prose_font("zh-Hans")
    assert glyphs.prose("前向傳播", "zh-Hant").width > 0.5


def test_no_latex_class_appears_in_the_scenes():
    banned = re.compile(r"\b(MathTex|Tex|Matrix|IntegerMatrix|DecimalMatrix|Integer|DecimalNumber|SingleStringMathTex)\s*\(")
    root = pathlib.Path(__file__).resolve().parents[1] / "scenes"
    for path in root.rglob("*.py"):
        assert not banned.search(path.read_text()), path
