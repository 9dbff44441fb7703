"""Backpropagation through time as chapters, for the recurrent stories (:mod:`.recurrent`): the
output and the loss, back into the last timestep in full, back through the timesteps before it
fast, except where two gradients meet in a sum that teaches something new, worked cell by cell:
the LSTM's d[h; x], whose shares come back through each of its gates; the cell state (LSTM) or
hidden state (GRU) a next timestep read more than once; a weight every timestep shares (RNN).
"""
from __future__ import annotations

from typing import Sequence

from tracer.i18n import LANGUAGES
from tracer.shares import named, part, tight
from tracer.story import Text
from tracer.trace import Step, Trace

from . import Outline, first, meeting, per_language, say

# the gates and the ways a gradient came back are named in the words of tracer.shares (PARTS,
# named): the titles say what the line under each share and the caption say
AND = dict(zip(LANGUAGES, (" and ", " 與 ", " 与 ", " và ")))   # (tight() drops a space between two Chinese words)


def through_time(outline: Outline, scope: str, label: str, T: int, loss: str, gates: bool = False) -> None:
    """The output and the loss, then backpropagation through time: back into the last timestep in
    full, through the others summarised. ``gates`` (an LSTM): back through its output gate in full,
    through the other three gates (the same work, their own weights) summarised but for the first
    sum of d[h; x]'s shares, worked with the gates they came through named, then [h; x] split."""
    trace = outline.trace
    outline.add(first(trace, f"{scope}.y", "forward"), say(
        "{n}: the output and the loss", "{n}：輸出與損失", "{n}：输出与损失", "{n}: đầu ra và mất mát", n=label))
    outline.add(first(trace, loss, "backward"), say(
        "{n}: the gradient back into timestep {T}", "{n}：梯度反向傳回第 {T} 個時間步", "{n}：梯度反向传回第 {T} 个时间步",
        "{n}: gradient ngược về bước {T}", n=label, T=T))
    if gates:
        split = first(trace, f"{scope}.t{T - 1}.hx.grad", "backward")
        gates_back(outline, first(trace, f"{scope}.t{T - 1}.candidate", "backward"), split, label)
        outline.add(split, say(
            "{n}: [h; x] split back into h and x", "{n}：[h；x] 拆回 h 與 x", "{n}：[h；x] 拆回 h 与 x",
            "{n}: [h; x] tách lại thành h và x", n=label))
    if T > 1:
        earlier(outline, first(trace, f"{scope}.t{T - 2}", "backward"), label, T - 1)


def gates_back(outline: Outline, start: int, split: int, label: str) -> None:
    """Back through the LSTM's gates after the output gate, steps ``start`` up to ``split`` (where
    [h; x] is split): the next gate fast; the sum of d[h; x]'s shares through it and through the
    output gate in full, each share named by its gate; the remaining gates fast (their shares
    added the same way)."""
    trace = outline.trace
    meet = meeting(trace, start - 1, inside=True)
    if meet is None or meet >= split:   # no shares of d[h; x] to add: the three gates as one
        outline.add(start, say(*OTHER_GATES.values(), n=label), "summary", 3)
        return
    outline.add(start, said(NEXT_GATE, n=label, g=_gate_words(trace, _gates(trace, start, meet))), "summary")
    outline.add(meet, said(HX_MEET, n=label, **_ways(trace, trace.steps[meet])))
    rest = _gates(trace, meet + 1, split)
    if rest:
        outline.add(meet + 1, said(REST_GATES, n=label, g=_gate_words(trace, rest)), "summary", len(rest))


def _gates(trace: Trace, lo: int, hi: int) -> list[Step]:
    """The gates (their forward steps, z_o = W_o·[h; x] + b_o) steps ``lo`` up to ``hi`` go back
    through, in order."""
    return [trace.steps[s.grad_of] for s in trace.steps[lo:hi] if s.parent is None and s.op == "linear"]


def _gate_words(trace: Trace, gates: Sequence[Step]) -> tuple[str, ...]:
    """The gates named in each language (:func:`tracer.shares.part`), joined with "and", as a
    value for :func:`say`."""
    return per_language(lambda lang: AND[lang].join(part(trace, g, lang) for g in gates))


def _ways(trace: Trace, step: Step) -> dict[str, tuple[str, ...]]:
    """The ways the two shares the accumulate ``step`` adds came back (:func:`tracer.shares.named`),
    ``a`` and ``b``, each in every language, as values for :func:`say`."""
    ways = {lang: [way for _, way in named(trace, step, lang)] for lang in LANGUAGES}
    return {"a": per_language(lambda lang: ways[lang][0]), "b": per_language(lambda lang: ways[lang][1])}


def said(template: Text, **values: object) -> Text:
    """``template`` (a text in each language) filled by :func:`say`, each Chinese text as Chinese
    typesetting sets it (:func:`tracer.shares.tight`: a name in words joins the words beside it)."""
    return {lang: tight(text, lang) for lang, text in say(*template.values(), **values).items()}


OTHER_GATES = say("{n}: back through the other three gates: the same, own weights", "{n}：反向傳過其餘三個門：同樣的計算，各用自己的權重",
                  "{n}：反向传过其余三个门：同样的计算，各用自己的权重", "{n}: ngược qua ba cổng còn lại: cùng phép tính, trọng số riêng")
NEXT_GATE = say("{n}: back through {g}: the same, its own weights", "{n}：反向傳過 {g}：同樣的計算，用它自己的權重",
                "{n}：反向传过 {g}：同样的计算，用它自己的权重", "{n}: ngược qua {g}: cùng phép tính, trọng số riêng")
