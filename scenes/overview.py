"""The whole network on one page: every layer of the first forward pass as a box (its output's
name, shape and axis names), joined by arrows labelled with the op and the weights it reads, in
reading order, wrapping like a worksheet. A layer run again (a timestep, a pass) shows once; several networks compared share the page; a very long one is elided (its first and last layers around
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

import math
from dataclasses import dataclass, field

from manim import DOWN, LEFT, RIGHT, Arrow, RoundedRectangle, VGroup

from tracer.trace import Step, Trace

from . import glyphs, style
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


def overview_page(nodes: list[Node], title: str, lang: str) -> VGroup:
    """The page: a box per node (the op and weights that made it, its name, shape and axis names),
    arrows between them, in rows (of 5, more for a long network so the page keeps its shape)."""
    if len(nodes) > MOST:
        nodes = nodes[:MOST // 2] + [Node("⋯", (), f"{len(nodes) - MOST + 1}")] + nodes[-(MOST // 2 - 1):]
    per_row = max(5, math.ceil(math.sqrt(1.6 * len(nodes))))
    boxes = VGroup()
    for n in nodes:
        lines = [glyphs.mono(n.via, style.COMPUTED, 16)] if n.via else []   # what made it, on top
        lines.append(glyphs.mono(n.name, style.INK, style.LABEL_SIZE, bold=True))
        if n.shape:
            lines.append(glyphs.mono(shape_text(n.shape), style.MUTED, style.SMALL_NUMBER_SIZE))
        if n.axes:
            lines.append(glyphs.fit_width(glyphs.prose(n.axes, lang, style.MUTED, 16), 1.9))
        text = VGroup(*[glyphs.fit_width(t, 1.9) for t in lines]).arrange(DOWN, buff=0.08)
        frame = RoundedRectangle(corner_radius=0.12, width=2.15, height=max(1.0, text.height + 0.3),
                                 stroke_color=style.COMPUTED_EDGE if n.via else style.GIVEN_EDGE, stroke_width=2,
                                 fill_color=style.COMPUTED_FILL if n.via else style.GIVEN_FILL, fill_opacity=1.0)
        boxes.add(VGroup(frame, text.move_to(frame)))
    rows, row_of = [], []
    for k, n in enumerate(nodes):
        if not rows or n.new or len(rows[-1]) == per_row:
            rows.append(VGroup())
        rows[-1].add(boxes[k])
        row_of.append(len(rows) - 1)
    grid = VGroup(*[r.arrange(RIGHT, buff=0.55) for r in rows]).arrange(DOWN, buff=0.95, aligned_edge=LEFT)
    links = VGroup()
    for k in range(1, len(nodes)):
        if nodes[k].new:
            continue
        a, b = boxes[k - 1], boxes[k]
        same_row = row_of[k] == row_of[k - 1]
        start, end = (a.get_right(), b.get_left()) if same_row else (a.get_bottom(), b.get_top())
        links.add(Arrow(start, end, buff=0.05, stroke_width=3, color=style.RULE, max_tip_length_to_length_ratio=0.25))
    body = VGroup(grid, links)
    glyphs.fit_width(body, style.FRAME_WIDTH - 1.0)
    if body.height > style.FRAME_HEIGHT - 2.0:
        body.scale_to_fit_height(style.FRAME_HEIGHT - 2.0)
    head = glyphs.fit_width(glyphs.prose(title, lang, style.INK, 30, bold=True), style.FRAME_WIDTH - 1.0)
    page = VGroup(head, body).arrange(DOWN, buff=0.45).move_to([0, 0.1, 0])
    page.names = [n.name for n in nodes]
    return page
