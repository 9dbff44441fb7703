"""The stories of self-attention (on the seed's sentence), multi-head attention, the transformer block
and positional encoding."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from tracer.story import Plot, Story, Text
from tracer.trace import Trace

from . import (ATTENDS, Outline, first, heatmap, in_words, listing, maybe, meeting, num, output, per_language, say,
               sentences, shown, tell, vector)
from .tokens import before_chinese, joined, quoted


def _heads(outline: Outline, trace: Trace, scope: str, heads: int) -> list[Plot]:
    """Head 1 worked in full (its K and V fast: Q's product again), the other heads fast (the same
    computation, other weights); each head's attention pattern as a heat map after its chapter."""
    title = say("Head 1: Q, K, V, scores, softmax, mix", "第 1 個頭：Q、K、V、分數、softmax、加權",
                "第 1 个头：Q、K、V、分数、softmax、加权", "Đầu 1: Q, K, V, điểm, softmax, trộn")
    told = [outline.add(first(trace, f"{scope}.head1"), title, pause=False)]
    key = first(trace, f"{scope}.head1.K")   # K and V: Q's product again, with their own weights
    outline.add(key, say("K and V: the same product as Q, with their own weights", "K 與 V：和 Q 一樣的乘積，各用自己的權重",
                         "K 与 V：和 Q 一样的乘积，各用自己的权重", "K và V: cùng phép nhân như Q, trọng số riêng"), "summary", 2,
                pause=False)
    value = first(trace, f"{scope}.head1.V")
    told = [outline.add(next(s.id for s in trace.steps[value + 1:] if s.parent is None), title)]
    if heads > 1:
        told.append(outline.add(first(trace, f"{scope}.head2"), say(
            "The other heads: the same, with their own weights", "其他的頭：同樣的計算，各用自己的權重",
            "其他的头：同样的计算，各用自己的权重", "Các đầu còn lại: cùng phép tính, trọng số riêng"), "summary", heads - 1))
    plots = [heatmap(trace, output(trace, f"{scope}.head{h}.weights"), say(
        f"Head {h}: who attends to whom (queries down, keys across)", f"第 {h} 個頭：誰注意誰（查詢在左，鍵在上）",
        f"第 {h} 个头：谁注意谁（查询在左，键在上）", f"Đầu {h}: ai chú ý đến ai (truy vấn dọc, khóa ngang)"),
        after=told[min(h, 2) - 1], note=ATTENDS) for h in range(1, heads + 1)]
    outline.add(first(trace, f"{scope}.concat") if heads > 1 else first(trace, f"{scope}.out"),
                say("Stack the heads and mix them with W_O", "把各個頭疊起來，用 W_O 混合", "把各个头叠起来，用 W_O 混合",
                    "Xếp các đầu lại và trộn bằng W_O"))
    return plots


HEAD = say("head {h}: ", "第 {h} 個頭：", "第 {h} 个头：", "đầu {h}: ")


def _attends(trace: Trace, plots: list[Plot]) -> Text:
    """``once → a (0.52)``, ``「once」→「a」（0.52）``: the key each query attends to most, per head, as the recap says it (each
    weight as the head's heat map writes it)."""
    def rows(lang: str, plot: Plot) -> list[str]:
        w = np.asarray(trace.tensors[plot.tensor].data)
        pair = "{}→{}（{}）" if lang.startswith("zh") else "{} → {} ({})"   # 「once」→「a」（0.52）
        return [pair.format(quoted(q, lang), quoted(plot.cols[int(np.argmax(r))], lang), shown(r.max(), w))
                for q, r in zip(plot.labels, w)]
    return {lang: ("；" if lang.startswith("zh") else "; ").join(
        HEAD[lang].format(h=h) + listing(rows(lang, p), lang) for h, p in enumerate(plots, start=1)) for lang in HEAD}


