"""The stories of the perceptron, min-max normalisation and the MLP trained by backprop."""
from __future__ import annotations

import numpy as np

from tracer.label_names import said
from tracer.story import Plot, Story
from tracer.trace import Trace

from . import TITLES, Outline, const, count, first, listing, loss_curve, maybe, num, say, shown, tell, vector
from .tokens import after_chinese, before_chinese

GO = say("go", "去", "去", "đi")
STAY = say("stay home", "不去", "不去", "ở nhà")


def _decision(trace: Trace, scope: str, threshold: float) -> tuple[str, bool]:
    """``8·1 + 4·1 + 4·0 = 12`` for the weighted sum a decision step computed, and whether it fired."""
    step = trace.step(f"{scope}.perceptron.S")
    W, X, out = (np.asarray(trace.tensors[t].data) for t in (*step.inputs[:2], step.outputs[0]))
    S = float(out[0, 0])
    terms = " + ".join(f"{shown(w, W)}·{shown(x, X)}" for w, x in zip(W[0], X[:, 0]))   # as the grids write them
    return f"{terms} = {shown(S, out)}", S > threshold


def perceptron(trace: Trace) -> Story:
    """The decision, the learning rule worked for epoch 1, later epochs fast, the decision again."""
    meta = trace.meta
    features, theta, epochs = meta["features"], meta["threshold"], meta["epochs"]
    outline = Outline(trace)
    outline.add(0, say("Go to the cinema? Weigh weather, price, company", "去看電影嗎？為天氣、價格、同伴加權",
                       "去看电影吗？为天气、价格、同伴加权", "Đi xem phim không? Cân thời tiết, giá vé, bạn đi cùng"))
    outline.add(first(trace, "epoch1"), say("Epoch 1: the decision for seven past weeks",
                                            "第 1 輪：過去七週的決定", "第 1 轮：过去七周的决定",
                                            "Vòng 1: quyết định cho bảy tuần trước"))
    outline.add(first(trace, "epoch1.perceptron.E"), say("The errors E = Y − Ŷ", "誤差 E = Y − Ŷ", "误差 E = Y − Ŷ",
                                                         "Sai số E = Y − Ŷ"))
    if maybe(trace, "epoch1", phase="backward") is not None:
        outline.add(first(trace, "epoch1", phase="backward"), say(
            "The gradient of the rule: dW = −E·Xᵀ", "學習規則的梯度：dW = −E·Xᵀ", "学习规则的梯度：dW = −E·Xᵀ",
            "Gradient của quy tắc: dW = −E·Xᵀ"))
        outline.add(first(trace, "epoch1", phase="update"), say(
            "The learning rule: W ← W + η·E·Xᵀ", "學習規則：W ← W + η·E·Xᵀ", "学习规则：W ← W + η·E·Xᵀ",
            "Quy tắc học: W ← W + η·E·Xᵀ"))
    if len(epochs) > 1:
        a, b = 2, len(epochs)
        outline.add(first(trace, "epoch2"), say(
            f"Epochs {a}–{b}, fast", f"第 {a}–{b} 輪（快轉）", f"第 {a}–{b} 轮（快进）", f"Các vòng {a}–{b}, tua nhanh"),
            "summary", b - 1)
    outline.add(first(trace, "decide_after"), say("After learning: the same weekend again", "學習之後：再問一次同一個週末",
                                                  "学习之后：再问一次同一个周末", "Sau khi học: hỏi lại cuối tuần đó"))
    return tell(trace, outline, title=say("Perceptron: go to the cinema?", "感知器：去看電影嗎？", "感知器：去看电影吗？",
                                          "Perceptron: có đi xem phim không?"),
                question=say("Should I go this weekend, and which reason matters most?",
                             "這個週末該去嗎？哪個理由最重要？", "这个周末该去吗？哪个理由最重要？",
                             "Cuối tuần này có nên đi không, và lý do nào quan trọng nhất?"),
                plots=_perceptron_plots(meta), closing=0,   # the weights learned: company on top
                recap=_perceptron_recap(trace, features, theta))


