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
