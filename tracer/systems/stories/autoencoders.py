"""The stories of the autoencoders: by hand and large, sparse, for anomaly detection, on words."""
from __future__ import annotations

import numpy as np

from tracer.display import number_format
from tracer.i18n import LANGUAGES
from tracer.label_names import label, said
from tracer.story import Plot, Story
from tracer.trace import Trace

from . import (TITLES, Outline, const, count, first, heatmap, later_steps, listing, loss_curve, num, output, say, shown, tell,
               written)
from .numbers import value
from .tokens import after_chinese, before_chinese
from .basics import training_outline

OPTIMIZERS = {"sgd": say("gradient descent", "梯度下降", "梯度下降", "hạ gradient"),
              "adam": say("Adam", " Adam ", " Adam ", "Adam")}  # spaced apart from the Chinese around it


def autoencoder(trace: Trace, first_step: int, recorded: int, optimizer: str) -> Story:
    """One training step worked in full, the others fast; the loss per step."""
    history, sizes = trace.meta["loss_history"], trace.meta["sizes"]
    shape = " → ".join(str(n) for n in sizes)
    n, code = sizes[0], min(sizes)
    a, b, steps = num(history[0]), num(history[-1]), len(history) - 1
    how = OPTIMIZERS[optimizer]
    return tell(trace, training_outline(trace, first_step, recorded),
                title=say(f"Autoencoder {shape}", f"自編碼器 {shape}", f"自编码器 {shape}", f"Bộ tự mã hóa {shape}"),
                question=say(f"Can {n} numbers pass through {code} and come back?",
                             f"{n} 個數字擠過 {code} 個數字，還能還原嗎？", f"{n} 个数字挤过 {code} 个数字，还能还原吗？",
                             f"{n} con số đi qua {code} con số có quay lại được không?"),
                plots=[loss_curve(history)],
                recap=say(f"{n} numbers → {code} → {n} again ({shape}): {count(steps, 'step', 'steps')} of {how['en']} cut the "
                          f"reconstruction error from {a} to {b}.",
                          f"{n} 個數字 → {code} 個 → 再回到 {n} 個（{shape}）：{steps} 步{how['zh-Hant']}把重建誤差從 {a} 降到 {b}。",
                          f"{n} 个数字 → {code} 个 → 再回到 {n} 个（{shape}）：{steps} 步{how['zh-Hans']}把重建误差从 {a} 降到 {b}。",
                          f"{n} con số → {code} → lại {n} ({shape}): {steps} bước {how['vi']} giảm sai số tái tạo "
                          f"từ {a} xuống {b}."))


SAE_CHAPTERS = (
    ("encoder.Z", say("Encode: Z = W_enc·X + b_enc", "編碼：Z = W_enc·X + b_enc", "编码：Z = W_enc·X + b_enc",
                      "Mã hóa: Z = W_enc·X + b_enc")),
    ("encoder.f", say("ReLU: most features stay 0", "ReLU：大多數特徵維持 0", "ReLU：大多数特征保持 0",
                      "ReLU: phần lớn đặc trưng bằng 0")),
    ("decoder.X_hat", say("Decode: X̂ = W_dec·f + b_dec", "解碼：X̂ = W_dec·f + b_dec", "解码：X̂ = W_dec·f + b_dec",
                          "Giải mã: X̂ = W_dec·f + b_dec")),
    ("decoder.norms", say("The length of each decoder column", "每一行解碼權重的長度", "每一列解码权重的长度",
                          "Độ dài mỗi cột của bộ giải mã")),
    ("reconstruction", say("Reconstruction error Σ (X̂ − X)²", "重建誤差 Σ (X̂ − X)²", "重建误差 Σ (X̂ − X)²",
                           "Sai số tái tạo Σ (X̂ − X)²")),
    ("sparsity", say("Sparsity penalty Σ |f|·‖column‖", "稀疏懲罰 Σ |f|·‖行‖", "稀疏惩罚 Σ |f|·‖列‖", "Phạt thưa Σ |f|·‖cột‖")),
    ("loss", say("The loss: reconstruction + penalty", "損失：重建 + 懲罰", "损失：重建 + 惩罚", "Mất mát: tái tạo + phạt")),
)