def _perceptron_plots(meta: dict) -> list[Plot]:
    weights = [e["W"] for e in meta["epochs"]]
    if meta["epochs"][-1]["mistakes"]:  # stopped by the epoch count, not by a perfect epoch
        weights.append(meta["weights_after"])
    x = [float(k) for k in range(len(weights))]
    return [Plot("lines", say("The weights after each epoch of the learning rule", "每一輪學習後的權重",
                              "每一轮学习后的权重", "Trọng số sau mỗi vòng học"),
                 say("epochs learned", "學習輪數", "学习轮数", "số vòng đã học"), say("weight", "權重", "权重", "trọng số"),
                 x=x, series={f: [float(w[i]) for w in weights] for i, f in enumerate(meta["features"])}),
            Plot("bars", say("Mistakes per epoch", "每一輪的錯誤數", "每一轮的错误数", "Số lần sai mỗi vòng"),
                 labels=[f"{k + 1}" for k in range(len(meta["epochs"]))],
                 values=[float(e["mistakes"]) for e in meta["epochs"]])]


def _perceptron_recap(trace: Trace, features: list[str], theta: float) -> dict[str, str]:
    before, go = _decision(trace, "decide", theta)
    after, go_after = _decision(trace, "decide_after", theta)
    W = trace.meta["weights_after"]
    named = said(features, trace.meta.get("label_names"))   # the features as the grids name them
    top = {lang: names[int(np.argmax(W))] for lang, names in named.items()}
    grid = np.asarray(trace.tensors[trace.step("decide_after.perceptron.S").inputs[0]].data)   # W, as drawn last
    weights = {lang: listing([f"{f} {shown(w, grid)}" for f, w in zip(names, W)], lang) for lang, names in named.items()}
    n = len(trace.phase("update"))
    t = const(theta)

    def verdict(expr: str, fired: bool, lang: str) -> str:
        return f"{expr} {'>' if fired else '≤'} {t}" + ("：" if lang.startswith("zh") else ": ") + (GO if fired else STAY)[lang]
    return say(f"{verdict(before, go, 'en')}. After {count(n, 'update', 'updates')} of the learning rule the weights are "
               f"{weights['en']}: "
               f"{top['en']} matters most. The same weekend now gives {verdict(after, go_after, 'en')}.",
               f"{verdict(before, go, 'zh-Hant')}。學習規則更新 {n} 次後，權重是{after_chinese(weights['zh-Hant'])}："
               f"{before_chinese(top['zh-Hant'])}最重要。"
               f"同一個週末現在是 {verdict(after, go_after, 'zh-Hant')}。",
               f"{verdict(before, go, 'zh-Hans')}。学习规则更新 {n} 次后，权重是{after_chinese(weights['zh-Hans'])}："
               f"{before_chinese(top['zh-Hans'])}最重要。"
               f"同一个周末现在是 {verdict(after, go_after, 'zh-Hans')}。",
               f"{verdict(before, go, 'vi')}. Sau {n} lần cập nhật theo quy tắc học, trọng số là {weights['vi']}: "
               f"{top['vi']} quan trọng nhất. Cùng cuối tuần đó giờ cho {verdict(after, go_after, 'vi')}.")


MINMAX_CHAPTERS = (
    ("minmax", say("The smallest score: min = −max(−x)", "最低分：min = −max(−x)", "最低分：min = −max(−x)",
                   "Điểm thấp nhất: min = −max(−x)")),
    ("minmax.max", say("The largest score", "最高分", "最高分", "Điểm cao nhất")),
    ("minmax.range", say("The range: max − min", "全距：max − min", "全距：max − min", "Khoảng: max − min")),
    ("minmax.shifted", say("Shift and divide: (x − min) / (max − min)", "平移再相除：(x − min) / (max − min)",
                           "平移再相除：(x − min) / (max − min)", "Dịch rồi chia: (x − min) / (max − min)")),
)


