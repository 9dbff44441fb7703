"""The primes of a share's name (dx′, dx″, dx‴: :mod:`tracer.shares`) are drawn upright, one
stroke per prime, in the number font's cell: JetBrains Mono draws ′ ″ slanted like the quotes ’ ”."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes import glyphs, style  # noqa: E402


def ink_after_x(mark: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """The outline ``x<mark>`` has beyond that of ``x``, in the line's own frame: its points and
    its closed contours (one per stroke)."""
    from manim import VMobject

    alone = glyphs.mono("x").points
    ink = glyphs.mono("x" + mark).points[len(alone):]
    shape = VMobject()
    shape.points = ink
    return ink, shape.get_subpaths()


@pytest.mark.parametrize("mark, n", [("′", 1), ("″", 2), ("‴", 3)])
def test_a_prime_is_upright_strokes_in_one_cell(mark, n):
    ink, parts = ink_after_x(mark)
    adv = glyphs._advance(style.number_font(), style.FORMULA_SIZE, "NORMAL")[0]
    # the line is centred on its two cells: the prime's cell is [0, adv]
    assert ink[:, 0].min() >= 0 and ink[:, 0].max() <= adv
    assert len(parts) == n
    for s in parts:   # upright: its top and its foot stand above one another
        h = s[:, 1].max() - s[:, 1].min()
        top, foot = s[s[:, 1] > s[:, 1].max() - h / 5], s[s[:, 1] < s[:, 1].min() + h / 5]
        assert abs(top[:, 0].mean() - foot[:, 0].mean()) < 0.12 * h, (mark, top[:, 0].mean(), foot[:, 0].mean(), h)


def test_a_line_without_primes_is_drawn_as_before():
    """The number font's glyphs are untouched: x and 0.5 are the font's own outlines."""
    font = style.number_font()
    ref, _ = glyphs._ref("x", font, style.FORMULA_SIZE, "NORMAL")
    assert np.allclose(np.concatenate(ref)[:, 1], glyphs.mono("x").points[:, 1] + glyphs._baseline_mid(font, style.FORMULA_SIZE, "NORMAL"))
