"""A gradient share says, in words, the way it came back (``through the output gate o``, not
``through z_o``): :func:`tracer.shares.named` reads one table of a recurrent cell's parts
(:data:`tracer.shares.PARTS`) in the four languages, and the walkthrough's titles, the line under
each share in the video and the caption all say its words. In Chinese a part's words join the
words beside them (``經由輸出門 o``, not ``經由 輸出門 o``); a Latin name keeps its space."""
from __future__ import annotations

import re

import pytest

from tracer.i18n import LANGUAGES, told
from tracer.shares import PARTS, WAY, named
from tracer.story import Story

from .example_runs import run

CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"   # CJK characters and punctuation
SPACED = re.compile(f"{CJK} +{CJK}")
ZH = ("zh-Hant", "zh-Hans")

# (example, accumulate step) -> the ways of its shares in en, zh-Hant, zh-Hans, vi, written by hand
EXPECTED = {
    ("lstm", "train.0.lstm.t2.hx.grad_sum"): [
        ("through the output gate o", "經由輸出門 o", "经由输出门 o", "qua cổng ra o"),
        ("through the candidate g", "經由候選值 g", "经由候选值 g", "qua ứng viên g")],
    ("lstm", "train.0.lstm.t2.hx.grad_sum_2"): [
        ("the sum so far", "到目前為止的和", "到目前为止的和", "tổng cho đến giờ"),
        ("through the forget gate f", "經由遺忘門 f", "经由遗忘门 f", "qua cổng quên f")],
    ("lstm", "train.0.lstm.t1.cell.grad_sum"): [
        ("through the kept part f·c", "經由保留項 f·c", "经由保留项 f·c", "qua phần giữ lại f·c"),
        ("through the squashed cell tanh(c)", "經由壓縮後的細胞狀態 tanh(c)", "经由压缩后的细胞状态 tanh(c)",
         "qua ô nhớ đã nén tanh(c)")],
    ("lstm", "W_i.grad_sum"): [   # one share from each timestep: the same gate, told apart by its timestep
        ("through the input gate i at timestep 3", "經由第 3 個時間步的輸入門 i", "经由第 3 个时间步的输入门 i",
         "qua cổng vào i ở bước 3"),
        ("through the input gate i at timestep 2", "經由第 2 個時間步的輸入門 i", "经由第 2 个时间步的输入门 i",
         "qua cổng vào i ở bước 2")],
    ("gru", "train.0.gru.t2.hx.grad_sum"): [
        ("through the update gate u", "經由更新門 u", "经由更新门 u", "qua cổng cập nhật u"),
        ("through the reset gate r", "經由重置門 r", "经由重置门 r", "qua cổng đặt lại r")],
    ("gru", "train.0.gru.t1.hidden.grad_sum"): [
        ("through the kept part (1 − u)·h", "經由保留項 (1 − u)·h", "经由保留项 (1 − u)·h", "qua phần giữ lại (1 − u)·h"),
        ("through the reset state r·h", "經由重置後的狀態 r·h", "经由重置后的状态 r·h", "qua trạng thái đã đặt lại r·h")],
    ("gru", "train.0.gru.t1.hidden.grad_sum_1"): [
        ("the sum so far", "到目前為止的和", "到目前为止的和", "tổng cho đến giờ"),
        ("through the gates' input [h; x]", "經由各門的輸入 [h；x]", "经由各门的输入 [h；x]", "qua đầu vào các cổng [h; x]")],
    ("gru", "train.0.gru.t2.update_gate.grad_sum"): [
        ("through the new part u·h̃", "經由寫入項 u·h̃", "经由写入项 u·h̃", "qua phần mới u·h̃"),
        ("through the complement 1 − u", "經由保留比例 1 − u", "经由保留比例 1 − u", "qua phần bù 1 − u")],
    ("gru", "b_h.grad_sum_1"): [
        ("the sum so far", "到目前為止的和", "到目前为止的和", "tổng cho đến giờ"),
        ("through the candidate h̃", "經由候選值 h̃", "经由候选值 h̃", "qua ứng viên h̃")],
}


def sums(trace) -> list:
    return [s for s in trace.steps if s.op == "accumulate"]


