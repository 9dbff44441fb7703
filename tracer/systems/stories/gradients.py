"""The stories of vanishing_gradients and exploding_gradients: the first network worked in full, the
others summarised except where they run an op not shown yet (a new activation, a batch norm, a
residual add, a clipping or an optimiser's update), the comparison plots, a recap in four languages
and the lines ``tracer run`` prints. Every number comes from the trace's meta."""
from __future__ import annotations

from typing import Any, Sequence

from tracer.story import Plot, Story, Text
from tracer.trace import Trace

from tracer.i18n import LANGUAGES

from . import Outline, first, listing, meeting, num, per_language, say, sentences, tell
from .tokens import after_chinese, before_chinese

MINUS = "-"   # the minus of the summary a terminal prints (the screen's is −)

# what an update-phase op does, for chapter titles
WHAT = {
    "sgd": ("the SGD update W ← W − η·dW", "SGD 更新 W ← W − η·dW", "SGD 更新 W ← W − η·dW", "bước cập nhật SGD W ← W − η·dW"),
    "clip_grad_norm": ("clipping by norm, g ← g·c / ‖g‖", "按範數裁剪，g ← g·c / ‖g‖", "按范数裁剪，g ← g·c / ‖g‖", "cắt theo chuẩn, g ← g·c / ‖g‖"),
    "clip_grad_value": ("clipping by value, every entry into ±c", "按數值裁剪，每個元素截到 ±c", "按数值裁剪，每个元素截到 ±c", "cắt theo giá trị, mỗi phần tử vào ±c"),
    "weight_decay": ("L2 weight decay, dW ← dW + λW", "L2 權重衰減，dW ← dW + λW", "L2 权重衰减，dW ← dW + λW", "suy giảm trọng số L2, dW ← dW + λW"),
    "adam": ("the Adam update", "Adam 更新", "Adam 更新", "bước cập nhật Adam"),
    "rmsprop": ("the RMSprop update", "RMSprop 更新", "RMSprop 更新", "bước cập nhật RMSprop"),
}
LAYER = say("layer", "層", "层", "lớp")
STEP = say("training step", "訓練步", "训练步", "bước huấn luyện")
LOSS = say("loss", "損失", "损失", "mất mát")
GRAD = say("‖dW‖", "‖dW‖", "‖dW‖", "‖dW‖")


def padded(values: Sequence[float | None], n: int) -> list[float | None]:
    """``values`` filled with ``None`` to length ``n``: a run that stopped early leaves a gap."""
    return (list(values) + [None] * n)[:n]


