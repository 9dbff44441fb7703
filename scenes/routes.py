"""Where the overview's long edges run: orthogonal paths in lanes that cross no other edge, run along
none and pass through no box, where the page allows. Pure geometry (plain tuples, no Manim).

A box is ``(left, bottom, right, top)``; a path is its points, first on its source box's side, last on
its target's. An edge into the next column is drawn straight (:func:`straight`); a long one (a skip,
a jump to another row, a state fed back) leaves its box's right, top or bottom and enters the
target's left, top or bottom, its corners on lanes (:func:`lanes`): the gaps between columns and
rows, between stacked boxes, the gutters beside the page. Each long edge is routed once against the
edges routed before it, then again against all the others (a second pass, so the first routed does
not keep a route it chose before the later ones were there).

>>> boxes = [(0, 0, 1, 1), (2, 0, 3, 1), (4, 0, 5, 1)]
>>> xs, ys = lanes(boxes, [0, 1, 2], [0, 0, 0])
>>> path = route(boxes, [(0, 1), (1, 2)], [(0, 2)], xs, ys)[0]
>>> [(round(x, 2), round(y, 2)) for x, y in path]   # out of the first box's right, under the middle one
[(1, 0.22), (1.36, 0.22), (1.36, -0.2), (3.64, -0.2), (3.64, 0.22), (4, 0.22)]
>>> crossings([straight(boxes, 0, 1), straight(boxes, 1, 2), path]), near_runs([straight(boxes, 0, 1), path])
(0, 0)
"""
from __future__ import annotations

import math
from itertools import product

import numpy as np

Point = tuple[float, float]
Box = tuple[float, float, float, float]   # left, bottom, right, top

LANE = 0.14        # between neighbouring lanes (and ports on one side of a box)
NEAR = 0.1         # two edges closer than this over more than RUN run along each other
RUN = 0.1
ALONG = math.radians(15)   # ... when their directions differ by less than this
MARGIN = 0.06      # a path keeps this far from a box it does not end at
ROOM = 0.2         # between a row's boxes and its first lane above or below
GUTTER = 0.35      # between the page's outermost boxes and the lanes beside them
STUB, TIP = 0.15, 0.22    # a path's first and last segments are at least this long (the arrow tip)
WINDOW = 1.2       # a path's vertical lanes lie this close to its two boxes (or in the gutters)
BOX, CROSS, ALONG_COST = 1e6, 1e3, 1e3   # what a box hit, a crossing, a run along cost
BEND, LENGTH = 1.0, 0.5                  # ... and, among clear paths, a corner and a unit of length
SIDEWAYS = 2.0     # ... and an end on a box's top or bottom (an edge reads best left to right)
EPS = 1e-6


def straight(boxes: list[Box], a: int, b: int) -> list[Point]:
    """An edge into the next column: from the middle of ``a``'s right to the middle of ``b``'s left."""
    (_, ab, ar, at), (bl, bb, _, bt) = boxes[a], boxes[b]
    return [(ar, (ab + at) / 2), (bl, (bb + bt) / 2)]


