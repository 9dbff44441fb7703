"""A recap writes a value of a tensor the way the grid or heat map beside it writes it (one value,
one way: ``0.73`` on the map and in the words, never ``0.734`` in one and ``0.73`` in the other),
in all four languages."""
from __future__ import annotations

import re

import numpy as np
import pytest

from tracer.display import fmt, number_format
from tracer.i18n import LANGUAGES
from tracer.story import Story

from .example_runs import run


def as_drawn(value: float, data) -> str:
    """``value`` as the grid of the tensor whose data is ``data`` writes it."""
    return fmt(value, number_format(np.asarray(data)), minus="−")


def data(trace, step: str, k: int = 0) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[k]].data)


def recaps(name: str) -> dict[str, str]:
    return Story.from_meta(run(name).meta).recap


def decimals(text: str) -> set[int]:
    """How many decimals the numbers written in ``text`` have (``0.73`` has 2)."""
    return {len(m) for m in re.findall(r"\d\.(\d+)", text)}


def test_a_heads_strongest_weights_are_written_as_its_heat_map_writes_them():
    trace = run("multi_head_attention")
    heads = [data(trace, f"attn.head{h}.weights") for h in (1, 2)]
    told = recaps("multi_head_attention")
    for lang in LANGUAGES:
        for w in heads:
            for row in w:
                assert as_drawn(row.max(), w) in told[lang], (lang, as_drawn(row.max(), w))
    # the run's map writes 0.73 and 0.58 (0.734 and 0.576 recorded)
    assert "(0.73)" in told["en"] and "（0.58）" in told["zh-Hant"] and "(0.58)" in told["vi"]
    assert all(decimals(told[lang]) == {2} for lang in LANGUAGES), told["en"]


def test_self_attention_writes_each_pair_and_the_sgd_step_as_its_maps_do():
    trace, told = run("self_attention"), recaps("self_attention")
    before, after = data(trace, "attn.weights"), data(trace, "after.attn.weights")
    q, k = max(((i, int(np.argmax(r))) for i, r in enumerate(before)), key=lambda p: before[p])
    moved = f"{as_drawn(before[q, k], before)} to {as_drawn(after[q, k], after)}"
    assert moved in told["en"] and all(decimals(told[lang]) == {2} for lang in LANGUAGES)
    titles = [p.title["en"] for p in Story.from_meta(trace.meta).plots]
    assert titles[0].endswith(f"({as_drawn(before[q, k], before)})")


def test_positional_encodings_vectors_are_written_as_its_heat_map_writes_them():
    trace, told = run("positional_encoding"), recaps("positional_encoding")
    Y = data(trace, "sentence.X_pos")
    column = "[" + ", ".join(as_drawn(v, Y) for v in Y[:, 1]) + "]"
    assert column in told["en"] and column in told["vi"]


def predicted(trace) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step("after.loss").inputs[0]].data)


def normal(trace) -> float:
    errors = data(trace, "anomaly.errors")[0]
    return max(e for j, e in enumerate(errors) if j not in trace.meta["flagged"])


@pytest.mark.parametrize("name, says", [
    ("normalization", lambda t: [f"Bao 80 → {as_drawn(0.75, data(t, 'minmax.normalized'))}",
                                 f"Chen 70 → {as_drawn(0.5, data(t, 'minmax.normalized'))}"]),
    ("mlp_backprop", lambda t: ["[" + ", ".join(as_drawn(v, predicted(t)) for v in predicted(t).ravel()) + "]"]),
    ("rnn", lambda t: [f"y = {as_drawn(data(t, 'rnn.y').item(), data(t, 'rnn.y'))} (target 0.50)"]),
    ("anomaly_detection", lambda t: [f"at or below {as_drawn(normal(t), data(t, 'anomaly.errors'))}."]),
])
def test_a_recap_writes_a_cell_as_its_grid_does(name, says):
    trace, told = run(name), recaps(name)
    for said in says(trace):
        for lang in LANGUAGES:   # the numbers are the same in every language
            assert said.split(" ")[-1].rstrip(".,)") in told[lang], (lang, said, told[lang])
        assert said in told["en"], (said, told["en"])
    # (what they wrote before: 0.5, 0.0578, 3.9 where the grids write 0.50, 0.06, 3.90)
    assert "→ 0.5," not in told["en"] and "0.0578" not in told["en"] and "3.9]" not in told["en"]


def test_a_bar_plot_of_a_tensors_cells_writes_them_as_its_grid_does():
    pytest.importorskip("manim")
    from scenes.plots import plot_page

    from .test_plots import labels
    trace = run("anomaly_detection")
    bars = next(p for p in Story.from_meta(trace.meta).plots if p.kind == "bars")
    drawn = labels(plot_page(bars, trace, "en"))
    errors = data(trace, "anomaly.errors")
    assert all(as_drawn(e, errors) in drawn for e in errors[0]), sorted(drawn)
    assert "0.0578" not in drawn and "0.06" in drawn


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_multi_head_recap_is_drawn_in_every_language(lang):
    """(The Chinese recap's ——, a double em dash, was one glyph in the CJK font: Manim refused it.)"""
    pytest.importorskip("manim")
    from scenes.cards import recap_page
    told = recaps("multi_head_attention")
    assert "——" not in told[lang]
    assert len(recap_page("Recap", told[lang], lang)) > 0