class Book:
    """The chapters of a comparison of deep networks, network by network, remembering which ops
    (and the part each plays: a residual add is not a bias add) a chapter has shown already."""

    def __init__(self, trace: Trace, layers: int) -> None:
        self.trace, self.layers, self.outline = trace, layers, Outline(trace)
        self.seen: set[tuple[str, str | None]] = set()
        self.start: int | None = None

    def ops(self, a: int, b: int) -> set[tuple[str, str | None]]:
        return {(s.op, s.part) for s in self.trace.steps[a:b]}

    def add(self, start: int, title: Text, play: str = "full", repeat: int = 1) -> None:
        if self.start is not None:  # the chapter before runs up to this one
            self.seen |= self.ops(self.start, start)
        self.start = start
        self.outline.add(start, title, play, max(repeat, 1))

    def worked(self, net: str, label: tuple[str, ...]) -> None:
        """The first network: layer 1 in full, the same computation ×(L − 1), the loss, the
        gradient through the last two layers in full, then back to layer 1 ×(L − 2)."""
        L, tr = self.layers, self.trace
        self.add(first(tr, f"{net}.layer1", "forward"), say("{n}: layer 1, worked in full", "{n}：第 1 層，完整算一遍",
                                                            "{n}：第 1 层，完整算一遍", "{n}: lớp 1, tính đầy đủ", n=label))
        if L > 1:
            self.add(first(tr, f"{net}.layer2", "forward"), say(
                "{n}: layers 2–{L}, the same computation", "{n}：第 2–{L} 層，同樣的計算", "{n}：第 2–{L} 层，同样的计算",
                "{n}: lớp 2–{L}, cùng phép tính", n=label, L=L), "summary", L - 1)
        self.add(first(tr, f"{net}.loss", "forward"), say("{n}: the loss", "{n}：損失", "{n}：损失", "{n}: hàm mất mát", n=label))
        self.add(first(tr, net, "backward"), say(
            "{n}: the gradient from the loss back through layers {L} and {k}", "{n}：梯度從損失反向傳過第 {L} 層和第 {k} 層",
            "{n}：梯度从损失反向传过第 {L} 层和第 {k} 层", "{n}: gradient từ hàm mất mát ngược qua lớp {L} và {k}",
            n=label, L=L, k=max(L - 1, 1)))
        if L > 2:
            self.add(first(tr, f"{net}.layer{L - 2}", "backward"), say(
                "{n}: back through layers {k}–1, the same computation", "{n}：反向傳過第 {k} 到第 1 層，同樣的計算",
                "{n}：反向传过第 {k} 到第 1 层，同样的计算", "{n}: ngược qua lớp {k}–1, cùng phép tính", n=label, k=L - 2),
                "summary", L - 2)

    def summarised(self, net: str, label: tuple[str, ...]) -> None:
        """Another network: its layer 1 in full only when it runs an op not shown yet, the rest of its
        forward and backward passes summarised."""
        tr, L = self.trace, self.layers
        start = first(tr, net, "forward")
        rest = first(tr, f"{net}.layer2" if L > 1 else f"{net}.loss", "forward")
        if self.ops(start, rest) - self.seen:
            self.add(start, say("{n}: layer 1, worked in full", "{n}：第 1 層，完整算一遍", "{n}：第 1 层，完整算一遍",
                                "{n}: lớp 1, tính đầy đủ", n=label))
            start = rest
        sums = self.sums(net)
        if not sums or ("accumulate", None) in self.seen:
            self.add(start, say("{n}: forward and backward through {L} layers", "{n}：前向與反向傳過 {L} 層",
                                "{n}：前向与反向传过 {L} 层", "{n}: xuôi và ngược qua {L} lớp", n=label, L=L), "summary", L)
            return
        # a residual network: where the skip's gradient and the layer's meet, their sum worked once
        x = tr.tensors[tr.steps[sums[0]].attrs["tensor"]].name
        self.add(start, say("{n}: forward through {L} layers, back to the first skip", "{n}：前向傳過 {L} 層，再反向傳到第一個跳接",
                            "{n}：前向传过 {L} 层，再反向传到第一个跳接", "{n}: xuôi qua {L} lớp, ngược về đường tắt đầu tiên",
                            n=label, L=L), "summary", L)
        self.add(sums[0], say("{n}: {x}'s gradient = the skip's + the layer's", "{n}：{x} 的梯度 = 跳接的 + 該層的",
                              "{n}：{x} 的梯度 = 跳接的 + 该层的", "{n}: gradient của {x} = của đường tắt + của lớp", n=label, x=x))
        if sums[0] + 1 < self.end(net):
            self.add(sums[0] + 1, say("{n}: back through the other layers: the same", "{n}：反向傳過其餘各層：同樣的計算",
                                      "{n}：反向传过其余各层：同样的计算", "{n}: ngược qua các lớp còn lại: cùng phép tính",
                                      n=label), "summary", len(sums))

    def sums(self, net: str) -> list[int]:
        """The sums in ``net``'s backward pass where two gradients meet (a residual's skip and its layer)."""
        found, after = [], first(self.trace, net, "backward") - 1
        while (after := meeting(self.trace, after, inside=True)) is not None and after < self.end(net):
            found.append(after)
        return found

    def end(self, net: str) -> int:
        """The step after ``net``'s last one."""
        last = max(s.id for s in self.trace.steps if s.name.startswith(net + "."))
        return last + 1

    def updates(self, net: str, label: tuple[str, ...]) -> None:
        """A network's update steps: each op not shown yet worked once, the others summarised."""
        shown, rest = set(self.seen), None  # rest: [first step, parameters updated] of an open summary
        for s in (s for s in self.trace.steps if s.phase == "update" and s.name.startswith(net + ".")):
            if (s.op, s.part) in shown:
                rest = rest or [s.id, 0]
                rest[1] += s.name.endswith(".update")
                continue
            self._other_updates(rest, label)
            rest = None
            self.add(s.id, say("{n}: {w}, worked once", "{n}：{w}，完整算一次", "{n}：{w}，完整算一次", "{n}: {w}, tính một lần",
                               n=label, w=WHAT.get(s.op, (s.op,) * 4)))
            shown.add((s.op, s.part))
        self._other_updates(rest, label)

    def _other_updates(self, rest: list[int] | None, label: tuple[str, ...]) -> None:
        if rest:
            self.add(rest[0], say("{n}: the other updates", "{n}：其餘的更新", "{n}：其余的更新", "{n}: các bước cập nhật còn lại",
                                  n=label), "summary", rest[1])


