"""The by-hand examples give the numbers worked out on paper in the comments."""
from __future__ import annotations

import math

import numpy as np
import pytest

from .example_runs import out, run, update_inputs


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
