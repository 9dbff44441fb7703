"""The stories of the recurrent examples: rnn / lstm / gru (one timestep worked, the others fast,
the hidden state and the gradient per timestep plotted), gradient_through_time (RNN, LSTM and GRU
side by side) and rnn_vs_attention (one token at a time against all at once)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from tracer.story import Plot, Story, Text
from tracer.trace import Trace

from . import TITLES, Outline, first, in_words, later_steps, maybe, num, output, per_language, ratio, say, sentences, shown, tell
from .backprop import through_time
from .tokens import joined, quoted

NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
TIME = say("timestep", "時間步", "时间步", "bước thời gian")
SIZE = say("‖∂L/∂·‖", "‖∂L/∂·‖", "‖∂L/∂·‖", "‖∂L/∂·‖")
ATTENTION = say("attention", "注意力", "注意力", "attention")   # a plot's series and bar
SERIES = {"rnn": "RNN ‖∂L/∂h‖", "lstm": "LSTM ‖∂L/∂h‖", "lstm_cell": "LSTM ‖∂L/∂c‖", "gru": "GRU ‖∂L/∂h‖"}


def unrolled(outline: Outline, scope: str, label: str, T: int, play: str = "full") -> None:
    """Timestep 1 of a pass unrolled under ``scope`` worked in full, the other T − 1 summarised."""
    trace = outline.trace
    outline.add(first(trace, f"{scope}.t0", "forward"), say(
        "{n}: timestep 1, worked in full", "{n}：第 1 個時間步，完整算一遍", "{n}：第 1 个时间步，完整算一遍",
        "{n}: bước thời gian 1, tính đầy đủ", n=label), play)
    if T > 1:
        outline.add(first(trace, f"{scope}.t1", "forward"), say(
            "{n}: timesteps 2–{T}, the same cell", "{n}：第 2–{T} 個時間步，同一個單元", "{n}：第 2–{T} 个时间步，同一个单元",
            "{n}: bước 2–{T}, cùng một ô", n=label, T=T), "summary", T - 1)


# ---- rnn / lstm / gru ---------------------------------------------------------------------------
def recurrent(trace: Trace, kind: str, tokens: Sequence[str], target: float, first_step: int, recorded: int) -> Story:
    """The pass that fills the hidden states, the training step ``first_step`` (backpropagation
    through time), any later ones fast; the hidden state and the gradient per timestep plotted."""
    T, name, meta = len(tokens), NAMES[kind], trace.meta
    train = f"train.{first_step}"
    outline = Outline(trace)
    unrolled(outline, kind, name, T)
    outline.add(first(trace, f"{kind}.y"), say("{n}: the output y", "{n}：輸出 y", "{n}：输出 y", "{n}: đầu ra y", n=name))
    outline.add(first(trace, train), say("{n}: the same pass again, for training", "{n}：為了訓練再走一遍", "{n}：为了训练再走一遍",
                                         "{n}: chạy lại lượt xuôi để huấn luyện", n=name), "summary")
    through_time(outline, f"{train}.{kind}", name, T, f"{train}.loss", gates=kind == "lstm")
    outline.add(first(trace, train, "update"), say("{n}: every weight updated, W ← W − η·dW", "{n}：更新每個權重，W ← W − η·dW",
                                                   "{n}：更新每个权重，W ← W − η·dW", "{n}: cập nhật mọi trọng số, W ← W − η·dW", n=name))
    if recorded > 1:
        outline.add(first(trace, f"train.{first_step + 1}"), later_steps(first_step + 2, first_step + recorded), "summary", recorded - 1)
    trained = maybe(trace, "after")   # the same pass once more: what the training did
    if trained is not None:
        outline.add(trained, TITLES["after"], "summary")
    sizes = meta["gradient_per_timestep"]
    states = np.asarray(meta["hidden_states"])  # (T, hidden)
    h = sizes["‖∂L/∂h_t‖"]
    y = np.asarray(trace.tensors[output(trace, f"{kind}.y")].data)   # y and its target as their grids write them
    loss = maybe(trace, train, family="loss")
    goal = np.asarray(trace.tensors[trace.steps[loss].inputs[1]].data) if loss is not None else np.asarray(target)
    plots = [Plot("lines", say("Hidden state over time", "隱藏狀態隨時間的變化", "隐藏状态随时间的变化", "Trạng thái ẩn theo thời gian"),
                  TIME, say("h", "h", "h", "h"), list(range(1, T + 1)),
                  {f"h[{i}]": states[:, i].tolist() for i in range(states.shape[1])}, after=2),
             Plot("lines", say("Gradient size at every timestep", "每個時間步的梯度大小", "每个时间步的梯度大小",
                               "Độ lớn gradient ở mỗi bước"), TIME, SIZE, list(range(1, T + 1)), sizes, log_y=True)]
    recap = say("The {n} reads {a} to {b} one step at a time and answers y = {y} (target {t}). Backpropagation through "
                "time carries ‖∂L/∂h‖ = {hT} at {b} back to {h1} at {a}.",
                "{n} 一步一步讀過 {a} 到 {b}，輸出 y = {y}（目標 {t}）。沿時間反向傳播把 {b} 的 ‖∂L/∂h‖ = {hT} 傳回 {a}，剩下 {h1}。",
                "{n} 一步一步读过 {a} 到 {b}，输出 y = {y}（目标 {t}）。沿时间反向传播把 {b} 的 ‖∂L/∂h‖ = {hT} 传回 {a}，剩下 {h1}。",
                "{n} đọc từ {a} đến {b} từng bước một và trả lời y = {y} (mục tiêu {t}). Lan truyền ngược theo thời gian "
                "đưa ‖∂L/∂h‖ = {hT} ở {b} về {a} còn {h1}.",
                n=name, a=tokens[0], b=tokens[-1], y=shown(meta["output"], y), t=shown(target, goal), hT=num(h[-1]), h1=num(h[0]))
    if trained is not None:   # the effect of the training, the result the video closes on
        plots.append(_trained(trace, recorded))
        recap = sentences(recap, _trained_recap(trace, kind, recorded))
    return tell(trace, outline,
                title=say("{n} unrolled over {T} steps", "{n} 沿 {T} 個時間步展開", "{n} 沿 {T} 个时间步展开", "{n} trải ra qua {T} bước",
                          n=name, T=T),
                question=say("How does the {n} carry what it read forward, and the gradient back?",
                             "{n} 怎樣把讀過的內容往前帶，又怎樣把梯度傳回去？", "{n} 怎样把读过的内容往前带，又怎样把梯度传回去？",
                             "{n} mang điều đã đọc đi tiếp và đưa gradient ngược lại thế nào?", n=name),
                plots=plots, recap=recap)


BEFORE_AFTER = {"before": say("before", "訓練前", "训练前", "trước"), "after": say("after", "訓練後", "训练后", "sau")}


def _sgd_steps(recorded: int) -> tuple[str, ...]:
    """``one SGD step``, ``3 SGD steps``, as a value for :func:`say`."""
    steps = say("one SGD step", "一步 SGD", "一步 SGD", "một bước SGD") if recorded == 1 else say(
        "{k} SGD steps", "{k} 步 SGD", "{k} 步 SGD", "{k} bước SGD", k=recorded)
    return tuple(steps.values())


def _trained(trace: Trace, recorded: int) -> Plot:
    """The loss before the recorded training and after it (the pass after it computed), as bars."""
    history = trace.meta["loss_history"]
    before, after = num(history[-1 - recorded]), num(history[-1])
    return Plot("bars", say("The loss before and after {s}: {a} → {b}", "{s} 前後的損失：{a} → {b}", "{s} 前后的损失：{a} → {b}",
                            "Mất mát trước và sau {s}: {a} → {b}", s=_sgd_steps(recorded), a=before, b=after),
                y_label=say("loss", "損失", "损失", "mất mát"), labels=["before", "after"],
                values=[history[-1 - recorded], history[-1]], highlight=["after"], names=BEFORE_AFTER)


def _trained_recap(trace: Trace, kind: str, recorded: int) -> Text:
    """What the training did to the answer and the loss, in the run's numbers."""
    history = trace.meta["loss_history"]
    y0, y1 = (np.asarray(trace.tensors[output(trace, name)].data) for name in (f"{kind}.y", f"after.{kind}.y"))
    return say("After {s}, y = {b} (it was {a}): the loss falls from {l0} to {l1}.",
               "{s} 之後，y = {b}（原本是 {a}）：損失從 {l0} 降到 {l1}。", "{s} 之后，y = {b}（原本是 {a}）：损失从 {l0} 降到 {l1}。",
               "Sau {s}, y = {b} (trước đó {a}): mất mát giảm từ {l0} xuống {l1}.",
               s=_sgd_steps(recorded), a=shown(y0.item(), y0), b=shown(y1.item(), y1), l0=num(history[-1 - recorded]), l1=num(history[-1]))


