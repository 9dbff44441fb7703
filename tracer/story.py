"""A walkthrough's story, declared by the example that recorded the trace, as plain data.

An example knows what it exists to show: which pass to work in full, which repetitions to
summarise, the plot that makes its point and the sentence a learner should leave with. It says so
in ``trace.meta["story"]``; the walkthrough, the slides and the exercise sheets read it (they never
guess it from names). Texts are given per language (``{"en": …, "zh-Hant": …}``); a missing
language falls back to English. Numbers in texts and plots come from the run itself.

>>> story = Story(title={"en": "Autoencoder by hand"},
...               chapters=[Chapter({"en": "Forward pass"}, (0, 12)),
...                         Chapter({"en": "Updates 2–5"}, (40, 120), play="summary", repeat=4)],
...               plots=[Plot("lines", {"en": "Loss"}, x=[1, 2, 3], series={"loss": [34, 20, 9]})],
...               recap={"en": "Five steps cut the error from 34 to 6.1."})
>>> again = Story.from_meta({"story": story.to_meta()})
>>> again == story, again.chapters[1].play, text(again.recap, "vi")
(True, 'summary', 'Five steps cut the error from 34 to 6.1.')
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import TracerError

Text = dict[str, str]          # language -> text ("en" always present)
PLAYS = ("full", "summary", "skip")
PLOT_KINDS = ("lines", "bars", "heatmap", "scatter")


def text(t: Text | None, lang: str) -> str:
    """``t`` in ``lang``, or in English when that language was not given."""
    if not t:
        return ""
    return t.get(lang) or t.get("en", "")


@dataclass
class Chapter:
    """A run of steps told together: worked in full, summarised (values fill in fast, with a
    "×repeat" tag), or skipped. Its end is a pause point (a slide) unless ``pause`` is false."""

    title: Text
    steps: tuple[int, int]     # first and last step id, inclusive
    play: str = "full"
    repeat: int = 1            # how many repetitions of the same computation the chapter stands for
    pause: bool = True


@dataclass
class Plot:
    """What an example exists to show, as a picture drawn from numbers the run produced.

    ``lines``: ``series`` (name → values over ``x``), optionally ``log_y`` and ``marks`` (an x and a
    label, e.g. where plain SGD overflows). ``names`` says a series' (or a bar's) name in each
    language, for the legend; a name it does not give is shown as it is (a word of the data). ``bars``: ``values`` per label in ``labels``, the
    ``highlight``-ed labels drawn bold, an optional ``threshold`` line, the values written as the
    grid of ``tensor`` writes them when they are its cells. ``heatmap``: the tensor
    ``tensor`` (an id) with ``labels`` down and ``cols`` across, each row's largest entry boxed when
    ``note`` says what that box means (the note is printed under the map). ``scatter``: ``points``
    (label, x, y). ``after`` is the chapter it follows (default: the last).
    """

    kind: str
    title: Text
    x_label: Text | None = None
    y_label: Text | None = None
    x: list[float] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    log_y: bool = False
    marks: list[dict[str, Any]] = field(default_factory=list)      # {"x": float, "label": Text}
    labels: list[str] = field(default_factory=list)
    cols: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    highlight: list[str] = field(default_factory=list)
    threshold: float | None = None
    tensor: str | None = None
    points: list[dict[str, Any]] = field(default_factory=list)     # {"label": str, "x": float, "y": float}
    after: int | None = None
    names: dict[str, Text] = field(default_factory=dict)   # series or bar label -> its name per language
    note: Text = field(default_factory=dict)                         # a heat map's boxes, explained


@dataclass
class Story:
    """Title, question, chapters, plots and recap of one walkthrough."""

    title: Text
    question: Text = field(default_factory=dict)
    chapters: list[Chapter] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)
    recap: Text = field(default_factory=dict)
    overview: bool = True      # open (and close) on the whole network on one page
    closing: int | None = None   # the plot the recap shows beside its words (default: the last one)

    def result(self) -> Plot | None:
        """The plot a learner should leave with, on the recap card: the one ``closing`` picks, else
        the last (none when the story has no plot).

        >>> Story({"en": "t"}, plots=[Plot("bars", {"en": "a"}), Plot("bars", {"en": "b"})], closing=0).result().title
        {'en': 'a'}
        """
        if not self.plots:
            return None
        return self.plots[-1 if self.closing is None else self.closing]

    def to_meta(self) -> dict[str, Any]:
        """The story as JSON data, for ``trace.meta["story"]`` (non-finite numbers become None)."""
        return _finite(asdict(self))

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Story | None:
        """The story of a trace's meta (``None`` when it has none).

        Raises
        ------
        TracerError
            The story is malformed (a hostile or damaged file): one line naming the field.
        """
        doc = meta.get("story")
        if doc is None:
            return None
        _need(isinstance(doc, dict), "story", "is not an object")
        chapters = [_chapter(c, k) for k, c in enumerate(_list(doc, "chapters"))]
        plots = [_plot(p, k) for k, p in enumerate(_list(doc, "plots"))]
        closing = doc.get("closing")
        _need(closing is None or (isinstance(closing, int) and not isinstance(closing, bool) and 0 <= closing < len(plots)),
              "story.closing", "is not one of its plots")
        return cls(_text(doc.get("title"), "story.title", required=True), _text(doc.get("question"), "story.question"),
                   chapters, plots, _text(doc.get("recap"), "story.recap"), bool(doc.get("overview", True)), closing)


# ---- reading a story back, checking every field ----------------------------------------------
def _need(ok: bool, where: str, problem: str) -> None:
    if not ok:
        raise TracerError(f"the trace's story: {where} {problem}")


def _list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    _need(isinstance(value, list), f"story.{key}", "is not a list")
    return value


def _text(value: Any, where: str, required: bool = False) -> Text:
    if value is None and not required:
        return {}
    _need(isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()),
          where, "is not a text per language")
    _need(not value or "en" in value, where, "has no English text")
    return dict(value)


def _number(value: Any, where: str) -> float | None:
    _need(value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)), where, "is not a number")
    return value


def _chapter(c: Any, k: int) -> Chapter:
    where = f"story.chapters[{k}]"
    _need(isinstance(c, dict), where, "is not an object")
    steps = c.get("steps")
    _need(isinstance(steps, (list, tuple)) and len(steps) == 2 and all(isinstance(s, int) and s >= 0 for s in steps)
          and steps[0] <= steps[1], f"{where}.steps", "is not a range of two step ids")
    play = c.get("play", "full")
    _need(play in PLAYS, f"{where}.play", f"is not one of {', '.join(PLAYS)}")
    repeat = c.get("repeat", 1)
    _need(isinstance(repeat, int) and repeat >= 1, f"{where}.repeat", "is not a count")
    return Chapter(_text(c.get("title"), f"{where}.title", required=True), (steps[0], steps[1]), play, repeat,
                   bool(c.get("pause", True)))


def _plot(p: Any, k: int) -> Plot:
    where = f"story.plots[{k}]"
    _need(isinstance(p, dict), where, "is not an object")
    _need(p.get("kind") in PLOT_KINDS, f"{where}.kind", f"is not one of {', '.join(PLOT_KINDS)}")
    series = p.get("series", {})
    _need(isinstance(series, dict) and all(isinstance(v, list) for v in series.values()), f"{where}.series",
          "is not a mapping of lists")
    for key in ("x", "values"):
        _need(isinstance(p.get(key, []), list), f"{where}.{key}", "is not a list")
    for key in ("labels", "cols", "highlight"):
        _need(isinstance(p.get(key, []), list) and all(isinstance(s, str) for s in p.get(key, [])),
              f"{where}.{key}", "is not a list of texts")
    plot = Plot(p["kind"], _text(p.get("title"), f"{where}.title", required=True),
                _text(p.get("x_label"), f"{where}.x_label") or None, _text(p.get("y_label"), f"{where}.y_label") or None,
                [_number(v, f"{where}.x") for v in p.get("x", [])],
                {str(n): [_number(v, f"{where}.series.{n}") for v in vs] for n, vs in series.items()},
                bool(p.get("log_y", False)), [], list(p.get("labels", [])), list(p.get("cols", [])),
                [_number(v, f"{where}.values") for v in p.get("values", [])], list(p.get("highlight", [])),
                _number(p.get("threshold"), f"{where}.threshold"), p.get("tensor"), [], p.get("after"))
    names = p.get("names", {})
    _need(isinstance(names, dict), f"{where}.names", "is not a mapping of texts")
    plot.names = {str(k): _text(v, f"{where}.names.{k}", required=True) for k, v in names.items()}
    _need(plot.tensor is None or isinstance(plot.tensor, str), f"{where}.tensor", "is not a tensor id")
    plot.note = _text(p.get("note"), f"{where}.note")
    _need(plot.after is None or (isinstance(plot.after, int) and plot.after >= 0), f"{where}.after", "is not a chapter")
    for m in p.get("marks", []):
        _need(isinstance(m, dict), f"{where}.marks", "holds a mark that is not an object")
        plot.marks.append({"x": _number(m.get("x"), f"{where}.marks.x"), "label": _text(m.get("label"), f"{where}.marks.label")})
    for q in p.get("points", []):
        _need(isinstance(q, dict) and isinstance(q.get("label"), str), f"{where}.points", "holds a point without a label")
        plot.points.append({"label": q["label"], "x": _number(q.get("x"), f"{where}.points.x"),
                            "y": _number(q.get("y"), f"{where}.points.y")})
    return plot


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
