"""The stories of the autoencoders: by hand and large, sparse, for anomaly detection, on words."""
from __future__ import annotations

import numpy as np

from tracer.story import Plot, Story
from tracer.trace import Trace

from . import Outline, first, heatmap, later_steps, listing, loss_curve, num, output, say, tell
from .basics import training_outline

OPTIMIZERS = {"sgd": say("gradient descent", "梯度下降", "梯度下降", "hạ gradient"),
              "adam": say("Adam", " Adam ", " Adam ", "Adam")}  # spaced apart from the Chinese around it


def autoencoder(trace: Trace, first_step: int, count: int, optimizer: str) -> Story:
    """One training step worked in full, the others fast; the loss per step."""
    history, sizes = trace.meta["loss_history"], trace.meta["sizes"]
    shape = " → ".join(str(n) for n in sizes)
    n, code = sizes[0], min(sizes)
    a, b, steps = num(history[0]), num(history[-1]), len(history) - 1
    how = OPTIMIZERS[optimizer]
    return tell(trace, training_outline(trace, first_step, count),
                title=say(f"Autoencoder {shape}", f"自編碼器 {shape}", f"自编码器 {shape}", f"Bộ tự mã hóa {shape}"),
                question=say(f"Can {n} numbers pass through {code} and come back?",
                             f"{n} 個數字擠過 {code} 個數字，還能還原嗎？", f"{n} 个数字挤过 {code} 个数字，还能还原吗？",
                             f"{n} con số đi qua {code} con số có quay lại được không?"),
                plots=[loss_curve(history)],
                recap=say(f"{n} numbers → {code} → {n} again ({shape}): {steps} steps of {how['en']} cut the "
                          f"reconstruction error from {a} to {b}.",
                          f"{n} 個數字 → {code} 個 → 再回到 {n} 個（{shape}）：{steps} 步{how['zh-Hant']}把重建誤差從 {a} 降到 {b}。",
                          f"{n} 个数字 → {code} 个 → 再回到 {n} 个（{shape}）：{steps} 步{how['zh-Hans']}把重建误差从 {a} 降到 {b}。",
                          f"{n} con số → {code} → lại {n} ({shape}): {steps} bước {how['vi']} giảm sai số tái tạo "
                          f"từ {a} xuống {b}."))


def sparse_autoencoder(trace: Trace) -> Story:
    """The forward pass and its two losses step by step, the training forward fast, its gradients in full."""
    outline = Outline(trace)
    outline.add(0, say("Encode: Z = W_enc·X + b_enc", "編碼：Z = W_enc·X + b_enc", "编码：Z = W_enc·X + b_enc",
                       "Mã hóa: Z = W_enc·X + b_enc"))
    outline.add(first(trace, "encoder.f"), say("ReLU: most features stay 0", "ReLU：大多數特徵維持 0",
                                               "ReLU：大多数特征保持 0", "ReLU: phần lớn đặc trưng bằng 0"))
    outline.add(first(trace, "decoder.X_hat"), say("Decode: X̂ = W_dec·f + b_dec", "解碼：X̂ = W_dec·f + b_dec",
                                                   "解码：X̂ = W_dec·f + b_dec", "Giải mã: X̂ = W_dec·f + b_dec"))
    outline.add(first(trace, "decoder.norms"), say("The length of each decoder column", "每一行解碼權重的長度",
                                                   "每一列解码权重的长度", "Độ dài mỗi cột của bộ giải mã"))
    outline.add(first(trace, "reconstruction"), say("Reconstruction error Σ (X̂ − X)²", "重建誤差 Σ (X̂ − X)²",
                                                    "重建误差 Σ (X̂ − X)²", "Sai số tái tạo Σ (X̂ − X)²"))
    outline.add(first(trace, "sparsity"), say("Sparsity penalty Σ |f|·‖column‖", "稀疏懲罰 Σ |f|·‖行‖",
                                              "稀疏惩罚 Σ |f|·‖列‖", "Phạt thưa Σ |f|·‖cột‖"))
    outline.add(first(trace, "loss"), say("The loss: reconstruction + penalty", "損失：重建 + 懲罰",
                                          "损失：重建 + 惩罚", "Mất mát: tái tạo + phạt"))
    steps = len(trace.meta["loss_history"])
    if steps:
        outline.add(first(trace, "train.0"), say("Training: the same forward pass, fast", "訓練：同樣的前向傳播（快轉）",
                                                 "训练：同样的前向传播（快进）", "Huấn luyện: lượt xuôi như trên, tua nhanh"),
                    "summary")
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
                                             "特征 × 词：ReLU 之后的 f", "Đặc trưng × từ: f sau ReLU"), after=1)],
                recap=_sae_recap(trace, f))


def _sae_recap(trace: Trace, f: str) -> dict[str, str]:
    fires, meaning = trace.meta["fires"], trace.meta["feature_labels"]
    values = np.asarray(trace.tensors[f].data)
    zeros, total = int((values == 0).sum()), values.size
    named = [(k, m) for k, m in zip(fires, meaning) if m]
    parts: dict[str, list[str]] = {"en": [], "zh-Hant": [], "zh-Hans": [], "vi": []}
    for k, m in named:
        toks = {lang: listing(fires[k], lang) for lang in ("en", "zh")}
        parts["en"].append(f"{k} = {m}: fires only for {toks['en']}")
        parts["zh-Hant"].append(f"{k} = {m}：只被 {toks['zh']} 觸發")
        parts["zh-Hans"].append(f"{k} = {m}：只被 {toks['zh']} 触发")
        parts["vi"].append(f"{k} = {m}: chỉ kích hoạt với {toks['en']}")
    return say("; ".join(parts["en"]) + f". {zeros} of the {total} feature values are 0: each token uses few features.",
               "；".join(parts["zh-Hant"]) + f"。{total} 個特徵值中有 {zeros} 個是 0：每個詞只用少數幾個特徵。",
               "；".join(parts["zh-Hans"]) + f"。{total} 个特征值中有 {zeros} 个是 0：每个词只用少数几个特征。",
               "; ".join(parts["vi"]) + f". {zeros} trên {total} giá trị đặc trưng bằng 0: mỗi từ chỉ dùng vài đặc trưng.")


