"""RNN against self-attention on the same short sentence: why the Transformer replaced the RNN
(seed 001: 相比 RNN 網絡結構，其最大的優點是可以并行計算, its great advantage is parallel computation).

The RNN's hidden state for token t needs the one for token t − 1: a chain of dependent steps that
grows with the sentence. Attention computes Q, K and V for every token in one product each, then
every score, weight and mix at once: a few steps whatever the length. The *dependency depth* of a
step is the length of the longest chain of steps it waits for, read from the trace's data flow.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import tracer
from tracer.models import Recurrent, RNNCell, SelfAttention
from tracer.trace import Trace

from . import system
from .common import ExampleConfig, array, check_glosses, named, plain, sequence
from .schema import Where
from .stories import recurrent as stories


def dependency_depth(trace: Trace) -> dict[int, int]:
    """For every top-level step (a composite counts as one), how many steps run one after the other
    up to and including it: 1 + the depth of the deepest step whose output it reads."""
    top: dict[int, int] = {}  # any step id -> its top-level ancestor
    for s in trace.steps:
        top[s.id] = s.id if s.parent is None else top[s.parent]
    depth: dict[int, int] = {}
    for s in trace.steps:
        if s.parent is None:
            producers = {top[p] for p in (trace.tensors[i].producer for i in s.inputs) if p is not None}
            depth[s.id] = 1 + max((depth[p] for p in producers if p in depth), default=0)
    return depth


@dataclass
class CompareModel:
    hidden: int = field(default=3, metadata={"min": 1, "max": 256})
    d_k: int = field(default=3, metadata={"min": 1, "max": 256})
    seed: int = 0


@dataclass
class RnnVsAttentionConfig(ExampleConfig):
    tokens: list[str] = field(default_factory=lambda: ["我", "愛", "吃", "蘋果"])
    glosses: list[str] = field(default_factory=lambda: ["I", "love", "eat", "apples"])
    model: CompareModel = field(default_factory=CompareModel)
    inputs: dict[str, np.ndarray] = field(default_factory=lambda: {"X": array([[2, 1, 0, 2], [2, 2, 0, 2], [0, 0, 1, 2]])})


@system("rnn_vs_attention", RnnVsAttentionConfig, "the same sentence through an RNN (one token after another) and self-attention (all at once)")
def rnn_vs_attention(cfg: RnnVsAttentionConfig, where: Where) -> tracer.Trace:
    T = len(cfg.tokens)
    check_glosses(where, cfg.tokens, cfg.glosses)
    X = named(where, "inputs", cfg.inputs, {"X": (None, T)})["X"]
    d, m = X.shape[0], cfg.model
    rnn = Recurrent(RNNCell.init(d, m.hidden, m.seed), np.random.default_rng(m.seed).normal(0.0, 0.5, (1, m.hidden)), np.zeros(1))
    attn = SelfAttention.init(d, m.d_k, m.seed, name="attn")
    Xt = sequence(X, cfg.tokens)
    with tracer.record() as trace:
        rnn.run(Xt)   # rnn.t0.hidden … one token after another
        attn(Xt)      # attn.Q … attn.z: every token at once
    depth = dependency_depth(trace)
    per_token = {"rnn": [depth[trace.step(f"rnn.t{t}.hidden").id] for t in range(T)],
                 "attention": [depth[trace.step("attn.z").id]] * T}
    count = {"rnn": sum(1 for s in trace.steps if s.parent is None and s.name.startswith("rnn.t")),
             "attention": sum(1 for s in trace.steps if s.parent is None and s.name.startswith("attn"))}
    trace.meta.update(plain({
        "tokens": cfg.tokens, "glosses": cfg.glosses, "depth_per_token": per_token,
        "dependency_depth": {k: v[-1] for k, v in per_token.items()}, "steps": count,
        "depth_note": "dependency depth: the longest chain of top-level steps (a composite counts as one) that must run "
                      "one after the other before a token's output exists (rnn: its hidden state h_t; attention: z)",
        "recorded": "the RNN unrolled over the tokens (rnn.t0 … rnn.y), then one self-attention layer "
                    "over the same embeddings (attn.Q … attn.z); forward only",
    }))
    stories.rnn_vs_attention(trace, cfg.tokens, cfg.glosses)
    return trace
