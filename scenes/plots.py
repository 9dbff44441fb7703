"""The plots a story draws (:class:`tracer.story.Plot`), as Manim mobjects on one page.

``lines``: a curve per series (the loss over training, a gradient norm per layer for each
network, side by side), optionally on a log scale, with marks; ``bars``: a bar per label (the
probabilities over the vocabulary, with words; reconstruction errors with the threshold and the
flagged sample); ``heatmap``: a tensor of the trace with its axis labels, coloured on the diverging
map, each row's largest entry marked (what a query attends to); ``scatter``: labelled 2-D points.

Every number drawn is one the run recorded (the plot's own, or the tensor's); numbers are printed
the way the story's recap prints them. Pages are built in the origin frame (the frame is
``style.FRAME_WIDTH`` × 8 units); the stage moves them into its view.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, DashedLine, Dot, Line, Rectangle, VGroup, VMobject

from tracer.story import Plot, text
from tracer.systems.stories import num, prob
from tracer.trace import Trace

from . import glyphs, style
from .words import word

SERIES = ("#E66101", "#5E3C99", "#2B8A3E", "#D6336C", "#B08900", "#0B7285", "#862E9C", "#495057")
TOP = style.FRAME_HEIGHT / 2 - 0.55     # the plot's title line
AREA = (-5.4, -2.9, 3.6, 2.6)           # x0, y0, x1, y1 of the drawing area (a legend sits right of it)


def plot_page(plot: Plot, trace: Trace, lang: str) -> VGroup:
    """The page showing ``plot``: its title, then the drawing of its kind."""
    title = glyphs.fit_width(glyphs.prose(text(plot.title, lang), lang, style.INK, 30, bold=True),
                             style.FRAME_WIDTH - 1.0).move_to([0, TOP, 0])
    draw = {"lines": _lines, "bars": _bars, "heatmap": _heatmap, "scatter": _scatter}[plot.kind]
    page = VGroup(title, draw(plot, trace, lang))
    page.title = title
    return page


def called(plot: Plot, name: str, lang: str) -> str:
    """A series' or a bar's name in ``lang`` (as the story gives it; else the data's own word)."""
    return text(plot.names.get(name), lang) or name


def _label(s: str, size: float = style.SMALL_NUMBER_SIZE, color: str = style.MUTED, bold: bool = False) -> VMobject:
    return glyphs.mono(s, color, size, bold)


def _axes(lang: str, plot: Plot) -> VGroup:
    x0, y0, x1, y1 = AREA
    kw = dict(stroke_width=2, color=style.INK)
    group = VGroup(Line([x0, y0, 0], [x1, y0, 0], **kw), Line([x0, y0, 0], [x0, y1, 0], **kw))
    if plot.x_label:
        group.add(glyphs.prose(text(plot.x_label, lang), lang, style.MUTED, 20).move_to([(x0 + x1) / 2, y0 - 0.75, 0]))
    if plot.y_label:
        group.add(glyphs.prose(text(plot.y_label, lang), lang, style.MUTED, 20)
                  .next_to([x0, y1, 0], UP, buff=0.15).align_to([x0 - 0.6, 0, 0], LEFT))
    return group


class Scale:
    """Data to page coordinates along one axis (log10 when ``log``)."""

    def __init__(self, lo: float, hi: float, a: float, b: float, log: bool = False) -> None:
        self.log = log
        f = (lambda v: math.log10(v)) if log else (lambda v: v)
        self.lo, self.hi = f(lo), f(hi)
        if self.hi <= self.lo:
            self.lo, self.hi = self.lo - 1, self.hi + 1
        self.a, self.b = a, b

    def __call__(self, v: float) -> float:
        v = math.log10(v) if self.log else v
        return self.a + (v - self.lo) / (self.hi - self.lo) * (self.b - self.a)


def _usable(v: float | None, log: bool) -> bool:
    return v is not None and math.isfinite(v) and (v > 0 or not log)


def _lines(plot: Plot, trace: Trace, lang: str) -> VGroup:
    x0, y0, x1, y1 = AREA
    xs = plot.x or list(range(max(len(v) for v in plot.series.values())))
    ys = [v for vs in plot.series.values() for v in vs if _usable(v, plot.log_y)]
    group = _axes(lang, plot)
    if not ys:
        return group
    sx = Scale(min(xs), max(xs), x0 + 0.2, x1 - 0.2)
    sy = Scale(min(ys), max(ys), y0 + 0.2, y1 - 0.1, plot.log_y)
    for v, y in ((min(ys), sy(min(ys))), (max(ys), sy(max(ys)))):
        group.add(_label(num(v)).next_to([x0, y, 0], LEFT, buff=0.12))
        group.add(Line([x0 - 0.06, y, 0], [x0 + 0.06, y, 0], stroke_width=2, color=style.INK))
    for v in sorted({xs[0], xs[-1]}):
        group.add(_label(num(v)).next_to([sx(v), y0, 0], DOWN, buff=0.12))
    legend = VGroup()
    for k, (name, vs) in enumerate(plot.series.items()):
        color = SERIES[k % len(SERIES)]
        run: list[list[float]] = []
        for x, v in zip(xs, vs):
            if _usable(v, plot.log_y):
                run.append([sx(x), sy(v), 0.0])
                continue
            group.add(_curve(run, color))
            run = []
        group.add(_curve(run, color))
        last = next(((x, v) for x, v in zip(reversed(xs), reversed(vs)) if _usable(v, plot.log_y)), None)
        if last is not None and len(plot.series) == 1:   # one curve: its last value where it ends
            group.add(_label(num(last[1]), color=color, bold=True).next_to([sx(last[0]), sy(last[1]), 0], UP + RIGHT, buff=0.08))
        key = VGroup(Line(LEFT * 0.25, RIGHT * 0.25, stroke_width=5, color=color),
                     glyphs.fit_width(glyphs.prose(called(plot, name, lang), lang, style.INK, 18), 3.0))
        legend.add(key.arrange(RIGHT, buff=0.15))
    if len(plot.series) > 1:
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.16).next_to([x1, y1, 0], RIGHT, buff=0.4).align_to([0, y1, 0], UP)
        group.add(glyphs.fit_width(legend, style.FRAME_WIDTH / 2 - x1 - 0.5) if legend.width > 0 else legend)
    for mark in plot.marks:
        if mark.get("x") is None:
            continue
        x = sx(mark["x"])
        group.add(DashedLine([x, y0, 0], [x, y1, 0], color=style.HIGHLIGHT, stroke_width=2))
        group.add(glyphs.prose(text(mark["label"], lang), lang, style.HIGHLIGHT, 18).next_to([x, y1, 0], UP, buff=0.05))
    return group


