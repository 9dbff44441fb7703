"""Self-attention, multi-head attention, positional encoding and a transformer block, by hand."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import (FeedForward, LayerNorm, MultiHeadAttention, PositionalEncoding,
                           SelfAttention, TransformerBlock)

from . import system
from .common import ExampleConfig, Trainer, Training, array, check_glosses, footprint, named, one_of, plain
from .schema import Where
from .stories import attention as stories


@dataclass
class AttentionModel:
    causal: bool = False
    heads: int = field(default=1, metadata={"min": 1, "max": 16})


def _training(cfg: Training, where: Where) -> None:
    one_of(where, "training.loss", cfg.loss, ["mse", "sse"])
    one_of(where, "training.optimizer", cfg.optimizer, ["sgd", "adam"])


def _run(model: SelfAttention | MultiHeadAttention | TransformerBlock, X: np.ndarray, Y: np.ndarray | None,
         training: Training, tokens: list[str] | None = None, after: bool = False) -> tracer.Trace:
    """Record one forward pass, then the training steps (towards the target ``Y``); with ``after``,
    the forward pass once more after training (scope ``after``). ``tokens`` name the columns of
    ``X`` and ``Y``."""
    Xt = tracer.tensor(X, name="X", cols=tokens)
    trainer = Trainer(training, model.parameters())
    loss = {"mse": tracer.mse, "sse": tracer.sse}[training.loss]
    with tracer.record() as trace:
        model(Xt)  # the forward pass under the model's own names (blocks.0.attn.head1.Q ...)
        if Y is not None:
            Yt = tracer.tensor(Y, name="Y", cols=tokens)
            trainer.run(lambda: loss(model(Xt), Yt, name="loss"), training.steps)
        if after:
            with tracer.scope("after"):
                model(Xt)
    trace.meta.update(plain({"loss_history": trainer.history,
                             "recorded": "one forward pass, then " + trainer.describe()
                                         + (", then the forward pass again (after.*)" if after else "")}))
    return trace


def _run_heads(model: MultiHeadAttention | TransformerBlock, X: np.ndarray,
               cfg: MultiHeadConfig | BlockConfig, where: Where, scope: str) -> tracer.Trace:
    """:func:`_run` towards targets shaped like ``X``, each head's attention pattern named in meta."""
    Y = named(where, "targets", cfg.targets, {"Y": X.shape})["Y"]
    _training(cfg.training, where)
    trace = _run(model, X, Y, cfg.training, cfg.tokens)
    trace.meta.update(plain({"tokens": cfg.tokens, "heads": cfg.model.heads,
                             "patterns": [f"{scope}.head{h}.weights" for h in range(1, cfg.model.heads + 1)]}))
    return trace


def _attention_memory(cfg: SelfAttentionConfig | MultiHeadConfig | BlockConfig) -> tuple[str, int]:
    """Scores, masked scores and weights are T × T per head: the number of tokens drives it."""
    T, heads, d_ff = len(cfg.tokens), max(cfg.model.heads, 1), max(getattr(cfg.model, "d_ff", 0), 0)
    d = cfg.inputs["X"].shape[0] if "X" in cfg.inputs and cfg.inputs["X"].ndim else 1
    given = sum(a.size for a in cfg.weights.values())
    scores, rest = 3 * heads * T * T, T * (8 * d + 2 * d_ff)
    key = "model.d_ff" if 2 * T * d_ff > scores else "tokens"
    return key, footprint(given + 2 * d * d_ff, scores + rest, cfg.training.steps + 1)


# ---- self-attention ----------------------------------------------------------------------------
@dataclass
class SelfAttentionConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["我", "愛", "吃", "蘋果"])
    glosses: list[str] = field(default_factory=lambda: ["I", "love", "eat", "apples"])
    model: AttentionModel = field(default_factory=AttentionModel)
    weights: dict[str, np.ndarray] = field(default_factory=lambda: {
        "W_Q": array([[1, 0, 1], [-1, 0, 0], [0, -1, 1], [0, 1, -1]]),
        "W_K": array([[0, -1, 1], [0, 0, 1], [0, 1, 1], [0, 0, -1]]),
        "W_V": array([[1, 1, 1], [0, -1, 1], [-1, 1, -1]])})
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"X": array([[2, 1, 0, 2], [2, 2, 0, 2], [0, 0, 1, 2]])})
    targets: dict[str, np.ndarray] = field(default_factory=lambda: {"Y": array([[2, 1, 0, 2], [2, 2, 0, 2], [0, 0, 1, 2]])})
    training: Training = field(default_factory=lambda: Training(loss="mse", optimizer="sgd", lr=0.1, steps=1))


