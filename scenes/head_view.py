"""What the attention map of one head shows, read from a trace (no Manim here).

The pattern of layer L's head H is the softmax output ``blocks.L.attn.pattern`` (TransformerLens's
hook name), of shape ``(heads, T, T)``: one row per query token (the token that *attends from*), one
column per key (the token it *attends to*). A :class:`HeadView` holds its slice ``H`` with the token
labels, the weights as the explanation prints them, each row's strongest key, and the workings of
one cell from its score q·k to its weight (:func:`tracer.explain.explain`): the scene only draws them.

>>> import numpy as np, tracer
>>> from tracer.nn import TransformerBlock
>>> block = TransformerBlock.init(d=4, n_heads=2, d_ff=8, seed=0)
>>> with tracer.record() as trace:
...     _ = block(tracer.tensor(np.eye(3, 4), name="x", rows=["I", "saw", "it"]))
>>> view = find_head(trace, layer=0, head=1)
>>> view.queries, view.cell == (1, view.strongest[1])
(('I', 'saw', 'it'), True)
>>> [w.formula for w in view.workings]
['q_heads[1, 1, :]·k_T[1, :, 1]', 'scores / 1.414', 'pattern = e^scaled / Σ e^scaled']
>>> find_head(trace, layer=1, head=0)
Traceback (most recent call last):
tracer.errors.TracerError: --layer 1: the trace has layers 0..0
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tracer.errors import TracerError
from tracer.explain import Working, explain, number_view
from tracer.i18n import in_language
from tracer.ops.spec import family_of
from tracer.safetext import printable
from tracer.trace import Step, Trace

PATTERN = re.compile(r"(?:^|\.)blocks\.(\d+)\.attn\.pattern$")   # TransformerLens's hook name
MAX_TOKENS = 48        # beyond this the labels cannot be read at 1080p
NUMBERS_UP_TO = 12     # each cell prints its weight when the sentence has at most this many tokens

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Layer {layer}, head {head}: who attends to whom",
              "zh-Hant": "第 {layer} 層、第 {head} 個頭：誰注意誰",
              "zh-Hans": "第 {layer} 层、第 {head} 个头：谁注意谁",
              "vi": "Lớp {layer}, đầu {head}: ai chú ý đến ai"},
    "from": {"en": "attends from (query)", "zh-Hant": "從這個詞出發（查詢）",
             "zh-Hans": "从这个词出发（查询）", "vi": "chú ý từ (truy vấn)"},
    "to": {"en": "attends to (key)", "zh-Hant": "注意到的詞（鍵）", "zh-Hans": "注意到的词（键）",
           "vi": "chú ý đến (khóa)"},
    "weight": {"en": "weight", "zh-Hant": "權重", "zh-Hans": "权重", "vi": "trọng số"},
    "rows": {"en": "Each row adds up to 1: how one token shares its attention among the keys. "
                   "A box marks each row's strongest key.",
             "zh-Hant": "每一列加起來都是 1：一個詞怎樣把注意力分給各個鍵。方框標出每一列最強的鍵。",
             "zh-Hans": "每一行加起来都是 1：一个词怎样把注意力分给各个键。方框标出每一行最强的键。",
             "vi": "Mỗi hàng cộng lại bằng 1: một từ chia sự chú ý cho các khóa. "
                   "Ô có khung là khóa mạnh nhất của hàng."},
    "cell": {"en": "Worked cell: {query} → {key}", "zh-Hant": "算一格：{query} → {key}",
             "zh-Hans": "算一格：{query} → {key}", "vi": "Tính một ô: {query} → {key}"},
    "contraction": {"en": "score: query · key", "zh-Hant": "分數：查詢 · 鍵", "zh-Hans": "分数：查询 · 键",
                    "vi": "điểm: truy vấn · khóa"},
    "elementwise": {"en": "scaled by √d_head", "zh-Hant": "除以 √d_head", "zh-Hans": "除以 √d_head",
                    "vi": "chia cho √d_head"},
    "normalization": {"en": "softmax over the row", "zh-Hant": "對整列做 softmax", "zh-Hans": "对整行做 softmax",
                      "vi": "softmax trên cả hàng"},
}


def word(name: str, lang: str, **fill: object) -> str:
    """One of this scene's words in ``lang`` (placeholders filled)."""
    return in_language(WORDS, name, lang, **fill)