def sparse_autoencoder(trace: Trace) -> Story:
    """The forward pass and its two losses step by step, the training forward fast, its gradients in full."""
    outline = Outline(trace)
    outline.each(SAE_CHAPTERS)
    steps = len(trace.meta["loss_history"])
    if steps:
        outline.add(first(trace, "train.0"), TITLES["again"], "summary")
        outline.add(first(trace, "train.0", phase="backward"), say(
            "Backward: the penalty's gradient is the column length for each active feature",
            "反向傳播：每個活躍特徵的懲罰梯度就是它那一行的長度", "反向传播：每个活跃特征的惩罚梯度就是它那一列的长度",
            "Lan truyền ngược: gradient của phạt là độ dài cột với mỗi đặc trưng hoạt động"))
        outline.add(first(trace, "train.0", phase="update"), say("Update the weights", "更新權重", "更新权重",
                                                                 "Cập nhật trọng số"))
    if steps > 1:
        outline.add(first(trace, "train.1"), later_steps(2, steps), "summary", steps - 1)
    f = output(trace, "encoder.f")
    return tell(trace, outline,
                title=say("Sparse autoencoder: features you can name", "稀疏自編碼器：叫得出名字的特徵",
                          "稀疏自编码器：叫得出名字的特征", "Bộ tự mã hóa thưa: những đặc trưng gọi được tên"),
                question=say("Which feature fires for which token?", "哪個特徵會被哪些詞觸發？", "哪个特征会被哪些词触发？",
                             "Đặc trưng nào kích hoạt với từ nào?"),
                plots=[heatmap(trace, f, say("Features × tokens: f after the ReLU", "特徵 × 詞：ReLU 之後的 f",
                                             "特征 × 词：ReLU 之后的 f", "Đặc trưng × từ: f sau ReLU"), after=1,
                               note=say("□ = the token each feature fires for most", "□ = 每個特徵最強烈觸發的詞",
                                        "□ = 每个特征最强烈触发的词", "□ = từ mà mỗi đặc trưng kích hoạt mạnh nhất"))],
                recap=_sae_recap(trace, f))


def _sae_recap(trace: Trace, f: str) -> dict[str, str]:
    fires, meaning = trace.meta["fires"], trace.meta["feature_labels"]
    table = trace.meta.get("label_names")   # the meanings and the tokens as the grids name them
    values = np.asarray(trace.tensors[f].data)
    zeros, total = int((values == 0).sum()), values.size
    named = [(k, {lang: f"{k} = {label(m, lang, table)}" for lang in LANGUAGES})
             for k, m in zip(fires, meaning or [""] * len(fires)) if m and fires[k]]
    if not named:  # no meaning given: say what each feature that fires fires for
        named = [(k, dict.fromkeys(LANGUAGES, k)) for k in fires if fires[k]]
    parts: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for k, who in named:
        toks = {lang: listing(names, lang) for lang, names in said(fires[k], table).items()}
        parts["en"].append(f"{who['en']}: fires only for {toks['en']}")
        parts["zh-Hant"].append(f"{who['zh-Hant']}：只被{after_chinese(before_chinese(toks['zh-Hant']))}觸發")
        parts["zh-Hans"].append(f"{who['zh-Hans']}：只被{after_chinese(before_chinese(toks['zh-Hans']))}触发")
        parts["vi"].append(f"{who['vi']}: chỉ kích hoạt với {toks['vi']}")
    return say("; ".join(parts["en"]) + f". {zeros} of the {total} feature values are 0: each token uses few features.",
               "；".join(parts["zh-Hant"]) + f"。{total} 個特徵值中有 {zeros} 個是 0：每個詞只用少數幾個特徵。",
               "；".join(parts["zh-Hans"]) + f"。{total} 个特征值中有 {zeros} 个是 0：每个词只用少数几个特征。",
               "; ".join(parts["vi"]) + f". {zeros} trên {total} giá trị đặc trưng bằng 0: mỗi từ chỉ dùng vài đặc trưng.")


