"""A grid's name that is words, not a symbol (the positional encoding's mask, "even rows"), is
written in the scene's language, as its formula and narration write it (:mod:`tracer.i18n_formulas`
``NAMES``): a zh-Hant walkthrough labelled the mask "even rows" under "PE = 偶數列成立處取 sin"."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes import glyphs  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.grid import NumberGrid  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402


def grid_named(name: str) -> NumberGrid:
    with tracer.record() as t:
        tracer.neg(tracer.tensor(np.array([[1.0], [0.0]]), name=name), name="out")
    return NumberGrid(next(r for r in t.tensors.values() if r.name == name))


@pytest.mark.parametrize("lang, shown", [("en", "even rows"), ("zh-Hant", "偶數列"), ("zh-Hans", "偶数行"),
                                         ("vi", "hàng chẵn")])
def test_a_worded_name_is_labelled_in_the_scenes_language(lang, shown):
    with glyphs.language(lang):
        g = grid_named("even rows")
        assert g.name_label.text == shown
        assert g.label_text == "even rows"   # the trace's name: what players look the grid up by
        old, new = g.rename("even rows")    # a new label is written alike
        assert new.text == shown


def test_a_symbol_stays_as_it_is():
    with glyphs.language("zh-Hant"):
        assert grid_named("PE").name_label.text == "PE"
        assert grid_named("rows").name_label.text == "rows"   # only a whole name of the table


def test_the_position_tables_mask_is_labelled_in_chinese_in_a_zh_hant_still(tmp_path):
    trace = run("positional_encoding")
    pe = trace.step("pos.PE")
    plan = build_plan(trace, steps=(pe.id, pe.id), lang="zh-Hant")
    scene = render_scene(plan, plan.window, tmp_path / "pe.png", "l", still=True)
    labels = {g.label_text: g.name_label.text for g in scene.stage.canvas.grids if g.name_label is not None}
    assert labels["even rows"] == "偶數列"
    assert labels["PE"] == "PE" and labels["sin"] == "sin"