def anomaly_detection(trace: Trace) -> Story:
    """The trained autoencoder rebuilds each new reading; the errors and the flags."""
    meta = trace.meta
    outline = Outline(trace)
    outline.add(0, say("Encode each new reading", "把每一筆新讀數編碼", "把每一笔新读数编码", "Mã hóa từng số đo mới"))
    outline.add(first(trace, "decoder"), say("Decode: rebuild it", "解碼：把它重建出來", "解码：把它重建出来",
                                             "Giải mã: dựng lại số đo"))
    outline.add(first(trace, "anomaly.diff"), say("Reconstruction error per reading Σ (X̂ − X)²", "每筆讀數的重建誤差 Σ (X̂ − X)²",
                                                  "每笔读数的重建误差 Σ (X̂ − X)²", "Sai số tái tạo của từng số đo Σ (X̂ − X)²"))
    last = outline.add(first(trace, "anomaly.flags"), say("Flag what the model cannot rebuild", "標出模型重建不了的讀數",
                                                          "标出模型重建不了的读数", "Đánh dấu số đo mô hình không dựng lại được"))
    names, errors, limit = meta["samples"], meta["errors"], meta["threshold"]
    flagged = [names[j] for j in meta["flagged"]]
    normal = max((e for j, e in enumerate(errors) if j not in meta["flagged"]), default=0.0)
    bars = Plot("bars", say("Reconstruction error per reading", "每筆讀數的重建誤差", "每笔读数的重建误差",
                            "Sai số tái tạo của từng số đo"), labels=list(names), values=[float(e) for e in errors],
                highlight=flagged, threshold=float(limit), after=last)
    error = {n: num(errors[names.index(n)]) for n in flagged}
    what = {"en": listing([f"{n} ({error[n]})" for n in flagged], "en"),
            "zh": listing([f"{n}（{error[n]}）" for n in flagged], "zh")}
    return tell(trace, outline,
                title=say("Anomaly detection with an autoencoder", "用自編碼器偵測異常", "用自编码器检测异常",
                          "Phát hiện bất thường bằng bộ tự mã hóa"),
                question=say("Which reading is unlike the normal ones?", "哪一筆讀數和正常的不一樣？",
                             "哪一笔读数和正常的不一样？", "Số đo nào khác với số đo bình thường?"),
                plots=[loss_curve(meta["loss_history"], after=None), bars],
                recap=say(f"Flagged: {what['en']}, above the threshold {num(limit)}; the normal readings stay "
                          f"at or below {num(normal)}. The autoencoder learned what normal looks like and cannot rebuild the rest.",
                          f"被標出：{what['zh']}，高於門檻 {num(limit)}；正常讀數都不超過 {num(normal)}。"
                          "自編碼器學會了正常的樣子，重建不了其他的。",
                          f"被标出：{what['zh']}，高于阈值 {num(limit)}；正常读数都不超过 {num(normal)}。"
                          "自编码器学会了正常的样子，重建不了其他的。",
                          f"Bị đánh dấu: {what['en']}, vượt ngưỡng {num(limit)}; các số đo bình thường không quá "
                          f"{num(normal)}. Bộ tự mã hóa đã học cái bình thường và không dựng lại được phần còn lại."))


def word_autoencoder(trace: Trace, first_step: int, count: int, compare: list[str]) -> Story:
    """The last training step in full, then every word's code: a scatter of words."""
    outline = Outline(trace)
    if count:
        outline.training("train", first_step, count)
    last = outline.add(first(trace, "codes"), say("The code of every word", "每個詞的編碼", "每个词的编码",
                                                  "Mã của từng từ"), "full")
    codes = trace.meta["codes"]
    points = [{"label": w, "x": float(c[0]), "y": float(c[1] if len(c) > 1 else 0.0)} for w, c in codes.items()]
    dist = trace.meta["distances"]
    near = min(dist, key=dist.get)
    pairs = {lang: listing([f"{k.replace('-', '–')} {num(v)}" for k, v in dist.items()], lang) for lang in ("en", "zh")}
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
                recap=say(f"Distances between codes: {pairs['en']}. {a} and {b} end closest: they appear in the same "
                          "sentences, so the self-supervised code puts them together.",
                          f"編碼之間的距離：{pairs['zh']}。{a} 和 {b} 最接近：它們出現在同樣的句子裡，自監督學到的編碼就把它們放在一起。",
                          f"编码之间的距离：{pairs['zh']}。{a} 和 {b} 最接近：它们出现在同样的句子里，自监督学到的编码就把它们放在一起。",
                          f"Khoảng cách giữa các mã: {pairs['en']}. {a} và {b} gần nhau nhất: chúng xuất hiện trong "
                          "cùng những câu, nên mã tự giám sát đặt chúng cạnh nhau."))
