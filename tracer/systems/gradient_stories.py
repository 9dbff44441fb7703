"""How vanishing_gradients and exploding_gradients tell their result: the walkthrough's chapters (the
first network worked in full, the others summarised except where they run an op not seen yet), the
comparison plots, the recap in four languages, and the lines ``tracer run`` prints.

Every number comes from the trace's meta, which :mod:`.gradients` filled from the runs.
"""
from __future__ import annotations

from typing import Any, Sequence

from tracer.story import Chapter, Plot, Story, Text
from tracer.trace import Trace

from .narrative import joined, langs, listing, num, padded, span, t4


# what an update-phase op does, for chapter titles
WHAT = {
    "sgd": ("the SGD update W ← W − η·dW", "SGD 更新 W ← W − η·dW", "SGD 更新 W ← W − η·dW", "bước cập nhật SGD W ← W − η·dW"),
    "clip_grad_norm": ("clipping by norm, g ← g·c / ‖g‖", "按範數裁剪，g ← g·c / ‖g‖", "按范数裁剪，g ← g·c / ‖g‖", "cắt theo chuẩn, g ← g·c / ‖g‖"),
    "clip_grad_value": ("clipping by value, every entry into ±c", "按數值裁剪，每個元素截到 ±c", "按数值裁剪，每个元素截到 ±c", "cắt theo giá trị, mỗi phần tử vào ±c"),
    "weight_decay": ("L2 weight decay, dW ← dW + λW", "L2 權重衰減，dW ← dW + λW", "L2 权重衰减，dW ← dW + λW", "suy giảm trọng số L2, dW ← dW + λW"),
    "adam": ("the Adam update", "Adam 更新", "Adam 更新", "bước cập nhật Adam"),
    "rmsprop": ("the RMSprop update", "RMSprop 更新", "RMSprop 更新", "bước cập nhật RMSprop"),
}
LAYER = t4("layer", "層", "层", "lớp")
STEP = t4("training step", "訓練步", "训练步", "bước huấn luyện")
GRAD = t4("‖dW‖", "‖dW‖", "‖dW‖", "‖dW‖")