# ---- gradient_through_time ------------------------------------------------------------------------
SAME_X = say("{n}: x₁, the first column of X, as before", "{n}：x₁，X 的第一行，和前面一樣", "{n}：x₁，X 的第一列，和前面一样",
             "{n}: x₁, cột đầu của X, như trước")
# what each later cell runs that the cells before it did not, worked in full; its gates that
# repeat a gate worked already (a product and a squashing, with their own weights) summarised
FORWARD = {
    "lstm": [("hx", "full", 1, say("{n}: [h; x] and the forget gate f = σ(W_f·[h; x] + b_f)",
                                    "{n}：[h；x] 與遺忘門 f = σ(W_f·[h；x] + b_f)", "{n}：[h；x] 与遗忘门 f = σ(W_f·[h；x] + b_f)",
                                    "{n}: [h; x] và cổng quên f = σ(W_f·[h; x] + b_f)")),
             ("z_i", "summary", 3, say("{n}: the other three gates: the same, own weights", "{n}：其餘三個門：同樣的計算，各用自己的權重",
                                        "{n}：其余三个门：同样的计算，各用自己的权重", "{n}: ba cổng còn lại: cùng phép tính, trọng số riêng")),
             ("kept", "full", 1, say("{n}: the cell state c = f·c + i·g", "{n}：細胞狀態 c = f·c + i·g", "{n}：细胞状态 c = f·c + i·g",
                                      "{n}: trạng thái ô c = f·c + i·g"))],
    "gru": [("hx", "summary", 3, say("{n}: [h; x], its gates and candidate: as the LSTM's", "{n}：[h；x]、它的門與候選值：和 LSTM 一樣",
                                      "{n}：[h；x]、它的门与候选值：和 LSTM 一样", "{n}: [h; x], các cổng và ứng viên: như LSTM")),
            ("one_minus_update", "full", 1, say("{n}: h = (1 − u)·h + u·h̃, the old state kept by 1 − u",
                                                 "{n}：h = (1 − u)·h + u·h̃，舊狀態由 1 − u 保留", "{n}：h = (1 − u)·h + u·h̃，旧状态由 1 − u 保留",
                                                 "{n}: h = (1 − u)·h + u·h̃, trạng thái cũ giữ lại theo 1 − u"))],
}
# where the rest of timestep 1 (a product and a sum worked already) joins the timesteps after it,
# and where the gradient's way back into the last timestep is worked from (the steps before it
# repeat products and sums worked already: told with the timesteps)
REST = {"lstm": ("cell_tanh", say("h = o·tanh(c)", "h = o·tanh(c)", "h = o·tanh(c)", "h = o·tanh(c)"), None),
        "gru": ("written", say("u·h̃ and the sum", "u·h̃ 與相加", "u·h̃ 与相加", "u·h̃ và phép cộng"), "kept")}