def named(v: Any) -> tuple[str, ...]:
    """A variant's label in each language (its ``labels``, else the English ``label``), as a value
    for :func:`say`."""
    return tuple(v.label if lang == "en" else v.labels.get(lang, v.label) for lang in LANGUAGES)


def lead(label: tuple[str, ...]) -> tuple[str, ...]:
    """A variant's label as it starts a Chinese sentence (``SGD 溢位``, ``批次正規化溢位``): no space
    after a Chinese word, one after a Latin word (:func:`.tokens.before_chinese`)."""
    return tuple(before_chinese(t) if lang.startswith("zh") else t for lang, t in zip(LANGUAGES, label))


def trail(label: tuple[str, ...]) -> tuple[str, ...]:
    """A variant's label after a Chinese word (``最低的是 sigmoid + …``, ``最低的是批次正規化``)."""
    return tuple(after_chinese(t) if lang.startswith("zh") else t for lang, t in zip(LANGUAGES, label))


def _outline(trace: Trace, variants: Sequence[Any], layers: int) -> Outline:
    book = Book(trace, layers)
    for k, v in enumerate(variants):
        (book.summarised if k else book.worked)(v.name, named(v))
        book.updates(v.name, named(v))
    return book.outline


def _by_label(variants: Sequence[Any], values: dict[str, Any]) -> dict[str, Any]:
    return {v.label: values[v.name] for v in variants}


def _legend(variants: Sequence[Any]) -> dict[str, Text]:
    """Each variant's name per language, for a plot's legend (its series are keyed by ``label``)."""
    return {v.label: dict(zip(LANGUAGES, named(v))) for v in variants}


# ---- vanishing gradients -----------------------------------------------------------------------
LOSES = {"en": "{n} loses the gradient (‖dW1‖ = {g}, below 1% of the output layer's from layer {k} down)",
         "zh-Hant": "{n}讓梯度消失（‖dW1‖ = {g}，從第 {k} 層起低於輸出層的 1%）",
         "zh-Hans": "{n}让梯度消失（‖dW1‖ = {g}，从第 {k} 层起低于输出层的 1%）",
         "vi": "{n} làm mất gradient (‖dW1‖ = {g}, dưới 1% của lớp đầu ra từ lớp {k} trở xuống)"}