HX_MEET = say("{n}: d[h; x] {a} and {b}, added", "{n}：{a} 和 {b} 傳回的 d[h；x] 相加",
              "{n}：{a} 和 {b} 传回的 d[h；x] 相加", "{n}: d[h; x] {a} và {b}, cộng lại")
REST_GATES = say("{n}: back through {g}: the same, shares added",
                 "{n}：反向傳過 {g}：同樣的計算，它們給 [h；x] 的梯度也加上", "{n}：反向传过 {g}：同样的计算，它们给 [h；x] 的梯度也加上",
                 "{n}: ngược qua {g}: cùng phép tính, phần gradient của [h; x] cũng cộng vào")


def earlier(outline: Outline, back: int, label: str, k: int) -> None:
    """Back through timesteps ``k``–1 from step ``back``, summarised (×k: the cell worked already),
    except the first sum where two gradients meet that the chapters worked before have not summed
    a gradient of the same kind for (the cell state read twice, the hidden state read by the next
    timestep along three ways, a weight every timestep shares), worked in full."""
    trace = outline.trace
    end = next((s.id for s in trace.steps[back:] if s.phase != "backward"), len(trace.steps))
    told = summed(outline, back)
    meet = next((m for m in meetings(trace, back - 1, end) if quantity(trace, m) not in told), None)
    if meet is None:
        outline.add(back, say(*EARLIER.values(), n=label, k=k), "summary", k)
        return
    if meet > back:
        outline.add(back, say(*INTO_EARLIER.values(), n=label, k=k), "summary")
    outline.add(meet, _meet_title(trace, meet, label, k))
    if meet + 1 < end:
        outline.add(meet + 1, say(*LATER.values(), n=label, k=k), "summary", k)


def meetings(trace: Trace, after: int, before: int, inside: bool = False) -> list[int]:
    """The ids of the sums where two paths meet (:func:`meeting`) after step ``after``, before ``before``."""
    found = []
    while (after := meeting(trace, after, inside)) is not None and after < before:
        found.append(after)
    return found


def quantity(trace: Trace, sid: int) -> str:
    """What the sum ``sid`` adds gradients of, the same at every timestep: the step that made its
    tensor (``hidden``, ``cell``, ``update_gate``), or the tensor a leaf is (``W_h``)."""
    x = trace.tensors[trace.steps[sid].attrs["tensor"]]
    return x.name if x.producer is None else trace.steps[x.producer].name.split(".")[-1]


def summed(outline: Outline, before: int) -> set[str]:
    """The quantities (:func:`quantity`) whose sums the chapters worked in full before step ``before`` work."""
    starts = [m[0] for m in outline.marks[1:]] + [before]
    return {quantity(outline.trace, m) for (lo, _, play, *_), hi in zip(outline.marks, starts) if play == "full"
            for m in meetings(outline.trace, lo - 1, hi, inside=True)}


def _meet_title(trace: Trace, meet: int, label: str, k: int) -> Text:
    """A sum's chapter title: a weight every timestep shares; a tensor read twice; a tensor read
    more often, its shares named by the ways they came back (``(1 − u)·h``, ``r·h``)."""
    step = trace.steps[meet]
    x = trace.tensors[step.attrs["tensor"]]
    if x.kind == "param":
        return say(*MEET[True].values(), n=label, k=k, x=x.name)
    reads = sum(x.id in s.inputs for s in trace.steps if s.phase == "forward" and s.parent is None)
    if reads <= 2:
        return say(*MEET[False].values(), n=label, k=k, x=x.name)
    return said(READ_MORE, n=label, k=k, x=x.name, r=reads, **_ways(trace, step))


EARLIER = say("{n}: back through timesteps {k}–1", "{n}：反向傳過第 {k} 到第 1 個時間步", "{n}：反向传过第 {k} 到第 1 个时间步",
              "{n}: ngược qua bước {k}–1")
INTO_EARLIER = say("{n}: back into timestep {k}: the same", "{n}：反向傳回第 {k} 個時間步：同樣的計算",
                   "{n}：反向传回第 {k} 个时间步：同样的计算", "{n}: ngược về bước {k}: cùng phép tính")
MEET = {False: say("{n}: {x} at timestep {k} is read twice: its two gradients, added",
                   "{n}：第 {k} 個時間步的 {x} 被用了兩次：兩個梯度相加", "{n}：第 {k} 个时间步的 {x} 被用了两次：两个梯度相加",
                   "{n}: {x} ở bước {k} được dùng hai lần: hai gradient cộng lại"),
        True: say("{n}: every timestep shares {x}: its gradients from each, added",
                  "{n}：每個時間步共用 {x}：各步的梯度相加", "{n}：每个时间步共用 {x}：各步的梯度相加",
                  "{n}: mọi bước dùng chung {x}: cộng gradient từ mỗi bước")}
READ_MORE = say("{n}: {x}, read {r} times: its gradients {a} and {b}, added",
                "{n}：{x} 被用了 {r} 次：{a} 和 {b} 傳回的梯度相加", "{n}：{x} 被用了 {r} 次：{a} 和 {b} 传回的梯度相加",
                "{n}: {x} được dùng {r} lần: gradient {a} và {b} cộng lại")
LATER = say("{n}: the rest of timesteps {k}–1: the same", "{n}：第 {k} 到第 1 個時間步的其餘部分：同樣的計算",
            "{n}：第 {k} 到第 1 个时间步的其余部分：同样的计算", "{n}: phần còn lại của bước {k}–1: cùng phép tính")