def _curve(points: list[list[float]], color: str) -> VMobject:
    if len(points) == 1:
        return Dot(points[0], radius=0.06, color=color)
    curve = VMobject(stroke_color=color, stroke_width=4)
    if points:
        curve.set_points_as_corners(points)
    return curve


def _bars(plot: Plot, trace: Trace, lang: str) -> VGroup:
    """A bar per label, largest first when there are too many to show (the top 16)."""
    pairs = list(zip(plot.labels, plot.values))
    if len(pairs) > 16:
        pairs = sorted(pairs, key=lambda p: -(p[1] if p[1] is not None else -math.inf))[:16]
    values = [v for _, v in pairs if v is not None and math.isfinite(v)] + ([plot.threshold] if plot.threshold is not None else [])
    probability = all(0 <= v <= 1 for v in values) and not plot.threshold
    say = prob if probability else num
    lo, hi = min([0.0] + values), max([0.0] + values)
    h = min(0.42, 5.4 / max(1, len(pairs)))
    sx = Scale(lo, hi if hi > lo else lo + 1, -2.6, 4.6)
    group = VGroup()
    top = 2.6
    for k, (label, v) in enumerate(pairs):
        y = top - (k + 0.5) * h
        hot = label in plot.highlight
        name = glyphs.fit_width(glyphs.prose(called(plot, label, lang), lang, style.COMPUTED if hot else style.INK, 20,
                                             bold=hot), 3.2)
        group.add(name.next_to([-2.75, y, 0], LEFT, buff=0.1))
        if v is None or not math.isfinite(v):
            continue
        a, b = sx(0.0), sx(v)
        color = style.COMPUTED if hot else (style.NEGATIVE if v < 0 else style.FAINT)
        bar = Rectangle(width=max(abs(b - a), 0.02), height=h * 0.72, stroke_width=0, fill_color=color, fill_opacity=1.0)
        group.add(bar.move_to([(a + b) / 2, y, 0]))
        group.add(_label(say(v), style.SMALL_NUMBER_SIZE, style.INK, bold=hot).next_to(bar, RIGHT if v >= 0 else LEFT, buff=0.1))
    bottom = top - len(pairs) * h
    group.add(Line([sx(0.0), top, 0], [sx(0.0), bottom, 0], stroke_width=2, color=style.INK))
    if plot.threshold is not None:
        x = sx(plot.threshold)
        group.add(DashedLine([x, top + 0.1, 0], [x, bottom - 0.1, 0], color=style.HIGHLIGHT, stroke_width=3))
        group.add(glyphs.prose(f"{word('threshold', lang)} {num(plot.threshold)}", lang, style.HIGHLIGHT, 18)
                  .next_to([x, bottom - 0.1, 0], DOWN, buff=0.08))
    if plot.y_label:
        group.add(glyphs.prose(text(plot.y_label, lang), lang, style.MUTED, 20).move_to([sx((lo + hi) / 2), top + 0.3, 0]))
    return group


