"""The model building blocks: behaviour worked out by hand, and every model's gradients against a
central finite difference (float64, tolerance 1e-6)."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import pytest

import tracer
from tracer.models import (MLP, Autoencoder, Embedding, FeedForward, GRUCell, LanguageModel, LayerNorm,
                           Linear, LSTMCell, MultiHeadAttention, Perceptron, PositionalEncoding,
                           Recurrent, RNNCell, SelfAttention, SparseAutoencoder, TransformerBlock,
                           Vocabulary, minmax_normalize, pack, positional_table)

RNG = np.random.default_rng(0)


def rand(*shape: int) -> np.ndarray:
    return RNG.normal(0.0, 1.0, shape)


def gradcheck(params: Sequence[tracer.Tensor], loss_fn: Callable[[], tracer.Tensor],
              h: float = 1e-6, tol: float = 1e-6, per_param: int = 12) -> None:
    """Compare ``backward()`` with (L(p + h) − L(p − h)) / 2h on up to ``per_param`` entries each."""
    loss_fn().backward()
    analytic = [np.array(p.grad) for p in params]
    pick = np.random.default_rng(1)
    for p, g in zip(params, analytic):
        base = p.data
        flat = pick.permutation(base.size)[:per_param]
        for k in flat:
            idx = np.unravel_index(k, base.shape)
            vals = []
            for sign in (1, -1):
                moved = base.copy()
                moved[idx] += sign * h
                p.data = moved
                vals.append(float(loss_fn()))
            p.data = base
            numeric = (vals[0] - vals[1]) / (2 * h)
            assert abs(numeric - g[idx]) <= tol * max(1.0, abs(numeric)), (p.name, idx, numeric, g[idx])


def weighted_sum(Y: tracer.Tensor, seed: int = 2) -> tracer.Tensor:
    """A scalar that depends on every output entry differently (so no gradient cancels out)."""
    w = np.random.default_rng(seed).normal(size=Y.shape)
    return (Y * w).sum()


# ---- finite-difference checks, one per model ----------------------------------------------------
def test_linear_and_mlp_gradients():
    X = tracer.tensor(rand(3, 5))
    layer = Linear(rand(2, 3), rand(2))
    gradcheck(layer.parameters(), lambda: weighted_sum(layer(X)))
    Y = tracer.tensor(rand(1, 5))
    for act in ("sigmoid", "tanh", "relu"):
        net = MLP([(rand(4, 3), rand(4)), (rand(4, 4), rand(4)), (rand(1, 4), rand(1))], activation=act,
                  residual=True)
        gradcheck(net.parameters(), lambda: tracer.mse(net(X), Y))


def test_autoencoder_gradients():
    X = tracer.tensor(np.abs(rand(4, 3)))
    ae = Autoencoder([(rand(3, 4), rand(3)), (rand(2, 3), rand(2)), (rand(3, 2), rand(3)), (rand(4, 3), rand(4))],
                     activation="tanh", output_activation="sigmoid")
    gradcheck(ae.parameters(), lambda: ae.loss(X, "sse"))


def test_sparse_autoencoder_gradients_include_the_norm_weighted_penalty():
    X = tracer.tensor(rand(3, 5))
    sae = SparseAutoencoder(rand(6, 3), rand(6), rand(3, 6), rand(3), l1_coeff=0.5)
    gradcheck(sae.parameters(), lambda: sae.loss(X)["loss"])


def test_attention_gradients_plain_causal_and_multi_head():
    X = tracer.tensor(rand(4, 3))
    for causal in (False, True):
        attn = SelfAttention(rand(2, 4), rand(2, 4), rand(3, 4), causal=causal)
        gradcheck(attn.parameters(), lambda: weighted_sum(attn(X)))
    mha = MultiHeadAttention.init(4, 2, 2, seed=3)
    gradcheck(mha.parameters(), lambda: weighted_sum(mha(X)))


def test_layer_norm_feed_forward_and_block_gradients():
    X = tracer.tensor(rand(4, 3))
    ln = LayerNorm(4, "ln", gamma=rand(4), beta=rand(4))
    gradcheck(ln.parameters(), lambda: weighted_sum(ln(X)))
    ff = FeedForward(rand(6, 4), rand(6), rand(4, 6), rand(4))
    gradcheck(ff.parameters(), lambda: weighted_sum(ff(X)))
    block = TransformerBlock.init(4, 6, n_heads=2, seed=5, causal=True)
    gradcheck(block.parameters(), lambda: weighted_sum(block(X)), per_param=6)


def test_positional_encoding_and_normalisation_pass_gradients_to_their_input():
    X = tracer.param(rand(4, 3), name="X")
    pe = PositionalEncoding(4)
    gradcheck([X], lambda: weighted_sum(pe(X) * pe(X)))
    scores = tracer.param([[90.0, 80.0, 70.0, 60.0, 50.0]], name="scores")
    gradcheck([scores], lambda: weighted_sum(minmax_normalize(scores, axis=1)))


def test_language_model_gradients_next_token_and_masked():
    lm = LanguageModel.init(6, d=4, d_ff=5, seed=1)
    gradcheck(lm.parameters(), lambda: lm.loss([[0, 1, 2, 3], [4, 2, 5]]), per_param=5)
    mlm = LanguageModel.init(6, d=4, d_ff=5, seed=2, causal=False)
    gradcheck(mlm.parameters(), lambda: mlm.masked_loss([[0, 1, 2], [3, 4]], mask_id=5), per_param=5)


@pytest.mark.parametrize("cell", [RNNCell.init(2, 3, seed=1), LSTMCell.init(2, 3, seed=2), GRUCell.init(2, 3, seed=3)],
                         ids=["rnn", "lstm", "gru"])
def test_recurrent_gradients_through_time(cell):
    net = Recurrent(cell, rand(1, 3), rand(1))
    X = tracer.tensor(rand(2, 4))
    gradcheck(net.parameters(), lambda: tracer.mse(net(X), tracer.tensor([[0.3]])))


def test_perceptron_criterion_gradient_is_the_learning_rule():
    p = Perceptron(rand(3), threshold=0.1)
    X, Y = tracer.tensor(rand(3, 6)), tracer.tensor(RNG.integers(0, 2, (1, 6)))
    gradcheck(p.parameters(), lambda: p.criterion(X, Y)[0])
    L, E = p.criterion(X, Y)
    p.W.zero_grad()  # gradcheck's backward() left one: gradients add up until zero_grad()
    L.backward()
    assert np.allclose(p.W.grad, -(E.numpy() @ X.numpy().T))  # dW = −E·Xᵀ


# ---- behaviour worked out by hand -------------------------------------------------------------
def test_perceptron_movie_decision_and_one_learning_step():
    p = Perceptron([8, 4, 4], threshold=8)
    S, go = p.forward(tracer.tensor([[1], [1], [0]]))
    assert S.numpy().item() == 8 * 1 + 4 * 1 + 4 * 0 == 12 and go.numpy().item() == 1  # 12 > 8: go
    # alone and expensive, but sunny: 8 + 0 + 0 = 8, not above 8: stay home
    assert p(tracer.tensor([[1], [0], [0]])).numpy().item() == 0
    # wrong on (1, 1, 0) → 0 (said go): W ← W + 1·(0 − 1)·(1, 1, 0) = (7, 3, 4)
    assert p.learn(tracer.tensor([[1], [1], [0]]), tracer.tensor([[0]]), lr=1) == 1
    assert p.W.numpy().tolist() == [[7.0, 3.0, 4.0]]


def test_minmax_normalisation_of_the_seed_scores():
    out = minmax_normalize(tracer.tensor([[90, 80, 70, 60, 50]]), axis=1).numpy()
    # (90 − 50)/40 = 1, (80 − 50)/40 = 0.75, 20/40 = 0.5, 10/40 = 0.25, 0/40 = 0
    assert out.tolist() == [[1.0, 0.75, 0.5, 0.25, 0.0]]


def test_sparse_penalty_gradient_is_the_decoder_norm_for_positive_features():
    W_dec = np.array([[3.0, 0.0], [4.0, 1.0]])                 # column norms 5 and 1
    sae = SparseAutoencoder([[1.0, 0.0], [0.0, 1.0]], [0.0, -5.0], W_dec, [0.0, 0.0], l1_coeff=2.0)
    parts = sae.loss(tracer.tensor([[1.0, 2.0], [1.0, 1.0]]))
    parts["penalty"].backward()  # the penalty alone: f.grad is its gradient
    f = parts["f"].numpy()
    assert f.tolist() == [[1.0, 2.0], [0.0, 0.0]]                # feature 2: 1 − 5 < 0, silent
    assert parts["penalty"].numpy() == pytest.approx(2 * 5 * (1 + 2))  # λ·‖col 1‖·Σ f
    assert parts["f"].grad.tolist() == [[10.0, 10.0], [0.0, 0.0]]  # λ·5 where f > 0, 0 where silent


def test_causal_attention_never_looks_ahead():
    attn = SelfAttention(rand(2, 3), rand(2, 3), rand(2, 3), causal=True, name="attn")
    with tracer.record() as trace:
        attn(tracer.tensor(rand(3, 4)))
    weights = trace.tensors[trace.step("attn.weights").outputs[0]].data  # (queries, keys)
    assert np.allclose(np.triu(weights, 1), 0) and np.allclose(weights.sum(axis=1), 1)


def test_positional_table_follows_the_formula():
    table = positional_table([0, 1, 2], 4)
    # row 2 (i = 1): sin(t / 10000^(2/4)) = sin(t / 100); row 3: cos(t / 100)
    assert table[:, 2].tolist() == pytest.approx([math.sin(2), math.cos(2), math.sin(0.02), math.cos(0.02)])


def test_packing_keeps_sentences_apart():
    packed = pack([[1, 2], [3, 4, 5]], causal=False)
    assert packed.positions.tolist() == [0, 1, 0, 1, 2] and packed.starts == [0, 2]
    assert not packed.mask[0, 2] and packed.mask[3, 4] and packed.mask[4, 3]


def test_generation_records_one_pick_per_token():
    vocab = Vocabulary.from_texts(["a b c"])
    lm = LanguageModel.init(len(vocab), d=4, d_ff=4, seed=0)
    with tracer.record() as trace:
        out = lm.generate([0], 3, greedy=False, seed=4)
    picks = [s for s in trace.steps if s.name.endswith(".pick")]
    assert [s.name for s in picks] == ["generate.0.pick", "generate.1.pick", "generate.2.pick"]
    assert [s.attrs.get("axis") for s in picks] == [0, 0, 0] and len(out) == 3
    with pytest.raises(tracer.TracerError, match="'z' is not in the vocabulary"):
        vocab.encode("a z")


def test_embedding_columns_and_parameters_of_nested_modules():
    emb = Embedding([[1, 2, 3], [4, 5, 6]])
    assert emb([2, 0]).numpy().tolist() == [[3.0, 1.0], [6.0, 4.0]]
    block = TransformerBlock.init(4, 8, n_heads=2)
    names = [p.name for p in block.parameters()]
    assert names[:4] == ["W_Q₁", "W_K₁", "W_V₁", "W_Q₂"] and "W_O" in names and {"gamma1", "gamma2"} <= set(names)
