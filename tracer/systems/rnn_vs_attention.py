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
from tracer.story import Chapter, Plot, Story
from tracer.trace import Trace

from . import system
from .common import ExampleConfig, array, named, plain, sequence
from .narrative import check_glosses, glossed, span, t4
from .recurrent import forward_chapters
from .schema import Where


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
    _story(trace, cfg, per_token, count)
    return trace


def _story(trace: Trace, cfg: RnnVsAttentionConfig, per_token: dict[str, list[int]], count: dict[str, int]) -> None:
    T, tokens = len(cfg.tokens), cfg.tokens
    r, a = per_token["rnn"][-1], per_token["attention"][-1]
    each = per_token["rnn"][1] - per_token["rnn"][0] if T > 1 else r
    qkv = (span(trace, "attn.Q")[0], span(trace, "attn.V_rows")[1])
    chapters = forward_chapters(trace, "rnn", "RNN", T) + [
        Chapter(t4("RNN: its read-out y", "RNN：輸出 y", "RNN：输出 y", "RNN: đầu ra y"), span(trace, "rnn.y"), "skip"),
        Chapter(t4("Attention: Q, K and V of every token, one product each", "注意力：一次乘法算出所有詞的 Q、K、V",
                   "注意力：一次乘法算出所有词的 Q、K、V", "Attention: Q, K, V của mọi từ, mỗi cái một phép nhân"), qkv),
        Chapter(t4("Attention: every score, weight and mix at once", "注意力：所有分數、權重與加權和一次算完",
                   "注意力：所有分数、权重与加权和一次算完", "Attention: mọi điểm số, trọng số và tổng có trọng số cùng lúc"),
                (qkv[1] + 1, span(trace, "attn.z")[1]))]
    sentence = "".join(tokens)
    recap = t4("For the {T} tokens of {s} the RNN runs {r} steps one after the other ({e} more for every further token: "
               "{last} waits for {prev}); attention runs {a}, each over all {T} tokens at once, whatever the length.",
               "{s} 的 {T} 個詞，RNN 要一個接一個跑 {r} 步（每多一個詞多 {e} 步：{last} 要等 {prev}）；"
               "注意力只要 {a} 步，每一步同時處理全部 {T} 個詞，句子再長也一樣。",
               "{s} 的 {T} 个词，RNN 要一个接一个跑 {r} 步（每多一个词多 {e} 步：{last} 要等 {prev}）；"
               "注意力只要 {a} 步，每一步同时处理全部 {T} 个词，句子再长也一样。",
               "Với {T} từ của {s}, RNN chạy {r} bước nối tiếp nhau (thêm {e} bước cho mỗi từ: {last} phải chờ {prev}); "
               "attention chỉ cần {a} bước, mỗi bước xử lý cả {T} từ cùng lúc, câu dài bao nhiêu cũng vậy.",
               T=T, r=r, a=a, e=each, s=(" ".join(glossed(tokens, cfg.glosses)),) + (sentence,) * 3,
               last=(glossed(tokens, cfg.glosses)[-1],) + (tokens[-1],) * 3,
               prev=(glossed(tokens, cfg.glosses)[-2] if T > 1 else "",) + ((tokens[-2] if T > 1 else ""),) * 3)
    story = Story(
        t4("RNN or attention: one token at a time, or all at once", "RNN 還是注意力：一次一個詞，或一次全部",
           "RNN 还是注意力：一次一个词，或一次全部", "RNN hay attention: từng từ một, hay tất cả cùng lúc"),
        t4("Why did the Transformer replace the RNN?", "為什麼 Transformer 取代了 RNN？", "为什么 Transformer 取代了 RNN？",
           "Vì sao Transformer thay thế RNN?"),
        chapters,
        [Plot("lines", t4("Steps one after the other before each token's output", "每個詞的輸出之前必須依序完成的步數",
                          "每个词的输出之前必须依序完成的步数", "Số bước nối tiếp trước đầu ra của mỗi từ"),
              t4("token", "詞", "词", "từ"), t4("dependency depth", "依賴深度", "依赖深度", "độ sâu phụ thuộc"),
              list(range(1, T + 1)), {"RNN": per_token["rnn"], "attention": per_token["attention"]}, labels=list(tokens)),
         Plot("bars", t4("Dependency depth for the whole sentence", "整句的依賴深度", "整句的依赖深度", "Độ sâu phụ thuộc của cả câu"),
              labels=["RNN", "attention"], values=[r, a], highlight=["attention"])],
        recap)
    trace.meta["story"] = story.to_meta()
    trace.meta["summary"] = [
        f"dependency depth for {T} tokens: rnn {r} ({each} more per token), attention {a} (the same for any length)",
        f"top-level steps: rnn {count['rnn']} (each on one token), attention {count['attention']} (each on all {T} tokens)",
    ]