AND_BACK = say(", and back through them", "，以及反向傳過它們", "，以及反向传过它们", ", và ngược qua chúng")
BACKWARD = {
    "lstm": [("z_o", "summary", 4, say("{n}: back through W_o and the other gates: the same", "{n}：反向傳過 W_o 與其餘的門：同樣的計算",
                                        "{n}：反向传过 W_o 与其余的门：同样的计算", "{n}: ngược qua W_o và các cổng còn lại: cùng phép tính")),
             ("hx", "full", 1, say("{n}: [h; x] split back into h and x", "{n}：[h；x] 拆回 h 與 x", "{n}：[h；x] 拆回 h 与 x",
                                    "{n}: [h; x] tách lại thành h và x"))],
    "gru": [("candidate", "summary", 0, say("{n}: back through its gates and timesteps {k}–1: the same",
                                             "{n}：反向傳過它的門與第 {k} 到第 1 個時間步：同樣的計算",
                                             "{n}：反向传过它的门与第 {k} 到第 1 个时间步：同样的计算",
                                             "{n}: ngược qua các cổng và bước {k}–1: cùng phép tính"))],
}
INTO = say("{n}: the gradient back into timestep {T}, along the cell", "{n}：梯度反向傳回第 {T} 個時間步，沿著單元",
           "{n}：梯度反向传回第 {T} 个时间步，沿着单元", "{n}: gradient ngược về bước {T}, dọc theo ô")


