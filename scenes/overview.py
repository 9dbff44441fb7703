"""The whole network on one page: every layer of the first forward pass as a box (its output's
name, shape and axis names, the op and weights that made it), in columns by how far from the input
it is, joined by the real graph (:mod:`scenes.network`): branches side by side in one column, a
residual connection as an edge skipping forward over columns, a recurrent edge (dashed, ``t+1``)
back to the layer that reads the state; ×N on a box that stands for N timesteps or heads. Columns
wrap into rows like a worksheet, as many to a row as draw the page largest; several networks
compared share the page, each from a new row; a very long one is elided (⋯). Shown after the title
and again before the recap.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, 2.0]], name="W")
...     b = tracer.param([0.5], name="b")
...     Z = tracer.linear(W, tracer.tensor([[1.0], [1.0]], name="X"), b, name="Z")
...     y = tracer.relu(Z, name="H")
>>> page = overview_page(network(trace, [s for s in trace.steps if s.parent is None]), "The network", "en")
>>> page.names, len(page.links)
(['X', 'Z', 'H'], 2)
"""
from __future__ import annotations

from manim import DOWN, RIGHT, UP, Arrow, DashedVMobject, RoundedRectangle, VGroup, VMobject

import numpy as np

from . import glyphs, routes, style
from .cards import fit_page
from .look import shape_text
from .network import Node, cells, levels, links, network  # noqa: F401  (network: read here by the story plan)

MOST = 48        # more layers than this, and the middle ones are elided (⋯)


GAP, ROW_GAP = 0.7, 1.1    # between columns, between rows (arrows and their lanes run in the gaps)
STACK_GAP = 0.35           # between the boxes of one column (branches side by side)
MOST_WIDE = 2.2            # a box's text is at most this wide (a long op line goes on two, then shrinks)
LARGEST = 1.25             # a short network's page is drawn at most this much larger
CROSSING = 0.9             # a row break a recurrent edge must run round is worth this much of the size
ACROSS = 0.97              # ... and one any other edge crosses (it runs along the row's underside)
NAME_PX = 12               # a box's name smaller than this at 720p, and briefer boxes are tried


def _box(n: Node, axes: bool, lang: str, brief: int = 0) -> VGroup:
    """A node's box: what made it (op and weights, on top), its name, its shape, its axis names
    (when ``axes``), as wide as its widest line; ×N over its corner when it stands for N. On a
    crowded page, a ``brief`` box (1) shows its op(s) without the weights and no axis names, (2)
    only its name and shape."""
    via = [glyphs.mono(" → ".join(n.ops) if brief else n.via, style.COMPUTED, 18)] if n.via and brief < 2 else []
    axes = axes and not brief
    if via and via[0].width > MOST_WIDE:   # a long one: the ops (two a line), the weights under them
        ops = [glyphs.mono(" → ".join(n.ops), style.COMPUTED, 18)]
        if ops[0].width > MOST_WIDE:
            ops = [glyphs.mono(("→ " if k else "") + " → ".join(n.ops[k:k + 2]), style.COMPUTED, 18)
                   for k in range(0, len(n.ops), 2)]
        via = ops + ([glyphs.mono(" · ".join(n.weights), style.COMPUTED, 18)] if n.weights else [])
    lines = [*via]
    lines.append(glyphs.mono(n.name, style.INK, style.LABEL_SIZE + 2, bold=True))
    if n.shape:
        lines.append(glyphs.mono(shape_text(n.shape), style.MUTED, style.SMALL_NUMBER_SIZE))
    if axes:
        lines.append(glyphs.prose(n.axes, lang, style.MUTED, 17))
    text = VGroup(*[glyphs.fit_width(t, MOST_WIDE) for t in lines]).arrange(DOWN, buff=0.08)
    frame = RoundedRectangle(corner_radius=0.12, width=max(1.2, text.width + 0.3), height=text.height + 0.3,
                             stroke_color=style.COMPUTED_EDGE if n.ops else style.GIVEN_EDGE, stroke_width=2,
                             fill_color=style.COMPUTED_FILL if n.ops else style.GIVEN_FILL, fill_opacity=1.0)
    box = VGroup(frame, text.move_to(frame))
    box.badge = None
    if n.runs > 1:
        box.badge = glyphs.mono(f"×{n.runs}", style.COMPUTED, 17, bold=True).next_to(frame, UP, buff=0.03).align_to(frame, RIGHT)
        box.add(box.badge)
    box.frame = frame
    return box