BACK_AGAIN = say("Back through the scores, {p} and the other heads: the same", "反向傳過分數、{p} 與其他的頭：同樣的計算",
                 "反向传过分数、{p} 与其他的头：同样的计算", "Ngược qua điểm số, {p} và các đầu còn lại: cùng phép tính")
W1_AGAIN = say("Back through W1: the same product as W2's", "反向傳過 W1：和 W2 一樣的乘積", "反向传过 W1：和 W2 一样的乘积",
               "Ngược qua W1: cùng phép nhân như của W2")
RESIDUAL = say("The residual: {x}'s gradient comes back two ways, added", "殘差：{x} 的梯度從兩條路傳回來，相加",
               "残差：{x} 的梯度从两条路传回来，相加", "Phần dư: gradient của {x} về theo hai đường, cộng lại")
LN_AGAIN = say("Back through the first layer norm and residual, and W_O: the same",
               "反向傳過第一個層正規化與殘差，以及 W_O：同樣的計算", "反向传过第一个层归一化与残差，以及 W_O：同样的计算",
               "Ngược qua chuẩn hóa lớp và phần dư đầu tiên, và W_O: cùng phép tính")
BACK_HEADS = say("Back through the stacked heads", "反向傳過疊起來的各個頭", "反向传过叠起来的各个头", "Ngược qua các đầu đã xếp")


def _training(outline: Outline, trace: Trace, steps: int, block: bool = False) -> None:
    """One training step (its forward pass told already): the gradient back through the first head
    it reaches worked in full up to its softmax and scale (the scores' product and the projections
    V, K, Q repeat products worked already), back through them and the other heads summarised (in
    a ``block``, back through W1, the first residual and layer norm and W_O too: W2's product and
    the second's were worked just before; but where the residual's two gradients meet, the sum is
    worked in full)."""
    if not steps:
        return
    heads = [(s.id, s.name.split(".attn.", 1)[1].split(".")[0]) for s in trace.steps
             if s.phase == "backward" and s.name.startswith("train.0.") and ".attn.head" in s.name]
    order = list(dict.fromkeys(h for _, h in heads))
    inside = []
    if block:
        pre = first(trace, "train.0.blocks.0.mlp.pre", "backward")
        residual = meeting(trace, pre, inside=True)   # N's two gradients, through W1 and past it
        shared = trace.tensors[trace.steps[residual].attrs["tensor"]].name
        inside += [(pre, W1_AGAIN, "summary", 1), (residual, say(*RESIDUAL.values(), x=shared), "full", 1),
                   (first(trace, "train.0.blocks.0.ln1", "backward", after=residual), LN_AGAIN, "summary", 1),
                   (first(trace, "train.0.blocks.0.attn.concat", "backward"), BACK_HEADS, "full", 1)]
    if len(order) > 1:
        mine = [trace.steps[i] for i, h in heads if h == order[0]]
        projections = [s for s in mine if s.parent is None and s.op == "linear"]
        names = per_language(lambda lang: listing([s.name.split(".")[-2] for s in projections], lang))
        start = next(s.id for s in mine if s.name.endswith(".scores.grad"))
        inside.append((start, say(*BACK_AGAIN.values(), p=names), "summary", len(order) - 1))
    outline.training("train", 0, steps, told=True, inside=inside)


def multi_head_attention(trace: Trace, heads: int) -> Story:
    """Head 1 in full, the other heads fast, W_O; then one training step (its forward pass fast)."""
    outline = Outline(trace)
    plots = _heads(outline, trace, "attn", heads)
    _training(outline, trace, len(trace.meta["loss_history"]))
    who = _attends(trace, plots)
    return tell(trace, outline,
                title=say("Multi-head attention", "多頭注意力", "多头注意力", "Attention nhiều đầu"),
                question=say("What does each head look at?", "每個頭各自看什麼？", "每个头各自看什么？",
                             "Mỗi đầu nhìn vào đâu?"),
                plots=plots,
                recap=say(f"Each token attends most to — {who['en']}. Every head weighs the tokens its own way; "
                          "W_O mixes their outputs into one vector per token.",
                          f"每個詞最注意的詞如下。{who['zh-Hant']}。每個頭用自己的方式衡量各個詞；W_O 把它們的輸出混成每個詞一個向量。",
                          f"每个词最注意的词如下。{who['zh-Hans']}。每个头用自己的方式衡量各个词；W_O 把它们的输出混成每个词一个向量。",
                          f"Mỗi từ chú ý nhiều nhất đến — {who['vi']}. Mỗi đầu cân các từ theo cách "
                          "riêng; W_O trộn đầu ra của chúng thành một vectơ cho mỗi từ."))