def compared(outline: Outline, kind: str, T: int, before: str) -> None:
    """A cell after the first (``before``): what it runs anew worked in full, its gates that repeat
    one worked already summarised; timesteps 2–T fast; its output and loss, the same as the first
    cell's, fast; backpropagation into timestep T along the cell in full, its other gates fast,
    the other timesteps fast."""
    trace, name = outline.trace, NAMES[kind]
    outline.add(first(trace, f"{kind}.t0", "forward"), say(*SAME_X.values(), n=name), "skip")
    for step, play, repeat, title in FORWARD[kind]:
        outline.at(f"{kind}.t0.{step}", say(*title.values(), n=name), play, repeat)
    rest, what, back = REST[kind]
    outline.at(f"{kind}.t0.{rest}", say("{n}: {r}, timesteps 2–{T}, the output and the loss{b}: as before",
                                        "{n}：{r}、第 2–{T} 個時間步、輸出與損失{b}：和前面一樣",
                                        "{n}：{r}、第 2–{T} 个时间步、输出与损失{b}：和前面一样",
                                        "{n}: {r}, bước 2–{T}, đầu ra và mất mát{b}: như trước", n=name, r=tuple(what.values()),
                                        T=T, b=tuple(AND_BACK.values()) if back else ""), "summary", T - 1)
    last = f"{kind}.t{T - 1}"
    outline.add(first(trace, f"{last}.{back}.grad" if back else last, "backward"), say(*INTO.values(), n=name, T=T))
    for step, play, repeat, title in BACKWARD[kind]:   # repeat 0: the timesteps before, told with it
        outline.add(first(trace, f"{last}.{step}.grad", "backward"), say(*title.values(), n=name, k=T - 1), play,
                    repeat or T - 1)
    if BACKWARD[kind][-1][2]:
        outline.add(first(trace, f"{kind}.t{T - 2}", "backward"), say(
            "{n}: back through timesteps {k}–1", "{n}：反向傳過第 {k} 到第 1 個時間步", "{n}：反向传过第 {k} 到第 1 个时间步",
            "{n}: ngược qua bước {k}–1", n=name, k=T - 1), "summary", T - 1)


def gradient_through_time(trace: Trace, cells: Sequence[str], T: int) -> Story:
    """The first cell: timestep 1 worked, the rest fast, backpropagation through time; each cell
    after it (:func:`compared`) worked where it differs; the gradient's size at every timestep of
    every cell on one log-scale plot."""
    meta = trace.meta
    sizes, best = meta["grad_norm_per_timestep"], meta["carries_furthest"]
    outline = Outline(trace)
    for k, kind in enumerate(cells):
        if k and T > 1 and kind in FORWARD:
            compared(outline, kind, T, cells[0])
            continue
        unrolled(outline, kind, NAMES[kind], T)
        through_time(outline, kind, NAMES[kind], T, f"{kind}.loss")

    def items(lang: str) -> str:
        zh = lang.startswith("zh")
        # the fraction kept as the two written norms divide (0.62 / 0.71 = 0.87), not the run's own 0.8724
        return ("；" if zh else "; ").join(f"{SERIES[k]} {num(s[-1])} → {num(s[0])}"
                                            + ("（×{}）" if zh else " (×{})").format(ratio(num(s[0]), num(s[-1])))
                                            for k, s in sizes.items())
    meta["summary"] = [
        f"‖∂L/∂h_t‖ from t = {T} back to t = 1: "   # a terminal's line: its minus is "-"
        + ", ".join(f"{k} {num(s[-1], '-')} → {num(s[0], '-')}" for k, s in sizes.items()),
        f"carries the gradient furthest: {best} ({ratio(num(sizes[best][0]), num(sizes[best][-1]), '-')} of it reaches t = 1)",
    ]
    return tell(trace, outline,
                title=say("The gradient through time: RNN, LSTM and GRU", "沿時間傳遞的梯度：RNN、LSTM 與 GRU",
                          "沿时间传递的梯度：RNN、LSTM 与 GRU", "Gradient theo thời gian: RNN, LSTM và GRU"),
                question=say("How much of the gradient reaches the first of {T} steps?", "梯度有多少能傳回 {T} 步中的第一步？",
                             "梯度有多少能传回 {T} 步中的第一步？", "Bao nhiêu gradient về được bước đầu tiên trong {T} bước?", T=T),
                plots=[Plot("lines", say("Gradient size at every timestep", "每個時間步的梯度大小", "每个时间步的梯度大小",
                                         "Độ lớn gradient ở mỗi bước"), TIME, SIZE, list(range(1, T + 1)),
                            {SERIES[k]: s for k, s in sizes.items()}, log_y=True)],
                recap=sentences(
                    say("Backpropagation through {T} steps, from step {T} back to step 1: {items}.",
                        "沿時間反向傳播 {T} 步，從第 {T} 步回到第 1 步：{items}。", "沿时间反向传播 {T} 步，从第 {T} 步回到第 1 步：{items}。",
                        "Lan truyền ngược qua {T} bước, từ bước {T} về bước 1: {items}.", T=T, items=per_language(items)),
                    say("{best} carries the gradient furthest.", "{best} 把梯度帶得最遠。", "{best} 把梯度带得最远。",
                        "{best} mang gradient đi xa nhất.", best=SERIES[best])))


