"""Every built-in example runs and records the steps it explains, and the trained ones learn what the
seeds say. (The by-hand ones' numbers: test_examples_by_hand.py; configurations and their errors:
test_example_configs.py.)"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from tracer.examples import list_examples, run_example
from tracer.explain import explain
from tracer.i18n import LANGUAGES, narrate

from .example_runs import NAMES, run


# steps each walkthrough is about (a few per example; names are the published hook names)
EXPECTED_STEPS = {
    "anomaly_detection": ["anomaly.errors", "anomaly.flags"],
    "autoencoder": ["train.0.encoder.layer1.Z1", "train.0.decoder.layer2.H4", "train.0.loss",
                    "train.0.loss.grad", "train.0.W1.update", "train.4.b4.update", "after.loss"],
    "autoencoder_large": ["train.2.encoder.layer2.Z2", "train.2.W4.update", "after.loss"],
    "exploding_gradients": ["sgd.layer1.Z1", "sgd.loss", "sgd.loss.grad", "sgd_clip_norm.clip_grad", "sgd_clip_value.clip_grad",
                            "adam.W1.update", "rmsprop.W1.update", "sgd_weight_decay.W1.decay", "sgd_weight_decay.W1.update"],
    "gradient_through_time": ["rnn.t0.hidden", "rnn.t19.hidden", "rnn.t0.hidden.grad", "lstm.t0.forget_gate", "lstm.t19.cell",
                              "lstm.loss.grad", "gru.t0.update_gate", "gru.loss"],
    "gru": ["gru.t0.reset_gate", "gru.t0.update_gate", "gru.t2.candidate", "gru.t2.hidden", "train.0.W_h.update"],
    "lstm": ["lstm.t0.forget_gate", "lstm.t0.input_gate", "lstm.t1.candidate", "lstm.t1.output_gate",
             "lstm.t2.cell", "lstm.t2.hidden", "lstm.y", "train.0.W_f.update"],
    "masked_lm": ["embed", "blocks.0.attn.head1.weights", "logits", "at_mask", "probs"],
    "minilm": ["embed.hook_embed", "blocks.0.attn.pattern", "blocks.5.hook_resid_post", "pool.mean",
               "normalize.norm", "embedding"],
    "mlp_backprop": ["train.0.layer1.Z1", "train.0.layer1.H1", "train.0.layer2.Z2", "train.0.loss.grad",
                     "train.4.W2.update", "after.loss"],
    "multi_head_attention": ["attn.head1.weights", "attn.head2.weights", "attn.concat", "attn.out"],
    "next_char": ["prompt0.generate.0.pick", "prompt0.generate.2.pick", "prompt0.generate.2.blocks.0.attn.head1.weights"],
    "next_token": ["prompt0.generate.0.blocks.0.attn.head1.weights", "prompt0.generate.0.probs",
                   "prompt0.generate.0.pick", "prompt1.generate.0.pick"],
    "normalization": ["minmax.min", "minmax.max", "minmax.range", "minmax.normalized"],
    "perceptron": ["decide.perceptron.S", "decide.perceptron.Y_hat", "epoch1.perceptron.E", "epoch1.W.update",
                   "decide_after.perceptron.Y_hat"],
    "positional_encoding": ["pos.rates", "pos.angles", "X_pos"],
    "rnn": ["rnn.t0.hidden", "rnn.t1.Wh_h", "rnn.t2.hidden", "rnn.y", "train.0.W_h.update"],
    "rnn_vs_attention": ["rnn.t0.hidden", "rnn.t3.hidden", "attn.Q", "attn.weights", "attn.z"],
    "self_attention": ["attn.Q", "attn.K", "attn.V", "attn.scores", "attn.scaled", "attn.weights", "attn.mix", "attn.z",
                       "train.0.W_Q.update", "after.attn.weights"],
    "sparse_autoencoder": ["encoder.f", "decoder.X_hat", "decoder.norms", "sparsity.l1", "loss", "train.0.W_enc.update"],
    "transformer_block": ["blocks.0.attn.head1.weights", "blocks.0.resid_mid", "blocks.0.ln1", "blocks.0.mlp.pre",
                          "blocks.0.mlp.post", "blocks.0.resid_post", "blocks.0.ln2"],
    "vanishing_gradients": ["sigmoid_xavier.layer1.H1", "relu_he.layer13.Z13", "sigmoid_residual.layer2.R2",
                            "sigmoid_xavier.loss.grad", "leaky_relu_he.layer1.H1", "prelu_he.layer1.H1", "swish_he.layer1.H1",
                            "sigmoid_batch_norm.layer1.N1", "sigmoid_batch_norm.layer1.N1.grad"],
    "word_autoencoder": ["train.299.loss", "train.299.W1.update", "codes.encoder.layer1.H1"],
}

# ---- every example --------------------------------------------------------------------------
def test_every_builtin_example_is_listed_with_a_description():
    listed = dict(list_examples())
    assert sorted(listed) == NAMES
    assert all(len(d) > 20 and "\n" not in d for d in listed.values())


@pytest.mark.parametrize("name", NAMES)
def test_example_runs_and_records_its_steps(name):
    trace = run(name)
    names = set(trace.names())
    missing = [s for s in EXPECTED_STEPS[name] if s not in names]
    assert not missing, missing
    assert trace.meta["example"] == name and trace.meta["title"] and trace.meta["description"]
    assert trace.meta["recorded"] and trace.meta["layout"] == ("rows" if name == "minilm" else "columns")
    json.dumps(trace.meta, allow_nan=False, ensure_ascii=False)  # plain data for the trace file
    # no NaN anywhere (a causal mask's −∞ scores are expected: they become weights of exactly 0)
    assert not any(np.isnan(t.data).any() for t in trace.tensors.values() if np.asarray(t.data).dtype.kind == "f")


@pytest.mark.parametrize("name", ["autoencoder", "mlp_backprop"])
def test_a_description_says_the_loss_the_run_ends_on(name):
    """'the loss falls from 34 to 6.11': the first and last losses of the run, as written."""
    described = re.search(r"from (\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)", dict(list_examples())[name]).groups()
    history = run(name).meta["loss_history"]
    for text, loss in zip(described, (history[0], history[-1])):
        places = len(text.partition(".")[2])
        assert f"{loss:.{places}f}" == text, (name, described, history)


def test_the_docs_name_every_step_of_the_positional_encoding():
    """docs/examples.md describes each example's steps: none of them left out (sin and cos were)."""
    docs = (Path(__file__).parents[1] / "docs" / "examples.md").read_text(encoding="utf-8")
    section = docs.split("### `positional_encoding`")[1].split("###")[0]
    named = set(re.findall(r"`([\w.]+)`", section))
    steps = [s.name for s in run("positional_encoding").steps if s.parent is None]
    assert [s for s in steps if s not in named] == []