@system("self_attention", SelfAttentionConfig, "scaled dot-product self-attention, one head", _attention_memory)
def self_attention(cfg: SelfAttentionConfig, where: Where) -> tracer.Trace:
    T = len(cfg.tokens)
    check_glosses(where, cfg.tokens, cfg.glosses)
    X = named(where, "inputs", cfg.inputs, {"X": (None, T)})["X"]
    d = X.shape[0]
    W = named(where, "weights", cfg.weights, {"W_Q": (None, d), "W_K": (None, d), "W_V": (None, d)})
    if W["W_Q"].shape[0] != W["W_K"].shape[0]:
        raise where.error("weights.W_K", f"wrong shape: queries and keys need the same d_k ({W['W_Q'].shape[0]})")
    Y = named(where, "targets", cfg.targets, {"Y": (W["W_V"].shape[0], T)})["Y"]
    _training(cfg.training, where)
    attn = SelfAttention(W["W_Q"], W["W_K"], W["W_V"], causal=cfg.model.causal, name="attn")
    trace = _run(attn, X, Y, cfg.training, cfg.tokens, after=cfg.training.steps > 0)
    trace.meta.update(plain({"tokens": cfg.tokens, "glosses": cfg.glosses, "d_k": W["W_Q"].shape[0],
                             "pattern": "attn.weights", "pattern_layout": "rows are queries, columns are keys"}))
    stories.self_attention(trace, cfg.tokens, cfg.glosses)
    return trace


# ---- multi-head attention --------------------------------------------------------------------
def _mha_weights() -> dict[str, np.ndarray]:
    return {"W_Q1": array([[-1, -1, 1, 0], [0, 0, 1, -1]]), "W_K1": array([[0, -1, 0, 1], [0, -1, 0, -1]]),
            "W_V1": array([[1, 1, 1, 0], [1, 0, -1, 0]]),
            "W_Q2": array([[0, 0, 1, -1], [1, -1, 0, 1]]), "W_K2": array([[-1, 1, 0, 0], [1, 1, 1, 0]]),
            "W_V2": array([[1, 1, -1, -1], [-1, 0, 1, 0]]),
            "W_O": array([[1, 0, 1, 0], [1, -1, 0, 1], [1, 1, 1, -1], [1, 0, 1, -1]])}


def _mha_shapes(d: int, heads: int, given: dict[str, np.ndarray]) -> dict[str, tuple]:
    d_head = np.shape(given.get("W_Q1", np.zeros((d // heads, d))))[0]
    shapes: dict[str, tuple] = {}
    for h in range(1, heads + 1):
        shapes.update({f"W_Q{h}": (d_head, d), f"W_K{h}": (d_head, d), f"W_V{h}": (d_head, d)})
    shapes["W_O"] = (d, heads * d_head)
    return shapes


def build_mha(where: Where, weights: dict[str, np.ndarray], d: int, heads: int, causal: bool) -> MultiHeadAttention:
    W = named(where, "weights", weights, _mha_shapes(d, heads, weights))
    attn_heads = [SelfAttention(W[f"W_Q{h}"], W[f"W_K{h}"], W[f"W_V{h}"], causal=causal, name=f"head{h}", tag=str(h))
                  for h in range(1, heads + 1)]
    return MultiHeadAttention(attn_heads, W["W_O"], name="attn")


@dataclass
class MultiHeadConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["once", "upon", "a"])
    model: AttentionModel = field(default_factory=lambda: AttentionModel(heads=2))
    weights: dict[str, np.ndarray] = field(default_factory=_mha_weights)
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"X": array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 2, 1]])})
    targets: dict[str, np.ndarray] = field(default_factory=lambda: {"Y": array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 2, 1]])})
    training: Training = field(default_factory=lambda: Training(loss="mse", optimizer="sgd", lr=0.1, steps=1))


@system("multi_head_attention", MultiHeadConfig, "attention heads side by side, concatenated, mixed by W_O",
        _attention_memory)
def multi_head_attention(cfg: MultiHeadConfig, where: Where) -> tracer.Trace:
    T = len(cfg.tokens)
    X = named(where, "inputs", cfg.inputs, {"X": (None, T)})["X"]
    mha = build_mha(where, cfg.weights, X.shape[0], cfg.model.heads, cfg.model.causal)
    trace = _run_heads(mha, X, cfg, where, "attn")
    stories.multi_head_attention(trace, cfg.model.heads)
    return trace


# ---- positional encoding ---------------------------------------------------------------------
@dataclass
class PositionalModel:
    base: float = field(default=10000.0, metadata={"min": 1.0})


@dataclass
class Sentence:
    """A sentence in which a word comes back: one embedding per word, looked up for each token."""

    tokens: list[str] = field(default_factory=lambda: ["张", "麻子", "正在", "打", "李", "麻子"])
    embeddings: dict[str, np.ndarray] = field(default_factory=lambda: {
        "张": array([1, 0, 1, 0]), "麻子": array([0, 1, 0, 1]), "正在": array([1, 1, 0, 0]),
        "打": array([0, 0, 1, 1]), "李": array([1, 0, 0, 1])})


@dataclass
class PositionalConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["中", "华", "人", "民"])
    model: PositionalModel = field(default_factory=PositionalModel)
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {
        "X": array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1], [0, 0, 1, 1]])})
    sentence: Sentence = field(default_factory=Sentence)