def test_every_part_and_way_is_said_in_every_language():
    for table in [*PARTS.values(), {"way": w for w in WAY.values()}]:
        for key, words in table.items():
            assert tuple(words) == LANGUAGES and all(words.values()), key


@pytest.mark.parametrize(("name", "step"), sorted(EXPECTED))
def test_a_cells_shares_are_named_by_its_parts_in_each_language(name, step):
    trace = run(name)
    acc = trace.step(step)
    for k, lang in enumerate(LANGUAGES):
        assert [way for _, way in named(trace, acc, lang)] == [ways[k] for ways in EXPECTED[name, step]], lang


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_captions_and_titles_say_the_ways_as_named(name):
    """Each caption says each share with its way; each chapter that works one sum says its ways."""
    trace = run(name)
    for acc in sums(trace):
        for lang in LANGUAGES:
            sentence = told(trace, acc, lang)
            assert all(way in sentence for _, way in named(trace, acc, lang)), (acc.name, lang, sentence)
    titled = [c for c in Story.from_meta(trace.meta).chapters
              if c.steps[0] == c.steps[1] and trace.steps[c.steps[0]].op == "accumulate"
              and len(named(trace, trace.steps[c.steps[0]], "en")) == 2
              and "through" in c.title["en"]]
    assert titled   # the LSTM's d[h; x] through two gates, the GRU's h₂ read three times
    for chapter in titled:
        acc = trace.steps[chapter.steps[0]]
        for lang in LANGUAGES:
            assert all(way in chapter.title[lang] for _, way in named(trace, acc, lang)), (chapter.title, lang)


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_chinese_ways_join_chinese_words_without_a_space(name):
    trace = run(name)
    texts = [(acc.name, lang, way) for acc in sums(trace) for lang in ZH for _, way in named(trace, acc, lang)]
    texts += [(acc.name, lang, told(trace, acc, lang)) for acc in sums(trace) for lang in ZH]
    texts += [(c.steps, lang, c.title[lang]) for c in Story.from_meta(trace.meta).chapters for lang in ZH]
    assert not [t for t in texts if SPACED.search(t[2])]
    assert ("train.0.lstm.t2.hx.grad_sum", "zh-Hant", "經由輸出門 o") in texts or name == "gru"


def test_a_name_no_table_has_keeps_its_space_beside_chinese():
    import tracer

    with tracer.record() as trace:
        x = tracer.param([1.0, 2.0], name="x")
        (tracer.mul(x, 3.0, name="tripled") + tracer.exp(x, name="grown")).sum().backward()
    acc = sums(trace)[0]
    assert named(trace, acc, "zh-Hans") == [("dx′", "经由 grown"), ("dx″", "经由 tripled")]
    assert named(trace, acc, "en") == [("dx′", "through grown"), ("dx″", "through tripled")]


def test_the_lines_under_the_shares_on_screen_say_the_same(tmp_path):
    """The LSTM's d[h; x] sum drawn in Chinese: under each share, its way as named."""
    pytest.importorskip("manim")
    from scenes.curated import build_plan
    from scenes.render import render_scene

    trace = run("lstm")
    acc = trace.step("train.0.lstm.t2.hx.grad_sum")
    plan = build_plan(trace, steps=f"{acc.id}..{acc.id}", lang="zh-Hant")
    stage = render_scene(plan, plan.window, tmp_path / "sum.png", "l", still=True).stage
    lines = [stage.slot(tid).grid.path_line.original_text for tid in acc.inputs]
    assert lines == ["經由輸出門 o", "經由候選值 g"] == [way for _, way in named(trace, acc, "zh-Hant")]


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_a_title_naming_two_ways_in_words_fits_the_frame(name):
    """The GRU's "h₂, read 3 times: its gradients through the kept part (1 − u)·h and through the
    reset state r·h, added" ran off the frame's right edge as a chapter header."""
    pytest.importorskip("manim")
    from scenes import style
    from scenes.caption import header

    for chapter in Story.from_meta(run(name).meta).chapters:
        for lang, text in chapter.title.items():
            assert header(text, lang).get_right()[0] <= style.FRAME_WIDTH / 2 - 0.3 + 1e-6, (lang, text)
