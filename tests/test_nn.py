"""tracer.nn: row-major blocks (tokens as rows, x @ W + b) against the same math in NumPy, with
batches, masks and labels; their gradients against finite differences; their step names."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tracer
from tests.test_models import gradcheck
from tracer.nn import Embedding, FeedForward, LayerNorm, Linear, MultiHeadAttention, TransformerBlock

RNG = np.random.default_rng(7)
_erf = np.vectorize(math.erf)


def np_ln(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def np_attention(m: MultiHeadAttention, x: np.ndarray, keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One head at a time, in a loop: the textbook form."""
    H = m.n_heads
    q, k, v = (x @ layer.W.numpy() + layer.b.numpy() for layer in (m.q, m.k, m.v))
    dh = q.shape[-1] // H
    outs, patterns = [], []
    for h in range(H):
        s = slice(h * dh, (h + 1) * dh)
        scores = q[..., s] @ np.swapaxes(k[..., s], -1, -2) / np.sqrt(dh)
        if keep is not None:
            scores = np.where(keep, scores, -np.inf)
        e = np.exp(scores - scores.max(-1, keepdims=True))
        p = e / e.sum(-1, keepdims=True)
        patterns.append(p)
        outs.append(p @ v[..., s])
    return np.concatenate(outs, -1) @ m.out.W.numpy() + m.out.b.numpy(), np.stack(patterns, -3)