TITLE = say("Anomaly detection with an autoencoder", "用自編碼器偵測異常", "用自编码器检测异常",
            "Phát hiện bất thường bằng bộ tự mã hóa")
QUESTION = say("Which reading is unlike the normal ones?", "哪一筆讀數和正常的不一樣？", "哪一笔读数和正常的不一样？",
               "Số đo nào khác với số đo bình thường?")


ANOMALY_CHAPTERS = (
    ("encoder", say("Encode each new reading", "把每一筆新讀數編碼", "把每一笔新读数编码", "Mã hóa từng số đo mới")),
    ("decoder", say("Decode: rebuild it", "解碼：把它重建出來", "解码：把它重建出来", "Giải mã: dựng lại số đo")),
    ("anomaly.diff", say("Reconstruction error per reading Σ (X̂ − X)²", "每筆讀數的重建誤差 Σ (X̂ − X)²",
                         "每笔读数的重建误差 Σ (X̂ − X)²", "Sai số tái tạo của từng số đo Σ (X̂ − X)²")),
    ("anomaly.flags", say("Flag what the model cannot rebuild", "標出模型重建不了的讀數", "标出模型重建不了的读数",
                          "Đánh dấu số đo mô hình không dựng lại được")),
)


def anomaly_detection(trace: Trace) -> Story:
    """The trained autoencoder rebuilds each new reading; the errors and the flags."""
    meta = trace.meta
    outline = Outline(trace)
    last = outline.each(ANOMALY_CHAPTERS)
    tid = output(trace, "anomaly.errors")
    data = np.asarray(trace.tensors[tid].data)
    errors = data[0].tolist()
    names, limit = meta["samples"], meta["threshold"]
    flagged = [names[j] for j in meta["flagged"]]
    normal = max((e for j, e in enumerate(errors) if j not in meta["flagged"]), default=0.0)
    bars = Plot("bars", say("Reconstruction error per reading", "每筆讀數的重建誤差", "每笔读数的重建误差",
                            "Sai số tái tạo của từng số đo"), labels=list(names), values=[float(e) for e in errors],
                highlight=flagged, threshold=float(limit), tensor=tid, after=last)
    if not flagged:
        return tell(trace, outline, title=TITLE, question=QUESTION, plots=[loss_curve(meta["loss_history"]), bars],
                    recap=say(f"Nothing is flagged: every reading stays at or below the threshold {const(limit)} "
                              f"(the largest error is {shown(max(errors), data)}).",
                              f"沒有讀數被標出：每一筆都不超過門檻 {const(limit)}（最大的誤差是 {shown(max(errors), data)}）。",
                              f"没有读数被标出：每一笔都不超过阈值 {const(limit)}（最大的误差是 {shown(max(errors), data)}）。",
                              f"Không có số đo nào bị đánh dấu: tất cả đều không vượt ngưỡng {const(limit)} "
                              f"(sai số lớn nhất là {shown(max(errors), data)})."))
    error = [shown(errors[names.index(n)], data) for n in flagged]
    days = said(flagged, meta.get("label_names"))   # the days as the grids name them
    what = {lang: listing([f"{n} ({e})" if lang in ("en", "vi") else f"{n}（{e}）" for n, e in zip(days[lang], error)], lang)
            for lang in LANGUAGES}
    return tell(trace, outline,
                title=TITLE, question=QUESTION, plots=[loss_curve(meta["loss_history"]), bars],
                recap=say(f"Flagged: {what['en']}, above the threshold {const(limit)}; the normal readings stay "
                          f"at or below {shown(normal, data)}. The autoencoder learned what normal looks like and cannot "
                          "rebuild the rest.",
                          f"被標出：{what['zh-Hant']}，高於門檻 {const(limit)}；正常讀數都不超過 {shown(normal, data)}。"
                          "自編碼器學會了正常的樣子，重建不了其他的。",
                          f"被标出：{what['zh-Hans']}，高于阈值 {const(limit)}；正常读数都不超过 {shown(normal, data)}。"
                          "自编码器学会了正常的样子，重建不了其他的。",
                          f"Bị đánh dấu: {what['vi']}, vượt ngưỡng {const(limit)}; các số đo bình thường không quá "
                          f"{shown(normal, data)}. Bộ tự mã hóa đã học cái bình thường và không dựng lại được phần còn lại."))