def normalization(trace: Trace) -> Story:
    """Five steps, each once: the minimum, the maximum, the range, the shift, the division."""
    outline = Outline(trace)
    outline.each(MINMAX_CHAPTERS)
    x, y = (trace.tensors[t] for t in (trace.steps[0].inputs[0], trace.step("minmax.normalized").outputs[0]))
    names = list((y.labels or (None, None))[-1] or [str(k + 1) for k in range(y.shape[-1])])
    scores, scaled = np.asarray(x.data).ravel(), np.asarray(y.data).ravel()
    lo, hi = shown(scores.min(), scores), shown(scores.max(), scores)
    pairs = {lang: listing([f"{n} {shown(a, scores)} → {shown(b, scaled)}" for n, a, b in zip(names, scores, scaled)], lang)
             for lang in ("en", "zh")}
    return tell(trace, outline,
                title=say("Min-max normalisation", "最小-最大正規化", "最小-最大归一化", "Chuẩn hóa min-max"),
                question=say("How do scores on any scale become numbers from 0 to 1?", "任何尺度的分數怎麼變成 0 到 1 的數？",
                             "任何尺度的分数怎么变成 0 到 1 的数？", "Làm sao đưa điểm ở mọi thang về khoảng từ 0 đến 1?"),
                plots=[Plot("bars", say("Scores scaled into [0, 1]", "縮放到 [0, 1] 的分數", "缩放到 [0, 1] 的分数",
                                        "Điểm sau khi đưa về [0, 1]"), labels=names, values=[float(v) for v in scaled], tensor=y.id,
                            highlight=[names[int(np.argmax(scaled))]])],
                recap=say(f"(x − {lo}) / ({hi} − {lo}): the lowest score becomes 0, the highest 1. {pairs['en']}.",
                          f"(x − {lo}) / ({hi} − {lo})：最低分變成 0，最高分變成 1。{pairs['zh']}。",
                          f"(x − {lo}) / ({hi} − {lo})：最低分变成 0，最高分变成 1。{pairs['zh']}。",
                          f"(x − {lo}) / ({hi} − {lo}): điểm thấp nhất thành 0, cao nhất thành 1. {pairs['en']}."))


def training_outline(trace: Trace, first_step: int, recorded: int) -> Outline:
    """The recorded training steps (the first in full, the rest fast), then the pass after them."""
    outline = Outline(trace)
    if recorded:
        outline.training("train", first_step, recorded)
    outline.add(first(trace, "after"), TITLES["after"], "summary" if recorded else "full")
    return outline


def mlp(trace: Trace, first_step: int, recorded: int, lr: float) -> Story:
    """One training step worked in full, the others fast; the loss curve; what the network predicts."""
    history = trace.meta["loss_history"]
    loss = trace.step("after.loss")
    pred, target = (np.asarray(trace.tensors[t].data).ravel() for t in loss.inputs[:2])
    steps = len(history) - 1
    a, b = num(history[0]), num(history[-1])
    p, y = vector(pred, pred), vector(target, target)   # as the grids of Ŷ and Y write them
    return tell(trace, training_outline(trace, first_step, recorded),
                title=say("An MLP learns by backprop", "多層感知器靠反向傳播學習", "多层感知器靠反向传播学习",
                          "Mạng MLP học bằng lan truyền ngược"),
                question=say("How does gradient descent bring the predictions to the targets?",
                             "梯度下降怎麼把預測帶向目標？", "梯度下降怎么把预测带向目标？",
                             "Hạ gradient đưa dự đoán về gần mục tiêu như thế nào?"),
                plots=[loss_curve(history)],
                recap=say(f"Loss {a} → {b} in {count(steps, 'step', 'steps')} of gradient descent (η = {const(lr)}): "
                          f"the network now predicts {p} for the targets {y}.",
                          f"{steps} 步梯度下降（η = {const(lr)}）把損失從 {a} 降到 {b}：網路現在對目標 {y} 預測出 {p}。",
                          f"{steps} 步梯度下降（η = {const(lr)}）把损失从 {a} 降到 {b}：网络现在对目标 {y} 预测出 {p}。",
                          f"Mất mát {a} → {b} sau {steps} bước hạ gradient (η = {const(lr)}): "
                          f"mạng giờ dự đoán {p} cho mục tiêu {y}."))
