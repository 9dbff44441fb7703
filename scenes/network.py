"""The network a trace runs, as a graph: its layers (nodes) and what feeds what (by tensor id), read
from the first forward pass. The overview page (:mod:`scenes.overview`) draws it.

Every edge comes from the steps: a layer's inputs are the nodes that made the tensors it reads. A
layer run again (the next timestep) adds no node, but what it reads from a *later* layer is the
state fed back, a recurrent edge (``fed_back``). So that a page stays readable, a layer that only
moves numbers (a transpose, a slice) stands inside the layer it reads, the heads of a multi-head
layer stand as one node (×N), and, when there are still more than ``BUDGET``, an activation or a
normalisation stands inside the layer before it.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, 2.0]], name="W")
...     b = tracer.param([0.5], name="b")
...     Z = tracer.linear(W, tracer.tensor([[1.0], [1.0]], name="X"), b, name="Z")
...     y = tracer.relu(Z, name="H")
>>> [(n.name, n.via, n.inputs) for n in network(trace, [s for s in trace.steps if s.parent is None])]
[('X', '', []), ('Z', 'linear · W · b', [0]), ('H', 'relu', [1])]
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field

from tracer.ops.spec import family_of
from tracer.trace import Step, Trace

BUDGET = 14      # more nodes than this, and an activation stands inside the layer before it
_SUBSCRIPT = re.compile("[₀-₉]+")   # Q₁, Q₂: one head's layer and the next's (h₁, h₂: one timestep's)
_TIMESTEP = re.compile("[0-9₀-₉]+$")   # x₁ (t1): the timestep an axis names


@dataclass
class Node:
    """One box of the page: a layer (or a few folded together), what feeds it, how often it runs."""

    name: str
    shape: tuple[int, ...]
    ops: list[str] = field(default_factory=list)       # the op(s) that made it, in order
    weights: list[str] = field(default_factory=list)   # the parameters they read
    axes: str = ""              # its axis names, shortened
    new: bool = False           # the first node of another network: a new row, no edge into it
    inputs: list[int] = field(default_factory=list)    # earlier nodes it reads
    fed_back: list[int] = field(default_factory=list)  # later nodes it reads at the next timestep
    runs: int = 1               # ×N: the timesteps or heads it stands for
    names: list[str] = field(default_factory=list)     # every layer it stands for
    cell: bool = False          # it stands for a recurrent cell's layers (:func:`cells`)

    def __post_init__(self) -> None:
        self.names = self.names or [self.name]

    @property
    def via(self) -> str:
        """What made it: its op(s) and the weights they read (``linear · W · b``); a cell's first
        and last layers (``hx → … → h``)."""
        if self.cell:
            return f"{self.names[0]} → … → {self.names[-1]}"
        return " · ".join(([" → ".join(self.ops)] if self.ops else []) + self.weights)


def network(trace: Trace, steps: list[Step]) -> list[Node]:
    """The nodes of every network the forward steps among ``steps`` run, in reading order: its
    input, then each layer's output once, the loss included. Once training has begun (a backward
    step), a pass that reads only weights already shown re-runs a network shown: the page ends
    there; a pass reading new weights is another network (a comparison): it starts afresh."""
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
    return _tidy(_in_order(nodes))


def _in_order(nodes: list[Node]) -> list[Node]:
    """``nodes`` with each after the nodes it reads, else in reading order: a layer run again that
    reads a later layer afresh (positional_encoding's ``X_pos`` adds the second sentence's ``X``,
    gathered after it) comes after it."""
    if all(a < k for k, n in enumerate(nodes) for a in n.inputs):
        return nodes
    waits = [len(n.inputs) for n in nodes]
    readers: list[list[int]] = [[] for _ in nodes]
    for k, n in enumerate(nodes):
        for a in n.inputs:
            readers[a].append(k)
    ready, order = [k for k, w in enumerate(waits) if w == 0], []
    heapq.heapify(ready)
    while ready:
        k = heapq.heappop(ready)
        order.append(k)
        for b in readers[k]:
            waits[b] -= 1
            if waits[b] == 0:
                heapq.heappush(ready, b)
    if len(order) < len(nodes):   # a loop (what it read afresh was made from it): reading order, no such edge
        for k, n in enumerate(nodes):
            n.inputs = [a for a in n.inputs if a < k]
        return nodes
    number = {k: i for i, k in enumerate(order)}
    for n in nodes:
        n.inputs = sorted(number[a] for a in n.inputs)
        n.fed_back = sorted(number[a] for a in n.fed_back)
    return [nodes[k] for k in order]


@dataclass
class _Seen:
    """The layers of a network shown so far (and their nodes), the tensors its latest new layers
    made, and which node made each tensor."""

    layers: dict[tuple, int] = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)
    made_by: dict[str, int] = field(default_factory=dict)
    lost: bool = False   # a loss is made: a layer run again from now on is the next pass
    timestep: int = 0    # counted from 0 by a layer reading the state the one before fed back
    turns: dict[int, int] = field(default_factory=dict)   # per layer fed back: how often so far
    producer: dict[str, Step] = field(default_factory=dict)   # the step that made each tensor


def _add(trace: Trace, s: Step, nodes: list[Node], seen: _Seen, weights: set[str]) -> None:
    """``s``'s output as a node (after the network's input, for its first), unless it is a layer
    shown: the same op on the same tensors, or making the same name with the same weights from
    nothing new (a second head's ``K_T`` reads the new ``K₂_rows``: it is another layer). A layer
    shown that reads a later layer's output (the state of the timestep before) gains a recurrent edge."""
    params = [trace.tensors[t].name for t in s.inputs if trace.tensors[t].kind == "param"]
    weights.update(params)
    out = trace.tensors[s.outputs[0]]
    made, read = (s.op, out.name, tuple(params)), (s.op, *s.inputs)
    layer = ("layer", s.op, _unnumbered(out.name), tuple(params))   # h₁'s at timestep 1, h₂'s at 2
    seen.producer.update({t: s for t in s.outputs})
    again = seen.layers.get(read)
    if again is None and not seen.fresh & set(s.inputs):   # past timestep 1, a layer is known by its layer name
        again = seen.layers.get(made, seen.layers.get(layer) if seen.timestep else None)   # (not Q₂ by Q₁'s)
        if again is not None:
            _next_timestep(s, nodes, again, seen)
    if again is not None:
        _another_timestep(nodes[again], out.name, _axes(out))
        seen.fresh.clear()   # the network runs again: what it makes now is not new
        seen.made_by.update({t: again for t in s.outputs})
        return
    if not seen.layers and s.inputs:   # a network's first layer: its input first
        given = [t for t in s.inputs if trace.tensors[t].kind != "param"]   # the data, not a weight
        x = trace.tensors[given[0] if given else s.inputs[0]]
        seen.made_by[x.id] = len(nodes)
        nodes.append(Node(x.name, x.shape, axes=_axes(x)))
    k = len(nodes)
    seen.layers.update({made: k, read: k})
    seen.layers.setdefault(layer, k)
    seen.fresh.update(s.outputs)
    inputs = sorted({seen.made_by[t] for t in s.inputs if t in seen.made_by})
    nodes.append(Node(out.name, out.shape, [s.op], params, _axes(out), inputs=inputs))
    seen.made_by.update({t: k for t in s.outputs})
    seen.lost = seen.lost or family_of(s.op) == "loss"


def _unnumbered(name: str) -> str:
    """A layer's name without the number of its head or timestep: ``Q₁`` → ``Q``, ``h₂`` → ``h``."""
    return _SUBSCRIPT.sub("", name)


def _another_timestep(node: Node, name: str, axes: str) -> None:
    """``node``'s layer made ``name`` again: another timestep's tensor (``h₂`` after ``h₁``), and
    the box, standing for both, is named as the equations name the layer, without a timestep
    (``h``); its axis names, a timestep's (``x₁``), name every timestep it stands for (``x₁…x₃``)."""
    if name != node.name and _unnumbered(name) == _unnumbered(node.name):
        node.name = node.names[0] = _unnumbered(name)
    first = node.axes.split("…")[0]
    if axes != first and _TIMESTEP.sub("", axes) == _TIMESTEP.sub("", first) and "," not in axes:
        node.axes = f"{first}…{axes}"


def _next_timestep(s: Step, nodes: list[Node], again: int, seen: _Seen) -> None:
    """Layer ``again`` runs again as ``s``: what it reads from a later layer is fed back (a
    recurrent edge), and the timestep it is on is the layer's ×N; a layer fed back that now reads
    no state begins the next sequence (as a loss ends a pass): the count stops."""
    later = {t for t in s.inputs if seen.made_by.get(t, -1) >= again}
    back = sorted({seen.made_by[t] for t in later if _fed_back(t, again, seen)})
    node = nodes[again]
    node.fed_back = sorted(set(node.fed_back) | set(back))
    node.inputs = sorted(set(node.inputs) | {seen.made_by[t] for t in later} - set(back) - {again})   # read afresh
    if back:
        seen.turns[again] = seen.turns.get(again, 0) + 1
        seen.timestep = max(seen.timestep, seen.turns[again])
    elif node.fed_back:
        seen.lost = True
    if not seen.lost:
        node.runs = max(node.runs, seen.timestep + 1)


def _fed_back(tensor: str, layer: int, seen: _Seen) -> bool:
    """Whether ``tensor`` was made from ``layer``'s own earlier output (its producers walked back):
    the state of the timestep before. A later layer's tensor made afresh (the second sentence's
    embeddings ``X``, gathered anew and added to the positions) is read, not fed back."""
    todo, walked = [tensor], set()
    while todo:
        t = todo.pop()
        if t in walked:
            continue
        walked.add(t)
        if seen.made_by.get(t) == layer:
            return True
        step = seen.producer.get(t)
        todo += list(step.inputs) if step is not None else []
    return False


def _axes(record) -> str:
    names = [n for n in (record.labels or ()) if n]
    if not names:
        return ""
    last = list(names[-1])
    return ", ".join(last[:3]) + (" …" if len(last) > 3 else "")


def _tidy(nodes: list[Node]) -> list[Node]:
    """Fewer boxes, the same graph: movements inside what they move, heads as one, then (past
    ``BUDGET``) activations inside the layer before."""
    nodes = _fold(nodes, _moves, _within)
    nodes = _fold(nodes, _heads, _another_head)
    if len(nodes) > BUDGET:
        nodes = _fold(nodes, _activation, _then)
    return nodes


def _within(a: Node, n: Node) -> None:
    a.names += n.names


def _another_head(a: Node, n: Node) -> None:
    """``n`` is another head of ``a``: the box is named for any head (``Q``, not ``Q₁``), ×N."""
    a.names += n.names
    a.name, a.runs = _unnumbered(a.name), a.runs + n.runs
    a.weights = [_unnumbered(w) for w in a.weights]   # W_Q: each head's own


def _then(a: Node, n: Node) -> None:
    """``n`` applied to ``a``: the box now shows its result, and both ops."""
    a.names += n.names
    a.name, a.shape, a.axes = n.name, n.shape, n.axes or a.axes
    a.ops, a.weights = a.ops + n.ops, a.weights + n.weights


def _moves(nodes: list[Node], k: int) -> int | None:
    """A transpose or a slice of one node stands inside that node (a join, like concat, is drawn)."""
    n = nodes[k]
    if n.ops and family_of(n.ops[0]) == "structural" and len(n.inputs) == 1 and not n.fed_back and not n.new:
        return n.inputs[0]
    return None


def _heads(nodes: list[Node], k: int) -> int | None:
    """The next head's layer (``Q₂``: the same op on the same nodes as ``Q₁``) stands in the first's."""
    n = nodes[k]
    if not _SUBSCRIPT.search(n.name):
        return None
    key = _head_key(n)
    return next((j for j in range(k) if nodes[j].names and _SUBSCRIPT.search(nodes[j].names[0]) and _head_key(nodes[j]) == key
                 and nodes[j].name != n.name), None)


def _head_key(n: Node) -> tuple:
    return (_unnumbered(n.name), tuple(n.ops), tuple(_unnumbered(w) for w in n.weights),
            tuple(n.inputs))


def _activation(nodes: list[Node], k: int) -> int | None:
    """An activation or normalisation of a layer nothing else reads stands inside that layer."""
    n = nodes[k]
    if not n.ops or family_of(n.ops[0]) not in ("elementwise", "normalization") or len(n.inputs) != 1 or n.fed_back:
        return None
    a = n.inputs[0]
    readers = [m for m in nodes if a in m.inputs or a in m.fed_back]
    return a if nodes[a].ops and len(readers) == 1 and not n.new else None


def _fold(nodes: list[Node], into_of, merge) -> list[Node]:
    """``nodes`` with each node that ``into_of(nodes, k)`` places inside an earlier one merged into it
    by ``merge(home, node)`` (edges kept, renumbered); one pass in reading order, so a chain folds whole."""
    nodes = [Node(**{**vars(n), "inputs": list(n.inputs), "fed_back": list(n.fed_back), "names": list(n.names)})
             for n in nodes]
    home = list(range(len(nodes)))
    for k in range(len(nodes)):
        into = into_of(nodes, k)
        if into is None:
            continue
        home[k] = home[into]
        merge(nodes[home[k]], nodes[k])
        nodes[k].inputs, nodes[k].fed_back, nodes[k].names = [], [], []   # its home stands for it now
        for m in nodes[k + 1:]:   # whoever read the folded node reads its home
            m.inputs = sorted({home[k] if j == k else j for j in m.inputs})
            m.fed_back = sorted({home[k] if j == k else j for j in m.fed_back})
        for m in nodes[:k + 1]:
            m.fed_back = sorted({home[k] if j == k else j for j in m.fed_back})
    kept = [k for k in range(len(nodes)) if home[k] == k]
    number = {k: i for i, k in enumerate(kept)}
    out = []
    for k in kept:
        n = nodes[k]
        n.inputs = sorted({number[home[j]] for j in n.inputs} - {number[k]})
        n.fed_back = sorted({number[home[j]] for j in n.fed_back})
        out.append(n)
    return out


def cells(nodes: list[Node]) -> list[Node]:
    """Each network's recurrent cell (the layers it runs every timestep, ×N) as one box: three
    networks compared (gradient_through_time's RNN, LSTM and GRU, 32 boxes) drawn box by box were
    too small to read. The cell is named for the states it feeds back (the LSTM's ``c, h``: what
    sets it apart); its edge fed back runs from it to itself."""
    network_of = _networks(nodes)
    states: list[list[str]] = [[] for _ in range(network_of[-1] + 1)] if nodes else []
    for j in sorted({j for n in nodes for j in n.fed_back}):
        states[network_of[j]].append(nodes[j].name)
    def same_cell(nodes: list[Node], k: int) -> int | None:   # (heads ×N are no cell: nothing fed back)
        return _same_cell(nodes, k) if states[network_of[k]] else None
    folded = _fold(nodes, same_cell, _cell)
    for n, k in zip(folded, _networks(folded)):
        if n.cell and states[k]:
            n.name = ", ".join(states[k])
    return folded


def _networks(nodes: list[Node]) -> list[int]:
    """Each node's network, counted from 0 (a compared one starts at a ``new`` node)."""
    k, out = 0, []
    for i, n in enumerate(nodes):
        k += n.new and i > 0
        out.append(k)
    return out


def _same_cell(nodes: list[Node], k: int) -> int | None:
    """The first layer of ``nodes[k]``'s network that runs every timestep, if ``k`` does too."""
    if nodes[k].runs == 1 or nodes[k].new:
        return None
    start = max([j for j in range(k + 1) if nodes[j].new], default=0)
    return next((j for j in range(start, k) if nodes[j].runs > 1 and nodes[j].names), None)


def _cell(a: Node, n: Node) -> None:
    """``n``, a layer of ``a``'s cell, inside it: what it reads and is fed back, the cell reads."""
    a.names += n.names
    a.inputs, a.fed_back = sorted({*a.inputs, *n.inputs}), sorted({*a.fed_back, *n.fed_back})
    a.name, a.shape, a.axes, a.cell = n.name, n.shape, n.axes or a.axes, True
    a.ops, a.weights = a.ops + n.ops, a.weights + n.weights


def levels(nodes: list[Node]) -> list[int]:
    """Each node's column: one past the furthest of its inputs (a network's input, and a node
    reading only given tensors, at 0)."""
    level: list[int] = []
    for n in nodes:
        level.append(0 if n.new or not n.inputs else 1 + max(level[a] for a in n.inputs))
    return level


def links(nodes: list[Node]) -> list[tuple[int, int, str]]:
    """The edges ``(from, to, kind)``: ``"next"`` into the next column, ``"skip"`` over columns (a
    residual connection), ``"back"`` to an earlier layer at the next timestep (recurrent)."""
    level = levels(nodes)
    edges = [(a, b, "skip" if level[b] - level[a] > 1 else "next") for b, n in enumerate(nodes) for a in n.inputs]
    return edges + [(a, b, "back") for b, n in enumerate(nodes) for a in n.fed_back]