def word_autoencoder(trace: Trace, first_step: int, recorded: int, compare: list[str]) -> Story:
    """The last training step in full, then every word's code: a scatter of words."""
    outline = Outline(trace)
    if recorded:
        outline.training("train", first_step, recorded)
    last = outline.add(first(trace, "codes"), say("The code of every word", "每個詞的編碼", "每个词的编码",
                                                  "Mã của từng từ"), "full")
    code = trace.tensors[trace.steps[-1].outputs[0]]  # the encoder's output for every word: (code size, words)
    c = np.asarray(code.data)
    points = [{"label": w, "x": float(c[0, j]), "y": float(c[1, j]) if len(c) > 1 else 0.0}
              for j, w in enumerate(code.labels[1])]
    # each distance from the codes as their grid writes them, in their format: a reader who redoes
    # √((c1 − c1′)² + (c2 − c2′)²) from the grid gets the distance written (king–queen 0.00, not 0.0071)
    cell = written(c)
    at = {w: np.array([value(cell(v)) for v in c[:, j]]) for j, w in enumerate(code.labels[1])}
    dist = {k: float(np.linalg.norm(at[k.split("-")[0]] - at[k.split("-")[1]])) for k in trace.meta["distances"]}
    near = min(dist, key=dist.get)
    # a distance that reads 0 between codes that differ (king and queen, alike to the grid's decimals)
    # says so, rather than read as one code: the grid cannot show it apart, the recap says why
    d = number_format(c).decimals
    en, zh, vi = {2: ("two", "兩", "hai"), 3: ("three", "三", "ba")}.get(d, (str(d),) * 3)
    alike = {"en": f" (codes alike to {en} decimals, not equal)",
             "zh-Hant": f"（編碼到小數點後{zh}位相同，但並不相等）",
             "zh-Hans": f"（编码到小数点后{zh.replace('兩', '两')}位相同，但并不相等）",
             "vi": f" (mã giống nhau đến {vi} chữ số thập phân, nhưng không bằng nhau)"}
    apart = trace.meta["distances"]   # the distances of the codes as recorded, unrounded
    pairs = {lang: listing([f"{k.replace('-', '–')} {cell(v)}{note if value(cell(v)) == 0 and apart[k] else ''}"
                            for k, v in dist.items()], lang)
             for lang, note in alike.items()}
    a, b = near.split("-")
    return tell(trace, outline,
                title=say(f"Word autoencoder: {listing(compare, 'en')}", f"詞自編碼器：{listing(compare, 'zh')}",
                          f"词自编码器：{listing(compare, 'zh')}", f"Bộ tự mã hóa từ: {listing(compare, 'vi')}"),
                question=say("Do words used alike get alike codes?", "用法相似的詞，編碼也相近嗎？",
                             "用法相似的词，编码也相近吗？", "Những từ dùng giống nhau có mã gần nhau không?"),
                plots=[loss_curve(trace.meta["loss_history"]),
                       Plot("scatter", say("Every word's 2-number code", "每個詞的兩個數編碼", "每个词的两个数编码",
                                           "Mã 2 con số của từng từ"), say("c1", "c1", "c1", "c1"),
                            say("c2", "c2", "c2", "c2"), points=points, highlight=list(compare), after=last)],
                recap=say(f"Distances between codes: {pairs['en']}. The training only saw which words share a sentence, "
                          f"and {a} and {b} end closest.",
                          f"編碼之間的距離：{pairs['zh-Hant']}。訓練只看過哪些詞出現在同一句話裡，結果 {a} 和 {b} 最接近。",
                          f"编码之间的距离：{pairs['zh-Hans']}。训练只看过哪些词出现在同一句话里，结果 {a} 和 {b} 最接近。",
                          f"Khoảng cách giữa các mã: {pairs['vi']}. Huấn luyện chỉ thấy những từ nào cùng xuất hiện "
                          f"trong một câu, và {a} với {b} gần nhau nhất."))