def vanishing(trace: Trace, variants: Sequence[Any], layers: int) -> Story:
    """Chapters, the gradient norm per layer (log scale) and the loss curves of every network."""
    meta = trace.meta
    norms, losses, lost = meta["grad_norms"], meta["loss_history"], meta["lost_at"]
    label = {v.name: named(v) for v in variants}
    steps = max(len(h) for h in losses.values())
    final = {k: float("inf") if h[-1] is None else h[-1] for k, h in losses.items()}  # None: it overflowed
    best, worst = min(final, key=final.__getitem__), max(final, key=final.__getitem__)
    told = []
    if meta["loses_gradient"]:
        told.append(say("{s}.", "{s}。", "{s}。", "{s}.", s=per_language(lambda lang: listing(
            [LOSES[lang].format(n=lead(label[k])[LANGUAGES.index(lang)], g=num(norms[k][0]), k=lost[k]) for k in meta["loses_gradient"]], lang))))
    if meta["keeps_gradient"]:
        kept = [norms[k][0] for k in meta["keeps_gradient"]]
        told.append(say("{keep} keep the gradient: ‖dW1‖ from {lo} to {hi}.", "保住了梯度的有：{keep}；‖dW1‖ 介於 {lo} 與 {hi} 之間。",
                        "保住了梯度的有：{keep}；‖dW1‖ 介于 {lo} 与 {hi} 之间。", "{keep} giữ được gradient: ‖dW1‖ từ {lo} đến {hi}.",
                        keep=per_language(lambda lang: listing([label[k][LANGUAGES.index(lang)] for k in meta["keeps_gradient"]], lang)),
                        lo=num(min(kept)), hi=num(max(kept))))
    told.append(say("After {N} training steps the loss is {bl} for {b} and {wl} for {w}.",
                    "訓練 {N} 步後，損失最低的是{b}（{bl}），最高的是{w}（{wl}）。", "训练 {N} 步后，损失最低的是{b}（{bl}），最高的是{w}（{wl}）。",
                    "Sau {N} bước huấn luyện, mất mát của {b} là {bl}, của {w} là {wl}.",
                    N=steps, b=trail(label[best]), bl=num(final[best]), w=trail(label[worst]), wl=num(final[worst])))
    meta["summary"] = [   # lines a terminal prints: their minus is "-"
        f"‖dW1‖ at initialisation: {', '.join(f'{k} {num(n[0], MINUS)}' for k, n in norms.items())}; keeps the gradient: "
        f"{', '.join(meta['keeps_gradient']) or 'none'}; loses it: "
        + (", ".join(f"{k} (below 1% of the output layer's from layer {lost[k]} down)" for k in meta["loses_gradient"]) or "none"),
        f"loss after {steps} steps: " + ", ".join(f"{k} {num(v, MINUS)}" for k, v in final.items()),
    ]
    return tell(trace, _outline(trace, variants, layers),
                title=say("Vanishing gradients and their remedies", "梯度消失與它的解方", "梯度消失与它的解决办法",
                          "Gradient biến mất và cách khắc phục"),
                question=say("Why does a deep sigmoid network stop learning, and which remedy keeps the gradient alive?",
                             "為什麼深層 sigmoid 網路學不動？哪一種解方能保住梯度？",
                             "为什么深层 sigmoid 网络学不动？哪一种解决办法能保住梯度？",
                             "Vì sao mạng sigmoid sâu ngừng học, và cách nào giữ được gradient?"),
                plots=[Plot("lines", say("Gradient norm per layer, at initialisation", "初始化時每一層的梯度範數",
                                         "初始化时每一层的梯度范数", "Chuẩn gradient theo từng lớp, lúc khởi tạo"),
                            LAYER, GRAD, list(range(1, layers + 1)), _by_label(variants, norms), log_y=True, names=_legend(variants)),
                       Plot("lines", say("Training loss", "訓練損失", "训练损失", "Mất mát khi huấn luyện"), STEP, LOSS,
                            list(range(steps)), {v.label: padded(losses[v.name], steps) for v in variants},
                            log_y=True, names=_legend(variants))],  # from 43 (residual, at first) down to 1e-4 (batch norm)
                closing=0,   # its question's answer: the gradient per layer, lost or kept
                recap=sentences(*told))