def lanes(boxes: list[Box], column: list[int], row: list[int]) -> tuple[list[float], list[float]]:
    """The vertical lanes (``xs``: three in each gap between columns, three in each gutter) and the
    horizontal ones (``ys``: above, between and below the rows, :data:`LANE` apart, and one between
    each two boxes stacked in a column)."""
    xs: set[float] = set()
    for r in sorted(set(row)):
        spans = {}
        for k in (k for k in range(len(boxes)) if row[k] == r):
            left, right = spans.get(column[k], (math.inf, -math.inf))
            spans[column[k]] = (min(left, boxes[k][0]), max(right, boxes[k][2]))
        sides = sorted(spans.values())
        for (_, right), (left, _) in zip(sides, sides[1:]):
            xs.update((right + left) / 2 + k * LANE for k in (-1, 0, 1) if left - right > 2 * LANE + 2 * MARGIN)
    outer = min(b[0] for b in boxes) - GUTTER, max(b[2] for b in boxes) + GUTTER
    xs.update(x + k * LANE for x in outer for k in (-1, 0, 1))
    rows = [(max(boxes[k][3] for k in range(len(boxes)) if row[k] == r),
             min(boxes[k][1] for k in range(len(boxes)) if row[k] == r)) for r in sorted(set(row))]
    ys: set[float] = {rows[0][0] + ROOM + k * LANE for k in range(4)}
    ys.update(rows[-1][1] - ROOM - k * LANE for k in range(4))
    for (_, bottom), (top, _) in zip(rows, rows[1:]):
        ys.update(np.arange(bottom - ROOM, top + ROOM - EPS, -LANE).tolist())
    for c in set(column):
        stack = sorted((boxes[k] for k in range(len(boxes)) if column[k] == c), key=lambda b: b[1])
        ys.update((low[3] + high[1]) / 2 for low, high in zip(stack, stack[1:]) if high[1] - low[3] > 2 * MARGIN)
    return sorted(xs), sorted(ys)


def route(boxes: list[Box], short: list[tuple[int, int]], long: list[tuple[int, int]],
          xs: list[float], ys: list[float]) -> list[list[Point]]:
    """The paths of the ``long`` edges ``(from, to)`` (box indices), the ``short`` ones drawn
    straight: each the cheapest (:data:`BOX`, :data:`CROSS`, :data:`ALONG_COST`, then corners and
    length) against the others, in two passes."""
    fixed = [straight(boxes, a, b) for a, b in short]
    paths: list[list[Point] | None] = [None] * len(long)
    for _ in range(2):
        for k, (a, b) in enumerate(long):
            others = fixed + [p for j, p in enumerate(paths) if p is not None and j != k]
            paths[k] = _cheapest(boxes, a, b, others, xs, ys)
    return paths  # type: ignore[return-value]


def label_spot(path: list[Point], others: list[list[Point]], boxes: list[Box], size: tuple[float, float],
               gap: float = 0.04) -> Point:
    """Where the middle of a label ``size`` (width, height) naming ``path`` goes: under or over one
    of its level runs, the longest first, where it touches no other path and no box; under the
    longest when every place does.

    >>> label_spot([(0, 0), (2, 0)], [[(0, -0.2), (2, -0.2)]], [], (0.4, 0.2))   # over: a line runs under
    (1.0, 0.14)
    """
    w, h = size
    runs = sorted(((abs(q[0] - p[0]), p, q) for p, q in zip(path, path[1:]) if abs(q[1] - p[1]) < EPS),
                  key=lambda r: -r[0])
    if not runs:
        return path[-2] if len(path) > 1 else path[0]
    segments = [(p, q) for other in others for p, q in zip(other, other[1:])]
    spots = [((p[0] + q[0]) / 2, p[1] + side * (gap + h / 2)) for _, p, q in runs for side in (-1, 1)]
    def clear(c: Point) -> bool:
        lo, hi = (c[0] - w / 2, c[1] - h / 2), (c[0] + w / 2, c[1] + h / 2)
        def meets(a: Point, b: Point) -> bool:   # an orthogonal segment's (or a slanted one's) box
            return min(a[0], b[0]) < hi[0] and max(a[0], b[0]) > lo[0] and min(a[1], b[1]) < hi[1] and max(a[1], b[1]) > lo[1]
        return not any(meets(a, b) for a, b in segments) and not any(meets(box[:2], box[2:]) for box in boxes)
    return next((c for c in spots if clear(c)), spots[0])


def crossings(paths: list[list[Point]]) -> int:
    """How many times two of ``paths`` cross (or one ends on another's middle)."""
    return sum(_crosses(s, t) for i, p in enumerate(paths) for q in paths[i + 1:]
               for s in zip(p, p[1:]) for t in zip(q, q[1:]))


