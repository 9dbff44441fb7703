"""A prime in a line of the number font (dx′, dx″: the shares of :mod:`tracer.shares`), drawn as
the mathematical prime. JetBrains Mono draws ′ ″ slanted and curved like the quotes ’ ”, and an
upright stroke (Liberation Mono's) reads as ASCII ' ": a learner reads ``dx"`` as a stray quote.
"""
from __future__ import annotations

import numpy as np
from manim import Text

from . import style

_OUTLINES: dict[tuple[object, ...], list[np.ndarray]] = {}

# DejaVu Sans's wedge, as the narration under a formula draws it (thick at the top, tapering down,
# slanted right, from the x-height to the capitals' top), once per prime (″ two, ⁗ four) at that
# face's own spacing, in one cell of the number font
PRIME_FACES = ("DejaVu Sans", "DejaVu Sans Mono")
PRIMES = {"′": 1, "″": 2, "‴": 3, "⁗": 4}
PRIME_ROOM = 0.9   # of a cell, the most the wedges of one prime take (‴ ⁗ are squeezed to it)
PRIME_SCALE = 1.2  # beside bold monospace letters, DejaVu's wedge (its top kept at the capitals') reads faint
PRIME_LEAN = 0.1   # of a cell: a prime leans toward the letter it marks, as far as its cell has room


def outline(ch: str, size: float, weight: str, number_font: str, adv: float) -> list[np.ndarray]:
    """The outline of the prime ``ch`` relative to the centre of a cell ``adv`` wide of the
    number font, as :func:`scenes.glyphs.line` places that font's glyphs: one wedge per prime,
    left of the cell's middle (toward the letter it marks), on that font's baseline. A primed
    name keeps the width of its monospace cells.

    >>> len(outline("″", 22, "NORMAL", "JetBrains Mono", 0.3))   # two wedges
    2
    """
    face = style.pick(PRIME_FACES)
    key = (ch, face, size, weight, number_font, adv)
    if key not in _OUTLINES:
        # the face's own ″ gives the spacing of two wedges; its ′ the wedge, after an 'H' on the baseline
        one = Text("H′", font=face, font_size=size, weight=weight, disable_ligatures=True)
        two = Text("″", font=face, font_size=size, weight=weight, disable_ligatures=True)
        h, wedge = one.submobjects[0], [m for m in one.submobjects[1:] if len(m.points)]
        step = float(two.width - one.submobjects[1].width)
        cap = Text("H", font=number_font, font_size=size, weight=weight).height
        left, right = min(m.get_left()[0] for m in wedge), max(m.get_right()[0] for m in wedge)
        cell = np.array([(left + right) / 2, h.get_bottom()[1] + cap / 2, 0.0])
        n = PRIMES[ch]
        top = np.array([0.0, h.get_top()[1] - cell[1], 0.0])   # the wedges grow down from it
        ink = PRIME_SCALE * (right - left + (n - 1) * step)
        squeeze = min(1.0, PRIME_ROOM * adv / ink)
        lean = min(PRIME_LEAN, (PRIME_ROOM - squeeze * ink / adv) / 2) * adv   # never out of PRIME_ROOM
        to_cell = np.array([[squeeze * PRIME_SCALE, 0.0, 0.0], [0.0, PRIME_SCALE, 0.0], [0.0, 0.0, 1.0]])
        _OUTLINES[key] = [(m.points - cell - top + np.array([(k - (n - 1) / 2) * step, 0.0, 0.0])) @ to_cell
                          + top - np.array([lean, 0.0, 0.0]) for k in range(n) for m in wedge]
    return _OUTLINES[key]
