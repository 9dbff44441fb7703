"""The story an example declares: it survives the trace file, and a damaged one is one clear error."""
from __future__ import annotations

import pytest

import tracer
from tracer.story import Chapter, Plot, Story, text


def _story() -> Story:
    return Story(title={"en": "Next word", "vi": "Từ tiếp theo"},
                 chapters=[Chapter({"en": "Prompt 1"}, (0, 40)), Chapter({"en": "Prompt 2"}, (41, 80), play="summary")],
                 plots=[Plot("bars", {"en": "p(next word)"}, labels=["time", "queen"], values=[0.99, 0.01],
                             highlight=["time"]),
                        Plot("lines", {"en": "loss"}, x=[0, 1], series={"sgd": [1.0, float("inf")]}, log_y=True,
                             marks=[{"x": 1, "label": {"en": "overflow"}}])],
                 recap={"en": "once upon a → time (p = 0.99)"})


def test_a_story_survives_the_trace_file(tmp_path):
    with tracer.record() as trace:
        x = tracer.tensor([1.0, -1.0], name="x")
        for _ in range(81):  # the story's chapters cover steps 0..80, and a file's story must fit its trace
            x = tracer.relu(x)
    trace.meta["story"] = _story().to_meta()
    trace.save(tmp_path / "s.trace")
    back = Story.from_meta(tracer.load(tmp_path / "s.trace").meta)
    assert back.plots[0].highlight == ["time"] and back.chapters[1].play == "summary"
    assert back.plots[1].series["sgd"] == [1.0, None]   # an overflow is kept as a gap, not as inf
    assert text(back.title, "vi") == "Từ tiếp theo" and text(back.title, "zh-Hant") == "Next word"


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(chapters={}), "story.chapters is not a list"),
    (lambda d: d["chapters"][0].update(steps=[5, 2]), r"story.chapters\[0\].steps is not a range"),
    (lambda d: d["chapters"][1].update(play="fast"), r"story.chapters\[1\].play is not one of"),
    (lambda d: d["plots"][0].update(kind="pie"), r"story.plots\[0\].kind is not one of"),
    (lambda d: d["plots"][0].update(values=["a"]), r"story.plots\[0\].values is not a number"),
    (lambda d: d.update(title={"vi": "x"}), "story.title has no English text"),
    (lambda d: d.update(recap="plain"), "story.recap is not a text per language"),
    (lambda d: d.update(closing=2), "story.closing is not one of its plots"),
    (lambda d: d.update(closing=True), "story.closing is not one of its plots"),
])
def test_a_damaged_story_is_one_line_naming_the_field(damage, message):
    doc = _story().to_meta()
    damage(doc)
    with pytest.raises(tracer.TracerError, match=message):
        Story.from_meta({"story": doc})


def test_the_recap_shows_the_plot_the_story_closes_on():
    story = _story()
    assert story.result() is story.plots[-1]                          # by default, the last
    story.closing = 0
    again = Story.from_meta({"story": story.to_meta()})
    assert again.closing == 0 and again.result().title == {"en": "p(next word)"}
    assert Story({"en": "no plot"}).result() is None


def test_a_trace_without_a_story_has_none():
    assert Story.from_meta({}) is None
