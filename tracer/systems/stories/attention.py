"""The story of self_attention on the seed's sentence: Q, K and V each worked once, the scores, the
softmax row by row and the weighted sum; the SGD step; the attention weights as heat maps with the
tokens on both axes (before and after the step), and which word attends to which."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from tracer.story import Story
from tracer.trace import Trace

from . import Outline, first, heatmap, in_words, maybe, num, per_language, say, sentences, tell


KEY, QUERY = say("key", "鍵", "键", "khóa"), say("query", "查詢", "查询", "truy vấn")


def _weights(trace: Trace, step: str) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[0]].data)  # (T, T): rows are queries


def self_attention(trace: Trace, tokens: Sequence[str], glosses: Sequence[str]) -> Story:
    """Chapters of one head recorded under ``attn`` (training under ``train.0``, the pass after it
    under ``after``); ``trace.meta["attends_to"]`` and ``["summary"]``: each token's strongest key."""
    P = _weights(trace, "attn.weights")
    top = [int(np.argmax(row)) for row in P]
    q = int(np.argmax([P[i, k] for i, k in enumerate(top)]))  # the strongest pair, named on the map
    k = top[q]
    words = in_words(tokens, glosses)
    query, key = per_language(lambda lang: words[lang][q]), per_language(lambda lang: words[lang][k])
    pairs = per_language(lambda lang: ("；" if lang.startswith("zh") else ", ").join(
        f"{words[lang][i]} → {words[lang][j]} {num(P[i, j])}" for i, j in enumerate(top)))
    told = [say("Each word attends most to the word whose key best matches its query (the largest dot product): {pairs}.",
                "每個詞最關注那個鍵和它的查詢最相配（點積最大）的詞：{pairs}。",
                "每个词最关注那个键和它的查询最相配（点积最大）的词：{pairs}。",
                "Mỗi từ chú ý nhiều nhất đến từ có khóa khớp nhất với truy vấn của nó (tích vô hướng lớn nhất): {pairs}.",
                pairs=pairs)]
    outline = Outline(trace)
    outline.add(0, say("Queries: Q = W_Q·X", "查詢：Q = W_Q·X", "查询：Q = W_Q·X", "Truy vấn: Q = W_Q·X"))
    outline.add(first(trace, "attn.K"), say("Keys: K = W_K·X", "鍵：K = W_K·X", "键：K = W_K·X", "Khóa: K = W_K·X"))
    outline.add(first(trace, "attn.V"), say("Values: V = W_V·X", "值：V = W_V·X", "值：V = W_V·X", "Giá trị: V = W_V·X"))
    outline.add(first(trace, "attn.Q_rows"), say("Tokens turned to rows", "把詞轉成列", "把词转成行", "Chuyển các từ thành hàng"), "skip")
    outline.add(trace.step("attn").id, say("Scores QᵀK ÷ √d_k", "分數 QᵀK ÷ √d_k", "分数 QᵀK ÷ √d_k", "Điểm số QᵀK ÷ √d_k"))
    softmax = outline.add(first(trace, "attn.weights"), say("Softmax, row by row: e^x, Σ, divide", "逐列 softmax：e^x、Σ、相除",
                                                            "逐行 softmax：e^x、Σ、相除", "Softmax từng hàng: e^x, Σ, chia"))
    outline.add(first(trace, "attn.mix"), say("The weighted sum of the values", "值的加權和", "值的加权和", "Tổng có trọng số của các giá trị"))
    plots = [heatmap(trace, trace.step("attn.weights").outputs[0], say(
        "Attention weights: {q} attends most to {k} ({w})", "注意力權重：{q} 最關注 {k}（{w}）", "注意力权重：{q} 最关注 {k}（{w}）",
        "Trọng số attention: {q} chú ý nhiều nhất đến {k} ({w})", q=query, k=key, w=num(P[q, k])), after=softmax)]
    plots[0].highlight = [tokens[q]]
    if maybe(trace, "after.attn.weights") is not None:
        after = _weights(trace, "after.attn.weights")
        outline.add(first(trace, "train.0"), say("Training: the same pass again", "訓練：再走一遍", "训练：再走一遍",
                                                 "Huấn luyện: chạy lại lượt xuôi"), "skip")
        outline.add(first(trace, "train.0.loss"), say("The loss", "損失", "损失", "Hàm mất mát"))
        outline.add(first(trace, "train.0", "backward"), say("The gradient back through the softmax", "梯度反向傳過 softmax",
                                                             "梯度反向传过 softmax", "Gradient ngược qua softmax"), "summary")
        outline.add(first(trace, "train.0", "update"), say("One SGD step: W ← W − η·dW", "一步 SGD：W ← W − η·dW",
                                                           "一步 SGD：W ← W − η·dW", "Một bước SGD: W ← W − η·dW"))
        outline.add(first(trace, "after"), say("Attention again, after the step", "更新後再算一次注意力", "更新后再算一次注意力",
                                               "Tính lại attention sau bước cập nhật"), "summary")
        moved = dict(q=query, k=key, a=num(P[q, k]), b=num(after[q, k]))
        plots.append(heatmap(trace, trace.step("after.attn.weights").outputs[0], say(
            "After one SGD step: {q} → {k} {a} → {b}", "一步 SGD 之後：{q} → {k} 從 {a} 變成 {b}", "一步 SGD 之后：{q} → {k} 从 {a} 变成 {b}",
            "Sau một bước SGD: {q} → {k} từ {a} thành {b}", **moved)))
        plots[-1].highlight = [tokens[q]]
        told.append(say("One SGD step moves {q} → {k} from {a} to {b}.", "一步 SGD 把 {q} → {k} 從 {a} 變成 {b}。",
                        "一步 SGD 把 {q} → {k} 从 {a} 变成 {b}。", "Một bước SGD đổi {q} → {k} từ {a} thành {b}.", **moved))
    trace.meta["attends_to"] = {tokens[i]: {"token": tokens[j], "weight": float(P[i, j])} for i, j in enumerate(top)}
    trace.meta["summary"] = ["attends most to: " + ", ".join(f"{tokens[i]} → {tokens[j]} {num(P[i, j])}" for i, j in enumerate(top))]
    for plot in plots:  # queries down, keys across
        plot.x_label, plot.y_label = KEY, QUERY
    return tell(trace, outline,
                title=say("Self-attention over {s}", "{s} 的自注意力", "{s} 的自注意力", "Tự chú ý trên {s}",
                          s=per_language(lambda lang: (" " if lang == "en" else "").join(words[lang]))),
                question=say("Which word does each word attend to?", "每個詞最關注哪個詞？", "每个词最关注哪个词？", "Mỗi từ chú ý đến từ nào?"),
                plots=plots, recap=sentences(*told))