def near_runs(paths: list[list[Point]]) -> int:
    """How many pairs of segments of two different paths run along each other (:data:`NEAR`, :data:`RUN`)."""
    return sum(_along(s, t) for i, p in enumerate(paths) for q in paths[i + 1:]
               for s in zip(p, p[1:]) for t in zip(q, q[1:]))


def _crosses(s, t) -> bool:
    def side(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return 0 if abs(v) < 1e-9 else (1 if v > 0 else -1)
    (p, q), (r, u) = s, t
    if {p, q} & {r, u}:
        return False   # two edges from one port (a fan out) or into one
    a, b, c, d = side(p, q, r), side(p, q, u), side(r, u, p), side(r, u, q)
    return a * b <= 0 and c * d <= 0 and not (a == b == 0)   # collinear: a run along, not a crossing


def _along(s, t) -> bool:
    """Whether ``t`` runs within :data:`NEAR` of ``s`` over more than :data:`RUN`, nearly parallel."""
    (p, q), (r, u) = np.asarray(s, float), np.asarray(t, float)
    d, e = q - p, u - r
    ls, lt = np.hypot(*d), np.hypot(*e)
    if ls < EPS or lt < EPS or abs(d[0] * e[1] - d[1] * e[0]) / (ls * lt) > math.sin(ALONG):
        return False
    along = d / ls
    ts = sorted([float((r - p) @ along), float((u - p) @ along)])
    lo, hi = max(0.0, ts[0]), min(ls, ts[1])
    if hi - lo <= RUN:
        return False
    normal = np.array([-along[1], along[0]])
    def off(x):   # t's distance from s's line where it projects to x along s
        return float((r + e * ((x - float((r - p) @ along)) / float(e @ along)) - p) @ normal)
    return abs(off(lo)) < NEAR and abs(off(hi)) < NEAR or abs(off((lo + hi) / 2)) < NEAR / 2


class _Lines:
    """What a segment on a lane meets, per lane: where other edges cross it, the stretches where
    one runs along it, the stretches a box blocks; and the cost of a segment from ``lo`` to ``hi``
    on many lanes at once."""

    def __init__(self, boxes: list[Box], ends: tuple[int, int], others: list[list[Point]]) -> None:
        self.boxes, self.ends = boxes, ends
        self.segments = [(p, q) for path in others for p, q in zip(path, path[1:])]
        self.cache: dict[tuple[bool, float], tuple[list, list, list]] = {}
        self.packs: dict[tuple[bool, bytes], tuple] = {}

    def _line(self, horizontal: bool, c: float) -> tuple[list, list, list]:
        key = (horizontal, round(c, 9))
        if key not in self.cache:
            self.cache[key] = self._meet(horizontal, c)
        return self.cache[key]

    def _meet(self, horizontal: bool, c: float) -> tuple[list, list, list]:
        i, j = (1, 0) if horizontal else (0, 1)   # i: the lane's fixed coordinate, j: along it
        cross, along, block = [], [], []
        for p, q in self.segments:
            dj, di = q[j] - p[j], q[i] - p[i]
            if abs(dj) < EPS and abs(di) < EPS:
                continue
            if abs(di) <= math.tan(ALONG) * abs(dj):   # nearly along the lane: where it is within NEAR
                lo, hi = sorted((p[j], q[j]))
                slope = di / dj
                if abs(slope) < EPS:
                    if abs(p[i] - c) < NEAR:
                        along.append((lo, hi))
                    continue
                a, b = sorted(((c - NEAR - p[i]) / slope + p[j], (c + NEAR - p[i]) / slope + p[j]))
                if min(hi, b) - max(lo, a) > 0:
                    along.append((max(lo, a), min(hi, b)))
                continue
            if min(p[i], q[i]) - EPS <= c <= max(p[i], q[i]) + EPS and abs(di) > EPS:
                cross.append(p[j] + (c - p[i]) * dj / di)
        for k, box in enumerate(self.boxes):
            m = 0.0 if k in self.ends else MARGIN
            if box[i] - m < c < box[i + 2] + m:
                block.append((box[j] - m, box[j + 2] + m))
        return cross, along, block

    def cost(self, horizontal: bool, cs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The cost of a segment on each lane ``cs`` (axis 1 of ``lo``/``hi``, shaped (p, j, q))."""
        cross, along, block = self._packed(horizontal, cs)
        lo, hi = lo[..., None], hi[..., None]
        out = BEND + LENGTH * (hi - lo)[..., 0]
        out = out + CROSS * ((cross > lo + EPS) & (cross < hi - EPS)).sum(-1)
        out = out + ALONG_COST * ((np.minimum(hi, along[1]) - np.maximum(lo, along[0])) > RUN).sum(-1)
        out = out + BOX * ((np.minimum(hi, block[1]) - np.maximum(lo, block[0])) > EPS).sum(-1)
        return np.where((hi - lo)[..., 0] < EPS, np.inf, out)

    def _packed(self, horizontal: bool, cs: np.ndarray) -> tuple:
        """What the lanes ``cs`` meet, as arrays shaped (1, lane, 1, most) (padded with nothing)."""
        key = (horizontal, cs.tobytes())
        if key not in self.packs:
            tables = [self._line(horizontal, float(c)) for c in cs]
            def pack(part: int, pair: bool):
                most = max(1, max(len(t[part]) for t in tables))
                if not pair:
                    at = np.full((len(cs), most), np.inf)
                    for n, t in enumerate(tables):
                        at[n, :len(t[part])] = t[part]
                    return at[None, :, None, :]
                a, b = np.full((len(cs), most), np.inf), np.full((len(cs), most), -np.inf)
                for n, t in enumerate(tables):
                    if t[part]:
                        a[n, :len(t[part])], b[n, :len(t[part])] = zip(*t[part])
                return a[None, :, None, :], b[None, :, None, :]
            self.packs[key] = (pack(0, False), pack(1, True), pack(2, True))
        return self.packs[key]


# per side: whether a path meets it along a horizontal segment, the box coordinate it lies at, outward (+1, -1)
_SIDES = {"right": (True, 2, 1), "left": (True, 0, -1), "top": (False, 3, 1), "bottom": (False, 1, -1)}


def _ports(box: Box, side: str, taken: list[Point]) -> tuple[float, list[float]]:
    """Where on ``side`` of ``box`` a path may end: the side's coordinate and the points along it
    (:data:`LANE` apart, about its middle, none where another edge already ends)."""
    left, bottom, right, top = box
    horizontal, at, _ = _SIDES[side]
    mid, half = ((bottom + top) / 2, 0.35 * (top - bottom)) if horizontal else ((left + right) / 2, 0.3 * (right - left))
    spots = [mid + k * LANE for k in range(-3, 4) if abs(k * LANE) <= half]
    if side == "top":   # the ×N over its right corner
        spots = [x for x in spots if x < right - 0.4]
    def point(s):
        return (box[at], s) if horizontal else (s, box[at])
    free = [s for s in spots if all(math.dist(point(s), t) >= NEAR for t in taken)]
    return box[at], free


def _cheapest(boxes: list[Box], a: int, b: int, others: list[list[Point]], xs: list[float],
              ys: list[float]) -> list[Point]:
    lines = _Lines(boxes, (a, b), others)
    taken = [p for path in others for p in (path[0], path[-1])]
    (al, ab, ar, at), (bl, bb, br, bt) = boxes[a], boxes[b]
    rows = [box for box in boxes if min(box[3], max(at, bt)) > max(box[1], min(ab, bb))]   # level with a or b
    near_x = {x for x in xs if min(al, bl) - WINDOW <= x <= max(ar, br) + WINDOW
              and not any(box[0] - MARGIN < x < box[2] + MARGIN for box in rows)} | set(xs[:3] + xs[-3:])   # and the gutters
    near_y = ys   # (a row's lanes above and below may lie far from both boxes: a tall column's)
    far = at < bb or bt < ab   # one above the other (another row): round the page, maybe
    best, best_cost = None, np.inf
    for out, into in product(("right", "top", "bottom"), ("left", "top", "bottom")):
        start, exits = _ports(boxes[a], out, taken)
        end, entries = _ports(boxes[b], into, taken)
        first_h, last_h = _SIDES[out][0], _SIDES[into][0]
        counts = [n for n in range(1, 7) if (n % 2 == 0) == (first_h == last_h)]
        for n in counts[:3 if far else 2]:
            horizontal = [first_h == (i % 2 == 0) for i in range(n + 1)]
            middle_x = sorted(near_x | set(_ports(boxes[a], "top", [])[1]) | set(_ports(boxes[b], "top", [])[1]))
            middle_y = sorted(set(near_y) | set(_ports(boxes[a], "right", [])[1]) | set(_ports(boxes[b], "left", [])[1]))
            cands = [np.array(middle_y if h else middle_x, float) for h in horizontal]
            cands[0], cands[-1] = np.array(exits, float), np.array(entries, float)
            cands[1] = cands[1][(cands[1] - start) * _SIDES[out][2] >= STUB]      # out of the box
            cands[-2] = cands[-2][(cands[-2] - end) * _SIDES[into][2] >= TIP]     # room for the tip
            if any(len(c) == 0 for c in cands):
                continue
            cost, coords = _chain(lines, horizontal, cands, start, end)
            cost += SIDEWAYS * ((out != "right") + (into != "left"))
            if cost < best_cost:
                best, best_cost = _points(horizontal, coords, start, end), cost
    return best if best is not None else straight(boxes, a, b)


def _chain(lines: _Lines, horizontal: list[bool], cands: list[np.ndarray], start: float, end: float):
    """The cheapest coordinates for segments ``0..n`` (one from each of ``cands``), segment ``i``
    on lane ``c_i`` from ``c_{i-1}`` (or ``start``) to ``c_{i+1}`` (or ``end``): a chain, each
    segment's cost depending on three neighbours, solved by dynamic programming over pairs."""
    n = len(cands) - 1
    def seg(i, before, at, after):
        lo, hi = np.minimum(before, after), np.maximum(before, after)
        return lines.cost(horizontal[i], at, lo, hi)
    c0, c1 = cands[0], cands[1]
    table = seg(0, np.full((1, 1, len(c1)), start), c0, c1[None, None, :])[0]   # (c0, c1)
    back = []
    for i in range(1, n):
        prev, here, nxt = cands[i - 1], cands[i], cands[i + 1]
        cost = seg(i, prev[:, None, None], here, nxt[None, None, :])        # (prev, here, next)
        total = table[:, :, None] + cost
        back.append(total.argmin(0))                                        # (here, next)
        table = total.min(0)
    last = seg(n, cands[n - 1][:, None, None], cands[n], np.full((1, 1, 1), end))[:, :, 0]   # (c_{n-1}, c_n)
    total = table + last
    p, q = np.unravel_index(int(total.argmin()), total.shape)
    cost = float(total[p, q])
    idx = [q, p]
    for i in range(n - 1, 0, -1):
        p, q = back[i - 1][p, q], p
        idx.append(p)
    idx = idx[::-1]
    return cost, [float(cands[i][k]) for i, k in enumerate(idx)]


def _points(horizontal: list[bool], coords: list[float], start: float, end: float) -> list[Point]:
    along = [start, *coords[:-1], end]   # where each segment starts along its lane, then the end
    points = []
    for k in range(len(coords) + 1):
        i = min(k, len(coords) - 1)
        p = (along[k], coords[i]) if horizontal[i] else (coords[i], along[k])
        points.append(p)
    return points
