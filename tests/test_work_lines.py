"""Long working lines readable at 480p: the arithmetic on the caption band's middle line is drawn
no smaller than a reader can read, however many terms it has. A working one line would shrink
(anomaly_detection's first layer: 111 characters, digits 9 px tall; exploding_gradients' mean of
16 squares: 184, 5 px) goes on two lines, cut between two terms, in the room the caption's
formula and narration leave (the whole middle of the band over a one-line narration). The
longest workings of the two walkthroughs are laid out on their steps' captions in the four
languages, without rendering a frame."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes import glyphs, style  # noqa: E402
from scenes.caption import Caption, work_line, wrap_at  # noqa: E402
from scenes.plan import caption_of  # noqa: E402
from tracer.explain import explain  # noqa: E402
from tracer.i18n import LANGUAGES  # noqa: E402

from .example_runs import run  # noqa: E402

PX = 480 / style.FRAME_HEIGHT   # pixels per unit at 480p
MIN_DIGIT_PX = 9.5              # a digit's glyph drawn at least this tall (13.8 px at full size; one line drew 9 and 5)
LONGEST = 6                     # the longest workings of each walkthrough, all their lines


def digit_heights(line) -> list[float]:
    """The drawn height (px at 480p) of a digit on each line of a work line (one or two): each
    line is one outline, drawn from its text at FORMULA_SIZE and scaled; a digit scales with it."""
    digit = glyphs.mono("0", style.COMPUTED, style.FORMULA_SIZE).height
    texts = [m for m in line.get_family() if isinstance(getattr(m, "text", None), str) and m.text]
    return [digit * m.height / glyphs.mono(m.text, style.COMPUTED, style.FORMULA_SIZE).height * PX for m in texts]


def longest(name: str) -> list[tuple]:
    trace = run(name)
    found = {}
    for step in trace.steps:
        tid = step.outputs[0]
        if trace.tensors[tid].size == 0:
            continue
        w = explain(trace, step, (0,) * len(trace.tensors[tid].shape), minus="−")
        for line in w.lines:
            found.setdefault(len(line), (step, line))
    return [found[n] for n in sorted(found)[-LONGEST:]]


def test_a_long_working_is_cut_between_two_terms_not_inside_a_square_or_an_elided_stretch():
    text = "((−4.08 − (−0.84))² + (−13.31 − (−0.51))² + [9 terms: 32907.41] + (−2.20 − 0.53)²) / 16 = 2148.10"
    k = wrap_at(text)
    assert text[k:k + 3] == " + " and text[:k].count("(") - text[:k].count(")") == 1
    assert wrap_at("0.244×(−0.081) − 0.705×(−0.248) = −0.17") == len("0.244×(−0.081)")
    assert wrap_at("[94 terms: 1 + 2]") is None and wrap_at("12.25") is None


def test_workings_run_together_are_cut_between_them_not_inside_one():
    """A layer norm's cell: x − μ, (x − μ) / σ and γ·x̂ + β on one line; folded, a line ends at a
    working's end (it cut ``γ·x̂`` from its ``+ β``)."""
    text = "x − μ = 2.004 − 3.039 = −1.04;  (x − μ) / σ = −1.04 / 0.77 = −1.35;  γ·x̂ + β = −1.35×1 + 0 = −1.35"
    k = wrap_at(text)
    assert (text[:k], text[k + 1:]) == ("x − μ = 2.004 − 3.039 = −1.04; ",   # the more even of the two cuts
                                        "(x − μ) / σ = −1.04 / 0.77 = −1.35;  γ·x̂ + β = −1.35×1 + 0 = −1.35")
    assert text[:wrap_at(text, lambda first: len(first) < 80)].endswith("(x − μ) / σ = −1.04 / 0.77 = −1.35; ")


@pytest.mark.parametrize("name", ["anomaly_detection", "exploding_gradients"])
def test_no_work_line_is_drawn_with_digits_too_small_to_read_at_480p(name):
    trace = run(name)
    shown = 0
    for step, en in longest(name):
        cell = (0,) * len(trace.tensors[step.outputs[0]].shape)
        for lang in LANGUAGES:
            caption = Caption(*caption_of(trace, step, lang), lang)
            for text in explain(trace, step, cell, minus="−", lang=lang).lines:
                line = work_line(text, room=caption.work_room)
                digits = digit_heights(line)
                assert digits and min(digits) >= MIN_DIGIT_PX, f"{name} step {step.id} ({lang}): {text}"
                # on the band, between the formula and the narration, and inside the text width
                assert line.get_top()[1] <= caption.formula.get_bottom()[1] - 0.02, text
                assert line.get_bottom()[1] >= caption.narration.get_top()[1] + 0.02, text
                assert line.width <= style.FRAME_WIDTH - 0.8 + 1e-6
                shown += 1
    assert shown >= LONGEST * len(LANGUAGES)


def test_a_working_growing_term_by_term_keeps_its_first_line_once_cut():
    caption = Caption("Z = W · X", "A product.", "en")
    terms = ["0.244×(−0.081)", "− 0.705×(−0.248)", "− 0.614×0.442", "− 0.670×(−0.008)", "+ 0.515×(−0.683)",
             "+ 0.615×0.363", "− 0.332×1", "+ 0.125×0.5"]
    firsts = []
    for t in range(1, len(terms) + 1):
        line = work_line(" ".join(terms[:t]) + " = −0.57", room=caption.work_room)
        texts = [m.text for m in line.get_family() if getattr(m, "text", None)]
        assert min(digit_heights(line)) >= 12, texts   # over a one-line narration: (nearly) full size
        if len(texts) == 2:
            firsts.append(texts[0])
            assert " ".join(texts) == " ".join(terms[:t]) + " = −0.57"   # nothing lost at the cut
    assert len(firsts) >= 2 and len(set(firsts)) == 1


def test_a_working_that_fits_stays_one_line_at_full_size():
    caption = Caption("Z = W · X", "A product.", "en")
    line = work_line("0.5×2 + 1×3 = 4", room=caption.work_room)
    assert isinstance(line.text, str) and max(digit_heights(line)) >= 13


def test_a_two_line_narration_sits_clear_of_the_frame_edge_and_leaves_a_two_line_working_legible():
    # Vietnamese matmul narrations take two lines; a product of seven decimal terms takes two too
    narration = ("Nhân ma trận Q_rows với K_T: mỗi phần tử của scores là một hàng của Q_rows nhân với "
                 "một cột của K_T, rồi cộng lại.")
    caption = Caption("scores = Q_rows · K_T", narration, "vi")
    assert len([m for m in caption.narration.get_family() if getattr(m, "text", None)]) == 2
    assert (caption.narration.get_bottom()[1] + style.FRAME_HEIGHT / 2) * PX >= 6   # px above the frame's edge
    line = work_line("0.244×(−0.081) − 0.705×(−0.248) − 0.614×0.442 − 0.670×(−0.008) + 0.515×(−0.683) "
                     "+ 0.615×0.363 − 0.332×1 = −0.57", room=caption.work_room)
    assert len([m for m in line.get_family() if getattr(m, "text", None)]) == 2
    assert min(digit_heights(line)) >= 10.8   # 0.76 of full size drew 10.5 px
    assert line.get_bottom()[1] >= caption.narration.get_top()[1] + 0.02
