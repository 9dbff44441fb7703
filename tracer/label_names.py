"""The names of a grid's rows and columns (features, words, tokens) in the learner's language.

An example names the positions of its tensors in English (``features: [weather, price, company]``,
``labels: {X: {cols: [Mon, Tue]}}``) and may say each name in the other languages in one table,
``label_names`` (name → {language: text}); the table is kept in the trace's meta. A viewer opens a
trace in one language through :func:`in_language`, once: every grid it draws, and the story's
plots, then carry the names in that language. A name the table does not give, or does not give in
that language, stays as recorded (a word of the data: a student's name, ``c1``).

A trace file is hostile: :func:`check_table` bounds the table (its size, its texts, its language
codes) before any viewer reads it.

>>> import tracer
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0], [-2.0]], name="X", rows=["weather", "price"]), name="H")
>>> trace.meta["label_names"] = {"weather": {"vi": "thời tiết", "zh-Hans": "天气"}}
>>> label("weather", "zh-Hans", trace.meta["label_names"]), label("price", "vi", trace.meta["label_names"])
('天气', 'price')
>>> in_language(trace, "vi").tensors[trace.steps[0].inputs[0]].labels
(('thời tiết', 'price'), None)
>>> in_language(trace, "en") is trace
True
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from .attrs import kind_of
from .errors import ManifestError
from .i18n import LANGUAGES, check_language
from .trace import Trace

Table = Mapping[str, Mapping[str, str]]   # a label (as recorded) -> its text in each language

MAX_NAMES = 4096   # labels one table translates: a vocabulary this large is not translated by hand
MAX_TEXT = 256     # characters of a label, as a tensor's own labels (tracer.manifest)


def label(name: str, lang: str, table: Table | None) -> str:
    """``name`` in ``lang`` as ``table`` says it, else ``name`` itself.

    >>> label("go", "vi", {"go": {"vi": "đi", "zh-Hant": "去"}}), label("go", "zh-Hans", {"go": {"vi": "đi"}})
    ('đi', 'go')
    """
    lang = check_language(lang)
    entry = (table or {}).get(name)
    return (entry.get(lang) if isinstance(entry, Mapping) else None) or name


def said(names: list[str], table: Table | None) -> dict[str, list[str]]:
    """``names`` in every language (:data:`tracer.i18n.LANGUAGES`), for a story's words.

    >>> said(["go", "x"], {"go": {"vi": "đi"}})["vi"]
    ['đi', 'x']
    """
    return {lang: [label(n, lang, table) for n in names] for lang in LANGUAGES}


def in_language(trace: Trace, lang: str) -> Trace:
    """``trace`` as a viewer in ``lang`` reads it: every tensor's labels, and the labels of its
    story's plots, in ``lang`` (:func:`label`). The steps and the arrays are shared, not copied;
    a trace without a table, or read in a language its table does not name, is returned as it is.
    """
    lang = check_language(lang)
    table = trace.meta.get("label_names") if isinstance(trace.meta, dict) else None
    if not table or not any(lang in entry for entry in table.values()):
        return trace

    def say(names: Any) -> Any:
        return None if names is None else tuple(label(n, lang, table) for n in names)

    shown = Trace(_story_in(trace.meta, lang, table))
    shown.origin = trace.origin
    shown.tensors = {tid: replace(r, labels=tuple(say(axis) for axis in r.labels)) if r.labels else r
                     for tid, r in trace.tensors.items()}
    shown.steps = trace.steps
    return shown


def _story_in(meta: dict[str, Any], lang: str, table: Table) -> dict[str, Any]:
    """``meta`` with its story's plot labels (rows, columns, bars, points, series) in ``lang``."""
    story = meta.get("story")
    if not isinstance(story, dict) or not isinstance(story.get("plots"), list):
        return dict(meta)

    def say(value: Any) -> Any:
        return label(value, lang, table) if isinstance(value, str) else value

    plots = []
    for p in story["plots"]:
        if isinstance(p, dict):
            p = dict(p)
            for key in ("labels", "cols", "highlight"):
                if isinstance(p.get(key), list):
                    p[key] = [say(v) for v in p[key]]
            for key in ("series", "names"):   # keyed by the label: the names a story gives follow it
                if isinstance(p.get(key), dict):
                    p[key] = {say(k): v for k, v in p[key].items()}
            if isinstance(p.get("points"), list):
                p["points"] = [{**q, "label": say(q.get("label"))} if isinstance(q, dict) else q for q in p["points"]]
        plots.append(p)
    return {**meta, "story": {**story, "plots": plots}}


def check_table(table: Any, where: str = "meta.label_names") -> dict[str, dict[str, str]]:
    """A ``label_names`` table read from a file: a mapping of at most :data:`MAX_NAMES` labels,
    each to a mapping of language codes (:data:`tracer.i18n.LANGUAGES`) to texts of at most
    :data:`MAX_TEXT` characters; any other is a one-line :class:`~tracer.errors.ManifestError`.

    >>> check_table({"go": {"fr": "aller"}})
    Traceback (most recent call last):
    ...
    tracer.errors.ManifestError: meta.label_names.go: unknown language 'fr' (one of en, zh-Hant, zh-Hans, vi)
    """
    def need(ok: bool, at: str, problem: str) -> None:
        if not ok:
            raise ManifestError(f"{at}: {problem}")

    need(isinstance(table, dict), where, f"expected a mapping of labels, got {kind_of(table)}")
    need(len(table) <= MAX_NAMES, where, f"{len(table)} labels, more than the {MAX_NAMES} a table may translate")
    for name, entry in table.items():
        at = f"{where}.{str(name)[:40]}"
        need(len(name) <= MAX_TEXT, at, f"a label longer than {MAX_TEXT} characters")
        need(isinstance(entry, dict), at, f"expected a mapping of languages to texts, got {kind_of(entry)}")
        for lang, text in entry.items():
            need(lang in LANGUAGES, at, f"unknown language {str(lang)[:20]!r} (one of {', '.join(LANGUAGES)})")
            need(isinstance(text, str), f"{at}.{lang}", f"expected text, got {kind_of(text)}")
            need(0 < len(text) <= MAX_TEXT, f"{at}.{lang}", f"expected a text of 1 to {MAX_TEXT} characters")
    return table
