"""The result a learner should leave with is on screen (issue 9): elision keeps the word a softmax
over the vocabulary rates highest (and the words the story's bars highlight) in every grid of its
chain — the output weights' row, the scores, the probabilities — so next_token's "time" and
masked_lm's "queen" / "king" are drawn, named, in the walkthrough, ``tracer show`` and the stepper,
and grids side by side keep the same rows. Also: a row of 1s grown under a grid already drawn
leaves its shape label whole under it."""
from __future__ import annotations

import numpy as np
import pytest

import tracer
from tracer.display import elide
from tracer.kept import kept, kept_of
from tracer.textgrid import grid
from tracer.textview import plain

from .example_runs import run


def tensor(trace: tracer.Trace, step: str) -> str:
    return trace.step(step).outputs[0]


def named(trace: tracer.Trace, tid: str, axis: int, picks: list) -> list[str]:
    return [trace.tensors[tid].labels[axis][i] for i in picks if i is not None]


def test_elide_keeps_the_indices_asked_in_order_with_a_gap_each_side():
    assert elide(14, 3, also=[6]) == [0, 1, 2, None, 6, None, 11, 12, 13]
    assert elide(14, 3, also=[3, 10]) == [0, 1, 2, 3, None, 10, 11, 12, 13]
    assert elide(14, 3, also=[99, -1]) == elide(14, 3) == [0, 1, 2, None, 11, 12, 13]


def test_a_softmax_over_named_rows_keeps_its_argmax_along_its_chain():
    words = tuple("abcdefghijkl")
    weights = np.zeros((12, 2))
    weights[6, 0] = 5.0
    with tracer.record() as t:
        W = tracer.param(weights, name="W", labels=(words, None))
        p = tracer.softmax(tracer.matmul(W, tracer.tensor([[1.0], [0.0]], name="x"), name="s"), axis=0, name="p")
        tracer.softmax(tracer.tensor(np.ones((12, 12)), name="A", labels=(words, words)), axis=-1, name="rows")
        (p * tracer.tensor(np.arange(12.0).reshape(12, 1), name="c")).sum().backward()
    found = kept(t)
    p, s, w = t.step("p").outputs[0], t.step("s").outputs[0], t.step("s").inputs[0]
    assert found[p] == found[s] == found[w] == {0: (6,)}    # g: the largest probability
    dW = next(tid for tid, r in t.tensors.items() if r.grad_of == w)
    assert found[dW] == {0: (6,)}                            # and the gradients of its chain
    assert t.step("s").inputs[1] not in found               # x is not named by the words
    assert t.step("rows").outputs[0] not in found           # a softmax per row (attention): no one answer


def test_next_token_keeps_time_in_probs_logits_and_the_output_weights_rows():
    trace = run("next_token")
    probs, logits = tensor(trace, "prompt0.generate.0.probs"), tensor(trace, "prompt0.generate.0.logits")
    W_U = trace.step("prompt0.generate.0.logits").inputs[0]
    assert "time" in named(trace, probs, 0, list(kept_of(trace, probs)[0]))
    assert kept_of(trace, probs) == kept_of(trace, logits) == kept_of(trace, W_U)   # rows line up
    rows = plain(grid(trace, probs)).splitlines()
    assert any(line.split()[:1] == ["time"] for line in rows)   # tracer show / the stepper name it


def test_masked_lm_keeps_the_words_it_ranks_first():
    trace = run("masked_lm")
    probs = tensor(trace, "probs")
    assert {"queen", "king"} <= set(named(trace, probs, 0, list(kept_of(trace, probs)[0])))


class _Scene:
    def add(self, *mobs):
        pass


@pytest.mark.parametrize("name, step, words", [("next_token", "prompt1.generate.0.probs", {"time", "throne"}),
                                               ("masked_lm", "probs", {"queen", "king"})])
def test_the_probabilities_grid_shows_the_answers_row_named(name, step, words):
    pytest.importorskip("manim")
    from scenes.canvas import Canvas

    trace = run(name)
    canvas = Canvas(_Scene(), trace)
    g = canvas.make_grid(tensor(trace, step))
    assert g.elided and words <= {t.text for t in g.row_labels}
    labels = trace.tensors[tensor(trace, step)].labels[0]
    shown = [labels[i] for i in g.rows_shown if i is not None]
    assert [t.text for t in g.row_labels] == shown   # each name beside its own row


def test_the_weights_beside_the_scores_keep_the_same_rows_even_elided_further():
    pytest.importorskip("manim")
    from scenes.canvas import Canvas

    trace = run("next_token")
    canvas = Canvas(_Scene(), trace)
    step = trace.step("prompt0.generate.0.logits")
    W, _, _ = step.inputs
    for most in (9, 7, 5):
        a, out = canvas.make_grid(W, most=most), canvas.make_grid(step.outputs[0], hidden=True, most=most)
        assert a.rows_shown == out.rows_shown and len(a.rows_shown) <= most
        assert 3 in a.rows_shown and trace.tensors[W].labels[0][3] == "time"


def test_a_row_of_ones_grown_later_leaves_the_shape_label_under_it():
    pytest.importorskip("manim")
    from scenes.grid import NumberGrid

    with tracer.record() as t:
        tracer.neg(tracer.tensor(np.arange(36.0).reshape(12, 3), name="X"), name="Y")
    g = NumberGrid(t.tensors[t.step("Y").inputs[0]])
    ones, brackets = g.attach_ones()
    g.brackets.become(brackets)
    assert g.shape_label.get_top()[1] < ones.get_bottom()[1]           # not covered by the 1s
    assert g.shape_label.get_top()[1] <= g.brackets.get_bottom()[1]    # under the grown brackets


def test_the_walkthrough_shows_time_in_the_probabilities_it_picks_from(tmp_path):
    """Laid out up to the pick of the first prompt's word (every beat before it skipped, as the
    video places it): the probabilities' grid on the stage names the row "time", and draws it."""
    pytest.importorskip("manim")
    from scenes.curated import build_plan
    from scenes.label_room import visible
    from scenes.render import render_scene

    trace = run("next_token")
    plan = build_plan(trace)
    pick = next(k for k, b in enumerate(plan.beats) if b.step is not None and b.step.name == "prompt0.generate.0.pick")
    scene = render_scene(plan, (0, pick + 1), tmp_path / "pick.png", "l", still=True)
    grid = scene.stage.slot(tensor(trace, "prompt0.generate.0.probs")).grid
    rows = {t.text: t for t in grid.row_labels}
    assert "time" in rows and visible(rows["time"])
    assert grid.cell((3, 0)) is not None and grid.entry((3, 0)).text == "1.00"   # p(time) = 0.999
