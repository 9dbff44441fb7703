"""The gradients a tensor's gradient is added up from, and their names.

A tensor fed several ops gets a gradient back from each; an ``accumulate`` step adds them, named
in the order they came, ``dx′``, ``dx″``, ``dx‴`` (:func:`tracer.notation.share_mark`), their
sum ``dx`` (:func:`name_shares`). A second ``backward()`` without ``zero_grad()`` adds its
gradient to the one kept (a ``grad_total`` step): the kept one, the running total, keeps ``dx``,
the new one is ``dx_new`` (:func:`name_new`). The primes go on counting over the whole trace: the
second call's shares of ``dx_new`` are ``dx‴``, ``dx⁗`` (``dx_new = dx‴ + dx⁗``), never a second
``dx′``, so no two gradients of one tensor are named alike.
What a name cannot say is the op each share flowed back through: :func:`shares` finds it, and
:func:`named` says it in words in every language (``through the output gate o``, not ``through
z_o``): the one wording the walkthrough's titles, the line under each share in the video and the
caption (:func:`tracer.i18n.told`) all use.

>>> import tracer
>>> with tracer.record() as trace:
...     x = tracer.param([1.0, 2.0], name="x")
...     y = tracer.mul(x, 3.0, name="tripled") + tracer.exp(x, name="grown")
...     y.sum().backward()
>>> acc = next(s for s in trace.steps if s.op == "accumulate")
>>> acc.formula
'dx = dx′ + dx″'
>>> shares(trace, acc)
[('dx′', 'grown'), ('dx″', 'tripled')]
>>> named(trace, acc, "zh-Hant")
[('dx′', '經由 grown'), ('dx″', '經由 tripled')]

This module reads the trace's records only: the engine (:mod:`tracer.backward_steps`) names the
gradients with it as it records, and the narration (:mod:`tracer.i18n`) reads them.
"""
from __future__ import annotations

import re

from .i18n_formulas import CJK
from .notation import share_mark
from .ops.spec import REGISTRY
from .trace import Step, Trace

NEW = "_new"   # dx_new: the gradient a later backward() adds to the one kept (see the module)
GIVEN = "backward()"   # what a gradient no step made came from: the one given to backward()


Words = dict[str, str]   # one text per language: en, zh-Hant, zh-Hans, vi (tracer.i18n.LANGUAGES)


def _say(en: str, hant: str, hans: str, vi: str) -> Words:
    return {"en": en, "zh-Hant": hant, "zh-Hans": hans, "vi": vi}


_HX = _say("the gates' input [h; x]", "各門的輸入 [h；x]", "各门的输入 [h；x]", "đầu vào các cổng [h; x]")
# The parts a gradient comes back through, in words, by what owns them and the name the trace
# records them by: a recurrent cell's steps under the scope its model records them in (lstm, gru,
# rnn: tracer.models.recurrent), a composite op's parts under the op (an attention's softmax, a
# layer norm). Each part of a cell keeps its symbol after its words (the output gate o): the
# formulas on screen write the symbol, and a learner meets the two together.
PARTS: dict[str, dict[str, Words]] = {
    "lstm": {
        "z_f": _say("the forget gate f", "遺忘門 f", "遗忘门 f", "cổng quên f"),
        "z_i": _say("the input gate i", "輸入門 i", "输入门 i", "cổng vào i"),
        "z_g": _say("the candidate g", "候選值 g", "候选值 g", "ứng viên g"),
        "z_o": _say("the output gate o", "輸出門 o", "输出门 o", "cổng ra o"),
        "kept": _say("the kept part f·c", "保留項 f·c", "保留项 f·c", "phần giữ lại f·c"),
        "written": _say("the new part i·g", "寫入項 i·g", "写入项 i·g", "phần mới i·g"),
        "cell_tanh": _say("the squashed cell tanh(c)", "壓縮後的細胞狀態 tanh(c)", "压缩后的细胞状态 tanh(c)",
                          "ô nhớ đã nén tanh(c)"),
        "hx": _HX,
    },
    "gru": {
        "z_r": _say("the reset gate r", "重置門 r", "重置门 r", "cổng đặt lại r"),
        "z_u": _say("the update gate u", "更新門 u", "更新门 u", "cổng cập nhật u"),
        "z_h": _say("the candidate h̃", "候選值 h̃", "候选值 h̃", "ứng viên h̃"),
        "kept": _say("the kept part (1 − u)·h", "保留項 (1 − u)·h", "保留项 (1 − u)·h", "phần giữ lại (1 − u)·h"),
        "written": _say("the new part u·h̃", "寫入項 u·h̃", "写入项 u·h̃", "phần mới u·h̃"),
        "one_minus_update": _say("the complement 1 − u", "保留比例 1 − u", "保留比例 1 − u", "phần bù 1 − u"),
        "reset_hidden": _say("the reset state r·h", "重置後的狀態 r·h", "重置后的状态 r·h", "trạng thái đã đặt lại r·h"),
        "hx": _HX,
    },
    "rnn": {
        "Wx_x_b": _say("the input term W_x·x + b", "輸入項 W_x·x + b", "输入项 W_x·x + b", "số hạng đầu vào W_x·x + b"),
        "Wh_h": _say("the recurrent term W_h·h", "循環項 W_h·h", "循环项 W_h·h", "số hạng hồi quy W_h·h"),
    },
    "softmax": {
        "max": _say("the maximum taken off", "減去的最大值", "减去的最大值", "giá trị lớn nhất bị trừ"),
        "shifted": _say("the shifted scores", "平移後的分數", "平移后的分数", "điểm số đã dịch"),
        "exp": _say("the exponentials", "指數", "指数", "các lũy thừa"),
        "sum": _say("the sum of the exponentials", "指數的和", "指数的和", "tổng các lũy thừa"),
        "probs": _say("the division by the sum", "除以和", "除以和", "phép chia cho tổng"),
    },
    "layer_norm": {
        "mean": _say("the mean", "平均值", "均值", "trung bình"),
        "centered": _say("the centred values", "減去平均後的值", "减去均值后的值", "giá trị đã trừ trung bình"),
        "squared": _say("the squares", "平方", "平方", "bình phương"),
        "normalized": _say("the normalised values", "正規化後的值", "归一化后的值", "giá trị đã chuẩn hóa"),
    },
}
# a share's way: back through a part, the sum an earlier accumulate step made, the gradient given
WAY = {"through": _say("through {part}", "經由 {part}", "经由 {part}", "qua {part}"),
       "so_far": _say("the sum so far", "到目前為止的和", "到目前为止的和", "tổng cho đến giờ"),
       "given": _say("given to backward()", "起點：backward()", "起点：backward()", "đưa vào backward()")}