def transformer_block(trace: Trace, heads: int) -> Story:
    """Attention (head 1 in full), residual and layer norm, the feed-forward layer, the second
    residual and layer norm fast; then one training step."""
    outline = Outline(trace)
    plots = _heads(outline, trace, "blocks.0.attn", heads)
    outline.add(first(trace, "blocks.0.resid_mid"), say("Residual X + attention, then layer norm", "殘差 X + 注意力，再做層正規化",
                                                         "残差 X + 注意力，再做层归一化", "Phần dư X + attention, rồi chuẩn hóa lớp"))
    outline.add(first(trace, "blocks.0.mlp"), say("Feed-forward: W2·ReLU(W1·N + b1) + b2", "前饋層：W2·ReLU(W1·N + b1) + b2",
                                                  "前馈层：W2·ReLU(W1·N + b1) + b2", "Lớp truyền thẳng: W2·ReLU(W1·N + b1) + b2"))
    again = say("W2's product, residual and layer norm again", "W2 的乘積、再一次殘差與層正規化", "W2 的乘积、再一次残差与层归一化",
                "Tích của W2, lại phần dư và chuẩn hóa lớp")
    if trace.meta["loss_history"]:   # and the training pass's forward, the same: one fast-forward
        again = say("W2's product, residual and layer norm again; then training: the same forward pass",
                    "W2 的乘積、再一次殘差與層正規化；接著訓練：同樣的前向傳播", "W2 的乘积、再一次残差与层归一化；接着训练：同样的前向传播",
                    "Tích của W2, lại phần dư và chuẩn hóa lớp; rồi huấn luyện: cùng lượt xuôi")
    normed = outline.add(first(trace, "blocks.0.mlp.out"), again, "summary")   # W1's product was worked just before
    _training(outline, trace, len(trace.meta["loss_history"]), block=True)
    out = np.asarray(trace.tensors[output(trace, "blocks.0.ln2")].data)
    mean, var = num(round(float(np.abs(out.mean(axis=0)).max()), 2)), num(round(float(out.var(axis=0).mean()), 2))
    return tell(trace, outline,
                title=say("A transformer block", "一個 Transformer 區塊", "一个 Transformer 块", "Một khối Transformer"),
                question=say("What happens to each token's vector inside a block?", "每個詞的向量在區塊裡經歷了什麼？",
                             "每个词的向量在块里经历了什么？", "Vectơ của mỗi từ trải qua những gì trong một khối?"),
                plots=plots + [heatmap(trace, output(trace, "blocks.0.ln2"), say(
                    "The block's output: every token's column at mean {m}, variance {v}", "區塊的輸出：每個詞那一行的平均 {m}、變異數 {v}",
                    "块的输出：每个词那一列的均值 {m}、方差 {v}", "Đầu ra của khối: cột của mỗi từ có trung bình {m}, phương sai {v}",
                    m=mean, v=var), after=normed)],   # the result it closes on
                recap=say(f"Attention mixes the tokens, {heads} heads each its own way; the feed-forward layer then changes "
                          f"each token on its own; the residuals keep the input flowing and the layer norms bring every "
                          f"token's column to mean {mean}, variance {var}.",
                          f"注意力把各個詞混在一起，{heads} 個頭各有各的看法；前饋層再各自改變每個詞；殘差讓輸入一路流過，"
                          f"層正規化讓每個詞那一行的平均變成 {mean}、變異數變成 {var}。",
                          f"注意力把各个词混在一起，{heads} 个头各有各的看法；前馈层再各自改变每个词；残差让输入一路流过，"
                          f"层归一化让每个词那一列的均值变成 {mean}、方差变成 {var}。",
                          f"Attention trộn các từ, {heads} đầu mỗi đầu một cách; lớp truyền thẳng rồi biến đổi từng từ "
                          f"riêng; phần dư giữ dòng đầu vào và chuẩn hóa lớp đưa cột của mỗi từ về trung bình {mean}, "
                          f"phương sai {var}."))