def _rows(columns: list[list[int]], widths: list[float], heights: list[float], new: list[bool],
          room: tuple[float, float], edges: list[tuple[int, int, str]]) -> list[list[int]]:
    """The columns' indices in rows (a compared network starts a new one), as many to a row as
    draws the page largest within ``room`` (width, height). An edge from one row to another
    (``edges``: column pairs and kind) runs along the gap under the row, so each costs some of the
    size: a recurrent one (round the page's left) :data:`CROSSING`, any other :data:`ACROSS`. A
    network wraps onto a row at least half as many columns as the row before holds (the GRU's
    loss alone, far left under the page, its edge back across the whole page, was not worth the
    few per cent it gained)."""
    best, best_scale = [], 0.0
    for per_row in range(1, len(columns) + 1):
        rows: list[list[int]] = []
        for c in range(len(columns)):
            if not rows or new[c] or len(rows[-1]) == per_row:
                rows.append([])
            rows[-1].append(c)
        if any(2 * len(row) < len(rows[r - 1]) and not new[row[0]] for r, row in enumerate(rows) if r):
            continue   # a network's tail wrapped onto a row of its own: its edge back across the page
        wide = max(sum(widths[c] for c in row) + GAP * (len(row) - 1) for row in rows)
        tall = sum(max(heights[c] for c in row) for row in rows) + ROW_GAP * (len(rows) + 1)
        row_of = {c: r for r, row in enumerate(rows) for c in row}
        cost = 1.0
        for a, b, kind in edges:
            if row_of[a] != row_of[b]:
                cost *= CROSSING if kind == "back" else ACROSS
        scale = min(room[0] / wide, room[1] / tall) * cost
        if scale > best_scale + 1e-9:
            best, best_scale = rows, scale
    return best


def _columns(nodes: list[Node]) -> list[list[int]]:
    """The nodes by column: per network, by level (how many layers from its input)."""
    level, network_of, k = levels(nodes), [], 0
    for n in nodes:
        k += n.new
        network_of.append(k)
    keys = sorted({(network_of[i], level[i]) for i in range(len(nodes))})
    return [[i for i in range(len(nodes)) if (network_of[i], level[i]) == key] for key in keys]


def _elide(nodes: list[Node]) -> list[Node]:
    """A very long network's first and last layers around a ⋯ that stands for the middle ones."""
    if len(nodes) <= MOST:
        return nodes
    first, last = MOST // 2, len(nodes) - (MOST // 2 - 1)
    gone = Node("⋯", (), [f"{last - first}"], inputs=[first - 1])

    def keep(j: int) -> int:
        return j if j < first else first if j < last else j - last + first + 1
    tail = [Node(**{**vars(n), "inputs": sorted({keep(j) for j in n.inputs}),
                    "fed_back": sorted({keep(j) for j in n.fed_back})}) for n in nodes[last:]]
    return nodes[:first] + [gone] + tail


def _edge(points: list, color: str, dashed: bool = False) -> VGroup:
    """An arrow along ``points`` (corners), its tip on the last segment."""
    tip = Arrow(points[-2], points[-1], buff=0.0, stroke_width=3, color=color, tip_length=0.16,
                max_tip_length_to_length_ratio=0.7)
    if len(points) == 2:
        return VGroup(tip)
    path = VMobject(stroke_width=3, stroke_color=color).set_points_as_corners([p for p in points[:-1]])
    return VGroup(DashedVMobject(path, num_dashes=max(6, int(path.get_arc_length() / 0.12))) if dashed else path, tip)


def overview_page(nodes: list[Node], title: str, lang: str) -> VGroup:
    """The page: a box per node in columns by level (branches stacked), the graph's edges between
    them, in as many rows as draw it largest on the page (above the caption band, where the
    subtitles are written). When full boxes would draw the names smaller than :data:`NAME_PX`
    (three networks compared: 7 px), briefer boxes (:func:`_box`) are drawn if they draw them
    larger, and then each recurrent cell as one box (:func:`scenes.network.cells`). ``page.nodes``
    are the nodes drawn; ``page.text_scale`` is how much the page draws a box's text at (its font
    sizes' units times this: :func:`name_px`)."""
    nodes = _elide(nodes)
    head = glyphs.fit_width(glyphs.prose(title, lang, style.INK, 30, bold=True), style.PAGE_RIGHT - style.PAGE_LEFT)
    head.move_to([0, style.PAGE_TOP - 0.1 - head.height / 2, 0])
    room = (style.PAGE_RIGHT - style.PAGE_LEFT, head.get_bottom()[1] - 0.3 - style.PAGE_BOTTOM)
    laid = _laid(nodes, lang, room, brief=0)   # pages compared unrouted (routing one takes a while)
    for shown, brief in ((nodes, 1), (nodes, 2), (cells(nodes), 0)):
        if name_px(laid[-1]) >= NAME_PX:
            break
        shorter = _laid(shown, lang, room, brief)
        if shorter[-1] > laid[-1]:
            laid, nodes = shorter, shown
    body, scale = _body(nodes, *laid[:-1], room)
    body.move_to([0, head.get_bottom()[1] - 0.3 - room[1] / 2, 0])
    page = VGroup(head, body)
    wide = page.width
    page = fit_page(page)
    page.nodes = nodes   # as drawn: the cells as one box each, when they are
    page.names = [n.name for n in nodes]
    page.links = body[0]
    page.counts = [b.badge for b in body[1] if b.badge is not None]   # the ×N over the boxes' corners
    page.routes = body.routes   # each link's path, in the layout's units (before the page was scaled)
    page.text_scale = scale * page.width / wide
    return page