# a part at one timestep (the weights' shares, one from each: t2.z_o is timestep 3's)
AT_TIMESTEP = _say("{part} at timestep {k}", "第 {k} 個時間步的{part}", "第 {k} 个时间步的{part}", "{part} ở bước {k}")
_TIMESTEP = re.compile(r"t(\d+)")   # the scope of a timestep (Recurrent.run: t0 is timestep 1)
_BETWEEN_CJK = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")


def tight(text: str, lang: str) -> str:
    """``text`` as Chinese typesetting sets it: no space between two Chinese characters (a word
    from :data:`PARTS` filled into a template spaced for a Latin name), one kept beside a Latin
    name or number (``經由輸出門 o``, ``經由 z_o``). Other languages' texts are left as they are."""
    return _BETWEEN_CJK.sub("", text) if lang.startswith("zh") else text


def part(trace: Trace, fwd: Step, lang: str, short: str | None = None) -> str:
    """The forward step ``fwd`` as a part in words in ``lang`` (:data:`PARTS`: ``the output gate
    o`` for an LSTM's ``z_o``), at its timestep when ``short`` (its name as :func:`shares` tells it
    apart, ``t2.z_o``) says it; ``short`` (or its name's last part) when no table names it."""
    tail = fwd.name.rsplit(".", 1)[-1]
    words = _words(trace, fwd, tail)
    if words is None:
        return short or tail
    scope = (short or "").split(".")[-2:-1]
    at = _TIMESTEP.fullmatch(scope[0]) if scope else None
    return AT_TIMESTEP[lang].format(part=words[lang], k=int(at.group(1)) + 1) if at else words[lang]


def _words(trace: Trace, fwd: Step, tail: str) -> Words | None:
    """The words for ``fwd`` named ``tail``: as a part of its composite op, else of the innermost
    cell whose scope it was recorded in."""
    owners = [trace.steps[fwd.parent].op] if fwd.parent is not None else []
    owners += reversed(fwd.name.split(".")[:-1])
    return next((PARTS[o][tail] for o in owners if tail in PARTS.get(o, {})), None)


def named(trace: Trace, step: Step, lang: str = "en") -> list[tuple[str, str]]:
    """Each share of ``step`` (an ``accumulate`` step) as ``(name, way)``: the way it came back
    in words in ``lang`` (``through the output gate o``, ``the sum so far``, ``given to
    backward()``), said alike by a walkthrough's titles, the line under each share on screen and
    the caption. Two shares the words would not tell apart keep their recorded names
    (``through t2.z_o``).

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     x = tracer.param([1.0, 2.0], name="x")
    ...     (tracer.mul(x, 3.0, name="tripled") + tracer.exp(x, name="grown")).sum().backward()
    >>> named(trace, next(s for s in trace.steps if s.op == "accumulate"), "vi")
    [('dx′', 'qua grown'), ('dx″', 'qua tripled')]
    """
    found = _shares(trace, step)
    parts = [part(trace, fwd, lang, short) if isinstance(fwd, Step) else short for _, fwd, short in found]
    if len(set(parts)) < len(parts):   # alike in words (two timesteps' z_o as one): as recorded
        parts = [short for _, _, short in found]
    ways = [WAY["so_far"][lang] if fwd is None else WAY["given"][lang] if fwd == GIVEN
            else tight(WAY["through"][lang].format(part=p), lang) for p, (_, fwd, _) in zip(parts, found)]
    return [(name, way) for (name, _, _), way in zip(found, ways)]