TABLE_CHAPTERS = (
    ("pos.rates", say("The frequencies: base^(2i/d)", "頻率：base^(2i/d)", "频率：base^(2i/d)", "Tần số: base^(2i/d)")),
    ("pos.angles", say("The angles t / base^(2i/d)", "角度 t / base^(2i/d)", "角度 t / base^(2i/d)", "Các góc t / base^(2i/d)")),
    ("pos.sin", say("sin on even rows, cos on odd rows", "偶數列取 sin，奇數列取 cos", "偶数行取 sin，奇数行取 cos",
                    "sin ở hàng chẵn, cos ở hàng lẻ")),
    ("X_pos", say("Add the positions to the embeddings", "把位置加到嵌入上", "把位置加到嵌入上", "Cộng vị trí vào embedding")),
)


def positional_encoding(trace: Trace) -> Story:
    """The table built once in full; the sentence's lookup, its table fast, and the sum that tells
    the twin words apart."""
    outline = Outline(trace)
    last = outline.each(TABLE_CHAPTERS)
    plots = [heatmap(trace, output(trace, "pos.PE"), say("The position table PE", "位置表 PE", "位置表 PE", "Bảng vị trí PE"),
                     after=last)]
    recap = say("Every position gets its own pattern of sines and cosines, added to the token's embedding: the same "
                "word at two places becomes two different vectors.",
                "每個位置都有自己的一組正弦與餘弦，加到詞的嵌入上：同一個詞在兩個位置就成了兩個不同的向量。",
                "每个位置都有自己的一组正弦与余弦，加到词的嵌入上：同一个词在两个位置就成了两个不同的向量。",
                "Mỗi vị trí có một mẫu sin và cos riêng, cộng vào embedding của từ: cùng một từ ở hai chỗ thành "
                "hai vectơ khác nhau.")
    if trace.meta.get("sentence"):
        text = joined(trace.meta["sentence"])
        outline.add(first(trace, "sentence"), say(f"{text}: look the words up", f"{text}：查出每個詞的嵌入",
                                                  f"{text}：查出每个词的嵌入", f"{text}: tra embedding của từng từ"))
        outline.add(first(trace, "sentence.pos"), say("The same position table, for its positions", "同樣的位置表，換成它的位置",
                                                      "同样的位置表，换成它的位置", "Cùng bảng vị trí, cho các vị trí của câu"),
                    "summary")
        last = outline.add(first(trace, "sentence.X_pos"), say("Add the positions: a word that comes twice parts ways",
                                                               "加上位置：出現兩次的詞分開了", "加上位置：出现两次的词分开了",
                                                               "Cộng vị trí: từ xuất hiện hai lần tách ra"))
        plots.append(heatmap(trace, output(trace, "sentence.X_pos"), say("The sentence with its positions",
                                                                           "加上位置之後的句子", "加上位置之后的句子",
                                                                           "Câu sau khi cộng vị trí"), after=last))
        recap = _twins(trace) or recap
    return tell(trace, outline,
                title=say("Positional encoding", "位置編碼", "位置编码", "Mã hóa vị trí"),
                question=_question(trace.meta.get("sentence") or []),
                plots=plots, recap=recap)


