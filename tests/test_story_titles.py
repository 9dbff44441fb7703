"""A story's Chinese texts join Chinese to Chinese without a space (``我愛吃蘋果的自注意力``, not
``我愛吃蘋果 的自注意力``) and keep one where a Latin word or a number meets it (``the cat sat 的``,
``自編碼器 4 → 3``), as Chinese typesetting does; a token named inside a Chinese sentence stands in
「」 (``「蘋果」要等「吃」``, not ``蘋果 要等 吃``). The deck, the sheet, the handout and the video
print these texts as they are."""
from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

import pytest

from tracer.examples import run_example
from tracer.lecture.slides import build_deck
from tracer.lecture.words import trace_title
from tracer.story import Story

from .example_runs import NAMES, run

CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"   # CJK characters and punctuation (、：「」（）)
SPACED = re.compile(f"{CJK} +{CJK}")
ZH = ("zh-Hant", "zh-Hans")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LATIN = ["tokens.0=the", "tokens.1=cat", "tokens.2=sat", "tokens.3=down"]


def titles(trace) -> dict[str, str]:
    story = Story.from_meta(trace.meta)
    return {lang: trace_title(trace, story, lang) for lang in ("en", "zh-Hant", "zh-Hans", "vi")}


def story_texts(story: Story) -> list[tuple[str, dict[str, str]]]:
    """Every text of a story with where it stands: title, question, chapter titles, plot titles,
    axes, legends, marks and notes, recap."""
    found = []

    def walk(node, where):
        if isinstance(node, dict) and node and "en" in node and all(isinstance(v, str) for v in node.values()):
            found.append((where, node))
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for k, v in enumerate(node):
                walk(v, f"{where}[{k}]")
    walk(asdict(story), "story")
    return found


def spaced_inside_chinese(trace) -> list[tuple[str, str, str]]:
    """(language, where, text) of each Chinese story text or slide caption with a space between two
    CJK characters."""
    bad = [(lang, where, t[lang]) for where, t in story_texts(Story.from_meta(trace.meta)) for lang in ZH
           if SPACED.search(t.get(lang, ""))]
    for lang in ZH:
        for k, slide in enumerate(build_deck(trace, lang=lang).slides):
            bad += [(lang, f"slide {k} {field}", value) for field, value in
                    (("title", slide.title), ("narration", slide.narration)) if SPACED.search(value)]
    return bad


def test_the_check_finds_a_space_inside_chinese():
    assert [bool(SPACED.search(t)) for t in ("蘋果 要等 吃", "我愛吃蘋果 的 4 個詞", "：「蘋果」 要等", "一步 SGD 之後",
                                             "第 3 步", "「蘋果」→「吃」")] == [True, True, True, False, False, False]


@pytest.mark.parametrize("name", NAMES)
def test_no_story_text_or_caption_puts_a_space_inside_chinese(name):
    assert spaced_inside_chinese(run(name)) == []


@pytest.mark.parametrize("name, overrides", [("self_attention", LATIN), ("self_attention", ["tokens.3=GPT2"]),
                                             ("rnn_vs_attention", LATIN), ("multi_head_attention", ["tokens.0=我", "tokens.1=愛"])])
def test_other_tokens_put_no_space_inside_chinese_either(name, overrides):
    assert spaced_inside_chinese(run_example(name, overrides)) == []


def test_self_attention_title_has_no_space_before_de():
    got = titles(run("self_attention"))
    assert got["zh-Hant"] == "我愛吃蘋果的自注意力"
    assert got["zh-Hans"] == "我愛吃蘋果的自注意力"   # the tokens as given; only the words around them differ
    assert got["vi"] == "Tự chú ý trên 我愛吃蘋果"
    assert got["en"] == "Self-attention over 我 (I) 愛 (love) 吃 (eat) 蘋果 (apples)"


def test_latin_tokens_keep_their_spaces_and_one_before_de():
    trace = run_example("self_attention", LATIN)
    got = titles(trace)
    assert got["zh-Hant"] == got["zh-Hans"] == "the cat sat down 的自注意力"
    assert got["vi"] == "Tự chú ý trên the cat sat down"   # was "thecatsatdown": joined as if Chinese
    mixed = titles(run_example("self_attention", ["tokens.3=GPT2"]))
    assert mixed["zh-Hant"] == "我愛吃 GPT2 的自注意力"


