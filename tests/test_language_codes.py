"""A language code is read in any case at the API boundary (``zh-hant`` is ``zh-Hant``) and
normalised there once, so every part of a render agrees: a plot's marks, its title, the cards."""
from __future__ import annotations

import importlib

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.plots import plot_page  # noqa: E402
from tracer.story import Story  # noqa: E402

from .example_runs import run  # noqa: E402
from .test_plots import labels  # noqa: E402


def test_a_plots_marks_are_in_a_lower_case_language():
    trace = run("exploding_gradients")
    plan = build_plan(trace, lang="zh-hant")
    assert plan.lang == "zh-Hant"
    plot = next(p for p in Story.from_meta(trace.meta).plots if p.marks)
    drawn = labels(plot_page(plot, trace, plan.lang))
    assert "SGD 溢位" in drawn and "SGD overflows" not in drawn, sorted(drawn)
    titles = [b.title for b in plan.beats if b.card == "plot"]
    assert titles and not any(t.isascii() for t in titles), titles   # in Chinese, every one


def test_render_hands_the_plan_the_language_as_it_is_known(monkeypatch, tmp_path):
    render_module = importlib.import_module("scenes.render")   # (scenes.render is also the function)
    seen = []
    monkeypatch.setattr(render_module, "render_plan", lambda plan, **kw: seen.append(plan.lang) or tmp_path / "v.mp4")
    render_module.render(run("normalization"), lang="ZH-HANS", output=tmp_path / "v.mp4")
    assert seen == ["zh-Hans"]


def test_the_notebooks_step_table_names_the_story_in_a_lower_case_language():
    from tracer.lecture.notebook import trace_html
    assert "最小-最大正規化" in trace_html(run("normalization"), "zh-hant")
