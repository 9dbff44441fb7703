"""The cards between the worked steps (issue 9, a reviewer's watch of every video): a card that
follows a card covers it (the stage of the chapter before never flashes between), a fast-forward
card's "A → B" are one quantity at the first and last summarised pass, and the overview (the whole
network on one page) holds every layer the story's chapters work, every network of a comparison."""
from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import FadeIn, FadeOut  # noqa: E402

from scenes.cards import summary_page  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from scenes.walkthrough import CARD_Z, Walkthrough  # noqa: E402
from tracer.display import fmt, number_format  # noqa: E402
from tracer.ops.spec import family_of  # noqa: E402
from tracer.story import Story  # noqa: E402

from .example_runs import NAMES, run  # noqa: E402
from .test_scenes_story import tiny  # noqa: E402

OVERVIEWS = ["rnn", "gru", "lstm", "rnn_vs_attention", "gradient_through_time", "sparse_autoencoder"]


def summaries(trace):
    return [b.data for b in build_plan(trace).beats if b.card == "summary"]


@pytest.mark.parametrize("name", [n for n in NAMES if n != "minilm"])
def test_a_fast_forward_card_follows_one_loss_from_its_first_pass_to_its_last(name):
    trace = run(name)
    for fast in summaries(trace):
        steps = [s for s in fast.steps if s.phase == "forward" and s.outputs]
        read = {t for s in steps for t in s.inputs}
        made: dict = {}
        for s in trace.steps:   # the step that made each tensor (not a sub-step writing into it)
            for t in s.outputs:
                made.setdefault(t, s)
        # the loss of a pass: a scalar made from a loss that no later step of the chapter reads
        roots = [s.outputs[0] for s in steps if trace.tensors[s.outputs[0]].size == 1 and s.outputs[0] not in read
                 and (family_of(s.op) == "loss" or any(t in made and family_of(made[t].op) == "loss" for t in s.inputs))]
        got = fast.losses(trace)
        assert got == roots, fast.chapter.title["en"]
        assert len({made[t].op for t in got}) <= 1   # one quantity, not a list of its terms


def test_sparse_autoencoders_card_shows_the_total_loss_not_its_terms():
    trace = run("sparse_autoencoder")
    fast, = summaries(trace)
    lo, hi = fast.chapter.steps
    term = {trace.tensors[s.outputs[0]].name: trace.tensors[s.outputs[0]].data
            for s in trace.steps if lo <= s.id <= hi and s.parent is None and s.phase == "forward"}
    total = float(term["reconstruction"]) + float(term["l1"])          # 4 + 20: the loss the run ends on, 24
    _, fills = summary_page(trace, "x", fast.chapter.repeat, fast.losses(trace), None, "en")
    assert [f.text for f in fills] == [fmt(total, number_format(np.asarray([total])), "−")] == ["24"]


def worked(trace, story: Story) -> set[str]:
    """The names of the layers (top-level forward outputs) the story's chapters work or summarise."""
    names = set()
    for c in story.chapters:
        if c.play != "skip":
            names |= {trace.tensors[s.outputs[0]].name for s in trace.steps
                      if c.steps[0] <= s.id <= c.steps[1] and s.parent is None and s.phase == "forward" and s.outputs}
    return names


@pytest.mark.parametrize("name", OVERVIEWS)
def test_the_overview_holds_every_layer_the_chapters_work(name):
    trace = run(name)
    overview = next(b.data for b in build_plan(trace).beats if b.card == "overview")
    names = [name for n in overview for name in n.names]   # a box stands for the layers folded in it
    # a timestep's h₂ stands in the layer's box, named without the timestep (h, ×3); a head's Q₂ by itself
    assert {n if n in names else re.sub("[₀-₉]+", "", n) for n in worked(trace, Story.from_meta(trace.meta))} <= set(names)
    assert "⋯" not in names


def test_a_layer_run_again_shows_once_and_a_compared_network_starts_its_own_row():
    nodes = next(b.data for b in build_plan(run("rnn")).beats if b.card == "overview")
    assert [name for n in nodes for name in n.names] == ["X", "x", "Wh_h", "Wx_x_b", "z", "h", "y", "loss"]   # no h₂: h, ×3
    nodes = next(b.data for b in build_plan(run("gradient_through_time")).beats if b.card == "overview")
    starts = [n.name for n in nodes if n.new]
    assert starts == ["X", "X"]                       # the LSTM and the GRU after the RNN
    assert [n.name for n in nodes].count("rnn.loss") == 1 and "gru.loss" in [n.name for n in nodes]
    names = [name for n in next(b.data for b in build_plan(run("multi_head_attention")).beats if b.card == "overview")
             for name in n.names]
    for layer in ("K{}_rowsᵀ", "scores{}", "scaled{}", "weights{}"):   # the second head's layers are there too
        assert names.count(layer.format("₁")) == 1 and names.count(layer.format("₂")) == 1, layer


