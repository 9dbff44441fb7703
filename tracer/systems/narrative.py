"""What the comparison examples share when they tell their result: the steps a chapter covers, the
total gradient backward left on a tensor, numbers written into sentences, and the summary lines
``tracer run`` prints.

>>> import tracer
>>> with tracer.record() as trace:
...     w = tracer.param([3.0], name="w")
...     with tracer.scope("net"):
...         h = tracer.mul(w, w, name="h")
...     tracer.sum(h, name="loss").backward()
>>> span(trace, "net"), span(trace, "net", phase="backward")
((0, 3), (3, 3))
>>> float(gradients(trace)[trace.step("net.h").inputs[0]][0])      # d(w²)/dw = 2w, both uses added
6.0
>>> num(2.1e-08), num(0.41237), num(12345.6), num(None)
('2.1e-08', '0.412', '1.23e+04', '∞')
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from tracer.errors import TracerError
from tracer.story import Text
from tracer.trace import Trace

from .schema import Where

LANGS = ("en", "zh-Hant", "zh-Hans", "vi")


def t4(en: str, zh_hant: str, zh_hans: str, vi: str, **values: Any) -> Text:
    """One text in the four languages with ``values`` filled in; a value given as a tuple of four
    differs per language (in the order of ``LANGS``).

    >>> t4("{n} layers", "{n} 層", "{n} 层", "{n} lớp", n=3)["zh-Hant"]
    '3 層'
    """
    out = {}
    for i, (lang, template) in enumerate(zip(LANGS, (en, zh_hant, zh_hans, vi))):
        out[lang] = template.format(**{k: v[i] if isinstance(v, tuple) else v for k, v in values.items()})
    return out


def langs(make: Callable[[str], str]) -> tuple[str, str, str, str]:
    """``make(lang)`` for each language, as a value for :func:`t4` (lists joined each language's way)."""
    return tuple(make(lang) for lang in LANGS)  # type: ignore[return-value]


def joined(sentences: list[Text]) -> Text:
    """Sentences run together: with a space in English and Vietnamese, without one in Chinese."""
    return {lang: ("" if lang.startswith("zh") else " ").join(t[lang] for t in sentences) for lang in LANGS}


def span(trace: Trace, prefix: str, phase: str | None = None) -> tuple[int, int]:
    """The first and last step id recorded under the scope ``prefix`` (of one ``phase`` if given)."""
    ids = [s.id for s in trace.steps if (s.name == prefix or s.name.startswith(prefix + "."))
           and (phase is None or s.phase == phase)]
    if not ids:
        raise TracerError(f"no {phase or ''} steps under {prefix!r} in the trace".replace("  ", " "))
    return ids[0], ids[-1]


def phase_end(trace: Trace, start: int) -> int:
    """The last step of the run of steps of one phase that begins at ``start`` (a whole backward pass)."""
    steps, end = trace.steps, start
    while end + 1 < len(steps) and steps[end + 1].phase == steps[start].phase:
        end += 1
    return end


def gradients(trace: Trace) -> dict[str, np.ndarray]:
    """Forward tensor id → the total gradient backward left on it.

    A tensor that fed several ops gets one gradient per use and then their sum: the sum is
    produced last, so the gradient of the latest producer is the total.
    """
    latest: dict[str, tuple[int, str]] = {}
    for tid, rec in trace.tensors.items():
        if rec.grad_of is not None:
            order = -1 if rec.producer is None else rec.producer
            if rec.grad_of not in latest or order > latest[rec.grad_of][0]:
                latest[rec.grad_of] = (order, tid)
    return {fwd: np.asarray(trace.tensors[tid].data) for fwd, (_, tid) in latest.items()}


def norm(a: np.ndarray | None) -> float:
    """The L2 (Frobenius) norm, 0 for a tensor that received no gradient."""
    return 0.0 if a is None else float(np.linalg.norm(a))


def num(x: float | None) -> str:
    """A number for a sentence: three significant digits, powers of ten when very small or large,
    ``∞`` for an overflow (``None`` or not finite)."""
    if x is None or not math.isfinite(x):
        return "∞"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e4):
        return f"{x:.2g}" if abs(x) < 1e-3 else f"{x:.3g}"
    return f"{x:.3g}"


def padded(values: list[float | None], n: int) -> list[float | None]:
    """``values`` cut or filled with ``None`` to length ``n`` (a run that stopped early leaves a gap)."""
    return (list(values) + [None] * n)[:n]


def listing(names: list[str], lang: str) -> str:
    """``a, b and c`` in the language's own way (``a、b 和 c``)."""
    if not names:
        return {"en": "none", "zh-Hant": "沒有", "zh-Hans": "没有", "vi": "không có"}[lang]
    if len(names) == 1:
        return names[0]
    sep, last = {"en": (", ", " and "), "zh-Hant": ("、", " 和 "), "zh-Hans": ("、", " 和 "), "vi": (", ", " và ")}[lang]
    return sep.join(names[:-1]) + last + names[-1]


def glossed(tokens: list[str], glosses: list[str]) -> list[str]:
    """``我 (I)`` for the English texts; the token alone where it has no gloss."""
    return [f"{t} ({g})" if g else t for t, g in zip(tokens, list(glosses) + [""] * len(tokens))]


def check_glosses(where: Where, tokens: list[str], glosses: list[str]) -> None:
    """Glosses, when given, are one per token."""
    if glosses and len(glosses) != len(tokens):
        raise where.error("glosses", f"expected {len(tokens)} glosses (one per token), got {len(glosses)}")