class Chapters:
    """The chapters of a comparison of deep networks of ``layers`` layers, network by network."""

    def __init__(self, trace: Trace, layers: int) -> None:
        self.trace, self.layers = trace, layers
        self.seen: set[tuple[str, str | None]] = set()  # (op, part): a residual add is not a bias add
        self.chapters: list[Chapter] = []

    def _add(self, title: Text, steps: tuple[int, int], play: str = "full", repeat: int = 1) -> None:
        if steps[0] <= steps[1]:
            self.chapters.append(Chapter(title, steps, play, max(repeat, 1)))
            self.seen |= {(s.op, s.part) for s in self.trace.steps[steps[0]:steps[1] + 1]}

    def worked(self, net: str, label: str) -> None:
        """The first network: layer 1 in full, the same computation ×(L − 1), the loss, the
        gradient through the last two layers in full, then back to layer 1 ×(L − 2)."""
        L, tr = self.layers, self.trace
        self._add(t4("{n}: layer 1, worked in full", "{n}：第 1 層，完整算一遍", "{n}：第 1 层，完整算一遍",
                     "{n}: lớp 1, tính đầy đủ", n=label), span(tr, f"{net}.layer1", "forward"))
        if L > 1:
            self._add(t4("{n}: layers 2–{L}, the same computation", "{n}：第 2–{L} 層，同樣的計算",
                         "{n}：第 2–{L} 层，同样的计算", "{n}: lớp 2–{L}, cùng phép tính", n=label, L=L),
                      (span(tr, f"{net}.layer2", "forward")[0], span(tr, f"{net}.layer{L}", "forward")[1]),
                      "summary", L - 1)
        self._add(t4("{n}: the loss", "{n}：損失", "{n}：损失", "{n}: hàm mất mát", n=label), span(tr, f"{net}.loss", "forward"))
        back = span(tr, net, "backward")
        top = max(L - 1, 1)
        self._add(t4("{n}: the gradient from the loss back through layers {L} and {k}", "{n}：梯度從損失反向傳過第 {L} 層和第 {k} 層",
                     "{n}：梯度从损失反向传过第 {L} 层和第 {k} 层", "{n}: gradient từ hàm mất mát ngược qua lớp {L} và {k}",
                     n=label, L=L, k=top), (back[0], span(tr, f"{net}.layer{top}", "backward")[1]))
        if L > 2:
            self._add(t4("{n}: back through layers {k}–1, the same computation", "{n}：反向傳過第 {k} 到第 1 層，同樣的計算",
                         "{n}：反向传过第 {k} 到第 1 层，同样的计算", "{n}: ngược qua lớp {k}–1, cùng phép tính",
                         n=label, k=L - 2), (span(tr, f"{net}.layer{L - 2}", "backward")[0], back[1]), "summary", L - 2)

    def summarised(self, net: str, label: str) -> None:
        """Another network: its layer 1 in full only when it runs an op not shown yet (a new
        activation, a batch norm, a residual add), the rest of its passes summarised."""
        tr, L = self.trace, self.layers
        first = span(tr, f"{net}.layer1", "forward")
        passes = (span(tr, net, "forward")[0], span(tr, net, "backward")[1])
        if {(s.op, s.part) for s in tr.steps[first[0]:first[1] + 1]} - self.seen:
            self._add(t4("{n}: layer 1, worked in full", "{n}：第 1 層，完整算一遍", "{n}：第 1 层，完整算一遍",
                         "{n}: lớp 1, tính đầy đủ", n=label), first)
            passes = (first[1] + 1, passes[1])
        self._add(t4("{n}: forward and backward through {L} layers", "{n}：前向與反向傳過 {L} 層",
                     "{n}：前向与反向传过 {L} 层", "{n}: xuôi và ngược qua {L} lớp", n=label, L=L), passes, "summary", L)

    def updates(self, net: str, label: str) -> None:
        """The update steps of a network: each op not shown yet worked once, the rest summarised."""
        steps = [s for s in self.trace.steps if s.phase == "update" and s.name.startswith(net + ".")]
        pending: list[int] = []
        for s in steps:
            if (s.op, s.part) in self.seen:
                pending.append(s.id)
                continue
            self._rest(pending, label)
            pending = []
            self._add(t4("{n}: {w}, worked once", "{n}：{w}，完整算一次", "{n}：{w}，完整算一次", "{n}: {w}, tính một lần",
                         n=label, w=WHAT.get(s.op, (s.op,) * 4)), (s.id, s.id))
        self._rest(pending, label)

    def _rest(self, ids: list[int], label: str) -> None:
        if ids:
            n = sum(1 for i in ids if self.trace.steps[i].name.endswith(".update"))
            self._add(t4("{n}: the other updates", "{n}：其餘的更新", "{n}：其余的更新", "{n}: các bước cập nhật còn lại", n=label),
                      (ids[0], ids[-1]), "summary", n)


def _chapters(trace: Trace, variants: Sequence[Any], layers: int) -> list[Chapter]:
    book = Chapters(trace, layers)
    for k, v in enumerate(variants):
        (book.summarised if k else book.worked)(v.name, v.label)
        book.updates(v.name, v.label)
    return book.chapters


def _by_label(variants: Sequence[Any], values: dict[str, Any]) -> dict[str, Any]:
    return {v.label: values[v.name] for v in variants}


