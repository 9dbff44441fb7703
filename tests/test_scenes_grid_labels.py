"""A grid's row and column names are set on one line, as words are (:mod:`scenes.grid_labels`):
column names centred each on its own ink put "upon" (its p hangs below) higher than "once" and "a".
A pixel at 1080p is 8/1080 ≈ 0.0074 units: baselines agree well within it."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes import glyphs, style  # noqa: E402
from scenes.grid import NumberGrid  # noqa: E402

PIXEL = 8 / 1080
SIZE = style.SMALL_NUMBER_SIZE


def grid(cols: list[str], rows: list[str] | None = None) -> NumberGrid:
    rows = rows or [f"r{k}" for k in range(2)]
    with tracer.record() as t:
        tracer.neg(tracer.tensor(np.arange(len(rows) * len(cols), dtype=float).reshape(len(rows), len(cols)), name="x"), name="y")
    record = next(r for r in t.tensors.values() if r.name == "x")
    return NumberGrid(record, col_labels=cols, row_labels=rows)


def baseline_of(label) -> float:
    """Where ``label``'s baseline is: it is a drawing of its text moved and perhaps shrunk, and
    that drawing's baseline is :func:`glyphs.baseline` (pinned below)."""
    ref = glyphs.mono(label.axis_name, style.MUTED, SIZE)
    k = label.width / ref.width
    return float(label.points[0, 1] - k * ref.points[0, 1] + k * glyphs.baseline(SIZE))


def by_name(group) -> dict:
    return {m.axis_name: m for m in group}


def test_a_drawn_lines_baseline_is_where_its_flat_feet_stand():
    for text in ("H", "n", "x", "1", "A"):
        assert glyphs.mono(text, size=SIZE).get_bottom()[1] == pytest.approx(glyphs.baseline(SIZE), abs=PIXEL / 10), text


@pytest.mark.parametrize("cols", [["once", "upon", "a"], ["gy", "ab", "A"]])
def test_column_names_share_a_baseline(cols):
    g = grid(cols)
    lines = [baseline_of(m) for m in g.col_labels]
    assert max(lines) - min(lines) < PIXEL / 10, lines
    assert all(m.get_bottom()[1] > g.brackets.get_top()[1] for m in g.col_labels)   # still over the grid


def test_x_height_words_share_their_tops_and_flat_feet_their_bottoms():
    """Read from the ink alone: "upon" is as high as "once" and "a" (all reach the x-height), "gy"
    as "a"; "A" stands as low as "ab"."""
    g = grid(["once", "upon", "a", "gy", "ab", "A"])
    n = by_name(g.col_labels)
    top, bottom = (lambda s: n[s].get_top()[1]), (lambda s: n[s].get_bottom()[1])
    for word in ("upon", "a", "gy"):
        assert top(word) == pytest.approx(top("once"), abs=PIXEL / 2), word
    assert bottom("A") == pytest.approx(bottom("ab"), abs=PIXEL / 2)
    assert bottom("upon") < bottom("once") - PIXEL   # its p hangs below the line, as in print


def test_a_shrunk_name_keeps_its_neighbours_baseline():
    g = grid(["a", "a_very_long_column_name", "upon"])
    n = by_name(g.col_labels)
    assert n["a_very_long_column_name"].width <= g.cell_w - style.COL_NAME_GAP + 1e-9   # shrunk
    assert baseline_of(n["a_very_long_column_name"]) == pytest.approx(baseline_of(n["a"]), abs=PIXEL / 10)
    assert baseline_of(n["upon"]) == pytest.approx(baseline_of(n["a"]), abs=PIXEL / 10)


def test_row_names_stand_on_their_rows_line_and_end_at_one_x():
    rows = ["gy", "ab", "A", "upon"]
    g = grid(["c"], rows)
    n = by_name(g.row_labels)
    rights = [n[r].get_right()[0] for r in rows]
    assert max(rights) - min(rights) < 1e-9 and rights[0] == pytest.approx(g.brackets.get_left()[0] - 0.1)
    for k, r in enumerate(rows):   # on the line of the row's numbers: the digits' middle at the row's
        row_mid = g.cells[(k, 0)].get_center()[1]
        number = g.values[(k, 0)]
        assert baseline_of(n[r]) == pytest.approx(row_mid + glyphs.baseline(SIZE), abs=PIXEL / 10)
        assert number.get_bottom()[1] == pytest.approx(row_mid + glyphs.baseline(style.NUMBER_SIZE), abs=PIXEL / 2)
