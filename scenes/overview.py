"""The whole network on one page: every layer of the first forward pass as a box (its output's
name, shape and axis names), joined by arrows labelled with the op and the weights it reads, in
reading order, wrapping like a worksheet, in as many rows as draw it largest. A layer run again (a timestep, a pass) shows once; several networks compared share the page; a very long one is elided (its first and last layers around
a ⋯). Shown after the title and again before the recap.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, 2.0]], name="W")
...     b = tracer.param([0.5], name="b")
...     Z = tracer.linear(W, tracer.tensor([[1.0], [1.0]], name="X"), b, name="Z")
...     y = tracer.relu(Z, name="H")
>>> [(n.name, n.via) for n in network(trace, [s for s in trace.steps if s.parent is None])]
[('X', ''), ('Z', 'linear · W · b'), ('H', 'relu')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from manim import DOWN, Arrow, RoundedRectangle, VGroup

from tracer.trace import Step, Trace

from . import glyphs, style
from .cards import fit_page
from .look import shape_text

MOST = 48        # more layers than this, and the middle ones are elided (⋯)


@dataclass
class Node:
    name: str
    shape: tuple[int, ...]
    via: str = ""             # the op (and weights) that made it
    axes: str = ""            # its axis names, shortened
    new: bool = False         # the first layer of another network: a new row, no arrow into it


def network(trace: Trace, steps: list[Step]) -> list[Node]:
    """The nodes of every network the forward steps among ``steps`` run: its input, then each
    layer's output once (a layer run again, as the next timestep or the next pass, shows once), the
    loss included. Once training has begun (a backward step), a pass that reads only weights already shown re-runs a network shown: the page
    ends there; a pass reading new weights is another network (a comparison): it starts afresh."""
    nodes: list[Node] = []
    seen = _Seen()
    weights: set[str] = set()
    trained = False
    waiting: list[Step] = []   # after training, the weightless steps before we know which network runs
    for s in steps:
        if s.phase != "forward" or not s.outputs:
            trained = trained or (bool(nodes) and s.phase == "backward")
            continue
        params = [trace.tensors[t].name for t in s.inputs if trace.tensors[t].kind == "param"]
        if trained and not params:
            waiting.append(s)
            continue
        if trained:
            if weights.issuperset(params):
                break
            trained, seen, first = False, _Seen(), len(nodes)   # new weights: another network
            for w in waiting + [s]:
                _add(trace, w, nodes, seen, weights)
            nodes[first].new = True
            waiting = []
            continue
        _add(trace, s, nodes, seen, weights)
    return nodes


@dataclass
class _Seen:
    """The layers of a network shown so far, and the tensors its latest new layers made."""

    layers: set[tuple] = field(default_factory=set)
    fresh: set[str] = field(default_factory=set)


def _add(trace: Trace, s: Step, nodes: list[Node], seen: _Seen, weights: set[str]) -> None:
    """``s``'s output as a node (after the network's input, for its first), unless it is a layer
    shown: the same op on the same tensors, or making the same name with the same weights from
    nothing new (a second head's ``K_T`` reads the new ``K₂_rows``: it is another layer)."""
    params = [trace.tensors[t].name for t in s.inputs if trace.tensors[t].kind == "param"]
    weights.update(params)
    out = trace.tensors[s.outputs[0]]
    made, read = (s.op, out.name, tuple(params)), (s.op, *s.inputs)
    if read in seen.layers or (made in seen.layers and not seen.fresh & set(s.inputs)):
        seen.fresh.clear()   # the network runs again: what it makes now is not new
        return
    first = not seen.layers
    seen.layers.update((made, read))
    seen.fresh.update(s.outputs)
    if first and s.inputs:   # a network's first layer: its input first
        given = [t for t in s.inputs if trace.tensors[t].kind != "param"]   # the data, not a weight
        x = trace.tensors[given[0] if given else s.inputs[0]]
        nodes.append(Node(x.name, x.shape, "", _axes(x)))
    nodes.append(Node(out.name, out.shape, " · ".join([s.op] + params), _axes(out)))


def _axes(record) -> str:
    names = [n for n in (record.labels or ()) if n]
    if not names:
        return ""
    last = list(names[-1])
    return ", ".join(last[:3]) + (" …" if len(last) > 3 else "")


GAP, ROW_GAP = 0.4, 0.7    # between boxes of a row, between rows (an arrow runs in each gap)
MOST_WIDE = 2.2            # a box's text is at most this wide (a long op line goes on two, then shrinks)
LARGEST = 1.25             # a short network's page is drawn at most this much larger


def _box(n: Node, axes: bool, lang: str) -> VGroup:
    """A node's box: what made it (op and weights, on top), its name, its shape, its axis names
    (when ``axes``), as wide as its widest line."""
    via = [glyphs.mono(n.via, style.COMPUTED, 18)] if n.via else []
    if via and via[0].width > MOST_WIDE and " · " in n.via:   # a long one: the op, its weights under it
        op, weights = n.via.split(" · ", 1)
        via = [glyphs.mono(op, style.COMPUTED, 18), glyphs.mono(weights, style.COMPUTED, 18)]
    lines = [*via]
    lines.append(glyphs.mono(n.name, style.INK, style.LABEL_SIZE + 2, bold=True))
    if n.shape:
        lines.append(glyphs.mono(shape_text(n.shape), style.MUTED, style.SMALL_NUMBER_SIZE))
    if axes:
        lines.append(glyphs.prose(n.axes, lang, style.MUTED, 17))
    text = VGroup(*[glyphs.fit_width(t, MOST_WIDE) for t in lines]).arrange(DOWN, buff=0.08)
    frame = RoundedRectangle(corner_radius=0.12, width=max(1.2, text.width + 0.3), height=text.height + 0.3,
                             stroke_color=style.COMPUTED_EDGE if n.via else style.GIVEN_EDGE, stroke_width=2,
                             fill_color=style.COMPUTED_FILL if n.via else style.GIVEN_FILL, fill_opacity=1.0)
    return VGroup(frame, text.move_to(frame))


def _rows(nodes: list[Node], widths: list[float], height: float, room: tuple[float, float]) -> list[list[int]]:
    """The nodes' indices in rows (a compared network starts a new one), as many to a row as
    draws the page largest within ``room`` (width, height) for boxes ``height`` tall."""
    best, best_scale = [], 0.0
    for per_row in range(1, len(nodes) + 1):
        rows: list[list[int]] = []
        for k, n in enumerate(nodes):
            if not rows or n.new or len(rows[-1]) == per_row:
                rows.append([])
            rows[-1].append(k)
        wide = max(sum(widths[k] for k in row) + GAP * (len(row) - 1) for row in rows)
        tall = len(rows) * height + ROW_GAP * (len(rows) - 1)
        scale = min(room[0] / wide, room[1] / tall)
        if scale > best_scale + 1e-9:
            best, best_scale = rows, scale
    return best


def overview_page(nodes: list[Node], title: str, lang: str) -> VGroup:
    """The page: a box per node (the op and weights that made it, its name, shape and axis names
    where they change), arrows between them, in as many rows as draw it largest on the page (above
    the caption band, where the subtitles are written)."""
    if len(nodes) > MOST:
        nodes = nodes[:MOST // 2] + [Node("⋯", (), f"{len(nodes) - MOST + 1}")] + nodes[-(MOST // 2 - 1):]
    boxes = VGroup(*[_box(n, bool(n.axes) and (k == 0 or n.new or n.axes != nodes[k - 1].axes), lang)
                     for k, n in enumerate(nodes)])
    head = glyphs.fit_width(glyphs.prose(title, lang, style.INK, 30, bold=True), style.PAGE_RIGHT - style.PAGE_LEFT)
    head.move_to([0, style.PAGE_TOP - 0.1 - head.height / 2, 0])
    room = (style.PAGE_RIGHT - style.PAGE_LEFT, head.get_bottom()[1] - 0.4 - style.PAGE_BOTTOM)
    rows = _rows(nodes, [b.width for b in boxes], max(b.height for b in boxes), room)
    row_of = {k: r for r, row in enumerate(rows) for k in row}
    y = 0.0
    for row in rows:   # rows top to bottom, boxes left to right, middles level
        tall, x = max(boxes[k].height for k in row), 0.0
        for k in row:
            boxes[k].move_to([x + boxes[k].width / 2, y - tall / 2, 0])
            x += boxes[k].width + GAP
        y -= tall + ROW_GAP
    links = VGroup()
    for k in range(1, len(nodes)):
        if nodes[k].new:
            continue
        a, b = boxes[k - 1], boxes[k]
        start, end = (a.get_right(), b.get_left()) if row_of[k] == row_of[k - 1] else (a.get_bottom(), b.get_top())
        links.add(Arrow(start, end, buff=0.05, stroke_width=3, color=style.RULE, max_tip_length_to_length_ratio=0.25))
    body = VGroup(boxes, links)
    body.scale(min(LARGEST, room[0] / body.width, room[1] / body.height))
    body.move_to([0, head.get_bottom()[1] - 0.4 - room[1] / 2, 0])
    page = fit_page(VGroup(head, body))
    page.names = [n.name for n in nodes]
    return page
