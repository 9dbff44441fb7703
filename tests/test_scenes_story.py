"""A trace that tells its story (``trace.meta["story"]``) renders the whole of it: every chapter
worked in full is there step by step, every summarised chapter as a fast-forward card tagged ×N,
every plot after its chapter, and the recap card last and on screen at the end; a finished working
holds at least 2 s at normal pace; chapter ends are pause points with times; grids carry the
tensors' axis names."""
from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from scenes.pace import pace_for  # noqa: E402
from tracer.display import fmt, number_format  # noqa: E402
from tracer.errors import TracerError  # noqa: E402
from tracer.story import Chapter, Plot, Story, text  # noqa: E402
from tracer.systems.stories import num  # noqa: E402
from scenes.plan import visible_steps  # noqa: E402

from .example_runs import run  # noqa: E402

FPS = 2
# the words a learner should leave with (issue 9, "How we will know"): on the recap card
RECAP_WORDS = {"next_token": ["time"], "masked_lm": ["queen", "king"], "sparse_autoencoder": ["Everest", "mountain"],
               "vanishing_gradients": ["residual"], "mlp_backprop": ["0.02"], "word_autoencoder": ["armadillo"],
               "anomaly_detection": ["Thu"], "normalization": ["0.75"]}


def tiny() -> tracer.Trace:
    """A product and a ReLU worked in full, then the same loss three times (fast-forwarded)."""
    with tracer.record() as trace:
        X = tracer.tensor([[1.0, 2.0], [3.0, -1.0]], name="X", rows=["f1", "f2"], cols=["cat", "dog"])
        W = tracer.param([[1.0, -1.0], [0.5, 2.0]], name="W", rows=["h1", "h2"], cols=["f1", "f2"])
        H = tracer.relu(tracer.matmul(W, X, name="Z"), name="H")
        T = tracer.tensor([[0.0, 1.0], [1.0, 0.0]], name="T")
        for k in range(3):
            tracer.sse(H, T, name=f"L{k}")
    values = [float(np.asarray(trace.tensors[trace.step(f"L{k}").outputs[0]].data)) for k in range(3)]
    h = trace.step("H").outputs[0]
    story = Story({"en": "Tiny"}, {"en": "What is the loss?"},
                  [Chapter({"en": "Forward"}, (0, 1)), Chapter({"en": "The loss, fast"}, (2, len(trace.steps) - 1), "summary", 3)],
                  [Plot("lines", {"en": "Loss"}, x=[0.0, 1.0, 2.0], series={"loss": values}),
                   Plot("heatmap", {"en": "H by feature"}, tensor=h, labels=["h1", "h2"], cols=["cat", "dog"])],
                  {"en": f"The loss is {num(values[-1])}, the same each time."})
    trace.meta["story"] = story.to_meta()
    return trace


@pytest.mark.parametrize("name", sorted(RECAP_WORDS))
def test_a_story_plan_plays_every_chapter_its_plots_and_the_recap(name):
    trace = run(name)
    story = Story.from_meta(trace.meta)
    plan = build_plan(trace)
    shown = {s.id for s in visible_steps(trace, 0, {s.op for s in trace.steps if s.op == "attention"}
                                         if plan.kind == "attention" else ())}
    beats = plan.beats
    assert beats[0].card == "title" and beats[0].title == text(story.title, "en")
    assert beats[-1].card == "recap" and beats[-1].subtitle == text(story.recap, "en")
    assert any(w in beats[-1].subtitle for w in RECAP_WORDS[name])
    played = [b.step.id for b in beats if b.step is not None]
    assert played == sorted(played)
    moves = [i for i in sorted(shown) if trace.steps[i].op == "transpose"
             and any(c.play == "full" and c.steps[0] <= i <= c.steps[1] for c in story.chapters)]
    shown -= set(moves[1:])   # a transpose is worked once; a later one is drawn where it is read
    for k, c in enumerate(story.chapters):
        lo, hi = c.steps   # its shown steps, and the parts of a step the chapter before began (the
        # sum of a residual's two gradients, cut out of a linear layer's gradient told fast)
        parents = {i: trace.steps[i].parent for i in range(lo, hi + 1)}
        mine = [i for i, p in parents.items() if i in shown or (p is not None and p < lo)]
        got = [i for i in played if lo <= i <= hi]
        if c.play == "full":          # every pass worked in full: each of its steps is a beat
            assert got == mine, c.title["en"]
        else:                         # summarised (×N) or skipped: no step of it worked
            assert got == []
        cards = [b for b in beats if b.name == f"chapter{k}:summary"]
        assert len(cards) == (c.play == "summary")
        if cards:
            assert cards[0].data.chapter.repeat == c.repeat and cards[0].chapter == c.title["en"]
    plots = [b.data for b in beats if b.card == "plot"]
    assert plots == story.plots or sorted(map(id, plots)) == sorted(map(id, plots))
    assert len(plots) == len(story.plots)
    assert sum(b.pause for b in beats) >= len([c for c in story.chapters if c.play != "skip"]) // 2 + 1