# ---- rnn_vs_attention ---------------------------------------------------------------------------
def rnn_vs_attention(trace: Trace, tokens: Sequence[str], glosses: Sequence[str]) -> Story:
    """The RNN's timesteps against attention's few steps; the dependency depth per token and for
    the whole sentence."""
    meta, T = trace.meta, len(tokens)
    per_token, count = meta["depth_per_token"], meta["steps"]
    r, a = per_token["rnn"][-1], per_token["attention"][-1]
    each = per_token["rnn"][1] - per_token["rnn"][0] if T > 1 else r
    outline = Outline(trace)
    unrolled(outline, "rnn", "RNN", T)
    outline.add(first(trace, "rnn.y"), say("RNN: its read-out y", "RNN：輸出 y", "RNN：输出 y", "RNN: đầu ra y"), "summary")
    outline.add(first(trace, "attn.Q"), say("Attention: Q, K and V of every token, one product each", "注意力：一次乘法算出所有詞的 Q、K、V",
                                            "注意力：一次乘法算出所有词的 Q、K、V", "Attention: Q, K, V của mọi từ, mỗi cái một phép nhân"))
    outline.add(trace.step("attn").id, say("Attention: every score, weight and mix at once", "注意力：所有分數、權重與加權和一次算完",
                                           "注意力：所有分数、权重与加权和一次算完", "Attention: mọi điểm số, trọng số và tổng có trọng số cùng lúc"))
    words = in_words(tokens, glosses)
    sentence = per_language(lambda lang: quoted(" ".join(words[lang]) if lang == "en" else joined(words[lang]), lang))
    meta["summary"] = [
        f"dependency depth for {T} tokens: rnn {r} ({each} more per token), attention {a} (the same for any length)",
        f"top-level steps: rnn {count['rnn']} (each on one token), attention {count['attention']} (each on all {T} tokens)",
    ]
    return tell(trace, outline,
                title=say("RNN or attention: one token at a time, or all at once", "RNN 還是注意力：一次一個詞，或一次全部",
                          "RNN 还是注意力：一次一个词，或一次全部", "RNN hay attention: từng từ một, hay tất cả cùng lúc"),
                question=say("Why did the Transformer replace the RNN?", "為什麼 Transformer 取代了 RNN？", "为什么 Transformer 取代了 RNN？",
                             "Vì sao Transformer thay thế RNN?"),
                plots=[Plot("lines", say("Steps one after the other before each token's output", "每個詞的輸出之前必須依序完成的步數",
                                         "每个词的输出之前必须依序完成的步数", "Số bước nối tiếp trước đầu ra của mỗi từ"),
                            say("token", "詞", "词", "từ"), say("dependency depth", "依賴深度", "依赖深度", "độ sâu phụ thuộc"),
                            list(range(1, T + 1)), {"RNN": per_token["rnn"], "attention": per_token["attention"]}, labels=list(tokens),
                            names={"attention": ATTENTION}),
                       Plot("bars", say("Dependency depth for the whole sentence", "整句的依賴深度", "整句的依赖深度",
                                        "Độ sâu phụ thuộc của cả câu"), labels=["RNN", "attention"], values=[r, a], highlight=["attention"],
                            names={"attention": ATTENTION})],
                recap=say("For the {T} tokens of {s} the RNN runs {r} steps one after the other ({e} more for every further token: "
                          "{last} waits for {prev}); attention runs {a}, each over all {T} tokens at once, whatever the length.",
                          "{s}的 {T} 個詞，RNN 要一個接一個跑 {r} 步（每多一個詞多 {e} 步：{last}要等{prev}）；"
                          "注意力只要 {a} 步，每一步同時處理全部 {T} 個詞，句子再長也一樣。",
                          "{s}的 {T} 个词，RNN 要一个接一个跑 {r} 步（每多一个词多 {e} 步：{last}要等{prev}）；"
                          "注意力只要 {a} 步，每一步同时处理全部 {T} 个词，句子再长也一样。",
                          "Với {T} từ của {s}, RNN chạy {r} bước nối tiếp nhau (thêm {e} bước cho mỗi từ: {last} phải chờ {prev}); "
                          "attention chỉ cần {a} bước, mỗi bước xử lý cả {T} từ cùng lúc, câu dài bao nhiêu cũng vậy.",
                          T=T, r=r, a=a, e=each, s=sentence, last=per_language(lambda lang: quoted(words[lang][-1], lang)),
                          prev=per_language(lambda lang: quoted(words[lang][-2], lang) if T > 1 else "")))
