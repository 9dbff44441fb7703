"""How self_attention tells its result: Q, K and V each worked once, the scores, the softmax row by
row and the weighted sum; the SGD step; the attention weights as heat maps with the tokens on both
axes (before and after the step), and which word attends to which, in four languages."""
from __future__ import annotations

import numpy as np

from tracer.story import Chapter, Plot, Story
from tracer.trace import Trace

from .narrative import LANGS, glossed, joined, langs, num, span, t4


def _weights(trace: Trace, step: str) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[0]].data)  # (T, T): rows are queries


def attention_story(trace: Trace, tokens: list[str], glosses: list[str]) -> None:
    """``trace.meta["story"]``, ``["attends_to"]`` and ``["summary"]`` of a one-head attention trace
    recorded under ``attn`` (training under ``train.0``, the pass after it under ``after``)."""
    P = _weights(trace, "attn.weights")
    top = [int(np.argmax(row)) for row in P]
    q = int(np.argmax([P[i, k] for i, k in enumerate(top)]))  # the strongest pair, marked on the map
    k = top[q]
    names = {"en": glossed(tokens, glosses)} | {lang: list(tokens) for lang in LANGS[1:]}
    pairs = langs(lambda lang: ("；" if lang.startswith("zh") else ", ").join(
        f"{names[lang][i]} → {names[lang][j]} {num(P[i, j])}" for i, j in enumerate(top)))
    parts = [t4("Each word attends most to the word whose key best matches its query (the largest dot product): {pairs}.",
                "每個詞最關注那個鍵和它的查詢最相配（點積最大）的詞：{pairs}。",
                "每个词最关注那个键和它的查询最相配（点积最大）的词：{pairs}。",
                "Mỗi từ chú ý nhiều nhất đến từ có khóa khớp nhất với truy vấn của nó (tích vô hướng lớn nhất): {pairs}.",
                pairs=pairs)]
    pair = {lang: (names[lang][q], names[lang][k]) for lang in LANGS}
    chapters = [
        Chapter(t4("Queries: Q = W_Q·X", "查詢：Q = W_Q·X", "查询：Q = W_Q·X", "Truy vấn: Q = W_Q·X"), span(trace, "attn.Q")),
        Chapter(t4("Keys: K = W_K·X", "鍵：K = W_K·X", "键：K = W_K·X", "Khóa: K = W_K·X"), span(trace, "attn.K")),
        Chapter(t4("Values: V = W_V·X", "值：V = W_V·X", "值：V = W_V·X", "Giá trị: V = W_V·X"), span(trace, "attn.V")),
        Chapter(t4("Tokens turned to rows", "把詞轉成列", "把词转成行", "Chuyển các từ thành hàng"),
                (span(trace, "attn.Q_rows")[0], span(trace, "attn.V_rows")[1]), "skip"),
        Chapter(t4("Scores QᵀK ÷ √d_k", "分數 QᵀK ÷ √d_k", "分数 QᵀK ÷ √d_k", "Điểm số QᵀK ÷ √d_k"),
                (trace.step("attn").id, trace.step("attn.scaled").id)),
        Chapter(t4("Softmax, row by row: e^x, Σ, divide", "逐列 softmax：e^x、Σ、相除", "逐行 softmax：e^x、Σ、相除",
                   "Softmax từng hàng: e^x, Σ, chia"), span(trace, "attn.weights")),
        Chapter(t4("The weighted sum of the values", "值的加權和", "值的加权和", "Tổng có trọng số của các giá trị"),
                (trace.step("attn.mix").id, span(trace, "attn.z")[1]))]
    plots = [Plot("heatmap", t4("Attention weights: {q} attends most to {k} ({w})", "注意力權重：{q} 最關注 {k}（{w}）",
                                "注意力权重：{q} 最关注 {k}（{w}）", "Trọng số attention: {q} chú ý nhiều nhất đến {k} ({w})",
                                q=langs(lambda lang: pair[lang][0]), k=langs(lambda lang: pair[lang][1]), w=num(P[q, k])),
                  t4("key", "鍵", "键", "khóa"), t4("query", "查詢", "查询", "truy vấn"), labels=list(tokens), cols=list(tokens),
                  highlight=[tokens[q]], tensor=trace.step("attn.weights").outputs[0], after=len(chapters) - 2)]
    if any(s.name == "after.attn.weights" for s in trace.steps):
        after = _weights(trace, "after.attn.weights")
        chapters += [
            Chapter(t4("Training: the same pass again", "訓練：再走一遍", "训练：再走一遍", "Huấn luyện: chạy lại lượt xuôi"),
                    span(trace, "train.0.attn", "forward"), "skip"),
            Chapter(t4("The loss", "損失", "损失", "Hàm mất mát"), span(trace, "train.0.loss", "forward")),
            Chapter(t4("The gradient back through the softmax", "梯度反向傳過 softmax", "梯度反向传过 softmax",
                       "Gradient ngược qua softmax"), span(trace, "train.0", "backward"), "summary"),
            Chapter(t4("One SGD step: W ← W − η·dW", "一步 SGD：W ← W − η·dW", "一步 SGD：W ← W − η·dW", "Một bước SGD: W ← W − η·dW"),
                    span(trace, "train.0", "update")),
            Chapter(t4("Attention again, after the step", "更新後再算一次注意力", "更新后再算一次注意力", "Tính lại attention sau bước cập nhật"),
                    span(trace, "after"), "summary")]
        plots.append(Plot("heatmap", t4("After one SGD step: {q} → {k} {a} → {b}", "一步 SGD 之後：{q} → {k} 從 {a} 變成 {b}",
                                        "一步 SGD 之后：{q} → {k} 从 {a} 变成 {b}", "Sau một bước SGD: {q} → {k} từ {a} thành {b}",
                                        q=langs(lambda lang: pair[lang][0]), k=langs(lambda lang: pair[lang][1]),
                                        a=num(P[q, k]), b=num(after[q, k])),
                          t4("key", "鍵", "键", "khóa"), t4("query", "查詢", "查询", "truy vấn"), labels=list(tokens),
                          cols=list(tokens), highlight=[tokens[q]], tensor=trace.step("after.attn.weights").outputs[0]))
        parts.append(t4("One SGD step moves {q} → {k} from {a} to {b}.", "一步 SGD 把 {q} → {k} 從 {a} 變成 {b}。",
                        "一步 SGD 把 {q} → {k} 从 {a} 变成 {b}。", "Một bước SGD đổi {q} → {k} từ {a} thành {b}.",
                        q=langs(lambda lang: pair[lang][0]), k=langs(lambda lang: pair[lang][1]), a=num(P[q, k]), b=num(after[q, k])))
    sentence = "".join(tokens)
    story = Story(
        t4("Self-attention over {s}", "{s} 的自注意力", "{s} 的自注意力", "Tự chú ý trên {s}", s=(" ".join(names["en"]),) + (sentence,) * 3),
        t4("Which word does each word attend to?", "每個詞最關注哪個詞？", "每个词最关注哪个词？", "Mỗi từ chú ý đến từ nào?"),
        chapters, plots, joined(parts))
    trace.meta["story"] = story.to_meta()
    trace.meta["attends_to"] = {tokens[i]: {"token": tokens[j], "weight": float(P[i, j])} for i, j in enumerate(top)}
    trace.meta["summary"] = ["attends most to: " + ", ".join(f"{tokens[i]} → {tokens[j]} {num(P[i, j])}" for i, j in enumerate(top))]