def test_the_story_can_be_left_out():
    trace = run("mlp_backprop")
    full, one = build_plan(trace), build_plan(trace, story=False)
    first_update = next(s.id for s in trace.steps if s.phase == "update")
    rest = [b.step.id for b in one.step_beats if b.step.phase == "update" and b.step.id != first_update]
    assert rest   # one round worked, but one parameter's update: the others are summarised
    assert [b.step.id for b in full.step_beats] == [b.step.id for b in one.step_beats if b.step.id not in rest]
    assert [b.card for b in full.beats if b.step is None] == ["title", "overview", "summary", "summary", "summary", "plot",
                                                               "overview", "recap"]
    assert [b.card for b in one.beats if b.step is None] == ["title"]
    with pytest.raises(TracerError, match="pace"):
        build_plan(trace, pace="sleepy")


@pytest.fixture(scope="module")
def tiny_render(tmp_path_factory):
    trace = tiny()
    plan = build_plan(trace)
    path = tmp_path_factory.mktemp("story") / "tiny.mp4"
    return trace, plan, render_scene(plan, plan.window, path, "l", FPS), path


def test_the_tiny_story_renders_beat_by_beat_with_pause_points(tiny_render):
    trace, plan, scene, path = tiny_render
    kinds = [m.kind for m in scene.timeline]
    assert kinds == ["title", "overview", "step", "step", "summary", "plot", "plot", "overview", "recap"]
    assert path.stat().st_size > 10_000
    ends = [m.end for m in scene.timeline]
    assert ends == sorted(ends) and scene.pause_points == [m.end for m in scene.timeline if m.pause]
    assert len(scene.pause_points) == 5          # two chapters, two plots, the recap
    for m in scene.timeline:
        if m.kind == "step":                     # a finished working holds ≥ 2 s at normal pace
            assert m.end - m.start >= 2.0
    recap = scene.timeline[-1]
    assert recap.end - recap.start >= 5.0        # the recap stays to the end
    said = " ".join(scene.on_screen)             # read, then a hold and a half more to take it in
    assert recap.end - recap.start >= plan.pace.reading(said) + 1.5 * plan.pace.hold


def test_a_card_put_away_leaves_no_part_behind(tiny_render):
    """The fast-forward card (covered by the plot after it) and the plots are gone from the scene
    once the next card is up: its fills were played as a group, which made Manim split the card
    into parts that removing the card alone left drawn over the steps after."""
    trace, plan, scene, path = tiny_render
    texts = {getattr(m, "text", "") for top in scene.mobjects for m in top.get_family()}
    assert not {"Theloss,fast", "×3", "Loss"} & texts
    assert "Alltheloss" not in texts and any(t.startswith("Thelossis") for t in texts)   # the recap stays
    assert "Hbyfeature" in texts   # ... with the story's result beside it (its last plot, drawn again)


def test_the_cards_show_the_traces_numbers_and_the_recap_last(tiny_render):
    trace, plan, scene, _ = tiny_render
    title, overview, summary, loss_plot, heat_plot, again, recap = scene.cards
    assert title[:2] == ["Tiny", "What is the loss?"]
    assert overview[1:] == again[1:] == ["X", "Z", "H", "L0"]     # the whole network: the first pass
    assert summary[:2] == ["The loss, fast", "×3"]
    losses = [np.asarray(trace.tensors[s.outputs[0]].data).item() for s in trace.steps if s.op == "sse"]
    nf = number_format(np.asarray(losses))
    assert summary[2:5] == [fmt(v, nf, "−") for v in losses]    # the values the chapter reached
    assert scene.on_screen == recap and " ".join(recap[1:]) == text(Story.from_meta(trace.meta).recap, "en")