@dataclass(frozen=True)
class HeadView:
    """What the map of one head shows, every value read from the trace (nothing computed here).

    ``texts`` are the weights as the explanation prints them; ``strongest`` the key column of
    each row's largest weight; ``cell`` the worked (query, key); ``workings`` the steps from the
    score to the weight, each a :class:`~tracer.explain.Working` of that cell.
    """

    layer: int
    head: int
    step: Step
    queries: tuple[str, ...]
    keys: tuple[str, ...]
    weights: np.ndarray                 # (T, T): colours only
    texts: tuple[tuple[str, ...], ...]
    strongest: tuple[int, ...]
    cell: tuple[int, int]
    workings: tuple[Working, ...]
    kinds: tuple[str, ...]              # each working's op family: contraction, elementwise, normalization
    sentence: str = ""


def patterns(trace: Trace) -> dict[int, Step]:
    """The attention pattern step of each layer (the first pass's, when the model ran again)."""
    found: dict[int, Step] = {}
    for s in trace.steps:
        m = PATTERN.search(s.name)
        if m and s.phase == "forward":
            found.setdefault(int(m[1]), s)
    return found


def find_head(trace: Trace, layer: int, head: int, lang: str = "en") -> HeadView:
    """The map of ``head`` of ``layer``: the step ``blocks.{layer}.attn.pattern``, its slice ``head``.

    Raises
    ------
    TracerError
        No attention pattern in the trace, a layer or head out of range (naming the valid range),
        or a pattern that is not one sentence's ``(heads, T, T)``.
    """
    layers = patterns(trace)
    if not layers:
        raise TracerError("--layer: the trace has no attention pattern (a step named blocks.L.attn.pattern): "
                          "trace a transformer, e.g. tracer run minilm")
    if layer not in layers:
        raise TracerError(f"--layer {layer}: the trace has layers 0..{max(layers)}")
    step = layers[layer]
    rec = trace.tensors[step.outputs[0]]
    if len(rec.shape) != 3 or rec.shape[1] != rec.shape[2]:
        raise TracerError(f"--layer {layer}: {step.name} has shape {tuple(rec.shape)}, not (heads, tokens, tokens) "
                          "of one sentence")
    heads, T = rec.shape[0], rec.shape[1]
    if not 0 <= head < heads:
        raise TracerError(f"--head {head}: layer {layer} has heads 0..{heads - 1}")
    if T > MAX_TOKENS:
        raise TracerError(f"--layer {layer}: the sentence has {T} tokens; the heat map shows at most {MAX_TOKENS}")
    labels = rec.labels or (None, None, None)
    queries = tuple(printable(t) for t in (labels[1] or range(T)))
    keys = tuple(printable(t) for t in (labels[2] or range(T)))
    weights = np.asarray(rec.data)[head]
    view = number_view(trace, "−")
    texts = tuple(tuple(view.text(rec.id, (head, i, j)) for j in range(T)) for i in range(T))
    strongest = tuple(int(np.argmax(row)) for row in weights)
    cell = (T // 2, strongest[T // 2])   # the middle token's strongest key
    steps = chain(trace, step)
    workings = tuple(explain(trace, s, (head, *cell), minus="−", lang=lang) for s in steps)
    return HeadView(layer, head, step, queries, keys, weights, texts, strongest, cell, workings,
                    tuple(family_of(s.op) for s in steps), printable(trace.meta.get("text", "")))


def chain(trace: Trace, pattern: Step) -> list[Step]:
    """The steps from the scores (a contraction: q·kᵀ) to the pattern, each making a tensor of the
    pattern's shape; structural ones (a mask) are passed through, not shown."""
    shape = tuple(trace.tensors[pattern.outputs[0]].shape)
    steps, tid = [pattern], pattern.inputs[0]
    while len(steps) < 6:
        rec = trace.tensors[tid]
        if rec.producer is None or tuple(rec.shape) != shape:
            break
        s = trace.steps[rec.producer]
        if family_of(s.op) != "structural":
            steps.append(s)
        if family_of(s.op) == "contraction":
            break
        same = [t for t in s.inputs if tuple(trace.tensors[t].shape) == shape and trace.tensors[t].dtype != "|b1"]
        if not same:   # where(mask, scores, −∞): the scores, not the mask
            break
        tid = same[0]
    return steps[::-1]