def test_self_attention_quotes_the_tokens_its_map_and_recap_name():
    story = Story.from_meta(run("self_attention").meta)
    # 蘋果's scores (QᵀK ÷ 2) are −4, −4, 1, −2: softmax gives 吃 e^1 / (2e^−4 + e^1 + e^−2) = 0.94
    assert [p.title["zh-Hant"] for p in story.plots] == ["注意力權重：「蘋果」最關注「吃」（0.94）",
                                                         "一步 SGD 之後：「蘋果」→「吃」從 0.94 變成 0.99"]
    assert story.plots[0].title["zh-Hans"] == "注意力权重：「蘋果」最关注「吃」（0.94）"
    assert story.recap["zh-Hant"].endswith("的詞：「我」→「吃」（0.79）；「愛」→「吃」（0.57）；「吃」→「蘋果」（0.76）；"
                                           "「蘋果」→「吃」（0.94）。一步 SGD 把「蘋果」→「吃」的權重從 0.94 變成 0.99。")
    assert story.plots[0].title["en"] == "Attention weights: 蘋果 (apples) attends most to 吃 (eat) (0.94)"
    latin = Story.from_meta(run_example("self_attention", LATIN).meta)
    assert latin.plots[0].title["zh-Hant"] == "注意力權重：「down」最關注「sat」（0.94）"   # the same numbers, other names
    assert latin.plots[0].title["vi"] == "Trọng số attention: down chú ý nhiều nhất đến sat (0.94)"


def test_rnn_vs_attention_recap_quotes_the_sentence_and_its_last_two_tokens():
    recap = Story.from_meta(run("rnn_vs_attention").meta).recap
    # 4 tokens, 3 RNN steps each after the first's 4: 13 in a row; attention: Q, K, V and the rest, 4
    assert recap["zh-Hant"].startswith("「我愛吃蘋果」的 4 個詞，RNN 要一個接一個跑 13 步（每多一個詞多 3 步：「蘋果」要等「吃」）；")
    assert recap["zh-Hans"].startswith("「我愛吃蘋果」的 4 个词，RNN 要一个接一个跑 13 步（每多一个词多 3 步：「蘋果」要等「吃」）；")
    latin = Story.from_meta(run_example("rnn_vs_attention", LATIN).meta).recap
    assert latin["zh-Hant"].startswith("「the cat sat down」的 4 個詞，")
    assert "「down」要等「sat」" in latin["zh-Hant"]
    assert latin["vi"].startswith("Với 4 từ của the cat sat down, ")   # was "thecatsatdown"


def test_a_remedy_named_in_chinese_meets_the_sentence_without_a_space(tmp_path: Path):
    text = (EXAMPLES / "exploding_gradients.yaml").read_text(encoding="utf-8")
    assert '{name: sgd, label: "SGD", ' in text
    own = tmp_path / "exploding.yaml"   # plain SGD named in Chinese: it overflows at step 3
    own.write_text(text.replace('{name: sgd, label: "SGD", ', '{name: sgd, label: "SGD", labels: {zh-Hant: 隨機梯度下降}, '),
                   encoding="utf-8")
    story = Story.from_meta(run_example(str(own)).meta)
    assert story.recap["zh-Hant"].startswith("隨機梯度下降在第 3 步溢位：")
    assert story.plots[1].marks[0]["label"]["zh-Hant"] == "隨機梯度下降溢位"
    assert story.plots[1].marks[1]["label"]["zh-Hant"] == "SGD + L2 溢位"
    assert "撐了下來的有：SGD + 按範數裁剪、SGD + 按數值裁剪、Adam、RMSprop、SGD + He 初始化；60 步後" in story.recap["zh-Hant"]
    vanishing = Story.from_meta(run("vanishing_gradients").meta).recap["zh-Hant"]
    assert "損失最低的是 sigmoid + 批次正規化（1.63e−04），最高的是 sigmoid + Xavier（0.54）。" in vanishing
