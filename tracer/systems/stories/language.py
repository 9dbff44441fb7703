"""The stories of the language models: next-token (words or characters) and masked-token prediction."""
from __future__ import annotations

import numpy as np

from tracer.i18n import LANGUAGES
from tracer.story import Plot, Story, Text
from tracer.trace import Trace

from . import ATTENDS, Outline, first, heatmap, listing, loss_curve, output, prob, say, tell

TOKENS_TO_VECTORS = say("Tokens → vectors: embedding + positions", "詞 → 向量：嵌入 + 位置", "词 → 向量：嵌入 + 位置",
                        "Từ → vectơ: embedding + vị trí")
ATTENTION_PART = say("The transformer block: attention", "Transformer 區塊：注意力", "Transformer 块：注意力",
                     "Khối Transformer: attention")
REST_OF_BLOCK = say("The transformer block: residual, layer norm, feed-forward", "Transformer 區塊：殘差、層正規化、前饋層",
                    "Transformer 块：残差、层归一化、前馈层", "Khối Transformer: phần dư, chuẩn hóa lớp, truyền thẳng")
ATTENTION = say("Attention: who looks at whom (queries down, keys across)", "注意力：誰看誰（查詢在左，鍵在上）",
                "注意力：谁看谁（查询在左，键在上）", "Attention: ai nhìn ai (truy vấn dọc, khóa ngang)")
LOSS = say("Training loss (the training ran before the recording)", "訓練損失（訓練在記錄之前跑完）",
           "训练损失（训练在记录之前跑完）", "Mất mát huấn luyện (huấn luyện chạy trước khi ghi)")


def _forward(outline: Outline, trace: Trace, scope: str, scores: Text) -> tuple[int, int]:
    """One forward pass in full, in four chapters; returns the index of the block's attention
    chapter (the one that computes the weights: their heat map follows it, not the whole block)
    and the last chapter's."""
    prefix = f"{scope}." if scope else ""
    outline.add(first(trace, f"{prefix}embed"), TOKENS_TO_VECTORS)
    attention = outline.add(first(trace, f"{prefix}blocks.0"), ATTENTION_PART)
    head = trace.step(f"{prefix}blocks.0.attn.head1").id
    outline.add(next(s.id for s in trace.steps[head + 1:] if s.parent is None), REST_OF_BLOCK)   # after its mix
    return attention, outline.add(first(trace, f"{prefix}logits"), scores)


def _bars(trace: Trace, step: str, title: Text, highlight: list[str], after: int) -> Plot:
    """The probabilities a step computed over the vocabulary, a bar per word."""
    tid = output(trace, step)
    words = list((trace.tensors[tid].labels or [None])[0] or trace.meta["vocabulary"])
    p = np.asarray(trace.tensors[tid].data)[:, 0]
    return Plot("bars", title, say("word", "詞", "词", "từ"), say("probability", "機率", "概率", "xác suất"),
                labels=words, values=[float(v) for v in p], highlight=highlight, after=after)


def next_token(trace: Trace) -> Story:
    """The first prediction worked in full; every later one (the next token, the next prompt) fast,
    each with its probability bars."""
    meta = trace.meta
    chars = meta.get("tokenize") == "chars"
    unit = say("character", "字", "字", "ký tự") if chars else say("word", "詞", "词", "từ")
    outline = Outline(trace)
    scores = say(f"Scores over the vocabulary → probabilities → the next {unit['en']}",
                 f"整個詞彙表的分數 → 機率 → 下一個{unit['zh-Hant']}", f"整个词表的分数 → 概率 → 下一个{unit['zh-Hans']}",
                 f"Điểm trên cả bộ từ vựng → xác suất → {unit['vi']} tiếp theo")
    plots: list[Plot] = []
    for p, done in enumerate(meta["completions"]):
        for k, word in enumerate(done["tokens"]):
            scope = f"prompt{p}.generate.{k}"
            if p == 0 and k == 0:
                attention, last = _forward(outline, trace, scope, scores)
                plots.append(heatmap(trace, output(trace, f"{scope}.blocks.0.attn.head1.weights"), ATTENTION, after=attention,
                                     note=ATTENDS))
            else:
                text = _joined(meta["prompt_tokens"][p] + done["tokens"][:k], chars)
                last = outline.add(first(trace, scope), say(
                    f"“{text}” → ?, fast", f"「{text}」→ ？（快轉）", f"「{text}」→ ？（快进）", f"“{text}” → ?, tua nhanh"),
                    "summary")
            plots.append(_bars(trace, f"{scope}.probs", say(
                f"p(next {unit['en']})", f"下一個{unit['zh-Hant']}的機率", f"下一个{unit['zh-Hans']}的概率",
                f"xác suất {unit['vi']} tiếp theo"), [word], last))
    plots.append(loss_curve(meta["loss_history"], steps=meta["loss_steps"], title=LOSS))
    answers = [(_joined(toks, chars), _joined(c["tokens"], chars), [prob(q) for q in c["probabilities"]])
               for toks, c in zip(meta["prompt_tokens"], meta["completions"])]
    what = say("Next-character prediction" if chars else "Next-word prediction", "預測下一個字" if chars else "預測下一個詞",
               "预测下一个字" if chars else "预测下一个词", "Dự đoán ký tự tiếp theo" if chars else "Dự đoán từ tiếp theo")
    first_prompt = answers[0][0]
    return tell(trace, outline, title=what,
                question=say(f"What comes after “{first_prompt}”?", f"「{first_prompt}」後面接什麼？",
                             f"「{first_prompt}」后面接什么？", f"Sau “{first_prompt}” là gì?"),
                plots=plots, closing=1,   # the answer to its question: the first prompt's probabilities
                recap={lang: _answers(answers, lang) for lang in LANGUAGES})


