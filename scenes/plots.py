"""The plots a story draws (:class:`tracer.story.Plot`), as Manim mobjects on one page.

``lines``: a curve per series (the loss over training, a gradient norm per layer for each
network, side by side), optionally on a log scale, with marks; ``bars``: a bar per label (the
probabilities over the vocabulary, with words; reconstruction errors with the threshold and the
flagged sample); ``heatmap``: a tensor of the trace with its axis labels, coloured on the diverging
map, each row's largest entry boxed when the story says what the box means; ``scatter``: labelled
2-D points. Labels never print over each other, a point or a line.

Every number drawn is one the run recorded (the plot's own, or the tensor's); numbers are printed
the way the story's recap prints them. Pages are built in the origin frame (the frame is
``style.FRAME_WIDTH`` × 8 units), clear of the caption band at its bottom (where the subtitles are
written: :func:`scenes.cards.fit_page`); the stage moves them into its view.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, DashedLine, DashedVMobject, Dot, Line, Rectangle, VGroup, VMobject

from tracer.story import Plot, text
from tracer.systems.stories import num, prob
from tracer.trace import Trace

from . import glyphs, style
from .cards import fit_page
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


def _axes(lang: str, plot: Plot, log: bool = False) -> VGroup:
    """The two axes with their names; ``y_label`` (the y axis' name, "log scale" added when ``log``) is kept."""
    x0, y0, x1, y1 = AREA
    kw = dict(stroke_width=2, color=style.INK)
    group = VGroup(Line([x0, y0, 0], [x1, y0, 0], **kw), Line([x0, y0, 0], [x0, y1, 0], **kw))
    if plot.x_label:
        group.add(glyphs.prose(text(plot.x_label, lang), lang, style.MUTED, 20).move_to([(x0 + x1) / 2, y0 - BELOW + 0.18, 0]))
    said = " ".join(filter(None, [text(plot.y_label, lang) if plot.y_label else "", f"({word('log_scale', lang)})" if log else ""]))
    group.y_label = None
    if said:
        group.y_label = glyphs.prose(said, lang, style.MUTED, 20).next_to([x0, y1, 0], UP, buff=0.15).align_to([x0 - 0.6, 0, 0], LEFT)
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
    x0, y0, x1, y1 = AREA
    xs = plot.x or list(range(max(len(v) for v in plot.series.values())))
    every = [v for vs in plot.series.values() for v in vs if _usable(v, False)]
    log = plot.log_y or (bool(every) and min(every) > 0 and max(every) >= 10 ** DECADES * min(every))
    ys = [v for vs in plot.series.values() for v in vs if _usable(v, log)]
    lasting = [v for vs in plot.series.values() if vs and _usable(vs[-1], log) for v in vs if _usable(v, log)]
    group = _axes(lang, plot, log)
    if not ys:
        return group
    top = max(lasting or ys)
    sx = Scale(min(xs), max(xs), x0 + 0.2, x1 - 0.2)
    sy = Scale(min(ys), top, y0 + 0.2, y1 - 0.1, log)
    for v in sorted({min(ys), top}):
        group.add(_label(num(v)).next_to([x0, sy(v), 0], LEFT, buff=0.12))
        group.add(Line([x0 - 0.06, sy(v), 0], [x0 + 0.06, sy(v), 0], stroke_width=2, color=style.INK))
    for v in sorted({xs[0], xs[-1]}):
        group.add(_label(num(v)).next_to([sx(v), y0, 0], DOWN, buff=0.12))
    legend, above = VGroup(), []
    for k, names in enumerate(_same(plot.series)):
        vs, color, dashed = plot.series[names[0]], SERIES[k % len(SERIES)], k >= len(SERIES)
        run: list[list[float]] = []
        for x, v in zip(xs, vs):
            if _usable(v, log):
                run.append([sx(x), min(sy(v), y1), 0.0])
                continue
            group.add(_curve(run, color, dashed))
            run = []
        group.add(_curve(run, color, dashed))
        peak = max((v for v in vs if _usable(v, log)), default=None)
        if peak is not None and peak > top:   # off the scale: its largest value where it leaves
            x = next(x for x, v in zip(xs, vs) if _usable(v, log) and v > top)
            above.append(_label("↑ " + num(peak), color=color, bold=True).next_to([sx(x), y1, 0], UP, buff=0.15))
        last = next(((x, v) for x, v in zip(reversed(xs), reversed(vs)) if _usable(v, log)), None)
        if last is not None and len(plot.series) == 1:   # one curve: its last value where it ends
            group.add(_label(num(last[1]), color=color, bold=True).next_to([sx(last[0]), sy(last[1]), 0], UP + RIGHT, buff=0.08))
        key = _curve([[-0.25, 0, 0], [0.25, 0, 0]], color, dashed)
        shown = VGroup(*(glyphs.prose(called(plot, n, lang), lang, style.INK, 18) for n in names)).arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        if len(names) > 1:   # series that coincide are one curve, said to be the same
            shown.add(glyphs.prose(word("identical", lang).format(n=len(names)), lang, style.MUTED, 16))
            shown.arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        legend.add(VGroup(key, shown).arrange(RIGHT, buff=0.15, aligned_edge=UP))
    if len(legend) > 1 or len(plot.series) > 1:
        group.add(_legend(legend))
    marks: dict[float, list[str]] = {}
    for mark in plot.marks:
        if mark.get("x") is not None:
            marks.setdefault(mark["x"], []).append(text(mark["label"], lang))
    for at, said in marks.items():   # marks at one x: one line, their labels stacked above it
        x = sx(at)
        group.add(DashedLine([x, y0, 0], [x, y1, 0], color=style.HIGHLIGHT, stroke_width=2))
        lines = VGroup(*(glyphs.prose(s, lang, style.HIGHLIGHT, 18) for s in said)).arrange(UP, aligned_edge=LEFT, buff=0.06)
        above.insert(0, lines.next_to([x, y1, 0], UP, buff=0.05).align_to([x - 0.1, 0, 0], LEFT))
    fixed = [group.y_label] if group.y_label else []
    group.add(*_stacked(fixed + above, RIGHT, gap=0.3)[len(fixed):])   # one row above the area, nothing overprinted
    return group


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


def _legend(entries: VGroup) -> VGroup:
    """The legend right of the drawing area, in one or two columns, shrunk to stay in the frame."""
    x0, y0, x1, y1 = AREA
    room_w, room_h = style.FRAME_WIDTH / 2 - MARGIN - (x1 + 0.3), y1 - y0 + 0.4
    entries.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
    if entries.height > room_h and len(entries) > 1:
        half = (len(entries) + 1) // 2
        entries = VGroup(VGroup(*entries[:half]).arrange(DOWN, aligned_edge=LEFT, buff=0.16),
                         VGroup(*entries[half:]).arrange(DOWN, aligned_edge=LEFT, buff=0.16)).arrange(RIGHT, aligned_edge=UP, buff=0.3)
    entries.scale(min(1.0, room_w / max(entries.width, 1e-6), room_h / max(entries.height, 1e-6)))
    return entries.next_to([x1, y1 + 0.2, 0], RIGHT, buff=0.3).align_to([0, y1 + 0.2, 0], UP)


def _stacked(labels: list[VMobject], direction: np.ndarray, gap: float = 0.03) -> list[VMobject]:
    """``labels`` moved along ``direction`` one after another until none comes within ``gap`` of an earlier one."""
    placed: list[VMobject] = []
    for label in labels:
        while any(_overlap(label, other, gap) for other in placed):
            label.shift(direction * 0.1)
        placed.append(label)
    return placed


def _overlap(a: VMobject, b: VMobject, gap: float = 0.03) -> bool:
    return (a.get_left()[0] < b.get_right()[0] + gap and b.get_left()[0] < a.get_right()[0] + gap
            and a.get_bottom()[1] < b.get_top()[1] + gap and b.get_bottom()[1] < a.get_top()[1] + gap)


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
    say = prob if probability else num
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
        name = glyphs.fit_width(glyphs.prose(called(plot, label, lang), lang, style.COMPUTED if hot else style.INK,
                                             20 * small, bold=hot), 3.2)
        group.add(name.next_to([-2.75, y, 0], LEFT, buff=0.1))
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
        group.add(*_place(label, dot, placed, taken))
    return group


SIDES = (UP + RIGHT, DOWN + RIGHT, UP + LEFT, DOWN + LEFT, RIGHT, LEFT, UP, DOWN)


def _place(label: VMobject, dot: Dot, placed: list[VMobject], taken: list[VMobject]) -> list[VMobject]:
    """``label`` beside ``dot`` on the first side where it overlaps no placed label and nothing
    ``taken``, farther out with a leader line when every side near it is taken (added to ``placed``)."""
    at = dot.get_center()
    for reach in (0.05, 0.35, 0.65, 0.95, 1.25):
        for side in SIDES:
            label.next_to(dot, side, buff=reach)
            if not any(_overlap(label, other) for other in [*placed, *taken]):
                placed.append(label)
                if reach == 0.05:
                    return [label]
                end = label.get_critical_point(-side)
                return [label, Line(at, end, stroke_width=1.5, color=style.MUTED)]
    placed.append(label.next_to(dot, UP + RIGHT, buff=0.05))   # nowhere free: where it always went
    return [label]