def _heatmap(plot: Plot, trace: Trace, lang: str) -> VGroup:
    """The tensor as a heat map with its names along the axes; each row's largest entry boxed."""
    from .grid import NumberGrid

    record = trace.tensors[plot.tensor]
    grid = NumberGrid(record, role="heat", label="", row_labels=plot.labels or None, col_labels=plot.cols or None)
    data = np.asarray(record.data)
    marks = VGroup()
    if data.ndim == 2 and data.size and np.isfinite(data).all() and (data >= 0).all():
        for r in range(data.shape[0]):
            box = grid.cell((r, int(np.argmax(data[r]))))
            if box is not None:
                marks.add(Rectangle(width=box.width, height=box.height, stroke_width=4, color=style.HIGHLIGHT).move_to(box))
    group = VGroup(grid, marks)
    group.scale(min(2.0, 5.5 / max(group.height, 0.1), (style.FRAME_WIDTH - 2.0) / max(group.width, 0.1)))
    group.move_to([0, -0.2, 0])
    if len(marks):
        group.add(glyphs.prose(word("attends", lang), lang, style.HIGHLIGHT, 18).next_to(group, DOWN, buff=0.25))
    return group


def _scatter(plot: Plot, trace: Trace, lang: str) -> VGroup:
    x0, y0, x1, y1 = AREA
    pts = [p for p in plot.points if _usable(p["x"], False) and _usable(p["y"], False)]
    group = _axes(lang, plot)
    if not pts:
        return group
    xs, ys = [p["x"] for p in pts], [p["y"] for p in pts]
    sx, sy = Scale(min(xs), max(xs), x0 + 0.5, x1 - 0.8), Scale(min(ys), max(ys), y0 + 0.4, y1 - 0.3)
    for v in sorted({min(ys), max(ys)}):
        group.add(_label(num(v)).next_to([x0, sy(v), 0], LEFT, buff=0.12))
    for v in sorted({min(xs), max(xs)}):
        group.add(_label(num(v)).next_to([sx(v), y0, 0], DOWN, buff=0.12))
    for p in pts:
        hot = p["label"] in plot.highlight
        at = [sx(p["x"]), sy(p["y"]), 0]
        group.add(Dot(at, radius=0.08, color=style.COMPUTED if hot else style.NEGATIVE))
        group.add(glyphs.prose(p["label"], lang, style.INK, 20, bold=hot).next_to(at, UP + RIGHT, buff=0.05))
    return group