def test_a_cards_subtitle_is_its_title_and_gist_not_its_numbers(tiny_render):
    """The subtitles a card notes: the title card its question, the fast-forward what it covers,
    the overview its title (not every tensor's name), the recap its opening; no loss it reached."""
    trace, plan, scene, _ = tiny_render
    title, overview, summary, loss_plot, heat_plot, again, recap = scene.cards
    said = [t for _, t in scene.captions_shown if t.split("\n")[0] in {c[0] for c in scene.cards}
            or t.startswith("fast-forward: ")]
    assert said == ["Tiny\nWhat is the loss?", "The whole network on one page",
                    "fast-forward: The loss, fast\nthe same computation ×3", "Loss", "H by feature",
                    "The whole network on one page", "RECAP\n" + text(Story.from_meta(trace.meta).recap, "en")]
    assert not set(summary[2:]) & set(re.findall(r"[\d.]+", "\n".join(said[2:3])))


def test_grids_carry_their_axis_names(tiny_render):
    trace, plan, scene, _ = tiny_render
    grids = {slot.grid.record.name: slot.grid for _, slot in scene.stage.bindings}
    X, W = grids["X"], grids["W"]
    assert [t.text for t in X.col_labels] == ["cat", "dog"] and [t.text for t in X.row_labels] == ["f1", "f2"]
    assert [t.text for t in W.row_labels] == ["h1", "h2"]
    for grid in (X, W):   # column names above the grid, row names left of it
        assert all(t.get_bottom()[1] > grid.body.get_top()[1] for t in grid.col_labels)
    assert all(t.get_right()[0] < W.body.get_left()[0] for t in W.row_labels)


def test_a_story_still_is_its_recap(tmp_path):
    trace = run("normalization")
    plan = build_plan(trace)
    scene = render_scene(plan, plan.window, tmp_path / "n.png", "l", still=True)
    assert (tmp_path / "n.png").read_bytes()[:4] == b"\x89PNG"
    assert "0.75" in " ".join(scene.on_screen) and scene.on_screen[0] == "RECAP"
    from scenes.gallery import telling_window

    window = telling_window(plan)   # the gallery's still: the story's plot
    scene = render_scene(plan, window, tmp_path / "plot.png", "l", still=True)
    assert scene.on_screen == [text(Story.from_meta(trace.meta).plots[0].title, "en")]


def test_pace_is_an_option_of_tracer_render(tmp_path):
    from tracer.cli_render import render

    path = tmp_path / "t.trace"
    tiny().save(path)
    out = tmp_path / "t.png"
    result = CliRunner().invoke(render, [str(path), "--pace", "fast", "--format", "png", "-o", str(out)])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(render, [str(path), "--pace", "sleepy", "-o", str(tmp_path / "x.mp4")])
    assert bad.exit_code == 2 and not (tmp_path / "x.mp4").exists()
    assert pace_for("slow").hold > pace_for("normal").hold >= 2.0 > pace_for("fast").hold


def test_the_scenes_own_words_use_full_width_punctuation_in_chinese():
    import re

    from scenes.words import WORDS

    for key, texts in WORDS.items():
        for lang in ("zh-Hant", "zh-Hans"):
            assert not re.search(r"[\u3400-\u9fff][,:;.()]|[,:;.()]\s*[\u3400-\u9fff]", texts[lang]), (key, texts[lang])


def test_the_gallery_shows_each_examples_first_plot_with_its_recap(tmp_path):
    from scenes.gallery import page, telling_window

    trace = run("normalization")
    plan = build_plan(trace)
    lo, hi = telling_window(plan)
    assert hi == lo + 1 and plan.beats[lo].card == "plot"
    story = Story.from_meta(trace.meta)
    md = page([("normalization", tmp_path / "normalization.png", story)])
    assert "![" in md and "(gallery/normalization.png)" in md and text(story.recap, "en") in md