@pytest.mark.parametrize("name", NAMES)
def test_every_formula_and_narration_is_filled_in_every_language(name):
    """No template placeholder ({x}, ⟦…⟧) ever reaches a caption, whatever the op was called with."""
    trace = run(name)
    for step in trace.steps:
        texts = [step.formula, step.narration] + [narrate(trace, step, lang) for lang in LANGUAGES]
        left = [t for t in texts if re.search(r"\{\w*\}|⟦|⟧", t)]
        assert not left, (step.name, left)


# ---- trained examples --------------------------------------------------------------------------
def test_next_word_model_completes_the_seed_phrases():
    done = {c["prompt"]: c["tokens"][0] for c in run("next_token").meta["completions"]}
    assert done == {"once upon a": "time", "the queen sat on the": "throne"}


def test_next_character_model_continues_the_name():
    assert run("next_char").meta["completions"][0]["text"] == "中华人民共和国"


def test_sampling_with_a_temperature_is_seeded():
    a = run_example("next_token", ["generation.strategy=sample", "generation.temperature=2.0", "generation.new_tokens=3"])
    b = run_example("next_token", ["generation.strategy=sample", "generation.temperature=2.0", "generation.new_tokens=3"])
    assert a.meta["completions"] == b.meta["completions"]
    assert len(a.meta["completions"][0]["tokens"]) == 3
    assert "prompt0.generate.0.tempered" in a.names()


def test_masked_model_fills_the_throne_sentence_with_royalty():
    top = [w for w, _ in run("masked_lm").meta["predictions"][:2]]
    assert sorted(top) == ["king", "queen"]


def test_masked_models_lookup_names_its_token_ids():
    """The embedding's indices are the token ids, named as the model calls them: its working reads
    ids[1] = 12 ([MASK] is token 12), not [0, 12, 2, 3, 0, 4][1] = 12."""
    trace = run("masked_lm")
    embed = trace.step("embed")
    ids = trace.tensors[embed.inputs[1]]
    assert ids.name == "ids" and np.asarray(ids.data).tolist() == [0, 12, 2, 3, 0, 4]
    assert "ids[1] = 12" in explain(trace, embed, (0, 1)).lines


def test_word_autoencoder_puts_king_near_queen_far_from_armadillo():
    d = run("word_autoencoder").meta["distances"]
    assert d["king-queen"] < d["king-armadillo"] and d["king-queen"] < d["queen-armadillo"]


def test_anomaly_detection_flags_the_odd_sample_only():
    meta = run("anomaly_detection").meta
    assert meta["flagged"] == [meta["odd"]]


def test_vanishing_gradients_fade_towards_the_first_sigmoid_layer():
    norms = run("vanishing_gradients").meta["grad_norms"]
    sigmoid = norms["sigmoid_xavier"]
    assert min(sigmoid) == sigmoid[0] and sigmoid[0] < 1e-3 * sigmoid[-1]
    # the remedies keep the first layer's gradient many times larger
    for remedy in ("relu_he", "sigmoid_residual"):
        assert norms[remedy][0] > 100 * sigmoid[0]
    assert norms["relu_he"][0] > norms["relu_xavier"][0]  # He suits ReLU: std √(2/fan_in), not √(2/(in+out))
    losses = run("vanishing_gradients").meta["loss_history"]
    assert losses["relu_he"][-1] < losses["sigmoid_xavier"][-1]


def test_exploding_gradients_overflow_without_clipping_only():
    meta = run("exploding_gradients").meta
    assert meta["overflow_at"]["sgd"] is not None
    for name in ("sgd_clip_norm", "sgd_clip_value", "adam", "rmsprop"):
        h = meta["loss_history"][name]
        assert meta["overflow_at"][name] is None and h[-1] < 0.01 * h[0]
        assert name in meta["survivors"]
    clips = [s.op for s in run("exploding_gradients").steps if s.op.startswith("clip_grad")]
    assert clips == ["clip_grad_norm", "clip_grad_value"]