def shares(trace: Trace, step: Step) -> list[tuple[str, str | None]]:
    """The inputs of ``step`` (an ``accumulate`` step) as ``(name, through)``: ``through`` is the
    forward step a contribution flowed back through, named as short as tells it apart from the
    others (``mean`` is an op's name: ``ln2.mean``), the op of a gradient step whose forward pass
    was not recorded (``mul``), ``None`` for the sum an earlier accumulate step made."""
    return [(name, short) for name, _, short in _shares(trace, step)]


def _shares(trace: Trace, step: Step) -> list[tuple[str, Step | str | None, str | None]]:
    """:func:`shares` with the forward step each share came back through (``GIVEN``, ``None``
    for the sum so far, the op's name when its forward pass was not recorded)."""
    made = [trace.steps[p] if (p := trace.tensors[tid].producer) is not None else None for tid in step.inputs]
    # shares each made inside a different step (the matmuls of two linear layers' gradients, the
    # sum so far inside one and a share inside the next): named by those steps (the layer z_o,
    # not its part z_o.matmul); the parts of one step's own rule (a layer norm's) by their parts
    parts = [m.parent for m in made if m is not None and m.parent is not None]
    whole = len(set(parts)) == len(parts)
    fwds: list[Step | str | None] = []
    for made_by in made:
        if made_by is None or made_by.op == "accumulate":
            fwds.append(GIVEN if made_by is None else None)
            continue
        if whole and made_by.parent is not None:
            made_by = trace.steps[made_by.parent]
        fwds.append(made_by.op if made_by.grad_of is None else trace.steps[made_by.grad_of])
    fwd_names = [f.name if isinstance(f, Step) else f for f in fwds]
    known = {n for n in fwd_names if n is not None}
    return [(trace.tensors[tid].name, fwd, None if n is None else _short(n, known - {n}))
            for tid, fwd, n in zip(step.inputs, fwds, fwd_names)]


def _short(name: str, others: set[str]) -> str:
    """The last parts of the dotted ``name``: at least one, more while they are only an op's name
    or read as the end of one of ``others``."""
    parts = name.split(".")
    for k in range(1, len(parts) + 1):
        tail = ".".join(parts[-k:])
        if k < len(parts) and (tail in REGISTRY or any(o == tail or o.endswith("." + tail) for o in others)):
            continue
        return tail
    return name


def is_sum(trace: Trace, sid: int) -> bool:
    """Whether step ``sid`` is an accumulate step (one is always appended as a :class:`Step`: a
    step still kept as its tuple is not)."""
    step = trace._steps[sid]
    return type(step) is not tuple and step.op == "accumulate"  # type: ignore[union-attr]


def name_shares(trace: Trace, counts: dict[str, int], fwd: str, inputs: list[str], out: str) -> None:
    """Name the contributions to the gradient of tensor ``fwd`` that an accumulate step adds as
    the order they came in: ``dx′`` (the first), ``dx″``, ``dx‴``…, so that its grids, hints and
    formula tell them apart from each other and from their sum ``out`` (``counts``: how many each
    tensor had so far in the trace, every ``backward()`` of it, which this adds to). A running total (an earlier accumulate step's sum) keeps
    ``dx``; a record that is another tensor's gradient too (an array passed back unchanged)
    keeps its own name."""
    for tid in inputs:
        r = trace.tensors[tid]
        if r.name != out or r.grad_of != fwd or (r.producer is not None and is_sum(trace, r.producer)):
            continue  # a running total, a shared array, or a share named already (x + x)
        counts[fwd] = counts.get(fwd, 0) + 1
        r.name = out + share_mark(counts[fwd])


def name_new(trace: Trace, fwd: str, kept: str, new: str) -> None:
    """Name ``new``, the gradient of tensor ``fwd`` a later ``backward()`` adds to the one kept
    from an earlier one, ``dx_new`` when it reads as ``kept`` does (not a record that is another
    tensor's gradient too)."""
    r = trace.tensors[new]
    if new != kept and r.grad_of == fwd and r.name == trace.tensors[kept].name:
        r.name += NEW