# ---- exploding gradients -----------------------------------------------------------------------
def exploding(trace: Trace, variants: Sequence[Any], layers: int) -> Story:
    """Chapters, the gradient norm per layer at the first step, the gradient norm and the loss at
    every step (log scale) with the overflows marked."""
    meta = trace.meta
    losses, gnorms, over = meta["loss_history"], meta["grad_norm_history"], meta["overflow_at"]
    label = {v.name: named(v) for v in variants}
    steps = max(len(h) for h in losses.values())
    burst, alive = [k for k in label if over[k] is not None], meta["survivors"]
    marks = [{"x": over[k], "label": say("{n} overflows", "{n}溢位", "{n}溢出", "{n} tràn số", n=lead(label[k]))} for k in burst]
    told = [say("{n} overflows at step {s}: its gradient norm goes {a} → {b} → ∞.", "{n}在第 {s} 步溢位：梯度範數 {a} → {b} → ∞。",
                "{n}在第 {s} 步溢出：梯度范数 {a} → {b} → ∞。", "{n} tràn số ở bước {s}: chuẩn gradient {a} → {b} → ∞.",
                n=lead(label[k]), s=over[k], a=num(gnorms[k][0]), b=num(max(g for g in gnorms[k] if g is not None))) for k in burst]
    if alive:
        final = [losses[k][-1] for k in alive]
        told.append(say("{ok} survive: after {N} steps their loss is {lo} to {hi}, from {start}.",
                        "撐了下來的有：{ok}；{N} 步後損失在 {lo} 到 {hi} 之間，起點是 {start}。",
                        "撑了下来的有：{ok}；{N} 步后损失在 {lo} 到 {hi} 之间，起点是 {start}。",
                        "{ok} trụ vững: sau {N} bước, mất mát còn {lo} đến {hi}, từ {start}.",
                        ok=per_language(lambda lang: listing([label[k][LANGUAGES.index(lang)] for k in alive], lang)), N=steps, lo=num(min(final)),
                        hi=num(max(final)), start=num(max(losses[k][0] for k in alive))))
    meta["summary"] = [   # lines a terminal prints: their minus is "-"
        "overflows: " + (", ".join(f"{k} at step {over[k]}" for k in burst) or "none") + "; survives: " + (", ".join(alive) or "none"),
        f"loss after {steps} steps: " + ", ".join(f"{k} {'∞' if over[k] is not None else num(h[-1], MINUS)}" for k, h in losses.items()),
    ]
    every_step = list(range(steps))
    return tell(trace, _outline(trace, variants, layers),
                title=say("Exploding gradients: clipping, adaptive steps and weight decay", "梯度爆炸：裁剪、自適應步長與權重衰減",
                          "梯度爆炸：裁剪、自适应步长与权重衰减", "Gradient bùng nổ: cắt, bước thích nghi và suy giảm trọng số"),
                question=say("Which optimiser survives a network whose gradients explode?", "梯度爆炸的網路，哪一種優化器撐得下來？",
                             "梯度爆炸的网络，哪一种优化器撑得下来？", "Với mạng có gradient bùng nổ, bộ tối ưu nào trụ vững?"),
                plots=[Plot("lines", say("Gradient norm per layer, first step", "第一步時每一層的梯度範數", "第一步时每一层的梯度范数",
                                         "Chuẩn gradient theo từng lớp, bước đầu"), LAYER, GRAD, list(range(1, layers + 1)),
                            _by_label(variants, meta["grad_norms"]), log_y=True, after=0, names=_legend(variants)),
                       Plot("lines", say("Gradient norm at every step (monitoring)", "每一步的梯度範數（監控）", "每一步的梯度范数（监控）",
                                         "Chuẩn gradient ở mỗi bước (theo dõi)"), STEP, say("‖g‖", "‖g‖", "‖g‖", "‖g‖"), every_step,
                            {v.label: padded(gnorms[v.name], steps) for v in variants}, log_y=True, marks=marks,
                            names=_legend(variants)),
                       Plot("lines", say("Training loss", "訓練損失", "训练损失", "Mất mát khi huấn luyện"), STEP, LOSS, every_step,
                            {v.label: padded(losses[v.name], steps) for v in variants}, log_y=True, marks=marks,
                            names=_legend(variants))],
                recap=sentences(*told))
