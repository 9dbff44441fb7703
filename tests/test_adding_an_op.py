"""Adding an op is one declaration (docs/adding-an-op.md): a toy op declared here, with neither a
working nor a player of its own, is explained, narrated, stepped and rendered by the fallbacks."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

import tracer
from tracer.explain import explain
from tracer.i18n import LANGUAGES, narrate
from tracer.ops.declare import primitive
from tracer.ops.spec import REGISTRY


@pytest.fixture()
def toy():
    """A trace through ``halve_up`` (x ↦ ⌈x⌉ / 2), an op only this test knows; forgotten after."""
    @primitive("halve_up", family="elementwise", formula="{out} = ⌈{x}⌉ / 2", grad="d{x} = 0",
               narration="Round every entry of {x} up and halve it.")
    def halve_up(x):
        return np.ceil(x) / 2, lambda g, need: (np.zeros_like(x),)
    try:
        with tracer.record() as trace:
            x = tracer.param([[0.3, 2.5], [-1.2, 4.0]], name="x")
            y = halve_up(x, name="y")
            tracer.sum(y * x, name="s").backward()
        yield trace
    finally:
        del REGISTRY["halve_up"]


def test_it_is_explained_by_the_generic_working(toy):
    step = toy.step("y")
    w = explain(toy, step, (0, 1))  # ⌈2.5⌉ / 2 = 1.5
    assert w.lines == ("1.50",) and w.formula == "y = ⌈x⌉ / 2" and w.reads == ((step.inputs[0], (0, 1)),)
    grad = explain(toy, "y.grad", (1, 0))
    assert grad.text == "0" and grad.lines[-1] == "0"


def test_it_is_narrated_in_every_language_without_english(toy):
    step = toy.step("y")
    assert narrate(toy, step, "en") == "Round every entry of x up and halve it."
    for lang in LANGUAGES[1:]:
        text = narrate(toy, step, lang)
        assert "halve_up" in text and "y = ⌈x⌉ / 2" in text and "Round" not in text, (lang, text)


def test_it_is_stepped(toy):
    from tracer.stepper import StepperApp
    from tracer.stepper.model import Navigator

    nav = Navigator(toy)
    assert toy.step("y").id in nav.walk()

    async def main() -> str:
        app = StepperApp(toy, title="toy")
        async with app.run_test(size=(150, 50)) as pilot:
            await pilot.pause()
            return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
    text = asyncio.run(main())
    assert "halve_up" in text and "Round every entry of x up and halve it." in text


def test_it_is_rendered(toy, tmp_path):
    pytest.importorskip("manim")
    from scenes.curated import build_plan
    from scenes.players import FORWARD, player_for
    from scenes.render import render

    step = toy.step("y")
    assert player_for(toy, step) is FORWARD["family:elementwise"]  # its family's player
    plan = build_plan(toy, scene="generic")
    assert step.id in [b.step.id for b in plan.step_beats]
    out = render(toy, scene="generic", steps=f"{step.id}..{step.id}", fmt="png", output=tmp_path / "toy.png")
    assert out.exists() and out.stat().st_size > 5_000
