"""What a learner reads in a walkthrough (issue 9): each attention head's grids carry their own
names with real subscripts; the story plots speak the render's language; a fast-forward card stays
above the caption band; every built-in story ends on a recap with the words a learner should
leave with, its numbers the run's own."""
from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.cards import summary_page  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.plots import plot_page  # noqa: E402
from scenes.storyplan import Fast  # noqa: E402
from scenes import style  # noqa: E402
from tracer.examples import run_example  # noqa: E402
from tracer.story import Chapter, Story  # noqa: E402
from tracer.systems.stories import num, prob  # noqa: E402

from .example_runs import run  # noqa: E402


def words_of(page) -> list[str]:
    """Every text drawn on a page (Manim keeps a text without its spaces)."""
    return [m.text for m in page.get_family() if isinstance(getattr(m, "text", None), str)]


def bare(s: str) -> str:
    return s.replace(" ", "")


# ---- attention heads ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["multi_head_attention", "transformer_block"])
def test_each_heads_grids_have_names_of_their_own_with_real_subscripts(name):
    trace = run(name)
    made: dict[str, set[str]] = {}
    for s in trace.steps:
        m = re.match(r"(?:blocks\.0\.)?attn\.head(\d+)\.", s.name)   # the first pass (training repeats it)
        if m:
            tids = s.outputs + [t for t in s.inputs if trace.tensors[t].kind == "param"]
            made.setdefault(m.group(1), set()).update(trace.tensors[t].name for t in tids)
    one, two = made["1"], made["2"]
    assert not one & two, one & two                # no grid of head 1 is named like one of head 2
    assert {"W_Q₁", "Q₁", "K₁_rowsᵀ", "scores₁", "scaled₁", "weights₁", "head₁", "z₁"} <= one
    assert {"W_Q₂", "K₂_rowsᵀ", "scores₂", "weights₂"} <= two
    assert not [n for n in one | two if re.search(r"[0-9]$", n)]   # no "W_Q1", "head1": subscripts
    grads = {trace.tensors[t].name for s in trace.steps if s.phase == "backward" for t in s.outputs}
    assert {"dscores₁", "dscores₂"} <= grads     # the gradients follow their tensors' names


# ---- plots in the render's language -----------------------------------------------------------
def test_a_plots_legend_and_axis_titles_are_in_the_renders_language():
    trace = run("vanishing_gradients")
    plan = build_plan(trace, lang="zh-Hans")
    plot = next(b.data for b in plan.beats if b.card == "plot" and len(b.data.series) > 1)
    shown = words_of(plot_page(plot, trace, "zh-Hans"))
    assert bare("sigmoid + 残差连接") in shown and "层" in shown    # the legend and the x axis, in Chinese
    assert bare("sigmoid + residual") not in shown and "layer" not in shown
    english = words_of(plot_page(plot, trace, "en"))
    assert bare("sigmoid + residual") in english and "layer" in english
    again = Story.from_meta({"story": Story.from_meta(trace.meta).to_meta()}).plots[0]
    assert again.names == Story.from_meta(trace.meta).plots[0].names != {}   # saved and loaded with the trace


# ---- fast-forward cards ---------------------------------------------------------------------
def test_a_fast_forward_card_stays_above_the_caption_band():
    """A summary with its losses and a tall result: everything on the card is above the band."""
    with tracer.record() as trace:
        H = tracer.relu(tracer.tensor(np.arange(48.0).reshape(16, 3) - 20, name="Z"), name="H")
        for k in range(3):
            tracer.sse(H, tracer.tensor(np.zeros((16, 3)), name="T"), name=f"L{k}")
    fast = Fast(Chapter({"en": "Three losses"}, (0, len(trace.steps) - 1), "summary", 3), trace.steps)
    for lang in ("en", "zh-Hans"):
        page, fills = summary_page(trace, "Three losses, fast", 3, fast.losses(trace), trace.step("H").outputs[0], lang)
        assert len(fills) > 3 + 3                # three losses, then the result's rows
        band_top = -style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT
        assert page.get_bottom()[1] >= band_top and style.PAGE_BOTTOM > band_top
        assert page.get_top()[1] <= style.FRAME_HEIGHT / 2 - style.HEADER_HEIGHT


# ---- the recap: the words to leave with, the run's own numbers ------------------------------------
def recap(trace: tracer.Trace) -> str:
    last = build_plan(trace).beats[-1]
    assert last.card == "recap"
    return last.subtitle


def out(trace: tracer.Trace, step: str) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[0]].data)


def test_mlp_backprop_ends_on_the_final_loss_the_run_computed():
    trace = run("mlp_backprop")
    final = num(float(out(trace, "after.loss")))
    assert final == "0.02" and f"→ {final} in 5 steps" in recap(trace)
    shorter = run_example("mlp_backprop", ["training.steps=2"])   # another run, another number
    other = num(float(out(shorter, "after.loss")))
    assert other != final and f"→ {other} in 2 steps" in recap(shorter)


def test_next_token_ends_on_time_with_its_probability():
    trace = run("next_token")
    p = out(trace, "prompt0.generate.0.probs")[:, 0]
    words = trace.tensors[trace.step("prompt0.generate.0.probs").outputs[0]].labels[0]
    best = int(np.argmax(p))
    assert words[best] == "time" and f"once upon a → time (p = {prob(p[best])})" in recap(trace)


def test_masked_lm_ends_on_the_words_ranked_first():
    trace = run("masked_lm")
    tid = trace.step("probs").outputs[0]
    p, words = np.asarray(trace.tensors[tid].data).ravel(), trace.tensors[tid].labels[0]
    top = [words[k] for k in np.argsort(-p)[:2]]
    assert set(top) == {"queen", "king"}
    assert all(f"{w} (p = {prob(p[words.index(w)])})" in recap(trace) for w in top)


def test_anomaly_detection_ends_on_the_sample_the_run_flagged():
    trace = run("anomaly_detection")
    tid = trace.step("anomaly.flags").outputs[0]
    flagged = [trace.tensors[tid].labels[1][j] for j in np.flatnonzero(out(trace, "anomaly.flags")[0])]
    errors = out(trace, "anomaly.errors")[0]
    assert flagged == ["Thu"]
    j = trace.tensors[tid].labels[1].index("Thu")
    assert f"Flagged: Thu ({num(errors[j])})" in recap(trace)


@pytest.mark.parametrize("name, words", [("sparse_autoencoder", ("Everest", "mountain")),
                                         ("vanishing_gradients", ("residual",)),
                                         ("word_autoencoder", ("armadillo",))])
def test_the_recap_says_what_a_learner_leaves_with(name, words):
    assert any(w in recap(run(name)) for w in words)


def test_sparse_autoencoders_mountain_feature_is_read_from_its_activations():
    trace = run("sparse_autoencoder")
    f = trace.tensors[trace.step("encoder.f").outputs[0]] if "encoder.f" in trace.names() else None
    if f is None:
        pytest.skip("no encoder.f step")
    rows, cols = f.labels
    fires = [cols[j] for j in np.flatnonzero(np.asarray(f.data)[rows.index("f6")] > 0)]
    assert set(fires) == {"Alps", "Everest"}
    assert f"f6 = mountain: fires only for {', '.join(fires)}" in recap(trace)
