"""Names the learner reads: a constant is named by what it is (next_id, ids, mask), never by its
value ([3], [0, 1, 2, 3, 4, 1]) or by the engine's default (const)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

import tracer
from tracer.examples import run_example
from tracer.explain import explain
from tracer.i18n import LANGUAGES, formula, narrate


@lru_cache(maxsize=None)
def run(name: str) -> tracer.Trace:
    return run_example(name)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_picked_token_is_named_next_id_in_every_language(lang):
    """next_token picks 'time' (token 3) after 'once upon a': the gather reads probs[next_id]."""
    trace = run("next_token")
    pick = trace.step("prompt0.generate.0.pick")
    ids = trace.tensors[pick.inputs[1]]
    assert ids.name == "next_id" and np.asarray(ids.data).tolist() == [3]
    assert formula(trace, pick, lang) == "pick = probs[next_id]"
    assert "next_id" in narrate(trace, pick, lang) and "[3]" not in narrate(trace, pick, lang)
    assert "next_id[0] = 3" in explain(trace, pick, (0, 0), lang=lang).lines


def test_the_sentence_lookup_names_its_token_ids():
    """张麻子正在打李麻子: the two 麻子 are token 1 twice; the lookup reads E[ids]."""
    trace = run("positional_encoding")
    X = trace.step("sentence.X")
    assert trace.tensors[X.inputs[1]].name == "ids"
    assert formula(trace, X) == "X = E[ids]"
    assert "ids[5] = 1" in explain(trace, X, (0, 5)).lines


def test_the_attention_mask_is_named_mask_not_const():
    trace = run("next_token")
    masked = trace.step("prompt0.generate.0.blocks.0.attn.head1.masked")
    assert formula(trace, masked) == "masked₁ = scaled₁ where mask else -inf"
    # query 0 may not look at key 1: the mask's cell is 0 there and the score is −∞
    assert np.asarray(trace.tensors[masked.inputs[0]].data).tolist()[0][:2] == [True, False]


def two_heads_joined() -> tracer.Trace:
    """Two heads' outputs, both z, made in scopes head1 and head2, joined and sent back."""
    with tracer.record() as trace:
        x = tracer.param([[1.0], [2.0]], name="x")
        zs = []
        for k in (1, 2):
            with tracer.scope(f"head{k}"):
                zs.append(tracer.mul(x, float(k), name="z"))
        j = tracer.concat(zs, axis=0, name="joined")
        tracer.sum(tracer.mul(j, tracer.tensor([[1.0], [2.0], [3.0], [4.0]], name="w"), name="weighted"),
                   name="loss").backward()
    return trace


def test_twins_are_named_by_the_scope_that_made_them_in_a_working():
    """z of head2 is x·2 = [2, 4]; the joined cell 3 is its second entry, head2 · z[1, 0] = 4; its
    gradient is w's rows 2 and 3, head2 · dz[0, 0] = djoined[2, 0] = 3."""
    from tests.test_printed_arithmetic import working_problems
    from tracer.explain.working import tensor_label

    trace = two_heads_joined()
    join = trace.step("joined")
    assert [tensor_label(trace, join, t) for t in join.inputs] == ["head1 · z", "head2 · z"]
    w = explain(trace, join, (3, 0))
    assert w.lines == ("head2 · z[1, 0] = 4",) and not working_problems(w, trace)[0]
    back = trace.step("joined.grad")
    assert [tensor_label(trace, back, t) for t in back.outputs] == ["head1 · dz", "head2 · dz"]
    g = explain(trace, back, (0, 0), output=1)
    assert g.lines == ("djoined[2, 0] = 3",) and not working_problems(g, trace)[0]


def test_the_video_labels_the_parts_as_the_working_does():
    pytest.importorskip("manim")
    from types import SimpleNamespace

    from scenes.players.concat import part_labels
    from tracer.explain.working import tensor_label

    trace = two_heads_joined()
    join = trace.step("joined")
    stage = SimpleNamespace(trace=trace)
    assert part_labels(stage, join) == [tensor_label(trace, join, t) for t in join.inputs] == ["head1 · z", "head2 · z"]


@pytest.mark.parametrize("lang, want", [
    ("zh-Hant", "PE = 偶數列成立處取 sin，否則取 cos"),
    ("zh-Hans", "PE = 偶数行成立处取 sin，否则取 cos"),
    ("vi", "PE = sin ở chỗ hàng chẵn đúng, ngược lại cos"),
])
def test_the_position_tables_mask_is_named_in_the_captions_language(lang, want):
    """The mask of the rows that take sin is called "even rows": words, written in the caption's
    language like the template's own words; the symbols PE, sin and cos stay."""
    import re

    trace = run("positional_encoding")
    pe = trace.step("pos.PE")
    assert formula(trace, pe, "en") == "PE = sin where even rows else cos"
    assert formula(trace, pe, lang) == want
    if lang.startswith("zh"):
        for text in (formula(trace, pe, lang), narrate(trace, pe, lang)):
            assert set(re.findall(r"[A-Za-z]+", text)) <= {"PE", "sin", "cos"}, text
