"""Cheap animations the players are built from (measured: a ``Transform`` copies and aligns
both mobjects on every use; these touch only what changes).

- :class:`Reveal` fades numbers that were built hidden (opacity 0) in place: reveal by opacity.
- :class:`Recolour` fades a grid's cells to the colours of their new role (an update's weights).
- :class:`Glide` moves the one highlight box to the next row, column or cell.
- :class:`Swap` puts new content in a holder (the work line, a running partial sum) when it starts,
  so a whole cell's micro-steps batch into one ``Succession``.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
from manim import Animation, VGroup, VMobject, linear, smooth

from . import style
from .label_room import gap


def _parts(mobs: Iterable[VMobject]) -> list[VMobject]:
    return [m for mob in mobs if mob is not None for m in mob.get_family() if len(m.points)]


def set_alpha(m: VMobject, fill: float, stroke: float) -> None:
    """Write the opacity straight into the colour arrays (``set_fill`` re-parses colours: 10×
    slower, and a walkthrough sets thousands of opacities)."""
    m.fill_rgbas[:, 3] = fill
    m.stroke_rgbas[:, 3] = stroke


def _visible_parts(m: VMobject) -> tuple[bool, bool]:
    """Which of a part's fill and stroke show when it is shown (a text: its fill; a box: its
    stroke; a cell built hidden says so in ``shown_alpha``)."""
    if hasattr(m, "shown_alpha"):
        return m.shown_alpha
    stroked = m.get_stroke_width() > 0
    return (float(m.fill_rgbas[0, 3]) > 0 or not stroked, stroked)


def set_alpha_all(mob: VMobject, value: float) -> None:
    """Show (1) or hide (0) a mobject at once (the end state of a :class:`Reveal`)."""
    for m in mob.get_family():
        if len(m.points):
            fill_on, stroke_on = _visible_parts(m)
            set_alpha(m, value if fill_on else float(m.fill_rgbas[0, 3]),
                      value if stroke_on else float(m.stroke_rgbas[0, 3]))


class Reveal(Animation):
    """Fade ``mobjects`` from their current opacity to ``to`` (1: reveal, 0: hide).

    Strokes follow fills, except where a part has no fill (a line, a box): then the stroke fades.
    """

    def __init__(self, mobjects: Iterable[VMobject], to: float = 1.0, **kwargs) -> None:
        self.targets = [m for m in mobjects if m is not None]
        self.to = to
        kwargs.setdefault("run_time", 0.3)
        handle = self.targets[0] if len(self.targets) == 1 else VGroup(*self.targets)
        super().__init__(handle, rate_func=kwargs.pop("rate_func", linear), **kwargs)

    def create_starting_mobject(self) -> VMobject:
        return self.mobject  # nothing to copy: interpolation only sets opacities

    def begin(self) -> None:
        self.parts = _parts(self.targets)
        self.kinds = [_visible_parts(m) for m in self.parts]
        self.start = [(float(m.fill_rgbas[0, 3]), float(m.stroke_rgbas[0, 3])) for m in self.parts]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        for m, (fill_on, stroke_on), (f, s) in zip(self.parts, self.kinds, self.start):
            set_alpha(m, f + (self.to - f) * a if fill_on else f, s + (self.to - s) * a if stroke_on else s)


class Recolour(Animation):
    """Fade the fill and edge of ``parts`` of ``owner`` from the colours ``before`` to the ones
    they have now, in place: the owner is on the scene already, so nothing is copied or added (a
    group made to animate the cells would be drawn over the grid's numbers)."""

    def __init__(self, owner: VMobject, parts: list[VMobject], before: list[tuple[np.ndarray, np.ndarray]],
                 **kwargs) -> None:
        self.parts, self.start = parts, before
        self.end = [(m.fill_rgbas.copy(), m.stroke_rgbas.copy()) for m in parts]
        kwargs.setdefault("run_time", 0.5)
        super().__init__(owner, **kwargs)
        self.interpolate_mobject(0.0)   # the old colours until it plays

    def create_starting_mobject(self) -> VMobject:
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        for m, (f0, s0), (f1, s1) in zip(self.parts, self.start, self.end):
            m.fill_rgbas = f0 + (f1 - f0) * a if f0.shape == f1.shape else f1
            m.stroke_rgbas = s0 + (s1 - s0) * a if s0.shape == s1.shape else s1


class Appear(Animation):
    """Fade a whole mobject in (or out) without copying it: every part goes from 0 to its own
    opacity, so parts built hidden stay hidden (``FadeIn`` copies the mobject to fade it)."""

    def __init__(self, mob: VMobject, out: bool = False, **kwargs) -> None:
        self.out = out
        self.parts = [m for m in mob.get_family() if len(m.points)]
        self.fills = [float(m.fill_rgbas[0, 3]) for m in self.parts]
        self.strokes = [float(m.stroke_rgbas[0, 3]) for m in self.parts]
        kwargs.setdefault("run_time", 0.45)
        super().__init__(mob, rate_func=kwargs.pop("rate_func", linear), **kwargs)
        if not out:
            self.interpolate_mobject(0.0)

    def create_starting_mobject(self) -> VMobject:
        return self.mobject

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        a = 1 - a if self.out else a
        for m, f, s in zip(self.parts, self.fills, self.strokes):
            set_alpha(m, f * a, s * a)


def late(a: Appear, lead: float = 0.5) -> Appear:
    """``a`` played over the last part of its play only (after ``lead`` of it): a grid a pan brings
    shows as the camera reaches it, not as an empty outline at the edge of the view it leaves."""
    a.rate_func = lambda t: min(1.0, max(0.0, (t - lead) / (1.0 - lead)))
    return a


class Follow(Animation):
    """Carry ``mob`` along with the camera: an affine move from one view to another, no copy."""

    def __init__(self, mob: VMobject, c0: np.ndarray, s0: float, c1: np.ndarray, s1: float, **kwargs) -> None:
        self.c0, self.s0, self.c1, self.s1 = np.asarray(c0, float), s0, np.asarray(c1, float), s1
        kwargs.setdefault("run_time", 0.7)
        super().__init__(mob, rate_func=kwargs.pop("rate_func", smooth), **kwargs)

    def create_starting_mobject(self) -> VMobject:
        return self.mobject

    def begin(self) -> None:
        self.parts = [m for m in self.mobject.get_family() if len(m.points)]
        self.starts = [m.points.copy() for m in self.parts]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        c = self.c0 + (self.c1 - self.c0) * a
        s = self.s0 + (self.s1 - self.s0) * a
        for m, p in zip(self.parts, self.starts):
            m.points = (p - self.c0) * (s / self.s0) + c


def _box(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return points.min(axis=0)[:2], points.max(axis=0)[:2]


class Glide(Animation):
    """Move and resize ``box`` (a rectangle) onto ``target`` (a rectangle of the same kind): along a
    row, down a column, onto a neighbouring grid. A box more than ``FAR`` away from where it goes
    fades out where it is and in there: it never sweeps across the empty canvas between."""

    FAR = 2 * style.GRID_GAP

    def __init__(self, box: VMobject, target: VMobject, **kwargs) -> None:
        self.target = target
        kwargs.setdefault("run_time", 0.25)
        super().__init__(box, rate_func=kwargs.pop("rate_func", smooth), **kwargs)

    def create_starting_mobject(self) -> VMobject:
        return self.mobject

    def begin(self) -> None:
        self.start_points = self.mobject.points.copy()
        self.end_points = self.target.points.copy()
        self.start_opacity = self.mobject.get_stroke_opacity()
        if len(self.start_points) != len(self.end_points) or self.start_opacity <= 0:
            self.start_points = self.end_points   # a hidden box fades in where it goes (never across a gap)
        self.jump = gap(_box(self.start_points), _box(self.end_points)) > self.FAR
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        if self.jump:   # out where it is over the first half, in where it goes over the second
            there = alpha >= 0.5
            self.mobject.points = self.end_points if there else self.start_points
            self.mobject.set_stroke(opacity=2 * alpha - 1 if there else self.start_opacity * (1 - 2 * alpha))
            return
        a = self.rate_func(alpha)
        self.mobject.points = self.start_points + (self.end_points - self.start_points) * a
        if self.start_opacity < 1:
            self.mobject.set_stroke(opacity=self.start_opacity + (1 - self.start_opacity) * a)


class Swap(Animation):
    """Show ``content`` in ``holder`` (hiding what it showed) when this animation starts.

    The content joins the holder, hidden, when the Swap is *made*, so the holder's family does not
    change while a play runs (Manim freezes the list of moving mobjects when a play begins);
    :func:`prune` drops the hidden leftovers between plays.
    """

    def __init__(self, holder: VGroup, content: VMobject | None, **kwargs) -> None:
        self.content = content
        if content is not None:
            content.set_opacity(0)
            holder.add(content)
        kwargs.setdefault("run_time", 0.15)
        super().__init__(holder, rate_func=kwargs.pop("rate_func", linear), **kwargs)

    def create_starting_mobject(self) -> VMobject:
        return self.mobject

    def begin(self) -> None:
        for m in self.mobject.submobjects:
            if m is not self.content:
                m.set_opacity(0)
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        if self.content is not None:
            self.content.set_opacity(self.rate_func(alpha))


def prune(holder: VGroup) -> None:
    """Drop the hidden contents a holder kept from earlier swaps (call between plays)."""
    holder.submobjects = [m for m in holder.submobjects if m.get_fill_opacity() > 0.01]


def box_like(target: VMobject, color: str, width: float = 3.0) -> VMobject:
    """A highlight rectangle with the same point layout as ``target`` (so it can glide)."""
    from manim import Rectangle

    box = Rectangle(width=max(target.width, 0.05), height=max(target.height, 0.05),
                    stroke_color=color, stroke_width=width, fill_opacity=0.0)
    return box.move_to(target)


def hold(run_time: float) -> Animation:
    """A pause inside a Succession (an empty animation of ``run_time``)."""
    from manim import Wait

    return Wait(run_time)
