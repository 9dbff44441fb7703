"""The plots a story draws (:class:`tracer.story.Plot`), as Manim mobjects on one page.

``lines``: a curve per series (the loss over training, a gradient norm per layer for each
network, side by side), optionally on a log scale, with marks; ``bars``: a bar per label (the
probabilities over the vocabulary, with words; reconstruction errors with the threshold and the
flagged sample); ``heatmap``: a tensor of the trace with its axis labels, coloured on the diverging
map, each row's largest entry boxed when the story says what the box means; ``scatter``: labelled
2-D points. Labels never print over each other, a point or a line.

Every number drawn is one the run recorded (the plot's own, or the tensor's); numbers are printed
the way the story's recap prints them (a tensor's cells as its grid writes them). Pages are built
in the origin frame (the frame is ``style.FRAME_WIDTH`` × 8 units), clear of the caption band at
its bottom (where the subtitles are written: :func:`scenes.cards.fit_page`); the stage moves them
into its view.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, DashedLine, DashedVMobject, Dot, Line, Rectangle, VGroup, VMobject

from tracer.notation import superscripted, true_minus
from tracer.story import Plot, text
from tracer.systems.stories import const, num, probs, written
from tracer.trace import Trace

from . import glyphs, style
from .cards import fit_page
from .leading import centred_on
from .plot_labels import GAP, GAP_X, Item, above_area, column, place
from .plot_labels import overlap as _overlap  # noqa: F401 (the tests read it here)
from .words import word

# Eight colours no two of which look alike on the paper (after Okabe & Ito); a ninth series and on
# reuse them dashed.
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6A3D9A", "#8C510A")
DECADES = 4                             # values spanning this many powers of ten get a log axis
MARGIN = style.FRAME_WIDTH / 2 - style.PAGE_RIGHT   # nothing of a page closer than this to the frame's edge
TOP = style.FRAME_HEIGHT / 2 - 0.55     # the plot's title line
BELOW = 0.8                             # under the x axis: its numbers, then its name
# x0, y0, x1, y1 of the drawing area (a legend sits right of it; the axis' name above the caption band)
AREA = (-5.4, style.PAGE_BOTTOM + BELOW, 3.6, 2.6)
CEILING = TOP - 0.25 - GAP              # the labels above the area stay under the title (half its height)


def plot_page(plot: Plot, trace: Trace, lang: str) -> VGroup:
    """The page showing ``plot``: its title, then the drawing of its kind."""
    title = glyphs.fit_width(glyphs.prose(text(plot.title, lang), lang, style.INK, 30, bold=True),
                             style.FRAME_WIDTH - 1.0).move_to([0, TOP, 0])
    draw = {"lines": _lines, "bars": _bars, "heatmap": _heatmap, "scatter": _scatter}[plot.kind]
    page = fit_page(VGroup(title, draw(plot, trace, lang)))
    page.title = title
    return page


def called(plot: Plot, name: str, lang: str) -> str:
    """A series' or a bar's name in ``lang`` (as the story gives it; else the data's own word)."""
    return text(plot.names.get(name), lang) or name


def _label(s: str, size: float = style.SMALL_NUMBER_SIZE, color: str = style.MUTED, bold: bool = False) -> VMobject:
    return glyphs.mono(s, color, size, bold)


def _y_name(lang: str, plot: Plot, log: bool = False) -> VMobject | None:
    """The y axis' name ("log scale" added when ``log``), not placed."""
    said = " ".join(filter(None, [text(plot.y_label, lang) if plot.y_label else "", f"({word('log_scale', lang)})" if log else ""]))
    return glyphs.prose(said, lang, style.MUTED, 20) if said else None


def _axes(lang: str, plot: Plot, log: bool = False, top: float = AREA[3], y_label: VMobject | None = None) -> VGroup:
    """The two axes (the y axis up to ``top``) with their names; ``y_label``, the y axis' name, is
    kept (placed above the axis unless given placed)."""
    x0, y0, x1, _ = AREA
    kw = dict(stroke_width=2, color=style.INK)
    group = VGroup(Line([x0, y0, 0], [x1, y0, 0], **kw), Line([x0, y0, 0], [x0, top, 0], **kw))
    if plot.x_label:
        group.add(glyphs.prose(text(plot.x_label, lang), lang, style.MUTED, 20).move_to([(x0 + x1) / 2, y0 - BELOW + 0.18, 0]))
    group.y_label = y_label
    if y_label is None and _y_name(lang, plot, log) is not None:
        group.y_label = _y_name(lang, plot, log).next_to([x0, top, 0], UP, buff=0.15).align_to([x0 - 0.6, 0, 0], LEFT)
    if group.y_label is not None:
        group.add(group.y_label)
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
    """A curve per series; identical series share one curve named after all of them; a log axis
    (said so on the axis) when asked or when the values span :data:`DECADES` or more powers of ten;
    series that blow up (end in a gap) run off the top, their peak printed there."""
    x0, y0, x1, _ = AREA
    xs = plot.x or list(range(max(len(v) for v in plot.series.values())))
    every = [v for vs in plot.series.values() for v in vs if _usable(v, False)]
    log = plot.log_y or (bool(every) and min(every) > 0 and max(every) >= 10 ** DECADES * min(every))
    ys = [v for vs in plot.series.values() for v in vs if _usable(v, log)]
    lasting = [v for vs in plot.series.values() if vs and _usable(vs[-1], log) for v in vs if _usable(v, log)]
    if not ys:
        return _axes(lang, plot, log)
    top = max(lasting or ys)
    sx = Scale(min(xs), max(xs), x0 + 0.2, x1 - 0.2)
    groups = _same(plot.series)
    # above the area, each clear of the others (scenes.plot_labels): the y axis' name, the marks'
    # labels (those at one x stacked), the largest value of each series that runs off the top
    y_name = _y_name(lang, plot, log)
    items = [Item(y_name, x0 - 0.6)] if y_name is not None else []
    marks: dict[float, list[str]] = {}
    for mark in plot.marks:
        if mark.get("x") is not None:
            marks.setdefault(mark["x"], []).append(text(mark["label"], lang))
    for at, said in sorted(marks.items()):
        items.append(Item(column([glyphs.prose(s, lang, style.HIGHLIGHT, 18) for s in said]), sx(at) + 0.08, sx(at)))
    for k, names in enumerate(groups):
        vs = plot.series[names[0]]
        peak = max((v for v in vs if _usable(v, log)), default=None)
        if peak is not None and peak > top:   # off the scale: its largest value where it leaves
            x = next(x for x, v in zip(xs, vs) if _usable(v, log) and v > top)
            shown = _label("↑ " + num(peak), color=SERIES[k % len(SERIES)], bold=True)
            items.append(Item(shown, sx(x) - shown.width / 2))
    keyed = len(groups) > 1 or len(plot.series) > 1   # a legend right of the area
    y1, above = above_area(items, x1 + 0.3 - GAP_X if keyed else style.PAGE_RIGHT, AREA[3], CEILING)
    group = _axes(lang, plot, log, y1, y_name)
    sy = Scale(min(ys), top, y0 + 0.2, y1 - 0.1, log)
    for v, said in y_ticks(min(ys), top, log):
        group.add(_label(said).next_to([x0, sy(v), 0], LEFT, buff=0.12))
        group.add(Line([x0 - 0.06, sy(v), 0], [x0 + 0.06, sy(v), 0], stroke_width=2, color=style.INK))
    for v in x_ticks(xs):
        group.add(_label(num(v)).next_to([sx(v), y0, 0], DOWN, buff=0.12))
        group.add(Line([sx(v), y0 - 0.06, 0], [sx(v), y0 + 0.06, 0], stroke_width=2, color=style.INK))
    legend = VGroup()
    for k, names in enumerate(groups):
        vs, color, dashed = plot.series[names[0]], SERIES[k % len(SERIES)], k >= len(SERIES)
        run: list[list[float]] = []
        for x, v in zip(xs, vs):
            if _usable(v, log):
                run.append([sx(x), min(sy(v), y1), 0.0])
                continue
            group.add(_curve(run, color, dashed))
            run = []
        group.add(_curve(run, color, dashed))
        last = next(((x, v) for x, v in zip(reversed(xs), reversed(vs)) if _usable(v, log)), None)
        if last is not None and len(plot.series) == 1:   # one curve: its last value where it ends
            group.add(_label(num(last[1]), color=color, bold=True).next_to([sx(last[0]), sy(last[1]), 0], UP + RIGHT, buff=0.08))
        key = _curve([[-0.25, 0, 0], [0.25, 0, 0]], color, dashed)
        shown = VGroup(*(glyphs.prose(called(plot, n, lang), lang, style.INK, 18) for n in names)).arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        if len(names) > 1:   # series that coincide are one curve, said to be the same
            shown.add(glyphs.prose(word("identical", lang).format(n=len(names)), lang, style.MUTED, 16))
            shown.arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        legend.add(VGroup(key, shown).arrange(RIGHT, buff=0.15, aligned_edge=UP))
    if keyed:
        group.legend = _legend(legend, y1)
        group.add(group.legend)
    for at in marks:
        group.add(DashedLine([sx(at), y0, 0], [sx(at), y1, 0], color=style.HIGHLIGHT, stroke_width=2))
    group.add(*above)
    return group


def x_ticks(xs: list[float]) -> list[float]:
    """Where the x axis is marked: every x when there are a dozen or fewer whole ones (timesteps
    1, 2, 3 each named), else the ends and the round numbers between them at a step that gives
    about five.

    >>> x_ticks([1, 2, 3]), x_ticks(list(range(1, 21))), x_ticks([0.0, 0.5])
    ([1, 2, 3], [1, 5, 10, 15, 20], [0.0, 0.5])
    """
    lo, hi = min(xs), max(xs)
    if len(xs) <= 12 and all(float(x).is_integer() for x in xs):
        return sorted(set(xs))
    if not all(float(x).is_integer() for x in xs) or hi - lo < 4:
        return sorted({lo, hi})
    span = hi - lo
    step = next(s * 10 ** k for k in range(0, 12) for s in (1, 2, 5) if span / (s * 10 ** k) <= 5)
    inner = [v for v in range(int(math.ceil(lo / step) * step), int(hi), step) if v - lo >= step / 2 and hi - v >= step / 2]
    return [lo] + inner + [hi]


def y_ticks(lo: float, hi: float, log: bool) -> list[tuple[float, str]]:
    """Where the y axis is marked and what it says there, every mark written one way: on a log
    axis the powers of ten it spans (about five of them at most), else its two ends with one
    format for both (``0.10`` and ``2.50``, not ``0.1`` and ``2.5``).

    >>> y_ticks(3.3e-09, 1.64, True)
    [(1e-08, '10⁻⁸'), (1e-06, '10⁻⁶'), (0.0001, '10⁻⁴'), (0.01, '10⁻²'), (1.0, '10⁰')]
    >>> y_ticks(0.1, 2.5, False)
    [(0.1, '0.10'), (2.5, '2.50')]
    """
    if log and hi > 0:
        first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
        if last >= first:
            step = max(1, math.ceil((last - first + 1) / 5))
            return [(10.0 ** p, superscripted(true_minus(f"10^{p}"))) for p in range(first, last + 1, step)]
    say = written(np.array(sorted({lo, hi})))
    return [(v, say(v)) for v in sorted({lo, hi})]


def _same(series: dict[str, list[float | None]]) -> list[list[str]]:
    """The series' names, those with identical values together (in order of first appearance)."""
    groups: list[list[str]] = []
    for name, vs in series.items():
        twin = next((g for g in groups if series[g[0]] == vs), None)
        if twin is None:
            groups.append([name])
        else:
            twin.append(name)
    return groups


def _legend(entries: VGroup, y1: float = AREA[3]) -> VGroup:
    """The legend right of the drawing area (its top at ``y1``), in one or two columns, shrunk to stay in the frame."""
    x0, y0, x1, _ = AREA
    room_w, room_h = style.FRAME_WIDTH / 2 - MARGIN - (x1 + 0.3), y1 - y0 + 0.4
    entries.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
    if entries.height > room_h and len(entries) > 1:
        half = (len(entries) + 1) // 2
        entries = VGroup(VGroup(*entries[:half]).arrange(DOWN, aligned_edge=LEFT, buff=0.16),
                         VGroup(*entries[half:]).arrange(DOWN, aligned_edge=LEFT, buff=0.16)).arrange(RIGHT, aligned_edge=UP, buff=0.3)
    entries.scale(min(1.0, room_w / max(entries.width, 1e-6), room_h / max(entries.height, 1e-6)))
    return entries.next_to([x1, y1 + 0.2, 0], RIGHT, buff=0.3).align_to([0, y1 + 0.2, 0], UP)


def _curve(points: list[list[float]], color: str, dashed: bool = False) -> VMobject:
    if len(points) == 1:
        return Dot(points[0], radius=0.06, color=color)
    curve = VMobject(stroke_color=color, stroke_width=4)
    if points:
        curve.set_points_as_corners(points)
        if dashed:   # the palette ran out: the same colour again, dashed
            return DashedVMobject(curve, num_dashes=max(2, int(curve.get_arc_length() / 0.15)))
    return curve


def _bars(plot: Plot, trace: Trace, lang: str) -> VGroup:
    """A bar per label, largest first when there are too many to show (the top 16)."""
    pairs = list(zip(plot.labels, plot.values))
    if len(pairs) > 16:
        pairs = sorted(pairs, key=lambda p: -(p[1] if p[1] is not None else -math.inf))[:16]
    values = [v for _, v in pairs if v is not None and math.isfinite(v)] + ([plot.threshold] if plot.threshold is not None else [])
    probability = all(0 <= v <= 1 for v in values) and not plot.threshold
    say = probs([v for _, v in pairs if v is not None]) if probability else num
    if trace is not None and plot.tensor in trace.tensors:   # a tensor's cells: as its grid writes them
        say = written(trace.tensors[plot.tensor].data)
    lo, hi = min([0.0] + values), max([0.0] + values)
    top = 2.6
    floor = style.PAGE_BOTTOM + (0.45 if plot.threshold is not None else 0.05)   # the threshold's name below the bars
    h = min(0.42, (top - floor) / max(1, len(pairs)))
    small = min(1.0, h / 0.34)   # many bars: their names and values smaller, so they stay apart
    sx = Scale(lo, hi if hi > lo else lo + 1, -2.6, 4.6)
    group = VGroup()
    line_x = sx(plot.threshold) if plot.threshold is not None else None
    for k, (label, v) in enumerate(pairs):
        y = top - (k + 0.5) * h
        hot = label in plot.highlight
        said = called(plot, label, lang)
        name = glyphs.fit_width(glyphs.prose(said, lang, style.COMPUTED if hot else style.INK, 20 * small, bold=hot), 3.2)
        group.add(centred_on(name.next_to([-2.75, y, 0], LEFT, buff=0.1), said, y, lang, 20 * small, hot))
        if v is None or not math.isfinite(v):
            continue
        a, b = sx(0.0), sx(v)
        color = style.COMPUTED if hot else (style.NEGATIVE if v < 0 else style.FAINT)
        bar = Rectangle(width=max(abs(b - a), 0.02), height=h * 0.72, stroke_width=0, fill_color=color, fill_opacity=1.0)
        group.add(bar.move_to([(a + b) / 2, y, 0]))
        value = _label(say(v), style.SMALL_NUMBER_SIZE * small, style.INK, bold=hot).next_to(bar, RIGHT if v >= 0 else LEFT, buff=0.1)
        if line_x is not None and value.get_left()[0] - 0.08 < line_x < value.get_right()[0] + 0.08:   # clear of the threshold
            value.next_to([line_x, y, 0], RIGHT if v >= 0 else LEFT, buff=0.12)
        group.add(value)
    bottom = top - len(pairs) * h
    group.add(Line([sx(0.0), top, 0], [sx(0.0), bottom, 0], stroke_width=2, color=style.INK))
    if line_x is not None:
        x = line_x
        group.add(DashedLine([x, top + 0.1, 0], [x, bottom - 0.1, 0], color=style.HIGHLIGHT, stroke_width=3))
        group.add(glyphs.prose(f"{word('threshold', lang)} {const(plot.threshold)}", lang, style.HIGHLIGHT, 18)
                  .next_to([x, bottom - 0.1, 0], DOWN, buff=0.08))
    if plot.y_label:
        group.add(glyphs.prose(text(plot.y_label, lang), lang, style.MUTED, 20).move_to([sx((lo + hi) / 2), top + 0.3, 0]))
    return group


def _heatmap(plot: Plot, trace: Trace, lang: str) -> VGroup:
    """The tensor as a heat map with its names along the axes; each row's largest entry boxed."""
    from .grid import NumberGrid

    record = trace.tensors[plot.tensor]
    grid = NumberGrid(record, role="heat", label="", row_labels=plot.labels or None, col_labels=plot.cols or None,
                      trace=trace)
    data = np.asarray(record.data)
    marks = VGroup()
    if plot.note and data.ndim == 2 and data.size and np.isfinite(data).all() and (data >= 0).all():
        for r in range(data.shape[0]):
            box = grid.cell((r, int(np.argmax(data[r]))))
            if box is not None:
                marks.add(Rectangle(width=box.width, height=box.height, stroke_width=4, color=style.HIGHLIGHT).move_to(box))
    group = VGroup(grid, marks)
    note = glyphs.prose(text(plot.note, lang), lang, style.HIGHLIGHT, 18) if len(marks) else None
    top = TOP - 0.45   # under the title, over the caption band, the note (if any) under the map
    room = top - style.PAGE_BOTTOM - (note.height + 0.25 if note is not None else 0.0)
    group.scale(min(2.0, room / max(group.height, 0.1), (style.FRAME_WIDTH - 2.0) / max(group.width, 0.1)))
    if note is not None:
        group.add(note.next_to(group, DOWN, buff=0.25))
    return group.move_to([0, (top + style.PAGE_BOTTOM) / 2, 0])


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
    dots = [Dot([sx(p["x"]), sy(p["y"]), 0], radius=0.08, color=style.COMPUTED if p["label"] in plot.highlight else style.NEGATIVE)
            for p in pts]
    group.add(*dots)
    placed, taken = [], list(group)   # the axes, their labels and every point
    for p, dot in zip(pts, dots):
        label = glyphs.prose(p["label"], lang, style.INK, 20, bold=p["label"] in plot.highlight)
        group.add(*place(label, dot, placed, taken))
    return group
