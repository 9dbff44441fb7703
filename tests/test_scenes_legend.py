"""What a walkthrough writes and in which colour: double-width (中文) names take two cells, a
combining hat sits on its letter, a power is a real superscript, softmax's weights are computed
(orange, not the given yellow), a weight an update wrote is updated (green), and a product's
result names its rows and columns (scores: tokens by tokens) like every other grid."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes import glyphs, style  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.grid import NumberGrid  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from tracer.textview import cut, width_of  # noqa: E402

TOKENS = ["我", "吃", "蘋果"]


# ---- glyphs ------------------------------------------------------------------------------------
def test_a_cjk_name_takes_two_cells_a_character_and_its_glyphs_do_not_overlap():
    one, two = glyphs.mono("蘋"), glyphs.mono("蘋果")
    assert two.width >= 2 * one.width            # side by side: 蘋 and 果 do not share a cell
    with tracer.record() as trace:
        tracer.neg(tracer.tensor(np.eye(3), name="A", cols=TOKENS), name="B")
    record = next(r for r in trace.tensors.values() if r.name == "A")
    grid = NumberGrid(record, col_labels=TOKENS)
    apple = grid.col_labels[2]
    assert apple.text == "蘋果" and apple.width == pytest.approx(
        glyphs.mono("蘋果", style.MUTED, style.SMALL_NUMBER_SIZE).width, rel=1e-3)   # not squeezed
    assert width_of("蘋果") == 4 and cut("麻子正在吃蘋果", 10) == "麻子正在…"


def test_a_hat_sits_on_its_letter():
    m, m_hat = glyphs.mono("m"), glyphs.mono("m̂")
    assert m_hat.width == pytest.approx(m.width, abs=0.02)      # one cell: no ◌ beside the m
    assert m_hat.get_top()[1] > m.get_top()[1] + 0.03           # the hat above it
    assert m_hat.get_bottom()[1] == pytest.approx(m.get_bottom()[1], abs=0.01)


def test_a_power_is_a_raised_smaller_superscript_without_its_caret():
    plain, power = glyphs.mono("e2"), glyphs.mono("e^2")
    assert power.width < plain.width                             # no caret; a smaller 2
    assert power.get_top()[1] > plain.get_top()[1] + 0.05         # raised
    assert "".join(c for c, up in glyphs.runs("y = 1 / (1 + e^(−z_f))") if up) == "−z_f"
    assert glyphs.mono("x ^ y").width == pytest.approx(glyphs.mono("x + y").width, abs=0.03)  # a lone caret stays


def test_formulas_write_real_subscripts_and_bracket_a_power_of_more_than_one_word():
    with tracer.record() as trace:
        a = tracer.tensor([[1.0, 2.0], [3.0, 4.0]], name="a")
        tracer.sum(a, axis=0, name="cols")
        tracer.max(a, axis=-1, name="top")
        tracer.sigmoid(a, name="s")
        tracer.pow(10000.0, tracer.tensor([[0.5], [1.0]], name="2i/d"), name="rates")
    formula = {s.name: s.formula for s in trace.steps}
    assert formula["cols"] == "cols = Σ₀ a" and formula["top"] == "top = max₋₁(a)"
    assert formula["s"] == "s = 1 / (1 + e^(−a))"
    assert formula["rates"].endswith("^(2i/d)")


# ---- colours and names on a walkthrough ----------------------------------------------------------
def attention_step() -> tracer.Trace:
    """One head over three tokens, a loss, backward and an SGD step."""
    rng = np.random.default_rng(0)
    X = tracer.tensor(rng.normal(size=(2, 3)).round(1), name="X", cols=TOKENS)
    W = [tracer.param(rng.normal(size=(2, 2)).round(1), name=n) for n in ("W_Q", "W_K", "W_V")]
    with tracer.record(title="One head") as trace:
        Q, K, V = (tracer.matmul(w, X, name=n).T for w, n in zip(W, "QKV"))
        A = tracer.attention(Q, K, V, name="attn")
        tracer.sse(A, tracer.tensor(np.zeros((3, 2)), name="T"), name="L").backward()
        tracer.SGD(W, lr=0.1).step()
    return trace


def walk(scene: str, tmp: Path) -> tuple[tracer.Trace, object]:
    trace = attention_step()
    plan = build_plan(trace, scene=scene)
    return trace, render_scene(plan, plan.window, tmp / f"{scene}.png", "l", 2, still=True).stage


@pytest.fixture(scope="module")
def walked(tmp_path_factory) -> tuple[tracer.Trace, object]:
    """The attention walkthrough: the head opened, step by step."""
    return walk("attention", Path(tmp_path_factory.mktemp("legend")))


def grid_of(stage, trace, name: str):
    """The grid that showed step ``name``'s output last (it may have left the canvas since: stale)."""
    tid = next(s.outputs[0] for s in trace.steps if s.name == name)
    return next(slot.grid for t, slot in reversed(stage.bindings) if t == tid)


def test_softmax_weights_are_computed(walked):
    trace, stage = walked
    weights = grid_of(stage, trace, "attn.weights")
    assert weights.role == "computed"
    assert {v.get_fill_color().to_hex().upper() for v in weights.values.values()} == {style.COMPUTED}
    assert {b.get_fill_color().to_hex().upper() for b in weights.cells.values()} == {style.COMPUTED_FILL}


def test_updated_weights_are_green_in_the_updated_cells(tmp_path):
    trace, stage = walk("backprop", tmp_path)
    updated = [s for s in trace.steps if s.phase == "update"]
    assert updated
    for s in updated:
        grid = stage.slot(s.outputs[0]).grid
        assert grid.role == "updated", trace.tensors[s.outputs[0]].name
        assert {v.get_fill_color().to_hex().upper() for v in grid.values.values()} == {style.UPDATE}
        assert {b.get_fill_color().to_hex().upper() for b in grid.cells.values()} == {style.COMPUTED_FILL}


def test_the_scores_name_their_tokens_like_the_scaled_scores(walked):
    trace, stage = walked
    for name in ("attn.scores", "attn.scaled"):
        grid = grid_of(stage, trace, name)
        assert [t.text for t in grid.row_labels] == TOKENS == [t.text for t in grid.col_labels], name


def test_a_power_in_a_sentence_is_raised_too():
    plain, header = glyphs.prose("base2i/d"), glyphs.prose("頻率：base^(2i/d)", "zh-Hant")
    assert len(header.submobjects) == len("頻率：base2i/d")      # no caret, no brackets drawn
    raised = header.submobjects[-4:]
    assert max(m.height for m in raised) < plain.submobjects[0].height   # smaller ...
    assert min(m.get_bottom()[1] for m in raised) > header.submobjects[-5].get_bottom()[1]  # ... and up


def test_a_name_left_of_a_grid_clears_its_row_names():
    """A product's right operand is named on its left (K₂_rows beside dscores₂·K₂_rows), where its
    rows' names are: the name goes further left, never over them."""
    with tracer.record() as trace:
        tracer.neg(tracer.tensor(np.eye(3), name="K₂_rows", rows=TOKENS), name="B")
    record = next(r for r in trace.tensors.values() if r.name == "K₂_rows")
    grid = NumberGrid(record, label_side="left", row_labels=TOKENS)
    assert grid.name_label.get_right()[0] < grid.row_labels.get_left()[0]