def _twins(trace: Trace) -> Text | None:
    """The recap of a word that comes back: one embedding before, two vectors after."""
    tokens = trace.meta["sentence"]
    twin = next((t for k, t in enumerate(tokens) if t in tokens[k + 1:]), None)
    if twin is None:
        return None
    i, j = tokens.index(twin), tokens.index(twin, tokens.index(twin) + 1)
    X, Y = (trace.tensors[output(trace, name)] for name in ("sentence.X", "sentence.X_pos"))
    x, y = np.asarray(X.data), np.asarray(Y.data)
    PE = trace.tensors[output(trace, "sentence.pos.PE")]
    where = (PE.labels or (None, None))[-1] or [f"t={k}" for k in range(len(tokens))]
    same, a, b, p, q = vector(x[:, i], x), vector(y[:, i], y), vector(y[:, j], y), where[i], where[j]
    return say(f"{twin} comes twice and looks up the same embedding {same}; adding the positions gives {a} at {p} "
               f"and {b} at {q}: now the model can tell them apart.",
               f"「{twin}」出現兩次，查到同一個嵌入 {same}；加上位置後，{p} 的是 {a}，{q} 的是 {b}：模型現在分得出它們了。",
               f"「{twin}」出现两次，查到同一个嵌入 {same}；加上位置后，{p} 的是 {a}，{q} 的是 {b}：模型现在分得出它们了。",
               f"{twin} xuất hiện hai lần và tra ra cùng embedding {same}; cộng vị trí cho {a} ở {p} và {b} ở {q}: "
               "giờ mô hình phân biệt được chúng.")


def _question(tokens: list[str]) -> Text:
    twin = next((t for k, t in enumerate(tokens) if t in tokens[k + 1:]), None)
    if twin is None:
        return say("How does a model know where each word is?", "模型怎麼知道每個詞在哪裡？", "模型怎么知道每个词在哪里？",
                   "Làm sao mô hình biết mỗi từ nằm ở đâu?")
    text = joined(tokens)
    return say(f"In {text}, which {twin} is which?", f"{text}：哪個「{twin}」是哪個？", f"{text}：哪个「{twin}」是哪个？",
               f"Trong {text}, {twin} nào là {twin} nào?")

BACK_ATTENTION = say("The gradient back through the weighted sum, the softmax and the scores",
                     "梯度反向傳過加權和、softmax 與分數", "梯度反向传过加权和、softmax 与分数",
                     "Gradient ngược qua tổng có trọng số, softmax và điểm số")
BACK_PROJECTIONS = say("Back to columns; dW_V and dW_K: the same product as dW_Q, next",
                       "轉回行；dW_V 與 dW_K：和接下來的 dW_Q 一樣的乘積", "转回列；dW_V 与 dW_K：和接下来的 dW_Q 一样的乘积",
                       "Trở lại cột; dW_V và dW_K: cùng phép nhân như dW_Q ngay sau")
BACK_QUERY = say("dW_Q = dQ·Xᵀ: the gradient the update uses", "dW_Q = dQ·Xᵀ：更新要用的梯度", "dW_Q = dQ·Xᵀ：更新要用的梯度",
                 "dW_Q = dQ·Xᵀ: gradient dùng để cập nhật")