def _embedding_table(where: Where, sentence: Sentence, d: int) -> tracer.Tensor:
    """The sentence's words as the columns of a table ``(d, words)``."""
    words = list(sentence.embeddings)
    for i, t in enumerate(sentence.tokens):
        if t not in sentence.embeddings:
            raise where.error(f"sentence.tokens[{i}]", f"{t!r} has no embedding (sentence.embeddings has {', '.join(words)})")
    E = named(where, "sentence.embeddings", sentence.embeddings, {w: (d,) for w in words})
    return tracer.tensor(np.stack([E[w] for w in words], axis=1), name="E", rows=_dims(d), cols=words)


def _dims(d: int) -> list[str]:
    return [f"d{i}" for i in range(d)]


@system("positional_encoding", PositionalConfig, "the sinusoidal position table added to token embeddings")
def positional_encoding(cfg: PositionalConfig, where: Where) -> tracer.Trace:
    X = named(where, "inputs", cfg.inputs, {"X": (None, len(cfg.tokens))})["X"]
    d = X.shape[0]
    if d % 2:
        raise where.error("inputs.X", f"wrong shape: the embedding size must be even (sin and cos rows), got {d}")
    E = _embedding_table(where, cfg.sentence, d) if cfg.sentence.tokens else None
    pe = PositionalEncoding(d, cfg.model.base, name="pos", out="X_pos")
    with tracer.record() as trace:
        pe(tracer.tensor(X, name="X", rows=_dims(d), cols=cfg.tokens))
        if E is not None:  # the same word twice: one embedding, two positions
            with tracer.scope("sentence"):
                ids = tracer.Tensor(np.asarray([E.labels[1].index(t) for t in cfg.sentence.tokens]), name="ids",
                                    kind="const")  # named: X = E[ids], not E[[0, 1, 2, 3, 4, 1]]
                pe(tracer.gather(E, ids, axis=1, name="X"))
    trace.meta.update(plain({"tokens": cfg.tokens, "sentence": cfg.sentence.tokens,
                             "recorded": "the angles t / base^(2i/d), their sines and cosines, the table PE "
                                         "and X + PE; then the same for the sentence's looked-up embeddings"}))
    stories.positional_encoding(trace)
    return trace


# ---- transformer block -------------------------------------------------------------------------
def _block_weights() -> dict[str, np.ndarray]:
    w = _mha_weights()
    w.update({
        "W1": array([[-1, -1, 1, 1], [-1, 0, -1, -1], [1, 1, -1, -1], [0, 1, 1, -1], [0, -1, -1, -1],
                     [0, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, -1]]),
        "b1": array([0, 0, 0, -1, 0, -1, -1, 0]),
        "W2": array([[-1, -1, -1, 1, -1, 0, 1, 1], [1, -1, 0, -1, -1, 1, -1, 0],
                     [-1, -1, 1, -1, -1, -1, 1, -1], [0, -1, -1, 1, -1, 0, 0, -1]]),
        "b2": array([0, 0, 0, 0]),
        "gamma1": array([1, 1, 1, 1]), "beta1": array([0, 0, 0, 0]),
        "gamma2": array([1, 1, 1, 1]), "beta2": array([0, 0, 0, 0])})
    return w


@dataclass
class BlockModel:
    causal: bool = False
    heads: int = field(default=2, metadata={"min": 1, "max": 16})
    d_ff: int = field(default=8, metadata={"min": 1})


@dataclass
class BlockConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["once", "upon", "a"])
    model: BlockModel = field(default_factory=BlockModel)
    weights: dict[str, np.ndarray] = field(default_factory=_block_weights)
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"X": array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 2, 1]])})
    targets: dict[str, np.ndarray] = field(default_factory=lambda: {"Y": array([[1, -1, 0], [0, 1, -1], [-1, 0, 1], [0, 0, 0]])})
    training: Training = field(default_factory=lambda: Training(loss="mse", optimizer="sgd", lr=0.1, steps=1))


@system("transformer_block", BlockConfig, "attention + residual + layer norm + feed-forward + residual + layer norm",
        _attention_memory)
def transformer_block(cfg: BlockConfig, where: Where) -> tracer.Trace:
    T = len(cfg.tokens)
    X = named(where, "inputs", cfg.inputs, {"X": (None, T)})["X"]
    d, f = X.shape[0], cfg.model.d_ff
    attn_keys = _mha_shapes(d, cfg.model.heads, cfg.weights)
    rest = named(where, "weights", {k: v for k, v in cfg.weights.items() if k not in attn_keys},
                 {"W1": (f, d), "b1": (f,), "W2": (d, f), "b2": (d,), "gamma1": (d,), "beta1": (d,),
                  "gamma2": (d,), "beta2": (d,)})
    attn = build_mha(where, {k: v for k, v in cfg.weights.items() if k in attn_keys}, d, cfg.model.heads,
                     cfg.model.causal)
    block = TransformerBlock(attn, FeedForward(rest["W1"], rest["b1"], rest["W2"], rest["b2"]),
                             LayerNorm(d, "ln1", rest["gamma1"], rest["beta1"], ("gamma1", "beta1")),
                             LayerNorm(d, "ln2", rest["gamma2"], rest["beta2"], ("gamma2", "beta2")))
    trace = _run_heads(block, X, cfg, where, "blocks.0.attn")
    stories.transformer_block(trace, cfg.model.heads)
    return trace
