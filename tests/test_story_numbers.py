"""Every number a story writes (its recap in the four languages, its plots' titles) that is the value
of a tensor of the run is written as the explanation layer prints that value
(:func:`tracer.explain.number_view`, what the grids and the workings write): ``2148.10`` and
``1.63e−04``, never ``2148.1`` or ``0.000163``; a negative with the true minus ``−``. A value a story
works out from others (a ratio, a distance) is worked out from them as written."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tracer.explain import number_view
from tracer.explain.numbers import MORE, significant
from tracer.i18n import LANGUAGES
from tracer.story import Story
from tracer.systems.stories import num, ratio

from .example_runs import NAMES, run

SLOW = {"minilm", "autoencoder_large"}   # minutes to run: checked in the slow suite
EXAMPLES = [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NAMES]
# a number written with a decimal point or a power of ten (whole numbers are counts and steps as often)
DECIMAL = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+(?:e[−+-]\d+)?|e[−+-]\d+)(?![\w.])")
# written after these, a number is an attribute (η, a threshold) or a ratio of numbers written: no
# tensor's value, whatever cell of the run it happens to be near (W1 holds a 0.1231)
NOT_A_VALUE = re.compile(r"(×|η = |threshold |門檻 |阈值 |ngưỡng )$")
MOST_CELLS = 400_000   # cells looked at per run (the embedder's weights are not numbers a recap names)


def texts(name: str) -> list[str]:
    told = Story.from_meta(run(name).meta)
    return [told.recap[lang] for lang in LANGUAGES] + [p.title[lang] for p in told.plots for lang in LANGUAGES]


def unit(token: str) -> float:
    """One in the last place of a written number (0.01 for ``0.73``, 1e−06 for ``1.63e−04``)."""
    mantissa, _, power = token.replace("−", "-").partition("e")
    places = len(mantissa.partition(".")[2])
    return 10.0 ** (-places + (int(power) if power else 0))


def cells(name: str) -> tuple[list[tuple[str, int]], np.ndarray]:
    """Every float cell of the run: (tensor id, flat index) and the values, in one array."""
    trace, where, parts, total = run(name), [], [], 0
    for tid, t in trace.tensors.items():
        data = np.asarray(t.data)
        if data.dtype.kind != "f" or total + data.size > MOST_CELLS:
            continue
        total += data.size
        where += [(tid, k) for k in range(data.size)]
        parts.append(data.ravel().astype(np.float64))
    return where, np.concatenate(parts) if parts else np.zeros(0)


def prints(view, tid: str, k: int) -> set[str]:
    """How the explanation layer prints a cell: as its grid does, or with a digit or two more where
    that would read 0 or 1 exactly (a probability of 0.9998 is not certain; a loss of 0.0018 is not
    0: two significant digits, as a working gives them)."""
    index = np.unravel_index(k, np.asarray(view.trace.tensors[tid].data).shape)
    base = view.text(tid, tuple(int(i) for i in index))
    if base.replace("−", "-").lstrip("-") not in ("0.00", "1.00"):
        return {base}
    return ({base} | {view.text(tid, tuple(int(i) for i in index), more) for more in MORE}
            | {significant(view.raw(tid, tuple(int(i) for i in index)), 0, "−")})


def disagreements(name: str) -> list[str]:
    """The numbers written that name a tensor's value but are not printed as the grids print it."""
    trace = run(name)
    view, (where, flat) = number_view(trace, "−"), cells(name)
    wrong = []
    for said in texts(name):
        for found in DECIMAL.finditer(said):
            token, v = found.group(), float(found.group().replace("−", "-"))
            if v == 0 or NOT_A_VALUE.search(said[:found.start()]):
                continue   # zeros are in every run; an attribute, a ratio: see NOT_A_VALUE
            near = np.flatnonzero(np.abs(flat - v) <= unit(token) / 2 * (1 + 1e-9)) if flat.size else []
            if len(near) == 0:
                continue   # no tensor holds it: a count, a ratio, an attribute
            printed = set().union(*(prints(view, *where[k]) for k in near[:50]))
            if token not in printed:
                wrong.append(f"{token} (the grid: {' or '.join(sorted(printed))}) in {said!r}")
    return wrong


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_story_writes_a_tensors_value_as_the_explanation_layer_prints_it(name):
    assert disagreements(name) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_story_writes_a_negative_with_the_true_minus(name):
    for said in texts(name):
        assert not re.search(r"(?<![\w.)\]])-\d|\de-\d", said), said


