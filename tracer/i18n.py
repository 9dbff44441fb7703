"""Narration in English, 繁體中文, 简体中文 and Tiếng Việt.

Each op's English narration is declared with the op (:mod:`tracer.ops`); this module holds the same
templates in the other languages and the few phrases viewers need (chapter titles, labels).

>>> import tracer
>>> from tracer.i18n import narrate
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")
>>> narrate(trace, trace.steps[0], "en")
'ReLU keeps the positive entries of Z and turns the negative ones into 0.'
"""
from __future__ import annotations

from .errors import TracerError
from .ops.core import REGISTRY, render
from .trace import Step, Trace

LANGUAGES = ("en", "zh-Hant", "zh-Hans", "vi")

# op -> language -> template (same placeholders as the English one)
NARRATION: dict[str, dict[str, str]] = {}

# viewer phrases: key -> language -> text
PHRASES: dict[str, dict[str, str]] = {
    "forward": {"en": "Forward pass", "zh-Hant": "前向傳播", "zh-Hans": "前向传播", "vi": "Lan truyền xuôi"},
    "backward": {"en": "Backward pass", "zh-Hant": "反向傳播", "zh-Hans": "反向传播", "vi": "Lan truyền ngược"},
    "update": {"en": "Update", "zh-Hant": "更新參數", "zh-Hans": "更新参数", "vi": "Cập nhật tham số"},
    "loss": {"en": "Loss", "zh-Hant": "損失", "zh-Hans": "损失", "vi": "Hàm mất mát"},
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise TracerError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def narrate(trace: Trace, step: Step, lang: str = "en") -> str:
    """The narration of ``step`` in ``lang`` (English when a translation is missing)."""
    check_language(lang)
    if lang == "en" or step.op not in REGISTRY:
        return step.narration
    template = NARRATION.get(step.op, {}).get(lang)
    if template is None or step.phase == "backward":
        return step.narration
    spec = REGISTRY[step.op]
    names = [trace.tensors[t].name for t in step.inputs]
    outs = [trace.tensors[t].name for t in step.outputs]
    return render(template, spec, names, outs, step.attrs)


def phrase(key: str, lang: str = "en") -> str:
    """A viewer phrase (``forward``, ``backward``, ``loss`` ...) in ``lang``."""
    check_language(lang)
    entry = PHRASES.get(key)
    if entry is None:
        raise TracerError(f"no phrase {key!r}")
    return entry.get(lang, entry["en"])
