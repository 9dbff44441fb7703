"""Chinese in a line of the number font (a grid's label 更新前的 W_Q, token names 蘋果, the worked
lines of a zh walkthrough) is set in the language's CJK face at that face's own advance, on the
number font's baseline, not stretched to two monospace cells (which read as letter-spaced:
更 新 前 的), and a space beside it is that face's word space; the Latin and the digits around it
stay in the number font's cells, and a grid of CJK names keeps its labels apart."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import MarkupText, Text  # noqa: E402

import tracer  # noqa: E402
from scenes import glyphs, style  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.label_room import crowded  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402


@pytest.fixture
def zh_hant():
    with glyphs.language("zh-Hant"):
        yield


def points(mob) -> int:
    return sum(len(m.points) for m in mob.family_members_with_points())


def test_a_chinese_run_is_as_wide_as_the_prose_font_sets_it(zh_hant):
    for s, size, bold in (("更新前的", style.LABEL_SIZE, True), ("蘋果", style.SMALL_NUMBER_SIZE, False),
                          ("其餘每一格", style.FORMULA_SIZE, False)):
        prose = Text(s, font="Noto Sans CJK TC", font_size=size, weight="BOLD" if bold else "NORMAL")
        # two monospace cells a character drew 更新前的 about 0.18 wider at LABEL_SIZE
        assert glyphs.mono(s, size=size, bold=bold).width == pytest.approx(prose.width, abs=0.02), s


def test_the_chinese_is_in_the_languages_face_and_the_rest_in_the_number_font():
    # 骨 is drawn differently in Taiwan (TC) and in mainland China (SC)
    tc, sc = (Text("骨", font=f, font_size=style.FORMULA_SIZE) for f in ("Noto Sans CJK TC", "Noto Sans CJK SC"))
    assert points(tc) != points(sc)
    with glyphs.language("zh-Hant"):
        assert points(glyphs.mono("骨")) == points(tc)
        with glyphs.language("zh-Hans"):
            assert points(glyphs.mono("骨")) == points(sc)
        assert points(glyphs.mono("骨")) == points(tc)   # the language before comes back
    assert style.cjk_font("zh-Hant") == "Noto Sans CJK TC" and style.cjk_font("en") == "Noto Sans CJK SC"
    # what follows the Chinese stays monospace: one more digit is one more cell
    adv = glyphs.mono("00").width - glyphs.mono("0").width
    assert glyphs.mono("蘋果 00").width - glyphs.mono("蘋果 0").width == pytest.approx(adv, abs=1e-6)
    latin = glyphs.mono("W_Q 0.25").points
    with glyphs.language("zh-Hant"):   # no CJK: the line is the same in any language
        assert np.array_equal(glyphs.mono("W_Q 0.25").points, latin)
    assert points(glyphs.mono("更新前的 W_Q")) == points(glyphs.mono("更新前的")) + points(glyphs.mono("W_Q"))


def test_a_space_beside_chinese_is_the_prose_faces_word_space(zh_hant):
    """的 W_Q: the space is as wide as the CJK face sets it between words, not a monospace cell."""
    def prose(s):
        return Text(s, font="Noto Sans CJK TC", font_size=style.FORMULA_SIZE).width
    space = prose("的 的") - prose("的的")
    assert glyphs.mono("的 的").width - glyphs.mono("的的").width == pytest.approx(space, abs=0.005)
    assert glyphs.mono("的 X").width - glyphs.mono("的X").width == pytest.approx(space, abs=0.005)
    cell = glyphs.mono("00").width - glyphs.mono("0").width
    assert glyphs.mono("X X").width - glyphs.mono("XX").width == pytest.approx(cell, abs=1e-6)   # Latin: a cell


def test_a_chinese_character_sits_where_pango_sets_it_beside_a_digit(zh_hant):
    """Its ink against the digit's, as Pango sets the two faces side by side on one baseline."""
    size = style.FORMULA_SIZE
    pair = MarkupText(f'<span font_family="{style.number_font()}">0</span>'
                      f'<span font_family="Noto Sans CJK TC">中</span>', font_size=size)
    zero, zhong = pair.submobjects
    drawn = glyphs.mono("0中", size=size)
    # the line's two glyphs: split its outline where the digit's ink ends
    ink_x = drawn.points[:, 0]
    digit = glyphs.mono("0", size=size)
    left = drawn.get_left()[0]
    split = left + digit.width + 0.01
    han = drawn.points[ink_x > split]
    assert han[:, 1].min() - drawn.get_bottom()[1] == pytest.approx(zhong.get_bottom()[1] - pair.get_bottom()[1], abs=0.01)
    assert han[:, 1].max() - han[:, 1].min() == pytest.approx(zhong.height, abs=0.005)
    # and as far from the digit as Pango leaves it: no letter-spacing
    assert han[:, 0].min() - left == pytest.approx(zhong.get_left()[0] - zero.get_left()[0], abs=0.01)


def test_self_attention_in_zh_hant_keeps_its_chinese_labels_apart(tmp_path):
    """The token names 我 愛 吃 蘋果 over and beside every grid, laid out through the whole
    walkthrough: no label over another or over another grid's cells. (The update's 更新前的 W_Q,
    drawn when no grid has a gradient band: tests/test_scenes_update_beside.py.)"""
    plan = build_plan(run("self_attention"), lang="zh-Hant")
    plan.hints["audit"] = True
    scene = render_scene(plan, plan.window, tmp_path / "sa.png", "l", still=True)
    labels = [f for f in scene.stage.played_labels]
    assert any(lab["text"] == "蘋果" for f in labels for lab in f["labels"])
    assert [said for f in labels for said in crowded(f["labels"])] == []


def test_a_grid_of_chinese_names_has_each_over_its_column_at_its_prose_width(zh_hant):
    from scenes.grid import NumberGrid

    tokens = ["我", "愛", "吃", "蘋果"]
    with tracer.record() as trace:
        tracer.neg(tracer.tensor(np.arange(8.0).reshape(2, 4), name="X"), name="negX")
    record = next(r for r in trace.tensors.values() if r.name == "X")
    grid = NumberGrid(record, trace=trace, col_labels=tokens)
    names = grid.col_labels.submobjects
    assert [m.text for m in names] == tokens
    for c, name in enumerate(names):
        assert name.get_center()[0] == pytest.approx(grid.cells[(0, c)].get_center()[0], abs=0.02)
    apple = Text("蘋果", font="Noto Sans CJK TC", font_size=style.SMALL_NUMBER_SIZE)
    assert names[3].width == pytest.approx(apple.width, abs=0.02)


def test_a_sign_before_a_cjk_word_keeps_its_spaces_alike(zh_hant):
    """``PE = 偶數列成立處取 sin``: the space after = is a monospace cell like the one before it
    (it was the CJK face's narrow word space: the caption read ``PE  =偶數列``); between a word and
    a CJK character (取 sin) the narrow space stays."""
    cell = glyphs.mono("PE =").width - glyphs.mono("PE=").width
    after_sign = glyphs.mono("PE = 偶").width - glyphs.mono("PE =偶").width
    after_word = glyphs.mono("取 sin").width - glyphs.mono("取sin").width
    assert after_sign == pytest.approx(cell, rel=0.05)
    assert after_word < 0.6 * cell