# ---- vanishing gradients -----------------------------------------------------------------------
def vanishing_story(trace: Trace, variants: Sequence[Any], layers: int) -> None:
    """``trace.meta["story"]`` and ``["summary"]`` of vanishing_gradients, from its meta."""
    meta = trace.meta
    norms, losses, lost = meta["grad_norms"], meta["loss_history"], meta["lost_at"]
    label = {v.name: v.label for v in variants}
    keep = [label[k] for k in meta["keeps_gradient"]]
    steps = max(len(h) for h in losses.values())
    final = {k: h[-1] for k, h in losses.items()}
    best = min(final, key=lambda k: final[k] if final[k] is not None else float("inf"))
    worst = max(final, key=lambda k: final[k] if final[k] is not None else float("inf"))
    parts = []
    if meta["loses_gradient"]:
        parts.append(t4("{s}.", "{s}。", "{s}。", "{s}.", s=langs(lambda lang: listing(
            [LOSES[lang].format(n=label[k], g=num(norms[k][0]), k=lost[k]) for k in meta["loses_gradient"]], lang))))
    if keep:
        kept = [norms[k][0] for k in meta["keeps_gradient"]]
        parts.append(t4("{keep} keep the gradient: ‖dW1‖ from {lo} to {hi}.", "{keep} 保住了梯度：‖dW1‖ 介於 {lo} 與 {hi} 之間。",
                        "{keep} 保住了梯度：‖dW1‖ 介于 {lo} 与 {hi} 之间。", "{keep} giữ được gradient: ‖dW1‖ từ {lo} đến {hi}.",
                        keep=langs(lambda lang: listing(keep, lang)), lo=num(min(kept)), hi=num(max(kept))))
    parts.append(t4("After {N} training steps the loss is {bl} for {b} and {wl} for {w}.",
                    "訓練 {N} 步後，{b} 的損失是 {bl}，{w} 是 {wl}。", "训练 {N} 步后，{b} 的损失是 {bl}，{w} 是 {wl}。",
                    "Sau {N} bước huấn luyện, mất mát của {b} là {bl}, của {w} là {wl}.",
                    N=steps, b=label[best], bl=num(final[best]), w=label[worst], wl=num(final[worst])))
    story = Story(
        title=t4("Vanishing gradients and their remedies", "梯度消失與它的解方", "梯度消失与它的解决办法",
                 "Gradient biến mất và cách khắc phục"),
        question=t4("Why does a deep sigmoid network stop learning, and which remedy keeps the gradient alive?",
                    "為什麼深層 sigmoid 網路學不動？哪一種解方能保住梯度？",
                    "为什么深层 sigmoid 网络学不动？哪一种解决办法能保住梯度？",
                    "Vì sao mạng sigmoid sâu ngừng học, và cách nào giữ được gradient?"),
        chapters=_chapters(trace, variants, layers),
        plots=[Plot("lines", t4("Gradient norm per layer, at initialisation", "初始化時每一層的梯度範數",
                                "初始化时每一层的梯度范数", "Chuẩn gradient theo từng lớp, lúc khởi tạo"),
                    LAYER, GRAD, list(range(1, layers + 1)), _by_label(variants, norms), log_y=True),
               Plot("lines", t4("Training loss", "訓練損失", "训练损失", "Mất mát khi huấn luyện"), STEP, t4("loss", "損失", "损失", "mất mát"),
                    list(range(steps)), {v.label: padded(losses[v.name], steps) for v in variants})],
        recap=joined(parts))
    meta["story"] = story.to_meta()
    meta["summary"] = [
        f"‖dW1‖ at initialisation: {', '.join(f'{k} {num(n[0])}' for k, n in norms.items())}; keeps the gradient: "
        f"{', '.join(meta['keeps_gradient']) or 'none'}; loses it: "
        + (", ".join(f"{k} (below 1% of the output layer's from layer {lost[k]} down)" for k in meta["loses_gradient"]) or "none"),
        f"loss after {steps} steps: " + ", ".join(f"{k} {num(v)}" for k, v in final.items()),
    ]


LOSES = {"en": "{n} loses the gradient (‖dW1‖ = {g}, below 1% of the output layer's from layer {k} down)",
         "zh-Hant": "{n} 讓梯度消失（‖dW1‖ = {g}，從第 {k} 層起低於輸出層的 1%）",
         "zh-Hans": "{n} 让梯度消失（‖dW1‖ = {g}，从第 {k} 层起低于输出层的 1%）",
         "vi": "{n} làm mất gradient (‖dW1‖ = {g}, dưới 1% của lớp đầu ra từ lớp {k} trở xuống)"}


