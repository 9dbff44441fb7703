"""Lines of prose on a page stand on their baselines (scenes/leading.py): a card's paragraph one
pitch from baseline to baseline, whatever each line's descenders or Chinese characters; a bar's
name level with the bar, ``queen`` as ``the``."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes import glyphs  # noqa: E402
from scenes.cards import wrap  # noqa: E402
from scenes.leading import baseline_of, centred_on, pitch  # noqa: E402


@pytest.mark.parametrize("lang, text", [
    ("en", "The LSTM reads x1 to x3 one step at a time and answers y = 0.08 (target 0.50). Backpropagation "
           "through time carries the gradient at x3 back to 0.10 at x1."),
    ("zh-Hant", "每個詞最關注那個鍵和它的查詢最相配（點積最大）的詞：我 (I) → 吃 (eat) 0.79，愛 (love) → 吃 (eat) 0.57，"
                "吃 (eat) → 蘋果 (apples) 0.76。"),
    ("vi", "Mỗi từ chú ý nhiều nhất đến từ có khóa khớp nhất với truy vấn của nó (tích vô hướng lớn nhất), "
           "gradient ngược qua softmax."),
])
def test_a_paragraphs_lines_stand_one_pitch_apart(lang, text):
    page = wrap(text, lang, 24, width=5.6)
    assert len(page.lines) >= 3
    feet = [baseline_of(m, s, lang, 24) for m, s in zip(page.submobjects, page.lines)]
    assert None not in feet
    gaps = [a - b for a, b in zip(feet, feet[1:])]
    assert gaps == pytest.approx([pitch(lang, 24)] * len(gaps), abs=1e-6), gaps
    lefts = [m.get_left()[0] for m in page.submobjects]
    assert max(lefts) - min(lefts) < 1e-6


def test_a_chinese_only_line_stands_on_the_baseline_a_latin_one_does():
    """A Chinese character's ink reaches below the baseline: a line of it alone is raised by that."""
    latin, chinese = glyphs.prose("Hx", "zh-Hant", size=24), glyphs.prose("我愛", "zh-Hant", size=24)
    both = glyphs.prose("H我", "zh-Hant", size=24)
    assert baseline_of(both, "H我", "zh-Hant", 24) == pytest.approx(float(both[0].get_bottom()[1]))
    assert baseline_of(chinese, "我愛", "zh-Hant", 24) > float(chinese.get_bottom()[1])
    assert baseline_of(latin, "Hx", "zh-Hant", 24) == pytest.approx(float(latin.get_bottom()[1]))


def test_names_beside_bars_are_level_whatever_their_descenders():
    names = {s: centred_on(glyphs.prose(s, size=20), s, 1.0, "en", 20) for s in ("queen", "the", "jumpy", "once")}
    feet = {s: baseline_of(m, s, "en", 20) for s, m in names.items()}
    assert max(feet.values()) - min(feet.values()) < 1e-6
    assert feet["the"] < 1.0 < names["the"].get_top()[1]   # the letters straddle the bar's middle