@pytest.fixture(scope="module")
def tiny_played(tmp_path_factory):
    """The tiny story played once (2 frames a second) with what the card tests watch: at each
    card, its kind and whether a card already covered the canvas as it began; at each card's words
    fading in, whether a card's opaque paper stood under them; at each card's page lifting,
    whether its words had faded from it first. (scene, covered, came_in, left)"""
    covered: list[tuple[str, bool]] = []
    came_in: list[bool] = []
    left: list[bool] = []
    play_card, play = Walkthrough.play_card, Walkthrough.play

    def card_spy(scene, beat):   # is a card covering the canvas as this card begins?
        frame = scene.camera.frame.width
        covered.append((beat.card, any(m.z_index == CARD_Z and m.width >= frame for m in scene.mobjects)))
        play_card(scene, beat)

    def play_spy(scene, *anims, **kw):
        frame = scene.camera.frame.width
        for a in anims:
            fam = a.mobject.get_family() if isinstance(a, FadeIn) and a.mobject.z_index == CARD_Z else []
            if any(m.width < frame and len(m.points) for m in fam):   # a card's words fading in
                inside = {id(m) for m in fam}
                came_in.append(any(m.z_index == CARD_Z and m.width >= frame and m.get_fill_opacity() >= 1.0
                                   and id(m) not in inside for m in scene.mobjects))
            fam = a.mobject.get_family() if isinstance(a, FadeOut) and a.mobject.z_index == CARD_Z else []
            if any(m.width >= frame and len(m.points) for m in fam):   # a card's page lifting
                left.append(not any(m.width < frame and len(m.points) and m.get_fill_opacity() > 0 for m in fam))
        return play(scene, *anims, **kw)

    plan = build_plan(tiny())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Walkthrough, "play_card", card_spy)
        mp.setattr(Walkthrough, "play", play_spy)
        scene = render_scene(plan, plan.window, tmp_path_factory.mktemp("cards") / "tiny.mp4", "l", 2)
    return scene, covered, came_in, left


def test_a_card_that_follows_a_card_covers_it(tiny_played):
    scene, covered, _, _ = tiny_played
    kinds = [m.kind for m in scene.timeline]
    after_card = [kinds[k - 1] != "step" for k in range(1, len(kinds)) if kinds[k] != "step"]
    assert [c for c, _ in covered] == [k for k in kinds if k != "step"]
    assert [ok for _, ok in covered[1:]] == after_card and any(after_card) and not all(after_card)


def test_a_still_of_a_fast_forward_card_shows_its_numbers(tmp_path):
    plan = build_plan(tiny())
    k = next(k for k, b in enumerate(plan.beats) if b.card == "summary")
    scene = render_scene(plan, (k, k + 1), tmp_path / "summary.png", "l", still=True)
    page = scene.still_card[1]
    numbers = [m for m in page.family_members_with_points() if getattr(m, "text", None) in scene.cards[-1][2:]]
    assert len(numbers) >= 3 and all(m.get_fill_opacity() == 1.0 for m in numbers)   # the 3 losses, filled in


def test_a_cards_words_come_in_on_a_clean_page(tiny_played):
    """The card's paper covers what was there (a step's grids, the card before) before its words
    fade in: they never come in over the faint remains of the page under them."""
    seen = tiny_played[2]
    assert seen and all(seen), seen


def test_a_cards_words_leave_before_its_page(tiny_played):
    """A card leaving for a step: its words fade from the clean page, then the page lifts off the
    grids under it: the words never fade over the faint remains of the page before (the LSTM's
    "back through timesteps 2–1" over the last chapter's hidden and hx)."""
    seen = tiny_played[3]
    assert seen and all(seen), seen