def _answers(answers: list[tuple[str, str, list[str]]], lang: str) -> str:
    """``once upon a → time (p = 0.999)``, one per prompt."""
    if lang.startswith("zh"):
        return "；".join(f"{a} → {b}（p = {listing(q, lang)}）" for a, b, q in answers) + "。"
    return "; ".join(f"{a} → {b} (p = {listing(q, lang)})" for a, b, q in answers) + "."


def _joined(tokens: list[str], chars: bool) -> str:
    return ("" if chars else " ").join(tokens)


def masked_lm(trace: Trace) -> Story:
    """One bidirectional pass in full; the probabilities at [MASK] over the vocabulary."""
    meta = trace.meta
    outline = Outline(trace)
    attention, last = _forward(outline, trace, "", say(
        "Scores at [MASK] → probabilities", "[MASK] 位置的分數 → 機率", "[MASK] 位置的分数 → 概率",
        "Điểm tại [MASK] → xác suất"))
    top = meta["predictions"]
    best = [w for w, _ in top[:2]]
    plots = [heatmap(trace, output(trace, "blocks.0.attn.head1.weights"), ATTENTION, after=attention, note=ATTENDS),
             _bars(trace, "probs", say("p(word at [MASK])", "[MASK] 位置上每個詞的機率", "[MASK] 位置上每个词的概率",
                                       "xác suất của từng từ tại [MASK]"), best, last),
             loss_curve(meta["loss_history"], steps=meta["loss_steps"], title=LOSS)]
    query = meta["query"]
    words = {lang: listing([f"{w} (p = {prob(q)})" if lang == "en" else f"{w}（p = {prob(q)}）" for w, q in top[:2]], lang)
             for lang in ("en", "zh")}
    rest = {lang: listing([w for w, _ in top[2:]], lang) for lang in ("en", "zh")}
    return tell(trace, outline,
                title=say("Masked-word prediction", "預測被遮住的詞", "预测被遮住的词", "Dự đoán từ bị che"),
                question=say(f"Which word fills “{query}”?", f"哪個詞能填入「{query}」？", f"哪个词能填入「{query}」？",
                             f"Từ nào điền vào “{query}”?"),
                plots=plots, closing=1,   # p(word at [MASK])
                recap=say(f"{query} → {words['en']}: reading both sides of [MASK], the model ranks first the words that "
                          f"stood in that place in training; {rest['en']} stay near 0.",
                          f"{query} → {words['zh']}：模型同時讀 [MASK] 的前後，把訓練時站在這個位置的詞排在最前面；"
                          f"{rest['zh']} 都接近 0。",
                          f"{query} → {words['zh']}：模型同时读 [MASK] 的前后，把训练时站在这个位置的词排在最前面；"
                          f"{rest['zh']} 都接近 0。",
                          f"{query} → {words['en']}: đọc cả hai phía của [MASK], mô hình xếp đầu những từ từng đứng ở "
                          f"chỗ đó khi huấn luyện; {rest['en']} gần như bằng 0."))
