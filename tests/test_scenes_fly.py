"""A number copied across (a concat's gradient cut back into its parts: dhx into dhidden) leaves
its source at once: the copy and the number it copies are not drawn over each other for more than
a glimpse of the flight (the LSTM's two dhx numbers were, for ~40% of it)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("manim")

from scenes import glyphs, style  # noqa: E402
from scenes.players.concat import fly  # noqa: E402


def _overlap(a, b) -> bool:
    return bool(a.get_right()[0] > b.get_left()[0] and b.get_right()[0] > a.get_left()[0]
                and a.get_top()[1] > b.get_bottom()[1] and b.get_top()[1] > a.get_bottom()[1])


def test_a_flying_copy_leaves_its_source_at_once():
    # hx's band and hidden's, side by side as in the LSTM's dhx split (1.8 units apart)
    source = glyphs.mono("0.06", style.GRAD, style.SMALL_NUMBER_SIZE).move_to([1.8, 0, 0])
    target = glyphs.mono("0.06", style.GRAD, style.SMALL_NUMBER_SIZE).move_to([0, 0, 0])
    stage = SimpleNamespace(skipping=False, scene=SimpleNamespace(add=lambda *m: None),
                            canvas=SimpleNamespace(trash=[]))
    flight = fly(stage, [(source, target)])[0].build()
    flight.begin()
    over = []
    for k in range(1, 20):
        flight.interpolate(k / 20)
        over.append(_overlap(flight.mobject, source))
    flight.finish()
    assert flight.mobject.get_center()[0] == pytest.approx(0.0, abs=1e-6)   # it lands
    assert sum(over) <= 2, f"the copy covers its source for {sum(over)}/19 of the flight"
