"""The labels of a line plot that sit above its drawing area, placed so each reads on its own
(issue 9): the y axis' name, the marks' labels (a dashed line at an x: "SGD overflows") and the
peaks of the series that run off the top ("↑ 2.35e+126").

The labels of the marks at one x are stacked, GAP apart, in a column beside the mark's line; a
column (or a peak) that cannot stand where it belongs (the axis' name is there, or another label)
moves right, or up onto a higher shelf, and a mark's column that moved is tied to its line by a
thin leader. Every two labels stay GAP apart (GAP_X side by side: two labels 0.06 apart read as one
smudge at 480p); the drawing area's top comes down as far as the shelves need, so
none reaches the title.

A scatter plot's point labels are placed one by one beside their points (:func:`place`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Dot, Line, VGroup, VMobject

from . import style

GAP = 0.14           # the least room between two labels of a plot (and between a label and the title)
GAP_X = 0.3          # ... side by side on a line: two letters (a word space would join them)
LIFT = 0.15          # from the drawing area's top to the shelf the labels stand on
STEP = 0.05          # how far a label is moved at a time, looking for room
LEADER_AFTER = 0.2   # a mark's column moved farther than this from its line is tied to it


@dataclass
class Item:
    """A label (or a column of them) to place: where its left edge wants to be, and the x of the
    mark line it belongs to (None: a y axis name or a peak, tied to nothing)."""

    mob: VMobject
    want: float
    line_x: float | None = None


def column(lines: list[VMobject]) -> VGroup:
    """The labels of the marks at one x, the first at the bottom, GAP apart."""
    return VGroup(*lines).arrange(UP, aligned_edge=LEFT, buff=GAP)


def _clear(box: np.ndarray, placed: list[np.ndarray]) -> bool:
    """``box`` (x0, y0, x1, y1) comes within GAP_X beside or GAP above or below none of ``placed``."""
    return all(box[0] >= p[2] + GAP_X or p[0] >= box[2] + GAP_X or box[1] >= p[3] + GAP or p[1] >= box[3] + GAP
               for p in placed)


def pack(items: list[Item], right: float) -> list[np.ndarray]:
    """Boxes (x0, y0, x1, y1) for ``items`` in order, on shelves rising from y = 0: each at the
    lowest height, then the least x at or right of where it wants to be, that leaves it GAP clear
    of those before it and ends left of ``right`` (if no height does, where it wants to be, on top)."""
    placed: list[np.ndarray] = []
    for item in items:
        w, h = item.mob.width, item.mob.height
        heights = sorted({0.0, *(p[3] + GAP for p in placed)})
        box = None
        for y in heights:
            x = item.want
            while x + w <= right + 1e-9:
                if _clear(np.array([x, y, x + w, y + h]), placed):
                    box = np.array([x, y, x + w, y + h])
                    break
                x += STEP
            if box is not None:
                break
        if box is None:
            y = heights[-1]
            box = np.array([item.want, y, item.want + w, y + h])
        placed.append(box)
    return placed


def above_area(items: list[Item], right: float, top: float, ceiling: float) -> tuple[float, list[VMobject]]:
    """Place ``items`` above a drawing area whose top may be at most ``top``, no label higher
    than ``ceiling``: returns the area's top (lowered as far as the shelves need) and the
    mobjects to draw (the labels, and the leaders of the mark columns that moved)."""
    boxes = pack(items, right)
    height = max((b[3] for b in boxes), default=0.0)
    y1 = min(top, ceiling - height - LIFT)
    out: list[VMobject] = []
    for item, box in zip(items, boxes):
        item.mob.move_to([0, 0, 0], aligned_edge=DOWN + LEFT).shift([box[0], y1 + LIFT + box[1], 0])
        out.append(item.mob)
        moved = item.line_x is not None and (box[0] - item.want > LEADER_AFTER or box[1] > 0)
        if moved:   # from the top of the mark's line along the area's top, then up beside its column
            x, low = item.mob.get_left()[0] - 0.08, item.mob[0].get_center()[1]
            out.append(VMobject(stroke_color=style.HIGHLIGHT, stroke_width=1.5).set_points_as_corners(
                [[item.line_x, y1, 0], [x, y1, 0], [x, low, 0]]))
    return y1, out


def overlap(a: VMobject, b: VMobject, gap: float = 0.03) -> bool:
    return (a.get_left()[0] < b.get_right()[0] + gap and b.get_left()[0] < a.get_right()[0] + gap
            and a.get_bottom()[1] < b.get_top()[1] + gap and b.get_bottom()[1] < a.get_top()[1] + gap)


SIDES = (UP + RIGHT, DOWN + RIGHT, UP + LEFT, DOWN + LEFT, RIGHT, LEFT, UP, DOWN)


def place(label: VMobject, dot: Dot, placed: list[VMobject], taken: list[VMobject]) -> list[VMobject]:
    """``label`` beside ``dot`` on the first side where it overlaps no placed label and nothing
    ``taken``, farther out with a leader line when every side near it is taken (added to ``placed``)."""
    at = dot.get_center()
    for reach in (0.05, 0.35, 0.65, 0.95, 1.25):
        for side in SIDES:
            label.next_to(dot, side, buff=reach)
            if not any(overlap(label, other) for other in [*placed, *taken]):
                placed.append(label)
                if reach == 0.05:
                    return [label]
                end = label.get_critical_point(-side)
                return [label, Line(at, end, stroke_width=1.5, color=style.MUTED)]
    placed.append(label.next_to(dot, UP + RIGHT, buff=0.05))   # nowhere free: where it always went
    return [label]