def test_the_losses_the_exploding_recap_names_are_the_ones_its_workings_end_on():
    """(It wrote ``from 2148.1`` where the working of that loss ends ``= 2148.10``, and ``20894.33``
    where a grid of that norm writes ``2.09e+04``.)"""
    said = Story.from_meta(run("exploding_gradients").meta).recap["en"]
    assert "from 2148.10." in said and "goes 2.09e+04 → 2.35e+126 → ∞" in said, said


def test_vanishing_writes_its_smallest_loss_as_a_grid_of_it_would():
    trace = run("vanishing_gradients")
    final = trace.meta["loss_history"]["sigmoid_batch_norm"][-1]
    assert 1e-4 < final < 1e-3   # so a grid writes it in scientific notation
    told = Story.from_meta(trace.meta).recap
    assert "1.63e−04" in told["en"] and "（1.63e−04）" in told["zh-Hant"] and "0.000163" not in told["en"]
    # the terminal's summary line writes the terminal's minus, as the stepper's workings do
    assert "sigmoid_batch_norm 1.63e-04" in trace.meta["summary"][1]


def test_the_fraction_of_the_gradient_kept_is_the_ratio_of_the_norms_written():
    """0.62 / 0.71 = 0.87 as a reader divides them (the run's own fraction, 0.8724, was written 0.873)."""
    trace = run("gradient_through_time")
    said = Story.from_meta(trace.meta).recap["en"]
    for k, sizes in trace.meta["grad_norm_per_timestep"].items():
        a, b = num(sizes[-1]), num(sizes[0])
        part = f"{a} → {b} (×{ratio(b, a)})"
        assert part in said, (part, said)
        exact = float(b.replace("−", "-")) / float(a.replace("−", "-"))
        assert abs(float(ratio(b, a).replace("−", "-")) - exact) <= unit(ratio(b, a)) / 2 * (1 + 1e-9)
    assert "LSTM ‖∂L/∂c‖ 0.71 → 0.62 (×0.87)" in said


def test_word_distances_are_those_of_the_codes_as_their_grid_writes_them():
    """king and queen print the same code, (−0.97, 0.13): their distance reads 0.00, not 0.0071."""
    trace = run("word_autoencoder")
    view = number_view(trace, "−")
    tid = trace.steps[-1].outputs[0]
    words = list(trace.tensors[tid].labels[1])
    code = {w: [view.text(tid, (i, words.index(w))) for i in range(2)] for w in ("king", "queen", "armadillo")}
    assert code["king"] == code["queen"] == ["−0.97", "0.13"]
    said = Story.from_meta(trace.meta).recap["en"]
    assert "king–queen 0.00" in said and "king–armadillo 1.99" in said, said
    # and 0.00 between two codes that differ says so, rather than read as one code
    assert "king–queen 0.00 (codes alike to two decimals, not equal)," in said, said
    assert "king–armadillo 1.99," in said and "1.99 (" not in said   # a distance that shows apart needs no note


@pytest.mark.parametrize("name, last, times", [("mlp_backprop", "0.02", 2), ("anomaly_detection", "0.0018", 1)])
def test_a_loss_curve_ends_on_the_loss_as_written_in_the_recap_and_the_grids(name, last, times):
    """The value printed where the curve ends and at the foot of its axis (0.00182 on the anomaly
    plot before, where a grid of it writes 0.00 and a working that ends on it 0.0018)."""
    pytest.importorskip("manim")
    from scenes.plots import plot_page

    from .test_plots import written
    trace = run(name)
    curve = next(p for p in Story.from_meta(trace.meta).plots if p.kind == "lines")
    assert num(trace.meta["loss_history"][-1]) == last
    if name == "mlp_backprop":   # the loss the last pass worked out, as its working ends on it
        assert number_view(trace, "−").text(trace.step("after.loss").outputs[0], ()) == last
        assert f"→ {last} in" in Story.from_meta(trace.meta).recap["en"]
    # where the curve ends, and the axis' foot on a linear axis (a log axis marks its powers of ten)
    assert len(written(plot_page(curve, trace, "en"), [last])) == times