@pytest.mark.parametrize("lang, text", [
    ("en", "Two weeks out of seven the model said go: its weights W = [8 4 4] weigh the weather, the price "
           "and the company, and a sum above 10 fires. After three epochs of the rule W ← W + E·Xᵀ every "
           "past decision is right and the error count fell from 3 to 0."),
    ("zh-Hant", "七週裡模型說去的有兩週：權重 W = [8 4 4] 為天氣、價錢、同伴加權，加權和大於 10 就觸發。"
                "按規則 W ← W + E·Xᵀ 學了三輪之後，過去每個決定都對了，錯誤從 3 次降到 0 次。"),
    ("zh-Hant", "W = [8 4 4] and x = [1 1 0]; S = W·x = 12 > 10 → go. "   # Latin first: a poor first guess
                "七週裡模型說去的有兩週：權重為天氣、價錢、同伴加權，加權和大於十就觸發。按規則學了三輪之後，過去每個決定都對了。"),
])
def test_a_card_breaks_each_line_at_the_last_word_that_fits_drawing_lines_about_a_line_long(lang, text, monkeypatch):
    """Each line of a card's prose is the longest run of words that fits (the next word would
    not, or a line breaks before it only if it must), found by drawing a few candidate lines per
    line, none over two lines long (a search over prefixes drew prefixes half the text long)."""
    from scenes import cards, glyphs
    from tracer import line_breaks

    text = f"{text} {text}"   # five lines or more: half of it is over two lines long
    drawn: list[str] = []
    real = glyphs.prose_width
    monkeypatch.setattr(glyphs, "prose_width", lambda s, *a, **k: (drawn.append(s), real(s, *a, **k))[1])
    lines = cards.wrap(text, lang, 28).lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "") and len(lines) >= 2
    # the pieces between the best places to break: a sign kept with its numbers (12 > 10 → go)
    # breaks only if it must, and this page has room for every such group on a line
    found = line_breaks.breaks(text, lang)
    cuts = [0] + [at for at, rank in found if rank == min(r for _, r in found)] + [len(text)]
    tokens = [text[a:b] for a, b in zip(cuts, cuts[1:])]
    at = 0
    for line in lines:
        assert real(line, lang, 28) <= cards.TEXT_WIDTH
        n = max(k for k in range(at + 1, len(tokens) + 1) if "".join(tokens[at:k]).strip() == line)
        if n < len(tokens):   # one more word would not fit
            assert real("".join(tokens[at:n + 1]).strip(), lang, 28) > cards.TEXT_WIDTH, line
        at = n
    assert all(real(s, lang, 28) <= 2 * cards.TEXT_WIDTH for s in drawn), drawn   # nothing over two lines long
    assert len(drawn) <= 1 + 8 * len(lines)


@pytest.mark.parametrize("width", [w / 4 for w in range(12, 41)])
def test_chinese_prose_breaks_by_its_rules_and_keeps_a_number_whole(width):
    """禁則: a line never starts with a closing mark (，。」) nor ends with an opening one (「);
    a number such as 1.63e−04 stays on one line, at every width the card might have."""
    from scenes import cards
    from tracer import line_breaks

    text = "梯度是 1.63e−04，很小。詞「吃」與「蘋果」的分數 2×3 = 6，最大；其餘（很少）都接近 0。"
    lines = cards.wrap(text, "zh-Hant", 28, width=width).lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[0] in line_breaks.NO_START for line in lines[1:]), lines
    assert not any(line[-1] in line_breaks.NO_END for line in lines), lines
    assert any("1.63e−04" in line for line in lines) and any("2×3" in line for line in lines), lines


@pytest.mark.parametrize("k", range(2, 40))
def test_a_captions_narration_is_cut_in_two_as_a_card_breaks_its_lines(k):
    """The caption band's two narration lines are cut where a card may break (one rule, the
    subtitles' 禁則): never before ，。」 nor after 「, never inside 1.63e−04 or 2×3 (it cut at
    the k-th character)."""
    from tracer import line_breaks
    from scenes.caption import split_at

    text = "梯度是 1.63e−04，很小。詞「吃」與「蘋果」的分數 2×3 = 6，最大；其餘（很少）都接近 0。"
    first, rest = split_at(text, k, "zh-Hant")
    assert (first + rest).replace(" ", "") == text.replace(" ", "") and first and rest
    assert rest[0] not in line_breaks.NO_START and first[-1] not in line_breaks.NO_END, (first, rest)
    assert any("1.63e−04" in line for line in (first, rest)) and any("2×3" in line for line in (first, rest))
    ends = {len("".join(line_breaks.pieces(text, "zh-Hant")[:n]).rstrip()) for n in range(1, len(text))}
    assert len(first) in ends, (first, rest)   # between two of the pieces a card breaks between


def test_a_fast_forward_card_draws_its_result_in_the_results_own_colour():
    # the LSTM's backward chapters end on gradients (blue, as every gradient grid), its forward ones on values
    from scenes.grid import NumberGrid
    trace = run("lstm")
    roles = set()
    for fast in summaries(trace):
        result = fast.result(trace)
        if result is None:
            continue
        page, _ = summary_page(trace, "x", fast.chapter.repeat, fast.losses(trace), result, "en")
        grid, = [m for m in page.get_family() if isinstance(m, NumberGrid)]
        want = "grad" if trace.tensors[result].kind == "grad" else "computed"
        assert grid.role == want, (fast.chapter.title["en"], trace.tensors[result].name)
        roles.add(grid.role)
    assert roles == {"grad", "computed"}   # both kinds of chapter were checked
