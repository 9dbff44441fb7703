"""A sentence handed out by :func:`scenes.glyphs.prose` is a copy of the one drawing kept of it.

The kept drawing sheds Manim's record of the SVG parse (each glyph's svgelements path, the SVG's
id-to-group table), which a deep copy walked segment by segment: handing out a long sentence cost
~55 ms, and so did each animation's copy of it. These tests hold what the copy must still be: equal,
point for point and colour for colour, to a ``Text`` built afresh; independent of the kept drawing
and of every other copy; and something Manim's animations (Write, FadeIn, Transform) play.
"""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from manim import RED, RIGHT, FadeIn, Text, Transform, Write  # noqa: E402

from scenes import glyphs, style  # noqa: E402

SENTENCE = "The gradient flows back through every weight of the encoder, 蘋果 and e^(2i/d)."
PLAIN = "Each weight moves against its gradient, a little at a time."


def glyph_state(mob) -> list[tuple]:
    """What a drawing draws, glyph by glyph: its points and its fill and stroke colours."""
    return [(m.points.copy(), m.fill_rgbas.copy(), m.stroke_rgbas.copy(), m.stroke_width)
            for m in mob.get_family()]


def assert_same_drawing(a, b) -> None:
    sa, sb = glyph_state(a), glyph_state(b)
    assert len(sa) == len(sb)
    for (pa, fa, ca, wa), (pb, fb, cb, wb) in zip(sa, sb):
        assert np.array_equal(pa, pb)
        assert np.array_equal(fa, fb) and np.array_equal(ca, cb) and wa == wb


def fresh(s: str) -> Text:
    """``s`` as :func:`scenes.glyphs.prose` draws it in English, built afresh by Manim."""
    return Text(s, font=style.prose_font("en"), font_size=style.NARRATION_SIZE, color=style.INK,
                weight="NORMAL", disable_ligatures=True)


def test_a_copy_is_a_fresh_build_point_for_point():
    copy = glyphs.prose(PLAIN)
    assert isinstance(copy, Text) and copy.original_text == PLAIN
    assert len(copy.submobjects) > 40
    assert_same_drawing(copy, fresh(PLAIN))


def test_moving_or_recolouring_a_copy_leaves_the_kept_drawing_and_other_copies_alone():
    first, second = glyphs.prose(SENTENCE), glyphs.prose(SENTENCE)
    before = glyph_state(second)
    first.shift(RIGHT).set_color(RED).scale(2)
    first.submobjects[0].points[0] += 1.0          # in place: no array is shared
    first.submobjects[1].fill_rgbas[0, 0] = 0.5
    third = glyphs.prose(SENTENCE)
    assert_same_drawing(second, third)
    for (p, f, _, _), (q, g, _, _) in zip(before, glyph_state(third)):
        assert np.array_equal(p, q) and np.array_equal(f, g)
    assert not np.array_equal(first.submobjects[0].points, third.submobjects[0].points)
    assert first.submobjects[0] is not third.submobjects[0]


def test_a_copy_carries_no_parse_of_the_svg():
    """What made a copy slow: a deep copy walked every segment of every glyph's parsed path."""
    copy = glyphs.prose(SENTENCE)
    assert all(getattr(m, "path_obj", None) is None for m in copy.get_family())
    assert copy.id_to_vgroup_dict == {}


@pytest.mark.parametrize("animation", [Write, FadeIn])
def test_animations_play_a_copy_and_leave_it_as_drawn(animation):
    copy = glyphs.prose(PLAIN)
    anim = animation(copy)
    anim.begin()
    anim.interpolate(0.5)
    anim.finish()
    anim.clean_up_from_scene(_NoScene())
    assert_same_drawing(copy, fresh(PLAIN))


def test_a_copy_transforms_into_another():
    a, b = glyphs.prose(PLAIN), glyphs.prose(SENTENCE)
    anim = Transform(a, b)
    anim.begin()
    anim.interpolate(0.5)
    anim.finish()
    assert np.allclose(a.get_center(), b.get_center()) and np.isclose(a.width, b.width)
    assert_same_drawing(glyphs.prose(PLAIN), fresh(PLAIN))   # the kept drawing did not move


class _NoScene:
    """Enough of a scene for an animation's clean-up (it removes what it added)."""

    def remove(self, *mobjects) -> None:
        pass