def test_linear_adds_one_bias_per_output_feature_to_every_row_of_every_sentence() -> None:
    layer = Linear([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]], [10.0, 20.0, 30.0], name="proj")
    x = tracer.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [1.0, 1.0]]], name="x")  # 2 sentences × 2 tokens
    assert layer(x).numpy().tolist() == [[[11.0, 22.0, 32.0], [13.0, 24.0, 36.0]],
                                         [[10.0, 20.0, 30.0], [11.0, 21.0, 32.0]]]
    column = tracer.linear(tracer.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]]),  # the by-hand layout, same numbers
                           tracer.tensor(np.swapaxes(x.numpy(), -1, -2)), tracer.tensor([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(np.swapaxes(column.numpy(), -1, -2), layer(x).numpy())


def test_attention_matches_a_head_by_head_loop_with_padding_masked() -> None:
    attn = MultiHeadAttention.init(d=6, n_heads=3, seed=1)
    x = RNG.normal(size=(2, 4, 6))
    keep = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=bool)[:, None, None, :]  # sentence 2 has 2 pads
    out, pattern = attn(tracer.tensor(x), keep, return_pattern=True)
    want, want_pattern = np_attention(attn, x, keep[:, 0])  # per head: (sentence, 1, key)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pattern.numpy(), want_pattern, rtol=1e-12, atol=1e-12)
    assert pattern.shape == (2, 3, 4, 4) and np.all(pattern.numpy()[1, :, :, 2:] == 0)
    np.testing.assert_allclose(pattern.numpy().sum(-1), 1.0)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm (BERT)", "pre-norm (GPT)"])
def test_transformer_block_matches_numpy_and_a_batch_matches_its_sentences(norm_first: bool) -> None:
    block = TransformerBlock.init(d=4, n_heads=2, d_ff=8, seed=3, norm_first=norm_first)
    x = RNG.normal(size=(3, 5, 4))

    def mlp(h: np.ndarray) -> np.ndarray:
        pre = h @ block.mlp.up.W.numpy() + block.mlp.up.b.numpy()
        return (pre * 0.5 * (1 + _erf(pre / np.sqrt(2)))) @ block.mlp.down.W.numpy() + block.mlp.down.b.numpy()

    def ln(h: np.ndarray, m: LayerNorm) -> np.ndarray:
        return np_ln(h, m.w.numpy(), m.b.numpy())

    if norm_first:
        mid = x + np_attention(block.attn, ln(x, block.ln1))[0]
        want = mid + mlp(ln(mid, block.ln2))
    else:
        mid = ln(x + np_attention(block.attn, x)[0], block.ln1)
        want = ln(mid + mlp(mid), block.ln2)
    got = block(tracer.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(block(tracer.tensor(x[1])).numpy(), got[1], rtol=1e-12, atol=1e-12)


def test_block_gradients_against_finite_differences() -> None:
    embed, block = Embedding.init(7, 4, seed=4), TransformerBlock.init(d=4, n_heads=2, d_ff=6, seed=5)
    ids = tracer.tensor([[1, 3, 3], [6, 0, 2]], dtype=np.int64)
    keep = np.array([[1, 1, 1], [1, 1, 0]], dtype=bool)[:, None, None, :]
    w = RNG.normal(size=(2, 3, 4))
    gradcheck(embed.parameters() + block.parameters(), lambda: (block(embed(ids), keep) * w).sum(), per_param=4)


def test_feed_forward_activation_and_step_names_follow_transformer_lens() -> None:
    block = TransformerBlock.init(d=4, n_heads=2, d_ff=8, seed=0, activation="relu", name="blocks.3")
    x = tracer.tensor(np.ones((2, 4)), name="x", rows=["hi", "there"])
    with tracer.record() as trace:
        out = block(x)
    top = [s.name for s in trace.steps if s.parent is None]
    assert top == ["blocks.3.attn.q", "blocks.3.attn.q_split", "blocks.3.attn.q_heads", "blocks.3.attn.k",
                   "blocks.3.attn.k_split", "blocks.3.attn.k_heads", "blocks.3.attn.v", "blocks.3.attn.v_split",
                   "blocks.3.attn.v_heads", "blocks.3.attn.k_T", "blocks.3.attn.scores", "blocks.3.attn.scaled",
                   "blocks.3.attn.pattern", "blocks.3.attn.z", "blocks.3.attn.z_tokens", "blocks.3.attn.z_flat",
                   "blocks.3.attn.out", "blocks.3.hook_resid_mid", "blocks.3.ln1", "blocks.3.mlp.pre",
                   "blocks.3.mlp.post", "blocks.3.mlp.out", "blocks.3.hook_resid_post", "blocks.3.ln2"]
    assert trace.step("blocks.3.mlp.post").op == "relu" and trace.step("blocks.3.attn.q").op == "dense"
    tokens = ("hi", "there")
    assert out.labels == (tokens, None)
    assert trace.tensors[trace.step("blocks.3.attn.pattern").outputs[0]].labels == (None, tokens, tokens)
    assert trace.tensors[trace.step("blocks.3.attn.q_heads").outputs[0]].labels == (None, tokens, None)
    assert trace.tensors[trace.step("blocks.3.hook_resid_post").outputs[0]].labels == (tokens, None)
    assert [p.name for p in FeedForward.init(4, 8).parameters()] == ["W_in", "b_in", "W_out", "b_out"]


def test_the_column_layout_blocks_take_a_batch_too() -> None:
    """tracer.models (samples as columns, W·X + b, one bias per row) on a batch (B, d, T)."""
    from tracer.models import TransformerBlock as ColumnBlock

    block = ColumnBlock.init(d=4, d_ff=6, n_heads=2, seed=2, causal=True)
    X = RNG.normal(size=(3, 4, 5))
    batched = block(tracer.tensor(X)).numpy()
    for k in range(3):
        np.testing.assert_allclose(batched[k], block(tracer.tensor(X[k])).numpy(), rtol=1e-12, atol=1e-12)


def test_heads_that_do_not_divide_the_width_are_refused_when_the_block_is_made() -> None:
    """Not later, in a reshape of a tensor named after the bias: 8 features cannot split into 3 heads."""
    with pytest.raises(tracer.ShapeError, match=r"attn: 3 heads do not divide the width 8 of its projections \(W_Q \(8, 8\)"):
        MultiHeadAttention.init(d=8, n_heads=3)
    with pytest.raises(tracer.ShapeError, match="0 heads"):
        MultiHeadAttention.init(d=8, n_heads=0)
    assert MultiHeadAttention.init(d=8, n_heads=4).n_heads == 4