def _back_through_attention(outline: Outline, trace: Trace) -> None:
    """The backward pass of one head: the loss's gradient back through the weighted sum (a
    product's two gradients), the softmax, the scale and the scores' product worked in full; the
    transposes back and the projections V and K fast (×2: dW = dY·Xᵀ, worked next for Q); then
    dW_Q, which the update after it reads."""
    outline.add(first(trace, "train.0", "backward"), BACK_ATTENTION)
    outline.add(first(trace, "train.0.attn.K_T", "backward"), BACK_PROJECTIONS, "summary", 2)
    outline.add(first(trace, "train.0.attn.Q", "backward"), BACK_QUERY)


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
    named = {lang: [quoted(w, lang) for w in ws] for lang, ws in words.items()}   # 「蘋果」最關注「吃」
    query, key = per_language(lambda lang: named[lang][q]), per_language(lambda lang: named[lang][k])
    pair = {lang: "{}→{}（{}）" if lang.startswith("zh") else "{} → {} {}" for lang in words}
    pairs = per_language(lambda lang: ("；" if lang.startswith("zh") else ", ").join(
        pair[lang].format(named[lang][i], named[lang][j], shown(P[i, j], P)) for i, j in enumerate(top)))
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
        "Attention weights: {q} attends most to {k} ({w})", "注意力權重：{q}最關注{k}（{w}）", "注意力权重：{q}最关注{k}（{w}）",
        "Trọng số attention: {q} chú ý nhiều nhất đến {k} ({w})", q=query, k=key, w=shown(P[q, k], P)), after=softmax, note=ATTENDS)]
    plots[0].highlight = [tokens[q]]
    if maybe(trace, "after.attn.weights") is not None:
        after = _weights(trace, "after.attn.weights")
        outline.add(first(trace, "train.0"), say("Training: the same pass again", "訓練：再走一遍", "训练：再走一遍",
                                                 "Huấn luyện: chạy lại lượt xuôi"), "summary")
        outline.add(first(trace, "train.0.loss"), say("The loss", "損失", "损失", "Hàm mất mát"))
        _back_through_attention(outline, trace)
        outline.add(first(trace, "train.0", "update"), say("One SGD step: W ← W − η·dW", "一步 SGD：W ← W − η·dW",
                                                           "一步 SGD：W ← W − η·dW", "Một bước SGD: W ← W − η·dW"))
        outline.add(first(trace, "after"), say("Attention again, after the step", "更新後再算一次注意力", "更新后再算一次注意力",
                                               "Tính lại attention sau bước cập nhật"), "summary")
        moved = dict(q=query, k=key, a=shown(P[q, k], P), b=shown(after[q, k], after))
        plots.append(heatmap(trace, trace.step("after.attn.weights").outputs[0], say(
            "After one SGD step: {q} → {k} {a} → {b}", "一步 SGD 之後：{q}→{k}從 {a} 變成 {b}", "一步 SGD 之后：{q}→{k}从 {a} 变成 {b}",
            "Sau một bước SGD: {q} → {k} từ {a} thành {b}", **moved), note=ATTENDS))
        plots[-1].highlight = [tokens[q]]
        told.append(say("One SGD step moves {q} → {k} from {a} to {b}.", "一步 SGD 把{q}→{k}的權重從 {a} 變成 {b}。",
                        "一步 SGD 把{q}→{k}的权重从 {a} 变成 {b}。", "Một bước SGD đổi {q} → {k} từ {a} thành {b}.", **moved))
    trace.meta["attends_to"] = {tokens[i]: {"token": tokens[j], "weight": float(P[i, j])} for i, j in enumerate(top)}
    trace.meta["summary"] = ["attends most to: " + ", ".join(f"{tokens[i]} → {tokens[j]} {shown(P[i, j], P)}" for i, j in enumerate(top))]
    for plot in plots:  # queries down, keys across
        plot.x_label, plot.y_label = KEY, QUERY
    return tell(trace, outline,
                title=say("Self-attention over {s}", "{s}的自注意力", "{s}的自注意力", "Tự chú ý trên {s}",
                          s=per_language(lambda lang: " ".join(words[lang]) if lang == "en"
                                         else before_chinese(joined(words[lang])) if lang.startswith("zh")
                                         else joined(words[lang]))),
                question=say("Which word does each word attend to?", "每個詞最關注哪個詞？", "每个词最关注哪个词？", "Mỗi từ chú ý đến từ nào?"),
                plots=plots, recap=sentences(*told),
                closing=0)   # the map its recap reads each word's strongest key from (before the SGD step)
