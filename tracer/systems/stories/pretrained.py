"""The story of all-MiniLM-L6-v2 reading one sentence: what its real attention heads look at.

A trained model's heads are not the toy examples' even spread. The story finds, in the run's own
patterns, the head that looks most at the token before each token, and how much of every layer's
attention lands on ``[CLS]`` (the heads' resting place when a token has nothing to fetch), then
follows the pooling that turns the tokens' vectors into the sentence's embedding.
"""
from __future__ import annotations

import numpy as np

from tracer.story import Plot, Story
from tracer.trace import Trace

from . import Outline, first, listing, num, output, per_language, prob, say, tell

SHOWN_PAIRS = 4   # the recap names the first few pairs; the bars show them all


def _patterns(trace: Trace) -> list[np.ndarray]:
    """Each layer's pattern ``(heads, T, T)``, as the run recorded it."""
    return [np.asarray(trace.tensors[output(trace, name)].data) for name in trace.meta["patterns"]]


def previous_token_head(patterns: list[np.ndarray]) -> tuple[int, int, np.ndarray]:
    """The (layer, head) whose tokens give the token before them the most weight on average, and
    that weight for each token after the first."""
    best = (-1.0, 0, 0)
    for layer, p in enumerate(patterns):
        before = np.diagonal(p, offset=-1, axis1=1, axis2=2)          # (heads, T − 1): token i → i − 1
        head = int(np.argmax(before.mean(axis=1)))
        best = max(best, (float(before[head].mean()), layer, head))
    _, layer, head = best
    return layer, head, np.diagonal(patterns[layer][head], offset=-1)


def minilm(trace: Trace) -> Story:
    """Embeddings, block 0 in full, blocks 1–5 fast, then the pooling and the length-1 scaling."""
    tokens = list(trace.meta["tokens"])
    patterns = _patterns(trace)
    layers, heads = len(patterns), patterns[0].shape[0]
    outline = Outline(trace)
    outline.add(0, say("Tokens → vectors: word, position and type embeddings, then layer norm",
                       "詞 → 向量：詞、位置與句段嵌入，再做層正規化", "词 → 向量：词、位置与句段嵌入，再做层归一化",
                       "Từ → vectơ: embedding từ, vị trí và loại câu, rồi chuẩn hóa lớp"))
    block0 = outline.at("blocks.0", say(f"Block 0: {heads} heads of attention, then the feed-forward layer",
                                        f"第 0 個區塊：{heads} 個注意力頭，再接前饋層",
                                        f"第 0 个块：{heads} 个注意力头，再接前馈层",
                                        f"Khối 0: {heads} đầu attention, rồi lớp truyền thẳng"))
    rest = outline.at("blocks.1", say(f"Blocks 1–{layers - 1}: the same, each with its own weights",
                                      f"第 1–{layers - 1} 個區塊：同樣的計算，各用自己的權重",
                                      f"第 1–{layers - 1} 个块：同样的计算，各用自己的权重",
                                      f"Khối 1–{layers - 1}: như trên, mỗi khối có trọng số riêng"),
                      "summary", layers - 1)
    outline.at("pool", say("Mean pooling: the average of the token vectors", "平均池化：把各個詞向量取平均",
                           "平均池化：把各个词向量取平均", "Gộp trung bình: trung bình các vectơ của từ"))
    outline.at("normalize", say("Scale to length 1: the sentence embedding", "縮放到長度 1：句子的嵌入向量",
                                "缩放到长度 1：句子的嵌入向量", "Đưa về độ dài 1: embedding của câu"))
    layer, head, before = previous_token_head(patterns)
    pairs = [f"{tokens[i + 1]} → {tokens[i]}" for i in range(len(before))]
    on_cls = [float(p[:, :, 0].mean()) for p in patterns]              # each layer's share on [CLS]
    busiest = int(np.argmax(on_cls))
    plots = [Plot("bars", say(f"Layer {layer}, head {head}: each token's weight on the token before it",
                              f"第 {layer} 層第 {head} 個頭：每個詞給前一個詞的權重",
                              f"第 {layer} 层第 {head} 个头：每个词给前一个词的权重",
                              f"Lớp {layer}, đầu {head}: trọng số mỗi từ dành cho từ đứng trước"),
                  say("token → the token before", "詞 → 前一個詞", "词 → 前一个词", "từ → từ đứng trước"),
                  say("attention weight", "注意力權重", "注意力权重", "trọng số attention"),
                  labels=pairs, values=[float(w) for w in before],
                  after=block0 if layer == 0 else rest),
             Plot("lines", say("Share of the attention on [CLS], per layer (all heads, all tokens)",
                               "每一層落在 [CLS] 上的注意力比例（所有頭、所有詞）",
                               "每一层落在 [CLS] 上的注意力比例（所有头、所有词）",
                               "Tỉ lệ attention đặt vào [CLS] ở mỗi lớp (mọi đầu, mọi từ)"),
                  say("layer", "層", "层", "lớp"), say("share on [CLS]", "[CLS] 的比例", "[CLS] 的比例", "tỉ lệ vào [CLS]"),
                  x=[float(k) for k in range(layers)], series={"[CLS]": on_cls}, after=rest)]
    shown = per_language(lambda lang: listing(pairs[:SHOWN_PAIRS] + ["…"] * (len(pairs) > SHOWN_PAIRS), lang))
    dims = trace.tensors[output(trace, "embedding")].shape[-1]
    return tell(trace, outline,
                title=say("all-MiniLM-L6-v2 reads a sentence", "all-MiniLM-L6-v2 讀一個句子",
                          "all-MiniLM-L6-v2 读一个句子", "all-MiniLM-L6-v2 đọc một câu"),
                question=say("What do a trained model's attention heads look at?", "訓練好的模型，它的注意力頭在看什麼？",
                             "训练好的模型，它的注意力头在看什么？", "Các đầu attention của một mô hình đã huấn luyện nhìn vào đâu?"),
                plots=plots,
                recap=say("Layer {layer}, head {head} looks at the token before each token ({pairs}): each gives it at "
                          "least {low} of its attention. In layer {busy}, {share} of all the attention rests on [CLS]. "
                          "The mean of the {n} token vectors, scaled to length 1, is the sentence's embedding of {d} "
                          "numbers.",
                          "第 {layer} 層第 {head} 個頭看的是每個詞的前一個詞（{pairs}）：每個詞至少把 {low} 的注意力給它。"
                          "第 {busy} 層所有的注意力有 {share} 停在 [CLS] 上。{n} 個詞向量的平均，縮放到長度 1，"
                          "就是這個句子的嵌入向量，共 {d} 個數。",
                          "第 {layer} 层第 {head} 个头看的是每个词的前一个词（{pairs}）：每个词至少把 {low} 的注意力给它。"
                          "第 {busy} 层所有的注意力有 {share} 停在 [CLS] 上。{n} 个词向量的平均，缩放到长度 1，"
                          "就是这个句子的嵌入向量，共 {d} 个数。",
                          "Lớp {layer}, đầu {head} nhìn vào từ đứng trước mỗi từ ({pairs}): mỗi từ dành cho nó ít "
                          "nhất {low} sự chú ý. Ở lớp {busy}, {share} toàn bộ sự chú ý dừng ở [CLS]. Trung bình của {n} "
                          "vectơ từ, đưa về độ dài 1, là embedding {d} số của câu.",
                          layer=layer, head=head, pairs=shown, low=prob(before.min()), busy=busiest,
                          share=num(on_cls[busiest]), n=len(tokens), d=dims))