def name_px(scale: float) -> float:
    """How tall a box's name is at 720p, its page drawn at ``scale``."""
    return (style.LABEL_SIZE + 2) / 100 * scale * 720 / style.FRAME_HEIGHT


def _laid(nodes: list[Node], lang: str, room: tuple[float, float], brief: int) -> tuple[VGroup, list, list, float]:
    """The boxes laid out in rows (unscaled), each one's column and row, and the scale that would fit
    them alone in ``room`` (to compare pages by)."""
    boxes = VGroup(*[_box(n, bool(n.axes) and (k == 0 or n.new or n.axes != nodes[k - 1].axes), lang, brief)
                     for k, n in enumerate(nodes)])
    columns = _columns(nodes)
    stacks = [VGroup(*[boxes[k] for k in c]).arrange(DOWN, buff=STACK_GAP) for c in columns]
    column = {k: c for c, col in enumerate(columns) for k in col}
    rows = _rows(columns, [s.width for s in stacks], [s.height for s in stacks],
                 [nodes[c[0]].new for c in columns], room, [(column[a], column[b], kind) for a, b, kind in links(nodes)])
    row_of, y = {}, 0.0
    for r, row in enumerate(rows):   # rows top to bottom, columns left to right, middles level
        tall, x = max(stacks[c].height for c in row), 0.0
        for c in row:
            stacks[c].move_to([x + stacks[c].width / 2, y - tall / 2, 0])
            x += stacks[c].width + GAP
            row_of.update({k: r for k in columns[c]})
        y -= tall + ROW_GAP
    return (boxes, [column[k] for k in range(len(nodes))], [row_of[k] for k in range(len(nodes))],
            min(LARGEST, room[0] / boxes.width, room[1] / boxes.height))


def _body(nodes: list[Node], boxes: VGroup, column: list[int], row: list[int],
          room: tuple[float, float]) -> tuple[VGroup, float]:
    """The boxes laid out and the edges between them, scaled to ``room``; and the scale."""
    paths = _routes(nodes, boxes, column, row)
    frames = [_extent(b.frame) for b in boxes] + [_extent(b.badge) for b in boxes if b.badge is not None]
    drawn = VGroup(*[_drawn(path, kind, paths[:k] + paths[k + 1:], frames)
                     for k, (path, (_, _, kind)) in enumerate(zip(paths, links(nodes)))])
    body = VGroup(drawn, boxes)
    scale = min(LARGEST, room[0] / body.width, room[1] / body.height)
    body.routes = paths
    return body.scale(scale), scale


def _routes(nodes: list[Node], boxes: VGroup, column: list[int], row: list[int]) -> list[list[routes.Point]]:
    """Each edge's path (:mod:`scenes.routes`), in the order of :func:`links`: an edge into the
    next column of its row straight, the others routed round the boxes and each other."""
    frames = [_extent(b.frame) for b in boxes]
    edges = [(a, b) for a, b, _ in links(nodes)]
    short = [k for k, (a, b, kind) in enumerate(links(nodes)) if kind == "next" and row[a] == row[b]]
    long = [k for k in range(len(edges)) if k not in short]
    xs, ys = routes.lanes(frames, column, row)
    # a ×N over a box's corner is in the way as a box is (no edge runs through the count), but no
    # edge ends at it: it goes after the boxes, whose indices the edges name
    badges = [_extent(b.badge) for b in boxes if b.badge is not None]
    routed = routes.route(frames + badges, [edges[k] for k in short], [edges[k] for k in long], xs, ys)
    paths = {k: routes.straight(frames, *edges[k]) for k in short} | dict(zip(long, routed))
    return [paths[k] for k in range(len(edges))]


def _extent(m: VMobject) -> routes.Box:
    return (m.get_left()[0], m.get_bottom()[1], m.get_right()[0], m.get_top()[1])


def _drawn(path: list[routes.Point], kind: str, others: list[list[routes.Point]], boxes: list[routes.Box]) -> VGroup:
    """An edge along ``path``: a recurrent one dashed, ``t+1`` beside one of its level runs where
    it touches no other edge and no box (:func:`routes.label_spot`): the state of this timestep,
    read at the next."""
    points = [np.array([x, y, 0.0]) for x, y in path]
    edge = _edge(points, style.COMPUTED if kind == "back" else style.RULE, dashed=kind == "back")
    edge.label = None
    if kind == "back":
        label = edge.label = glyphs.mono("t+1", style.COMPUTED, 16)
        x, y = routes.label_spot(path, others, boxes, (label.width, label.height))
        edge.add(label.move_to([x, y, 0.0]))
    return edge
