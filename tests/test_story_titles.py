"""A story's title in Chinese joins Chinese to Chinese without a space (``我愛吃蘋果的自注意力``, not
``我愛吃蘋果 的自注意力``) and keeps one where a Latin word or a number meets it (``the cat sat 的``,
``自編碼器 4 → 3``), as Chinese typesetting does; the deck, the sheet and the handout print it so."""
from __future__ import annotations

import re

import pytest

from tracer.examples import run_example
from tracer.lecture.words import trace_title
from tracer.story import Story, text

from .test_examples import NAMES, run

CJK = "[\u2e80-\u9fff\uf900-\ufaff]"


def titles(trace) -> dict[str, str]:
    story = Story.from_meta(trace.meta)
    return {lang: trace_title(trace, story, lang) for lang in ("en", "zh-Hant", "zh-Hans", "vi")}


def test_self_attention_title_has_no_space_before_de():
    got = titles(run("self_attention"))
    assert got["zh-Hant"] == "我愛吃蘋果的自注意力"
    assert got["zh-Hans"] == "我愛吃蘋果的自注意力"   # the tokens as given; only the words around them differ
    assert got["vi"] == "Tự chú ý trên 我愛吃蘋果"
    assert got["en"] == "Self-attention over 我 (I) 愛 (love) 吃 (eat) 蘋果 (apples)"


def test_latin_tokens_keep_their_spaces_and_one_before_de():
    trace = run_example("self_attention", ["tokens.0=the", "tokens.1=cat", "tokens.2=sat", "tokens.3=down"])
    got = titles(trace)
    assert got["zh-Hant"] == got["zh-Hans"] == "the cat sat down 的自注意力"
    assert got["vi"] == "Tự chú ý trên the cat sat down"   # was "thecatsatdown": joined as if Chinese
    mixed = titles(run_example("self_attention", ["tokens.3=GPT2"]))
    assert mixed["zh-Hant"] == "我愛吃 GPT2 的自注意力"


@pytest.mark.parametrize("name", [n for n in NAMES if n != "minilm"])
def test_no_story_title_puts_a_space_between_two_chinese_characters(name):
    story = Story.from_meta(run(name).meta)
    for lang in ("zh-Hant", "zh-Hans"):
        for title in [text(story.title, lang)] + [text(c.title, lang) for c in story.chapters]:
            assert not re.search(f"{CJK} {CJK}", title), (name, lang, title)
