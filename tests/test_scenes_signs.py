"""One sign style in the video (issue 9): a negative number is written with the minus sign − (U+2212)
in every grid, work line and caption, and the number font draws that sign as a minus, not as its
hyphen. The terminal keeps ASCII (``tracer show`` prints ``-2``: see the README)."""
from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes import glyphs, style  # noqa: E402
from scenes.caption import Caption  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.plan import caption_of  # noqa: E402
from scenes.render import render_scene  # noqa: E402

from .example_runs import run  # noqa: E402

# 2 frames a second: the checks read what each play leaves on the stage, the same at any frame
# rate (Manim's 15 at -q l drew seven times the frames for nothing)
FPS = 2

HYPHEN_SIGN = re.compile(r"(?<![\w.′])-(?=\.?\d)")   # "-0.5", "axis -1", "[-1, 1]"; not "t-1" or "1e-05"
MINUS_SIGN = re.compile(r"−\d")


def _ink_width(ch: str) -> float:
    outlines, _ = glyphs._ref(ch, style.number_font(), style.NUMBER_SIZE, "NORMAL")
    xs = np.concatenate([o[:, 0] for o in outlines])
    return float(xs.max() - xs.min())


def test_the_number_fonts_minus_is_as_wide_as_its_plus_not_its_hyphen():
    assert _ink_width("−") == pytest.approx(_ink_width("+"), rel=0.02)
    assert _ink_width("−") > 1.3 * _ink_width("-")


def _texts(mob) -> list[str]:
    return [m.text for m in mob.get_family() if isinstance(getattr(m, "text", None), str)]


def _built(monkeypatch) -> list[str]:
    """Every string the number font draws from now on (grids, labels, work lines, formulas)."""
    built: list[str] = []
    line = glyphs.line

    def logged(s, *a, **kw):
        mob = line(s, *a, **kw)
        built.append(mob.text)
        return mob
    monkeypatch.setattr(glyphs, "line", logged)
    return built


def test_an_update_played_writes_its_negative_numbers_with_a_minus(tmp_path, monkeypatch):
    trace = run("autoencoder")
    plan = build_plan(trace)
    update = next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.phase == "update")
    built = _built(monkeypatch)
    # the steps before laid out, the first update played: its grid, its work lines, its caption
    scene = render_scene(plan, (update, update + 1), tmp_path / "update.mp4", "l", FPS)
    shown = built + scene.stage.said + [t for _, t in scene.captions_shown]
    hyphens = sorted({s for s in shown if HYPHEN_SIGN.search(s)})
    assert not hyphens, hyphens[:5]
    worked = [s for s in scene.stage.said if "×" in s and "=" in s]
    assert any(MINUS_SIGN.search(s) for s in worked), worked[:3]   # W − η×dW with a negative dW
    assert any(MINUS_SIGN.search(s) for s in built if re.fullmatch(r"−[\d.]+", s))   # a negative in a grid


@pytest.mark.parametrize("name", ["autoencoder", "transformer_block", "exploding_gradients"])
def test_no_caption_signs_a_number_with_a_hyphen(name):
    """Every step's caption with a sign to turn, as drawn: a formula's attribute (reshape to
    [-1, 1]) and a narration's (into the shape [-1, 1]) come from the trace in ASCII, and are drawn
    with −. (A caption draws the strings it is given, so one without a hyphen before a number has
    none to draw: drawing only those with one keeps the check to seconds.)"""
    trace = run(name)
    plan = build_plan(trace, depth=1, story=False)   # composites opened: reshape(b, [-1, 1])
    recorded = [caption_of(trace, b.step, "en") for b in plan.step_beats]
    to_turn = [c for c in recorded if any(HYPHEN_SIGN.search(t) for t in c)]
    assert len(to_turn) >= 2   # there were some to turn (a softmax no longer says "axis -1")
    shown = [t for c in to_turn for t in _texts(Caption(*c))]
    hyphens = sorted({s for s in shown if HYPHEN_SIGN.search(s)})
    assert not hyphens, hyphens[:5]
    assert any(MINUS_SIGN.search(s) for s in shown)


def test_a_sum_worked_term_by_term_writes_a_negative_term_as_a_subtraction(tmp_path):
    """The line that grows term by term reads like the finished one: ``a − 0.705×(−0.248)``,
    never ``a + −0.705×(−0.248)`` (anomaly_detection's first layer has negative weights)."""
    trace = run("anomaly_detection")
    plan = build_plan(trace, pace="slow")   # slow: the first cells worked term by term
    first = next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.op == "linear")
    scene = render_scene(plan, (first, first + 1), tmp_path / "linear.mp4", "l", FPS)
    growing = [s for s in scene.stage.said if "×" in s]
    assert len(growing) >= 4 and any(" − " in s for s in growing[:-1]), growing[:4]
    assert not [s for s in growing if "+ −" in s], [s for s in growing if "+ −" in s][:3]