# ---- exploding gradients -----------------------------------------------------------------------
def exploding_story(trace: Trace, variants: Sequence[Any], layers: int) -> None:
    """``trace.meta["story"]`` and ``["summary"]`` of exploding_gradients, from its meta."""
    meta = trace.meta
    losses, gnorms, over = meta["loss_history"], meta["grad_norm_history"], meta["overflow_at"]
    label = {v.name: v.label for v in variants}
    steps = max(len(h) for h in losses.values())
    burst = [k for k in label if over[k] is not None]
    alive = meta["survivors"]
    marks = [{"x": over[k], "label": t4("{n} overflows", "{n} 溢位", "{n} 溢出", "{n} tràn số", n=label[k])} for k in burst]
    parts = [t4("{n} overflows at step {s}: its gradient norm goes {a} → {b} → ∞.", "{n} 在第 {s} 步溢位：梯度範數 {a} → {b} → ∞。",
                "{n} 在第 {s} 步溢出：梯度范数 {a} → {b} → ∞。", "{n} tràn số ở bước {s}: chuẩn gradient {a} → {b} → ∞.",
                n=label[k], s=over[k], a=num(gnorms[k][0]), b=num(max(x for x in gnorms[k] if x is not None)))
             for k in burst]
    if alive:
        final = [losses[k][-1] for k in alive]
        parts.append(t4("{ok} survive: after {N} steps their loss is {lo} to {hi}, from {start}.",
                        "{ok} 撐了下來：{N} 步後損失在 {lo} 到 {hi} 之間，起點是 {start}。",
                        "{ok} 撑了下来：{N} 步后损失在 {lo} 到 {hi} 之间，起点是 {start}。",
                        "{ok} trụ vững: sau {N} bước, mất mát còn {lo} đến {hi}, từ {start}.",
                        ok=langs(lambda lang: listing([label[k] for k in alive], lang)), N=steps, lo=num(min(final)),
                        hi=num(max(final)), start=num(max(losses[k][0] for k in alive))))
    story = Story(
        title=t4("Exploding gradients: clipping, adaptive steps and weight decay", "梯度爆炸：裁剪、自適應步長與權重衰減",
                 "梯度爆炸：裁剪、自适应步长与权重衰减", "Gradient bùng nổ: cắt, bước thích nghi và suy giảm trọng số"),
        question=t4("Which optimiser survives a network whose gradients explode?", "梯度爆炸的網路，哪一種優化器撐得下來？",
                    "梯度爆炸的网络，哪一种优化器撑得下来？", "Với mạng có gradient bùng nổ, bộ tối ưu nào trụ vững?"),
        chapters=_chapters(trace, variants, layers),
        plots=[Plot("lines", t4("Gradient norm per layer, first step", "第一步時每一層的梯度範數", "第一步时每一层的梯度范数",
                                "Chuẩn gradient theo từng lớp, bước đầu"), LAYER, GRAD, list(range(1, layers + 1)),
                    _by_label(variants, meta["grad_norms"]), log_y=True, after=0),
               Plot("lines", t4("Gradient norm at every step (monitoring)", "每一步的梯度範數（監控）", "每一步的梯度范数（监控）",
                                "Chuẩn gradient ở mỗi bước (theo dõi)"), STEP, t4("‖g‖", "‖g‖", "‖g‖", "‖g‖"), list(range(steps)),
                    {v.label: padded(gnorms[v.name], steps) for v in variants}, log_y=True, marks=marks),
               Plot("lines", t4("Training loss", "訓練損失", "训练损失", "Mất mát khi huấn luyện"), STEP,
                    t4("loss", "損失", "损失", "mất mát"), list(range(steps)),
                    {v.label: padded(losses[v.name], steps) for v in variants}, log_y=True, marks=marks)],
        recap=joined(parts))
    meta["story"] = story.to_meta()
    meta["summary"] = [
        "overflows: " + (", ".join(f"{k} at step {over[k]}" for k in burst) or "none")
        + "; survives: " + (", ".join(alive) or "none"),
        f"loss after {steps} steps: " + ", ".join(f"{k} {num(h[-1]) if over[k] is None else '∞'}" for k, h in losses.items()),
    ]
