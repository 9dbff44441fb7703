"""The primes of a share's name (dx′, dx″, dx‴: :mod:`tracer.shares`) are drawn as the mathematical
prime, one wedge per prime in the number font's cell: thick at the top, tapering down, slanted to the
right, set high. JetBrains Mono draws ′ ″ like the quotes ’ ”, and an upright stroke reads as ' "."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes import glyphs, style  # noqa: E402


def ink_after_x(mark: str, bold: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """The outline ``x<mark>`` has beyond that of ``x``, in the line's own frame: its points and
    its closed contours (one per wedge)."""
    from manim import VMobject

    alone = glyphs.mono("x", bold=bold).points
    ink = glyphs.mono("x" + mark, bold=bold).points[len(alone):]
    shape = VMobject()
    shape.points = ink
    return ink, shape.get_subpaths()


def band(s: np.ndarray, top: bool) -> np.ndarray:
    """The points of the contour ``s`` in its top (or bottom) fifth."""
    y, h = s[:, 1], s[:, 1].max() - s[:, 1].min()
    return s[y > y.max() - h / 5] if top else s[y < y.min() + h / 5]


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("mark, n", [("′", 1), ("″", 2), ("‴", 3), ("⁗", 4)])
def test_a_prime_is_slanted_wedges_set_high_in_one_cell(mark, n, bold):
    ink, parts = ink_after_x(mark, bold)
    font, weight = style.number_font(), "BOLD" if bold else "NORMAL"
    adv = glyphs._advance(font, style.FORMULA_SIZE, weight)[0]
    # the line is centred on its two cells: the prime's cell is [0, adv], and on a digit's middle
    assert 0 <= ink[:, 0].min() and ink[:, 0].max() <= adv
    assert len(parts) == n
    digit = glyphs._digit_height(font, style.FORMULA_SIZE, weight)
    for s in parts:
        h = s[:, 1].max() - s[:, 1].min()
        top, foot = band(s, True), band(s, False)
        # slanted to the right: its top stands right of its foot
        assert top[:, 0].mean() - foot[:, 0].mean() > 0.25 * h, (mark, top[:, 0].mean(), foot[:, 0].mean(), h)
        # a wedge: wider at the top than at the foot
        assert np.ptp(top[:, 0]) > 1.3 * np.ptp(foot[:, 0]), (mark, np.ptp(top[:, 0]), np.ptp(foot[:, 0]))
        # set high: its foot above the middle of a digit, its top no lower than a digit's
        assert s[:, 1].min() > 0 and s[:, 1].max() >= 0.45 * digit
    # the wedges stand side by side, in order, none over another
    lefts = [s[:, 0].min() for s in parts]
    assert lefts == sorted(lefts) and len(set(np.round(lefts, 6))) == n


def test_a_prime_leans_toward_its_letter():
    """A single prime sits left of its cell's middle (dx′, not dx ′)."""
    ink, _ = ink_after_x("′", True)
    adv = glyphs._advance(style.number_font(), style.FORMULA_SIZE, "BOLD")[0]
    assert (ink[:, 0].min() + ink[:, 0].max()) / 2 < adv / 2


def test_a_line_without_primes_is_drawn_as_before():
    """The number font's glyphs are untouched: x and 0.5 are the font's own outlines."""
    font = style.number_font()
    ref, _ = glyphs._ref("x", font, style.FORMULA_SIZE, "NORMAL")
    assert np.allclose(np.concatenate(ref)[:, 1], glyphs.mono("x").points[:, 1] + glyphs._baseline_mid(font, style.FORMULA_SIZE, "NORMAL"))
