"""scenes.ink measures a line as wide as the Text that draws it, without building it."""
import pytest

pytest.importorskip("manim")


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "vi"])
@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("s", ["the gradient flows back (> 0), 2·x", "每個元素都套用同一個函數，再加總",
                               "mọi ô còn lại: hàng của [W | b]", "i", "a  b"])
def test_a_line_measured_without_drawing_is_as_wide_as_its_drawing(s, lang, bold):
    from scenes import glyphs, style

    measured = glyphs.prose_width(s, lang, 28, bold)
    drawn = glyphs.prose(s, lang, size=28, bold=bold).width
    assert measured == pytest.approx(drawn, rel=1e-12, abs=1e-12)
    assert (s, style.prose_font(lang), 28, style.INK, "BOLD" if bold else "NORMAL") in glyphs._TEXTS


def test_a_longer_line_measures_wider():
    from scenes import glyphs

    assert glyphs.prose_width("ab cd ef", "en", 28) > glyphs.prose_width("ab cd", "en", 28) > 0
